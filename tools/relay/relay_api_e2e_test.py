"""relay --api end to end: toxiproxy's HTTP API driven by its own clients.

toxiproxy-node-client (pinned in third_party/toxiproxy_client, installed by
install_deps.sh) runs api_client_test.js against relay: every toxic type,
update, remove, toggle, reset, populate, list and version, each effect
measured from a client. curl runs the README's CLI example (a redis proxy,
1 s of latency on GET, delete) with redis-cli as the client. --config reads
toxiproxy-server's -config file. Hostile HTTP gets 4xx and holds up no one.
"""

import json
import os
import socket
import subprocess
import tempfile
import time
import unittest
import warnings

warnings.simplefilter("ignore", ResourceWarning)

import harness  # noqa: E402

RELAY = harness.runfile("tools/relay/relay")
ECHOD = harness.runfile("tools/echod/echod")
CLIENT_JS = harness.runfile("tools/relay/api_client_test.js")
NODE_MODULES = harness.runfile("third_party/toxiproxy_client/node_modules")
DEADLINE = 10


def echod():
    return harness.serve([ECHOD, "-l", "127.0.0.1:0", "--workers", "1"])


def api_server(*extra):
    """relay serving the API alone; its first listening line is the API's."""
    return harness.serve([RELAY, "--api", "127.0.0.1:0"] + list(extra))


def http(port, method, path, body=None, headers=None):
    """One request with curl: (status, body)."""
    argv = ["curl", "-s", "-X", method, "-o", "-", "-w", "\n%{http_code}", f"http://127.0.0.1:{port}{path}"]
    if body is not None:
        argv += ["-H", "Content-Type: application/json", "--data-binary", body]
    for h in headers or []:
        argv += ["-H", h]
    code, out, err = harness.run(argv)
    assert code == 0, err
    text, _, status = out.decode().rpartition("\n")
    return int(status), text.removesuffix("\n")  # toxiproxy's error bodies end with one.


