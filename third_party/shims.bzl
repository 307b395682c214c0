"""Local stand-ins for the toolchain repositories Bazel 4 would otherwise download.

Bazel 4.2.3 in WORKSPACE mode loads @rules_cc, @rules_java, @platforms and
@remote_coverage_tools from its default WORKSPACE suffix. On an offline Debian
machine they come from here: @rules_cc is a tiny shim re-exporting the native C++
rules (Debian's bazel-rules-cc is too new for Bazel 4), @rules_java and @platforms
are Debian's bazel-rules-java and bazel-platforms, and @remote_coverage_tools is a
stub with the two targets `bazel coverage` looks up.
"""

load(":system.bzl", "system_directory")

_RULES_CC_DEFS = '''\
"""Re-exports Bazel 4's native C++ rules under @rules_cc//cc:defs.bzl."""

def cc_binary(**kwargs):
    native.cc_binary(**kwargs)

def cc_import(**kwargs):
    native.cc_import(**kwargs)

def cc_library(**kwargs):
    native.cc_library(**kwargs)

def cc_proto_library(**kwargs):
    native.cc_proto_library(**kwargs)

def cc_test(**kwargs):
    native.cc_test(**kwargs)

def cc_toolchain(**kwargs):
    native.cc_toolchain(**kwargs)

def cc_toolchain_suite(**kwargs):
    native.cc_toolchain_suite(**kwargs)

def fdo_prefetch_hints(**kwargs):
    native.fdo_prefetch_hints(**kwargs)

def fdo_profile(**kwargs):
    native.fdo_profile(**kwargs)

def objc_import(**kwargs):
    native.objc_import(**kwargs)

def objc_library(**kwargs):
    native.objc_library(**kwargs)
'''

def _rules_cc_shim_impl(ctx):
    ctx.file("WORKSPACE", 'workspace(name = "rules_cc")\n')
    ctx.file("BUILD", "")
    ctx.file("cc/BUILD", 'exports_files(["defs.bzl"])\n')
    ctx.file("cc/defs.bzl", _RULES_CC_DEFS)

rules_cc_shim = repository_rule(
    implementation = _rules_cc_shim_impl,
    doc = "A @rules_cc whose cc/defs.bzl re-exports the native C++ rules.",
)

def _coverage_stub_impl(ctx):
    ctx.file("WORKSPACE", 'workspace(name = "remote_coverage_tools")\n')
    ctx.file("stub.sh", "#!/bin/sh\necho 'coverage tools are not available offline' >&2\nexit 1\n", executable = True)
    ctx.file("BUILD", """\
package(default_visibility = ["//visibility:public"])

sh_binary(name = "coverage_report_generator", srcs = ["stub.sh"])

sh_binary(name = "lcov_merger", srcs = ["stub.sh"])
""")

coverage_stub = repository_rule(
    implementation = _coverage_stub_impl,
    doc = "A @remote_coverage_tools with stub coverage_report_generator and lcov_merger.",
)

def toolchain_repositories():
    """Declares @rules_cc, @rules_java, @platforms and @remote_coverage_tools locally."""
    rules_cc_shim(name = "rules_cc")
    system_directory(
        name = "rules_java",
        path = "/usr/share/bazel/rules/java",
        package = "bazel-rules-java",
    )
    system_directory(
        name = "platforms",
        path = "/usr/share/bazel/tools/platforms",
        package = "bazel-platforms",
    )
    coverage_stub(name = "remote_coverage_tools")
