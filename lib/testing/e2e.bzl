"""ipckit_e2e_test: the one way an end-to-end test is declared.

An end-to-end test is a Python unittest file that starts the tools (and real
peers: nc.openbsd, socat, openssl, Python's ssl...) through
lib/testing/harness.py and finds them with harness.runfile(). The rule runs
it with lib/testing/run_e2e.sh; `data` names the tools and files it needs.
"""

def ipckit_e2e_test(name, src, data = [], size = "medium", **kwargs):
    native.sh_test(
        name = name,
        size = size,
        srcs = ["//lib/testing:run_e2e.sh"],
        args = ["$(rootpath %s)" % src] + kwargs.pop("args", []),
        data = [src, "//lib/testing:harness.py"] + data,
        **kwargs
    )
