"""@com_google_googletest: Debian's libgtest-dev and libgmock-dev under upstream's target names."""

load(":system.bzl", "require")

_BUILD = """\
package(default_visibility = ["//visibility:public"])

# The headers are on the compiler's default search path (/usr/include).
cc_library(
    name = "gtest",
    linkopts = ["-lgtest", "-pthread"],
)

cc_library(
    name = "gtest_main",
    linkopts = ["-lgtest_main", "-lgtest", "-pthread"],
)

cc_library(
    name = "gmock",
    linkopts = ["-lgmock", "-lgtest", "-pthread"],
)

cc_library(
    name = "gmock_main",
    linkopts = ["-lgmock_main", "-lgmock", "-lgtest", "-pthread"],
)
"""

def _googletest_impl(ctx):
    require(ctx, "/usr/include/gtest/gtest.h", "libgtest-dev")
    require(ctx, "/usr/lib/x86_64-linux-gnu/libgtest.a", "libgtest-dev")
    require(ctx, "/usr/include/gmock/gmock.h", "libgmock-dev")
    require(ctx, "/usr/lib/x86_64-linux-gnu/libgmock.a", "libgmock-dev")
    ctx.file("WORKSPACE", 'workspace(name = "com_google_googletest")\n')
    ctx.file("BUILD", _BUILD)

googletest_repository = repository_rule(
    implementation = _googletest_impl,
    local = True,
    doc = "GoogleTest and GoogleMock from Debian's libgtest-dev and libgmock-dev.",
)
