"""Repository rules that expose Debian's system packages under upstream names.

Only this directory knows where Debian puts things. Each rule checks that the
files it needs exist and fails with the name of the Debian package to install
when they do not, instead of letting Bazel try (and fail) to download them.
"""

def require(ctx, path, package):
    """require returns ctx.path(path), or fails naming the Debian package that provides it."""
    p = ctx.path(path)
    if not p.exists:
        fail(("\n\nipckit: {path} is missing; install the Debian package '{pkg}':\n" +
              "    sudo apt-get install {pkg}\n" +
              "or run third_party/install_deps.sh to install everything ipckit needs.\n").format(
            path = path,
            pkg = package,
        ))
    return p

def _system_directory_impl(ctx):
    root = require(ctx, ctx.attr.path, ctx.attr.package)
    for child in root.readdir():
        ctx.symlink(child, child.basename)

system_directory = repository_rule(
    implementation = _system_directory_impl,
    attrs = {
        "path": attr.string(mandatory = True, doc = "Directory holding a Bazel repository."),
        "package": attr.string(mandatory = True, doc = "Debian package that provides it."),
    },
    local = True,
    doc = "A Bazel repository installed as a directory by a Debian package.",
)
