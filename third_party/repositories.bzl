"""ipckit_dependencies declares every external repository ipckit uses, all from the system."""

load(":absl.bzl", "absl_repository")
load(":boringssl.bzl", "boringssl_repository")
load(":googletest.bzl", "googletest_repository")
load(":shims.bzl", "toolchain_repositories")

def ipckit_dependencies():
    """ipckit_dependencies declares @boringssl, @com_google_absl, @com_google_googletest and the toolchain shims."""
    toolchain_repositories()
    boringssl_repository(name = "boringssl")
    absl_repository(name = "com_google_absl")
    googletest_repository(name = "com_google_googletest")