def raw(port, data, timeout=DEADLINE):
    """Sends `data` on a new connection and returns what comes back until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        return harness.recv_all(s)


class NodeClient(unittest.TestCase):
    def test_toxiproxy_node_client_drives_relay(self):
        self.assertTrue(os.path.isdir(os.path.join(NODE_MODULES, "toxiproxy-node-client")),
                        "toxiproxy-node-client is not installed: run third_party/install_deps.sh")
        upstream = echod()
        api = api_server()
        code, out, err = harness.run(
            ["node", CLIENT_JS, f"http://127.0.0.1:{api.port()}", f"127.0.0.1:{upstream.port()}"],
            env={"NODE_PATH": NODE_MODULES}, deadline=120)
        lines = out.decode().splitlines()
        self.assertEqual(code, 0, out.decode() + err.decode())
        self.assertEqual(lines, ["ok " + s for s in (
            "version", "create", "conflict", "list and get", "latency add update remove", "latency upstream",
            "bandwidth", "slicer", "limit_data", "timeout", "reset_peer", "slow_close", "toxicity 0",
            "disable and enable", "reset", "populate", "remove")])
        self.assertEqual(api.stop()[0], 0)
        upstream.stop()


class Curl(unittest.TestCase):
    def test_the_readme_redis_example_with_curl(self):
        # toxiproxy's README, its CLI example in curl lines: create a redis
        # proxy, 1 s of latency on every GET, remove it, delete the proxy.
        redis_port = harness.free_port()
        redis = harness.start(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"])
        self.assertTrue(harness.wait_connectable(redis_port, redis.proc), redis.err)
        api = api_server()
        listen = harness.free_port()
        status, body = http(api.port(), "POST", "/proxies",
                            json.dumps({"name": "redis", "listen": f"127.0.0.1:{listen}",
                                        "upstream": f"localhost:{redis_port}"}))
        self.assertEqual(status, 201, body)
        self.assertEqual(json.loads(body), {"name": "redis", "listen": f"127.0.0.1:{listen}",
                                            "upstream": f"localhost:{redis_port}", "enabled": True, "toxics": []})

        def cli(*args):
            start = time.monotonic()
            code, out, err = harness.run(["redis-cli", "-p", str(listen)] + list(args))
            return code, (out + err).decode().strip(), time.monotonic() - start
        self.assertEqual(cli("SET", "omg", "pandas")[:2], (0, "OK"))
        code, out, took = cli("GET", "omg")
        self.assertEqual((code, out), (0, "pandas"))
        self.assertLess(took, 0.9)
        status, body = http(api.port(), "POST", "/proxies/redis/toxics",
                            '{"type": "latency", "attributes": {"latency": 1000}}')
        self.assertEqual((status, json.loads(body)["name"]), (200, "latency_downstream"))
        code, out, took = cli("GET", "omg")
        self.assertEqual((code, out), (0, "pandas"))
        self.assertGreaterEqual(took, 1.0)
        self.assertEqual(http(api.port(), "DELETE", "/proxies/redis/toxics/latency_downstream")[0], 204)
        self.assertLess(cli("DEL", "omg")[2], 0.9)
        self.assertEqual(http(api.port(), "DELETE", "/proxies/redis")[0], 204)
        code, out, _ = cli("GET", "omg")
        self.assertIn("Connection refused", out)
        self.assertEqual(api.stop()[0], 0)
        redis.kill()

    def test_errors_are_toxiproxys(self):
        api = api_server()
        p = api.port()
        self.assertEqual(http(p, "GET", "/proxies/nope"), (404, '{"error":"proxy not found","status":404}'))
        self.assertEqual(http(p, "POST", "/proxies", '{"name": "x"}'),
                         (400, '{"error":"missing required field: upstream","status":400}'))
        self.assertEqual(http(p, "GET", "/nope"), (404, "404 page not found"))
        self.assertEqual(http(p, "GET", "/proxies", headers=["User-Agent: Mozilla/5.0"]),
                         (403, "User agent not allowed"))
        self.assertEqual(http(p, "POST", "/proxies", '{"name":"x","upstream":"127.0.0.1:1","listen":"unix:/x"}'),
                         (400, '{"error":"listen \'unix:/x\': an API proxy listens on TCP HOST:PORT","status":400}'))
        self.assertEqual(api.stop()[0], 0)


class Config(unittest.TestCase):
    def test_config_file_makes_the_proxies(self):
        upstream = echod()
        with tempfile.TemporaryDirectory() as d:
            # The README's config.json shape, on ports the test can own.
            with open(f"{d}/toxiproxy.json", "w") as f:
                json.dump([{"name": "v4", "listen": "127.0.0.1:0", "upstream": f"127.0.0.1:{upstream.port()}",
                            "enabled": True},
                           {"name": "v6", "listen": "[::1]:0", "upstream": f"localhost:{upstream.port()}",
                            "enabled": False}], f)
            api = api_server("--config", f"{d}/toxiproxy.json")
            status, body = http(api.port(), "GET", "/proxies")
            proxies = json.loads(body)
            self.assertEqual(sorted(proxies), ["v4", "v6"])
            self.assertFalse(proxies["v6"]["enabled"])
            port = int(proxies["v4"]["listen"].rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
                s.sendall(b"through the config\n")
                s.shutdown(socket.SHUT_WR)
                self.assertEqual(s.recv(100), b"through the config\n")
            status, body = http(api.port(), "POST", "/proxies/v6", '{"enabled": true}')
            self.assertEqual(status, 200, body)
            port6 = int(json.loads(body)["listen"].rsplit(":", 1)[1])
            with socket.create_connection(("::1", port6), timeout=DEADLINE) as s:
                s.sendall(b"six\n")
                self.assertEqual(s.recv(100), b"six\n")
            self.assertEqual(api.stop()[0], 0)
            with open(f"{d}/bad.json", "w") as f:
                f.write('[{"name": "a", "upstream": "127.0.0.1:1"}, {"name": "b"}]')
            code, out, err = harness.run([RELAY, "--api", "127.0.0.1:0", "--config", f"{d}/bad.json"])
            self.assertEqual(code, 1)
            self.assertEqual(err.decode(), f"relay: --config {d}/bad.json: missing required field: upstream at proxy 2\n")
            code, out, err = harness.run([RELAY, "--config", f"{d}/none.json"])
            self.assertEqual((code, err.decode()), (1, f"relay: --config: open {d}/none.json: No such file or directory\n"))
        upstream.stop()

    def test_usage_errors(self):
        for args, message in (
                (["--api", "nohost"], "relay: --api 'nohost': want HOST:PORT (toxiproxy's is localhost:8474)"),
                (["--api", "127.0.0.1:0", "--fault", "latency 1s"],
                 "relay: --fault, --down, --stall, --control, --proxy and --tls act on FROM: give FROM and TO "
                 "(the API's proxies take toxics)"),
                (["--api", "127.0.0.1:0", "-", "127.0.0.1:1"],
                 "relay: --fault, --down, --stall, --control, --max-conns, --workers, --api and --config are for "
                 "listeners, not stdio")):
            code, out, err = harness.run([RELAY] + args)
            self.assertEqual(code, 2, err)
            self.assertEqual(err.decode().splitlines()[0], message)


class HostileHttp(unittest.TestCase):
    def test_bad_requests_get_4xx_and_hold_up_no_one(self):
        api = api_server()
        p = api.port()
        # A client that sends half a request and waits: it has its own buffer
        # and its own deadline (408 after 15 s); others are served meanwhile.
        slow = socket.create_connection(("127.0.0.1", p), timeout=DEADLINE)
        slow.sendall(b"POST /proxies HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"name\":")
        for request, status in (
                (b"GET /version HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n", b"431"),
                (b"POST /populate HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", b"413"),
                (b"POST /reset HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", b"501"),
                (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"400"),
                (b"GET /version HTTP/3\r\n\r\n", b"505")):
            start = time.monotonic()
            answer = raw(p, request)
            self.assertTrue(answer.startswith(b"HTTP/1.1 " + status), answer[:100])
            self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(http(p, "GET", "/proxies"), (200, "{}"))
        slow.close()
        self.assertEqual(api.stop()[0], 0)

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        api = api_server()
        out = raw(api.port(), b"GET /version HTTP/1.1\r\n\r\nGET /proxies HTTP/1.1\r\nConnection: close\r\n\r\n")
        self.assertEqual(out.count(b"HTTP/1.1 200 OK"), 2)
        self.assertTrue(out.endswith(b"\r\n\r\n{}"), out)
        self.assertEqual(api.stop()[0], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
