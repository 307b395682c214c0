// api_client_test.js drives relay --api with toxiproxy-node-client (pinned in
// third_party/toxiproxy_client), as a team using toxiproxy does, and measures
// each effect from a client through the proxy. Run by relay_api_e2e_test.py:
//   node api_client_test.js http://127.0.0.1:API 127.0.0.1:ECHO
// It prints "ok STEP" per step and exits 1 at the first failure.
"use strict";
const assert = require("assert");
const net = require("net");
const { Toxiproxy, ToxiproxyError } = require("toxiproxy-node-client");

const [api, upstream] = process.argv.slice(2);

// exchange connects to port, writes `payload`, half-closes, and resolves
// with what came back, how many pieces it came in, how long until the
// connection ended, and the error (code) if it ended by one.
function exchange(port, payload, { end = true, deadlineMs = 8000 } = {}) {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
    const s = net.connect({ host: "127.0.0.1", port });
    const chunks = [];
    let error = null;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ data: Buffer.concat(chunks).toString(), pieces: chunks.length, ms: ms(), error });
    };
    const timer = setTimeout(() => { error = "deadline"; finish(); }, deadlineMs);
    s.on("connect", () => { s.write(payload); if (end) s.end(); });
    s.on("data", (d) => chunks.push(d));
    s.on("error", (e) => { error = e.code; finish(); });
    s.on("close", finish);
  });
}

async function step(name, fn) {
  await fn();
  console.log(`ok ${name}`);
}

function portOf(proxy) {
  return Number(proxy.listen.split(":").pop());
}

async function main() {
  const toxiproxy = new Toxiproxy(api);
  await step("version", async () => {
    assert.match(await toxiproxy.getVersion(), /"version": "2\.12\.0\+relay"/);
  });
  const proxy = await toxiproxy.createProxy({ name: "echo", listen: "127.0.0.1:0", upstream });
  const port = portOf(proxy);
  await step("create", async () => {
    assert.equal(proxy.upstream, upstream);
    assert.equal(proxy.enabled, true);
    const r = await exchange(port, "hello\n");
    assert.equal(r.data, "hello\n");
    assert.equal(r.error, null);
  });
  await step("conflict", async () => {
    await assert.rejects(toxiproxy.createProxy({ name: "echo", upstream }), ToxiproxyError);
  });
  await step("list and get", async () => {
    const all = await toxiproxy.getAll();
    assert.deepEqual(Object.keys(all), ["echo"]);
    assert.equal((await toxiproxy.get("echo")).listen, proxy.listen);
  });
  await step("latency add update remove", async () => {
    const t = await proxy.addToxic({ type: "latency", attributes: { latency: 300, jitter: 0 } });
    assert.equal(t.name, "latency_downstream");
    let r = await exchange(port, "x");
    assert.equal(r.data, "x");
    assert.ok(r.ms >= 295, `latency 300: ${r.ms} ms`);
    const u = await t.update({ attributes: { latency: 50 } });
    assert.equal(u.attributes.latency, 50);
    r = await exchange(port, "x");
    assert.ok(r.ms >= 48 && r.ms < 280, `latency 50: ${r.ms} ms`);
    await u.remove();
    r = await exchange(port, "x");
    assert.ok(r.ms < 250, `no latency: ${r.ms} ms`);
  });
  await step("latency upstream", async () => {
    const t = await proxy.addToxic({ type: "latency", stream: "upstream", attributes: { latency: 200 } });
    assert.equal(t.name, "latency_upstream");
    const r = await exchange(port, "x");
    assert.ok(r.ms >= 195, `upstream latency 200: ${r.ms} ms`);
    await t.remove();
  });
  await step("bandwidth", async () => {
    const t = await proxy.addToxic({ type: "bandwidth", attributes: { rate: 500 } });  // 500 KB/s.
    const r = await exchange(port, Buffer.alloc(250000, 97));
    assert.equal(r.data.length, 250000);
    assert.ok(r.ms >= 400, `250 KB at 500 KB/s: ${r.ms} ms`);
    await t.remove();
  });
  await step("slicer", async () => {
    const t = await proxy.addToxic({ type: "slicer", attributes: { average_size: 2, size_variation: 0, delay: 20000 } });
    const r = await exchange(port, "abcdefgh");
    assert.equal(r.data, "abcdefgh");
    assert.ok(r.pieces >= 3, `8 bytes in pieces of 2: ${r.pieces} pieces`);
    assert.ok(r.ms >= 55, `3 pauses of 20 ms: ${r.ms} ms`);
    await t.remove();
  });
  await step("limit_data", async () => {
    const t = await proxy.addToxic({ type: "limit_data", attributes: { bytes: 4 } });
    const r = await exchange(port, "hello world");
    assert.equal(r.data, "hell");
    await t.remove();
  });
  await step("timeout", async () => {
    const t = await proxy.addToxic({ type: "timeout", attributes: { timeout: 300 } });
    const r = await exchange(port, "x");
    assert.equal(r.data, "");
    assert.ok(r.ms >= 290 && r.ms < 3000, `timeout 300: ${r.ms} ms`);
    await t.remove();
  });
  await step("reset_peer", async () => {
    const t = await proxy.addToxic({ type: "reset_peer", attributes: { timeout: 200 } });
    const r = await exchange(port, "x", { end: false });
    assert.equal(r.error, "ECONNRESET");
    assert.ok(r.ms >= 190, `reset after 200: ${r.ms} ms`);
    await t.remove();
  });
  await step("slow_close", async () => {
    const t = await proxy.addToxic({ type: "slow_close", attributes: { delay: 300 } });
    const r = await exchange(port, "x");
    assert.equal(r.data, "x");
    assert.ok(r.ms >= 290, `close 300 ms late: ${r.ms} ms`);
    await t.remove();
  });
  await step("toxicity 0", async () => {
    const t = await proxy.addToxic({ type: "latency", toxicity: 0, attributes: { latency: 1000 } });
    const r = await exchange(port, "x");
    assert.ok(r.ms < 900, `toxicity 0: ${r.ms} ms`);
    await t.remove();
  });
  await step("disable and enable", async () => {
    const off = await proxy.update({ enabled: false });
    assert.equal(off.enabled, false);
    const r = await exchange(port, "x");
    assert.equal(r.error, "ECONNREFUSED");
    const on = await proxy.update({ enabled: true });
    assert.equal(on.enabled, true);
    assert.equal((await exchange(port, "y")).data, "y");
  });
  await step("reset", async () => {
    await proxy.addToxic({ type: "latency", attributes: { latency: 1000 } });
    await proxy.update({ enabled: false });
    await toxiproxy.reset();
    const p = await toxiproxy.get("echo");
    assert.equal(p.enabled, true);
    const r = await exchange(port, "z");
    assert.equal(r.data, "z");
    assert.ok(r.ms < 900, `after reset: ${r.ms} ms`);
  });
  await step("populate", async () => {
    const made = await toxiproxy.populate([{ name: "echo2", listen: "127.0.0.1:0", upstream }]);
    assert.deepEqual(Object.keys(made), ["echo2"]);
    assert.equal((await exchange(portOf(made.echo2), "two")).data, "two");
    assert.deepEqual(Object.keys(await toxiproxy.getAll()), ["echo", "echo2"]);
  });
  await step("remove", async () => {
    await proxy.remove();
    await assert.rejects(toxiproxy.get("echo"), /404/);
    assert.equal((await exchange(port, "x")).error, "ECONNREFUSED");
  });
}

main().catch((e) => {
  console.log(`FAILED: ${e.stack || e}`);
  process.exit(1);
});
