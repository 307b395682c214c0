"""ipckit_fuzz_test: a libFuzzer target that is also a regression test.

Under --config=fuzz (clang, libFuzzer, ASan and UBSan; see .bazelrc) the test
fuzzes for $FUZZ_SECONDS (default 20) from a copy of its seed corpus. In the
other configs the same source links a small driver and the test replays the
seeds, so every crash ever found stays a test.
"""

def ipckit_fuzz_test(name, srcs, deps, seeds):
    native.cc_binary(
        name = name,
        testonly = True,
        srcs = srcs,
        deps = deps + select({
            "//fuzz:fuzzing": [],
            "//conditions:default": ["//fuzz:standalone_main"],
        }),
    )
    native.sh_test(
        name = name + "_test",
        size = "medium",
        srcs = ["//fuzz:run_fuzzer.sh"],
        args = ["$(rootpath :%s)" % name] + select({
            "//fuzz:fuzzing": ["--fuzz"],
            "//conditions:default": ["--replay"],
        }) + ["$(rootpaths %s)" % seeds],
        data = [":" + name, seeds],
    )
