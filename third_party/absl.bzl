"""@com_google_absl: Debian's libabsl-dev under upstream's package and target names.

Each target links exactly what Debian's pkg-config file for that component says
(`pkg-config --libs absl_<component>`), so //absl/status:statusor pulls in the
statusor library and its dependencies, and header-only targets link nothing.
"""

load(":system.bzl", "require")

_PACKAGE = "libabsl-dev"

# _TARGETS maps upstream's Bazel package to {target name: pkg-config module}.
_TARGETS = {
    "algorithm": {"algorithm": "absl_algorithm", "container": "absl_algorithm_container"},
    "base": {
        "base": "absl_base",
        "config": "absl_config",
        "core_headers": "absl_core_headers",
        "dynamic_annotations": "absl_dynamic_annotations",
        "endian": "absl_endian",
        "log_severity": "absl_log_severity",
        "prefetch": "absl_prefetch",
    },
    "cleanup": {"cleanup": "absl_cleanup"},
    "container": {
        "btree": "absl_btree",
        "fixed_array": "absl_fixed_array",
        "flat_hash_map": "absl_flat_hash_map",
        "flat_hash_set": "absl_flat_hash_set",
        "inlined_vector": "absl_inlined_vector",
        "node_hash_map": "absl_node_hash_map",
        "node_hash_set": "absl_node_hash_set",
    },
    "debugging": {
        "failure_signal_handler": "absl_failure_signal_handler",
        "leak_check": "absl_leak_check",
        "stacktrace": "absl_stacktrace",
        "symbolize": "absl_symbolize",
    },
    "functional": {
        "any_invocable": "absl_any_invocable",
        "bind_front": "absl_bind_front",
        "function_ref": "absl_function_ref",
    },
    "hash": {"hash": "absl_hash"},
    "memory": {"memory": "absl_memory"},
    "meta": {"type_traits": "absl_type_traits"},
    "numeric": {"bits": "absl_bits", "int128": "absl_int128"},
    "random": {
        "bit_gen_ref": "absl_random_bit_gen_ref",
        "distributions": "absl_random_distributions",
        "random": "absl_random_random",
    },
    "status": {"status": "absl_status", "statusor": "absl_statusor"},
    "strings": {"cord": "absl_cord", "str_format": "absl_str_format", "strings": "absl_strings"},
    "synchronization": {"synchronization": "absl_synchronization"},
    "time": {"time": "absl_time"},
    "types": {
        "any": "absl_any",
        "compare": "absl_compare",
        "optional": "absl_optional",
        "span": "absl_span",
        "variant": "absl_variant",
    },
    "utility": {"utility": "absl_utility"},
}

def _libs(ctx, pkg_config, module):
    result = ctx.execute([pkg_config, "--libs", module])
    if result.return_code != 0:
        fail("ipckit: pkg-config --libs {} failed ({}); is {} installed?\n{}".format(
            module,
            result.return_code,
            _PACKAGE,
            result.stderr,
        ))
    return [w for w in result.stdout.strip().split(" ") if w]

def _absl_impl(ctx):
    require(ctx, "/usr/include/absl/base/config.h", _PACKAGE)
    pkg_config = ctx.which("pkg-config")
    if pkg_config == None:
        fail("\n\nipckit: pkg-config is missing; install the Debian package 'pkg-config' " +
             "(or run third_party/install_deps.sh).\n")
    ctx.file("WORKSPACE", 'workspace(name = "com_google_absl")\n')
    ctx.file("BUILD", "")
    for package, targets in _TARGETS.items():
        lines = [
            "# Generated from Debian's pkg-config files; headers are in /usr/include.",
            'package(default_visibility = ["//visibility:public"])',
            "",
        ]
        for name, module in sorted(targets.items()):
            lines.append("cc_library(name = {}, linkopts = {})".format(
                repr(name),
                repr(_libs(ctx, pkg_config, module)),
            ))
        ctx.file("absl/{}/BUILD".format(package), "\n".join(lines) + "\n")

absl_repository = repository_rule(
    implementation = _absl_impl,
    local = True,
    doc = "Abseil from Debian's libabsl-dev, one target per pkg-config module.",
)
