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

The test runs under //tools/with_server: the servers start in the order
written, each ready before the next (so a later command may use an earlier
server's {ECHO_ADDR}, {ECHO_PORT}, ...), then the test runs with ECHO_HOST,
ECHO_PORT, ECHO_ADDR (and TLS_...) in its environment, then the servers stop
in reverse order. A server is ready once it has printed "listening on ADDR"
or netcat-openbsd's "Listening on HOST PORT" / "Bound on HOST PORT", or
filled its {port_file}, or accepts a TCP connect on the {port} with_server
picked for it, or (ready_log) printed a line matching a pattern whose first
group is its port; ready_http then waits for a GET answered 2xx;
socket_activation servers get a listening socket as LISTEN_FDS. A server
that exits while the test runs fails it (unless in may_exit), and so does
one that exits non-zero or needs SIGKILL after SIGTERM (unless in
allow_unclean_stop). Labels written as $(rootpath X) in a server command or
in `args` are added to the test's data for you.

    ipckit_server_test(
        name = "http_client_test",
        test = ":http_client",
        servers = {"HTTP": "python3 -u -m http.server {port} --bind 127.0.0.1"},
        ready_http = {"HTTP": "/"},
    )
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
        ready_log = {},
        ready_http = {},
        socket_activation = [],
        may_exit = [],
        allow_unclean_stop = [],
        **kwargs):
    """Defines an sh_test that runs `test` with `servers` around it.

    Args:
      name: the test's name.
      test: label of an executable (a cc_binary, an sh script) to run.
      servers: dict NAME (or "NAME:N" for N listeners) -> command line, in
        the order they start; it may use $(rootpath LABEL), {port_file},
        {port}, {tmpdir} and earlier servers' {NAME_ADDR}, {NAME_PORT}, ...,
        or start with "sh:" to run under /bin/sh -c.
      args: arguments for `test`.
      data: more runfiles for the test.
      ready_timeout: how long the servers get to report readiness.
      grace: how long servers get between SIGTERM and SIGKILL.
      ready_log: dict NAME -> pattern (POSIX ERE, with \\d \\w \\s) of the
        log line that says NAME is ready; its first group is the port.
      ready_http: dict NAME -> path that must answer a GET with 2xx.
      socket_activation: names of servers that get their socket from
        with_server (LISTEN_FDS=1, fd 3).
      may_exit: names of servers allowed to exit while the test runs.
      allow_unclean_stop: names of servers allowed to exit non-zero (or need
        SIGKILL) after SIGTERM.
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
    for key in servers.keys():  # In order: each starts once the ones before are ready.
        runner_args.append(_quote("--server=%s=%s" % (key, servers[key])))
    for key in ready_log.keys():
        runner_args.append(_quote("--ready-log=%s=%s" % (key, ready_log[key])))
    for key in ready_http.keys():
        runner_args.append(_quote("--ready-http=%s=%s" % (key, ready_http[key])))
    for flag, names in [("--socket-activation", socket_activation), ("--may-exit", may_exit),
                        ("--allow-unclean-stop", allow_unclean_stop)]:
        for n in names:
            runner_args.append(_quote("%s=%s" % (flag, n)))
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
