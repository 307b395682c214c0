"""ipckit_server_test: a test with live network peers around it.

    load("@ipckit//bazel:defs.bzl", "ipckit_server_test")

    ipckit_server_test(
        name = "client_test",
        test = ":client_test_bin",            # any executable: cc_binary, sh script
        servers = {
            "ECHO": "$(rootpath @ipckit//tools/echod) -l 127.0.0.1:0",
            "TLS": "$(rootpath @ipckit//tools/echod) -l tls:127.0.0.1:0 " +
                   "--cert $(rootpath @ipckit//testdata/tls:server.pem) " +
                   "--key $(rootpath @ipckit//testdata/tls:server.key)",
        },
    )

The test runs under //tools/with_server: each server starts on a free port,
the test starts once every server has printed "listening on ADDR" or
netcat-openbsd's "Listening on HOST PORT" / "Bound on HOST PORT" (or filled
its {port_file}), with ECHO_HOST, ECHO_PORT, ECHO_ADDR (and TLS_...) in its
environment; then the servers are stopped. Labels written as $(rootpath X)
in a server command or in `args` are added to the test's data for you.
"""

def _rootpath_labels(text):
    """The labels inside every "$(rootpath LABEL)" in `text`."""
    labels = []
    rest = text
    for _ in range(100):
        start = rest.find("$(rootpath ")
        if start < 0:
            break
        rest = rest[start + len("$(rootpath "):]
        end = rest.find(")")
        if end < 0:
            break
        labels.append(rest[:end].strip())
        rest = rest[end + 1:]
    return labels

def _quote(text):
    """Bourne-quotes `text` for a test's `args` (Bazel tokenizes them)."""
    return "'" + text.replace("'", "'\\''") + "'"

def ipckit_server_test(
        name,
        test,
        servers,
        args = [],
        data = [],
        ready_timeout = "10s",
        grace = "5s",
        **kwargs):
    """Defines an sh_test that runs `test` with `servers` around it.

    Args:
      name: the test's name.
      test: label of an executable (a cc_binary, an sh script) to run.
      servers: dict NAME (or "NAME:N" for N listeners) -> command line; it
        may use $(rootpath LABEL), {port_file} and {tmpdir}, or start with
        "sh:" to run under /bin/sh -c.
      args: arguments for `test`.
      data: more runfiles for the test.
      ready_timeout: how long the servers get to report readiness.
      grace: how long servers get between SIGTERM and SIGKILL.
      **kwargs: passed to sh_test (size, tags, flaky, ...).
    """
    with_server = Label("//tools/with_server")
    deps = {}
    for command in servers.values():
        for label in _rootpath_labels(command):
            deps[label] = True
    for a in args:
        for label in _rootpath_labels(a):
            deps[label] = True
    runner_args = ["$(rootpath %s)" % with_server, "--ready-timeout=" + ready_timeout, "--grace=" + grace]
    for key in sorted(servers.keys()):
        runner_args.append(_quote("--server=%s=%s" % (key, servers[key])))
    runner_args += ["--", "$(rootpath %s)" % test] + [_quote(a) for a in args]
    all_data = [with_server, test] + data
    for label in deps.keys():
        if label not in all_data:
            all_data.append(label)
    native.sh_test(
        name = name,
        srcs = [Label("//bazel:run_under_with_server.sh")],
        args = runner_args,
        data = all_data,
        **kwargs
    )
