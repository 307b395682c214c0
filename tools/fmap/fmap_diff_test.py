"""fmap dump and undump beside xxd and hexdump over seeded random layouts.

Each case draws a file (0..5000 bytes, random with runs of zeros and of one
repeated line, so hexdump squeezes) and a command line of the options both
tools take (xxd: -c -g -u -e -b -s -l, -p, -i; hexdump -C: -v -s -n), runs the
peer and fmap, and compares their output byte for byte, or that both refuse.
Every xxd dump that xxd -r reads back is also read back by fmap undump and
compared with xxd -r's bytes. The seed is printed and can be set with
FMAP_DIFF_SEED; FMAP_DIFF_CASES sets the number of cases (default 300).
"""

import os
import random
import shutil
import subprocess
import tempfile
import unittest

import harness

FMAP = harness.runfile("tools/fmap/fmap")
DEADLINE = 30
SEED = int(os.environ.get("FMAP_DIFF_SEED", "20261207"))
CASES = int(os.environ.get("FMAP_DIFF_CASES", "300"))


def run(argv, cwd, stdin=None):
    p = subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True, timeout=DEADLINE)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def make_file(rng, path):
    """Writes 0..5000 bytes: random, runs of zeros, and a repeated 16-byte line."""
    size = rng.choice([0, 1, rng.randrange(2, 64), rng.randrange(64, 5001)])
    data = bytearray()
    while len(data) < size:
        kind = rng.randrange(3)
        n = rng.randrange(1, 200)
        if kind == 0:
            data += rng.randbytes(n)
        elif kind == 1:
            data += bytes(n)
        else:
            data += rng.randbytes(16) * (n // 16 + 1)
    with open(path, "wb") as f:
        f.write(bytes(data[:size]))
    return size


def xxd_case(rng, size):
    """(xxd argv, fmap argv) for one random xxd layout."""
    xxd, ours = [], []
    form = rng.choice(["xxd"] * 6 + ["plain", "include"])
    if form == "plain":
        xxd.append("-p")
    elif form == "include":
        xxd.append("-i")
    ours += ["-f", form]
    if form != "include" and rng.random() < 0.7:
        c = rng.choice([rng.randrange(1, 41), rng.randrange(1, 257)])
        xxd += ["-c", str(c)]
        ours += ["-c", str(c)]
    if form == "xxd":
        if rng.random() < 0.5:
            g = rng.choice([0, 1, 2, 3, 4, 5, 8, 16, 32, rng.randrange(0, 40)])
            xxd += ["-g", str(g)]
            ours += ["-g", str(g)]
        flags = rng.choice(["", "", "-e", "-e", "-b", "-b", "-e -b"])
        for f in flags.split():
            xxd.append(f)
            ours.append(f)
    if form != "include" and rng.random() < 0.3:
        xxd.append("-u")
        ours.append("-u")
    if rng.random() < 0.4:
        s = rng.choice([rng.randrange(0, size + 20), -rng.randrange(0, size + 5)])
        xxd += ["-s", str(s)]
        ours += ["-s", str(s)]
    if rng.random() < 0.4:
        n = rng.randrange(0, size + 20)
        xxd += ["-l", str(n)]
        ours += ["-n", str(n)]
    return ["xxd"] + xxd, [FMAP, "dump"] + ours


def hexdump_case(rng, size):
    """(hexdump argv, fmap argv) for one random hexdump -C layout."""
    hd, ours = ["hexdump", "-C"], [FMAP, "dump"]
    if rng.random() < 0.4:
        hd.append("-v")
        ours.append("-v")
    if rng.random() < 0.4:
        s = str(rng.randrange(0, size + 20))
        hd += ["-s", s]
        ours += ["-s", s]
    if rng.random() < 0.4:
        n = str(rng.randrange(0, size + 20))
        hd += ["-n", n]
        ours += ["-n", n]
    return hd, ours


class FmapDiffTest(harness.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))

    def tearDown(self):
        shutil.rmtree(self.d, ignore_errors=True)

    def test_random_layouts_match_xxd_and_hexdump(self):
        print(f"note: seed {SEED} (FMAP_DIFF_SEED), {CASES} cases")
        rng = random.Random(SEED)
        counts = {"same": 0, "both refused": 0, "read back": 0, "-e -b refused": 0}
        for i in range(CASES):
            name = f"f{i % 20}"
            path = os.path.join(self.d, name)
            size = make_file(rng, path) if i < 20 or rng.random() < 0.2 else os.path.getsize(path)
            peer, ours = (xxd_case if rng.random() < 0.75 else hexdump_case)(rng, size)
            peer.append(name)
            ours.append(name)
            pc, pout, perr = run(peer, self.d)
            oc, oout, oerr = run(ours, self.d)
            what = f"case {i} (seed {SEED}), {size} bytes: {' '.join(peer)} vs fmap {' '.join(ours[1:])}"
            self.assertNotIn(oc, (-6, -11, 132, 134, 139), f"{what}: fmap crashed: {oerr}")
            if {"-e", "-b"} <= set(peer):
                # Written down (README): xxd takes whichever of -e and -b
                # comes last; fmap refuses the pair as a usage error.
                self.assertEqual((oc, oerr), (2, "fmap dump: -e and -b conflict\nTry 'fmap dump --help'.\n"), what)
                counts["-e -b refused"] += 1
                continue
            if pc != 0:
                self.assertNotEqual(oc, 0, f"{what}: {peer[0]} refused ({perr.strip()}), fmap did not")
                self.assertEqual(len(oerr.strip().split("\n")), 1 if oc == 1 else 2, f"{what}: {oerr}")
                counts["both refused"] += 1
                continue
            self.assertEqual(oc, 0, f"{what}: fmap failed: {oerr}")
            self.assertTrue(pout == oout, f"{what}: differs\n want {pout[:400]!r}\n got  {oout[:400]!r}")
            counts["same"] += 1
            if peer[0] == "xxd" and not {"-e", "-b", "-i"} & set(peer):
                fmt = "plain" if "-p" in peer else "xxd"
                rflags = ["-r", "-p"] if fmt == "plain" else ["-r"]
                if "-c" in peer and fmt == "xxd":  # xxd -r reads -c bytes a line at most.
                    rflags += ["-c", peer[peer.index("-c") + 1]]
                rc, want, rerr = run(["xxd"] + rflags, self.d, stdin=pout)
                if rc != 0:
                    continue
                uc, got, uerr = run([FMAP, "undump", "-f", fmt], self.d, stdin=pout)
                self.assertEqual(uc, 0, f"{what}: undump failed: {uerr}")
                self.assertTrue(want == got, f"{what}: undump differs from xxd {' '.join(rflags)}\n"
                                             f" want {want[:200]!r}\n got  {got[:200]!r}")
                counts["read back"] += 1
        print(f"note: {counts}")
        self.assertGreater(counts["same"], CASES // 2)
        self.assertGreater(counts["read back"], CASES // 10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
