"""@boringssl: Debian's android-libboringssl-dev as upstream's :ssl and :crypto."""

load(":system.bzl", "require")

_PACKAGE = "android-libboringssl-dev"
_INCLUDE = "/usr/include/android"
_LIBDIR = "/usr/lib/x86_64-linux-gnu/android"

_BUILD = """\
package(default_visibility = ["//visibility:public"])

# The headers live in their own directory so that they shadow OpenSSL's
# /usr/include/openssl (libssl-dev) when both are installed.
cc_library(
    name = "headers",
    hdrs = glob(["include/openssl/*.h"]),
    includes = ["include"],
)

cc_library(
    name = "crypto",
    linkopts = ["-L{libdir}", "-Wl,-rpath,{libdir}", "-lcrypto", "-pthread"],
    deps = [":headers"],
)

cc_library(
    name = "ssl",
    linkopts = ["-L{libdir}", "-Wl,-rpath,{libdir}", "-lssl", "-lcrypto", "-pthread"],
    deps = [":crypto", ":headers"],
)
"""

def _boringssl_impl(ctx):
    require(ctx, _INCLUDE + "/openssl/ssl.h", _PACKAGE)
    require(ctx, _LIBDIR + "/libssl.so", _PACKAGE)
    require(ctx, _LIBDIR + "/libcrypto.so", _PACKAGE)
    ctx.symlink(_INCLUDE, "include")
    ctx.file("WORKSPACE", 'workspace(name = "boringssl")\n')
    ctx.file("BUILD", _BUILD.format(libdir = _LIBDIR))

boringssl_repository = repository_rule(
    implementation = _boringssl_impl,
    local = True,
    doc = "BoringSSL from Debian's android-libboringssl-dev.",
)
