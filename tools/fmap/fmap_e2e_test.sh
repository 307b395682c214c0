#!/bin/bash
# fmap end to end, against real tools as oracles: hexdump -C and xxd for
# dump (many sizes and ranges), grep -obUaF and Python for find.
set -euo pipefail
FMAP="$TEST_SRCDIR/$TEST_WORKSPACE/tools/fmap/fmap"
dir=$(mktemp -d "${TEST_TMPDIR:-/tmp}/fmap.XXXXXX")
trap 'rm -rf "$dir"' EXIT
fail=0
check() {  # NAME EXPECTED_FILE ACTUAL_FILE
  if ! cmp -s "$2" "$3"; then
    echo "FAIL: $1"; diff "$2" "$3" | head -10; fail=1
  fi
}

# Files: empty, tiny, line-boundary sizes, page-crossing, zero runs, random.
: > "$dir/empty"
for n in 1 15 16 17 31 32 33 4095 4097; do head -c "$n" /dev/urandom > "$dir/r$n"; done
{ head -c 100 /dev/urandom; head -c 200 /dev/zero; head -c 50 /dev/urandom; head -c 64 /dev/zero; } > "$dir/zeros"
head -c 300000 /dev/urandom > "$dir/big"

for f in "$dir"/*; do
  b=$(basename "$f")
  hexdump -C "$f" > "$dir/want"; "$FMAP" dump "$f" > "$dir/got"; check "hexdump $b" "$dir/want" "$dir/got"
  xxd "$f" > "$dir/want"; "$FMAP" dump --format=xxd "$f" > "$dir/got"; check "xxd $b" "$dir/want" "$dir/got"
  for range in "0 0" "1 5" "3 16" "7 33" "15 4096" "4090 20" "100 250" "299990 100" "5000000 10"; do
    set -- $range
    hexdump -C -s "$1" -n "$2" "$f" > "$dir/want"
    "$FMAP" dump -s "$1" -n "$2" "$f" > "$dir/got"; check "hexdump -s $1 -n $2 $b" "$dir/want" "$dir/got"
    xxd -s "$1" -l "$2" "$f" > "$dir/want"
    "$FMAP" dump --format=xxd -s "$1" -n "$2" "$f" > "$dir/got"; check "xxd -s $1 -l $2 $b" "$dir/want" "$dir/got"
  done
  "$FMAP" dump --format=raw -s 3 -n 100 "$f" > "$dir/got"
  head -c 103 "$f" | tail -c +4 > "$dir/want"; check "raw $b" "$dir/want" "$dir/got"
done
# xxd's other forms and the reverse, on every file: -p and -i byte-identical
# to xxd's, -s from the end as xxd -s -N, and round trips both ways through
# fmap undump and xxd -r (plain, xxd layout) and from hexdump -C (its '*').
for f in "$dir"/empty "$dir"/r* "$dir"/zeros "$dir"/big; do
  b=$(basename "$f")
  xxd -p "$f" > "$dir/want"; "$FMAP" dump --format=plain "$f" > "$dir/got"; check "xxd -p $b" "$dir/want" "$dir/got"
  (cd "$dir" && xxd -i "$b") > "$dir/want"; (cd "$dir" && "$FMAP" dump --format=include "$b") > "$dir/got"
  check "xxd -i $b" "$dir/want" "$dir/got"
  for n in 1 16 17 4096; do
    if [ "$n" -le "$(stat -c %s "$f")" ]; then
      xxd -s "-$n" "$f" > "$dir/want"; "$FMAP" dump --format=xxd -s "-$n" "$f" > "$dir/got"; check "xxd -s -$n $b" "$dir/want" "$dir/got"
    fi
  done
  if [ -s "$f" ]; then  # An empty file reads as a stream: no end to count from (xxd: "cannot seek").
    head -c -3 "$f" > "$dir/want"; "$FMAP" dump --format=raw -n -3 "$f" > "$dir/got"; check "-n -3 $b" "$dir/want" "$dir/got"
  fi
  "$FMAP" dump --format=plain "$f" | xxd -r -p > "$dir/got"; check "fmap -p | xxd -r -p $b" "$f" "$dir/got"
  xxd -p "$f" | "$FMAP" undump > "$dir/got"; check "xxd -p | undump $b" "$f" "$dir/got"
  xxd "$f" | "$FMAP" undump --format=xxd > "$dir/got"; check "xxd | undump --format=xxd $b" "$f" "$dir/got"
  "$FMAP" dump --format=xxd "$f" | xxd -r > "$dir/got"; check "fmap xxd | xxd -r $b" "$f" "$dir/got"
  hexdump -C "$f" | "$FMAP" undump --format=hexdump > "$dir/got"; check "hexdump -C | undump $b" "$f" "$dir/got"
done
# xxd's layout options (-c -g -u -e -b) and hexdump -v, against the peers.
for f in "$dir/r17" "$dir/r33" "$dir/zeros"; do
  b=$(basename "$f")
  for opts in "-c 8" "-c 32" "-g 1" "-g 4" "-g 3" "-g 0" "-u" "-e" "-e -g 8" "-b" "-b -c 4" "-u -c 7 -g 3"; do
    # shellcheck disable=SC2086
    xxd $opts "$f" > "$dir/want"; "$FMAP" dump --format=xxd $opts "$f" > "$dir/got"; check "xxd $opts $b" "$dir/want" "$dir/got"
    # shellcheck disable=SC2086
    xxd $opts -s 5 -l 20 "$f" > "$dir/want"; "$FMAP" dump --format=xxd $opts -s 5 -n 20 "$f" > "$dir/got"
    check "xxd $opts -s 5 -l 20 $b" "$dir/want" "$dir/got"
  done
  xxd -p -c 7 -u "$f" > "$dir/want"; "$FMAP" dump --format=plain -c 7 -u "$f" > "$dir/got"; check "xxd -p -c 7 -u $b" "$dir/want" "$dir/got"
  hexdump -C -v "$f" > "$dir/want"; "$FMAP" dump -v "$f" > "$dir/got"; check "hexdump -C -v $b" "$dir/want" "$dir/got"
done
set +e
"$FMAP" dump --format=xxd -e -b "$dir/r17" 2> "$dir/err"; [ $? = 2 ] && grep -qx "fmap dump: -e and -b conflict" "$dir/err" ||
  { echo "FAIL: -e -b"; fail=1; }
set -e
# From a pipe (read(2) path) and from /proc.
head -c 1000 "$dir/big" | "$FMAP" dump - > "$dir/got"; head -c 1000 "$dir/big" | hexdump -C > "$dir/want"
check "hexdump stdin" "$dir/want" "$dir/got"
"$FMAP" dump --format=raw /proc/self/status | grep -q '^Name:' || { echo "FAIL: /proc read"; fail=1; }

# find: a pattern with a newline against Python; non-overlapping offsets as
# grep -obUaF reports them.
python3 - "$dir/hay" <<'PY'
import random, sys
random.seed(7)
data = bytearray(random.randbytes(500000))
for at in (0, 12345, 65535, 65536 * 3 - 2, 499994):
    data[at:at + 6] = b"ne\nedl"
data[200000:200010] = b"aaaaaaaaaa"
open(sys.argv[1], "wb").write(data)
PY
printf 'ne\nedl' > "$dir/pat"
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); p=open(sys.argv[2],"rb").read(); i=d.find(p)
while i>=0: print(i); i=d.find(p,i+1)' "$dir/hay" "$dir/pat" > "$dir/want"
"$FMAP" find --pattern-file "$dir/pat" "$dir/hay" > "$dir/got"; check "find newline pattern" "$dir/want" "$dir/got"
"$FMAP" find --hex '6e 65 0a 65 64 6c' "$dir/hay" > "$dir/got"; check "find --hex" "$dir/want" "$dir/got"
LC_ALL=C grep -obUaF 'aaaa' "$dir/hay" | cut -d: -f1 > "$dir/want"
"$FMAP" find --no-overlap --string aaaa "$dir/hay" > "$dir/got"; check "find --no-overlap vs grep" "$dir/want" "$dir/got"
[ "$("$FMAP" find --string aaaa "$dir/hay" | wc -l)" = 7 ] || { echo "FAIL: overlapping count"; fail=1; }
[ "$("$FMAP" find --count --string aaaa "$dir/hay")" = 7 ] || { echo "FAIL: --count"; fail=1; }
[ "$("$FMAP" find --first --string aaaa "$dir/hay")" = 200000 ] || { echo "FAIL: --first"; fail=1; }
[ "$("$FMAP" find --last --string aaaa "$dir/hay")" = 200006 ] || { echo "FAIL: --last"; fail=1; }
# Without overlap the last match is where a left-to-right scan ends, not the rightmost.
[ "$("$FMAP" find --last --no-overlap --string aaaa "$dir/hay")" = 200004 ] || { echo "FAIL: --last --no-overlap"; fail=1; }
# --last searches back from the end a window (64 MiB) at a time: a sparse file
# of three windows, the last needle across the first step back, against grep.
python3 - "$dir/sparse3" <<'PY'
import sys
w = 64 << 20
with open(sys.argv[1], "wb") as f:
    f.truncate(2 * w + 100)
    for at in (5, w + 7, w + 97):
        f.seek(at)
        f.write(b"LAST")
PY
LC_ALL=C grep -obUaF LAST "$dir/sparse3" | tail -1 | cut -d: -f1 > "$dir/want"
"$FMAP" find --last --string LAST "$dir/sparse3" > "$dir/got"; check "find --last vs grep (3 windows)" "$dir/want" "$dir/got"
[ "$("$FMAP" find --first --hex-offsets --string aaaa "$dir/hay")" = 0x30d40 ] || { echo "FAIL: --hex-offsets"; fail=1; }
# Exit codes: 0 found, 1 not found, 2 usage.
set +e
# Wildcards (bgrep's "??", a '?' nibble) and --mask, against Python's re over
# the same bytes (a 300 KB random file: every match, overlapping).
python3 -c 'import re,sys; d=open(sys.argv[1],"rb").read()
for m in re.finditer(rb"(?=\x6e.\x65)", d, re.S): print(m.start())' "$dir/big" > "$dir/want"
"$FMAP" find --hex '6e ?? 65' "$dir/big" > "$dir/got"; check "find --hex 6e ?? 65 vs re" "$dir/want" "$dir/got"
"$FMAP" find --hex '6e 00 65' --mask 'ff 00 ff' "$dir/big" > "$dir/got"; check "find --mask vs re" "$dir/want" "$dir/got"
python3 -c 'import re,sys; d=open(sys.argv[1],"rb").read()
for m in re.finditer(rb"(?=[\x40-\x4f][\x00-\xff]\x7f)", d, re.S): print(m.start())' "$dir/big" > "$dir/want"
"$FMAP" find --hex '4? ?? 7f' "$dir/big" > "$dir/got"; check "find --hex 4? ?? 7f vs re" "$dir/want" "$dir/got"
"$FMAP" find --hex '?? ??' --count "$dir/r17" > "$dir/got"; echo 16 > "$dir/want"; check "find all-wildcard" "$dir/want" "$dir/got"
# --context N: after each offset, xxd's lines for the match and N bytes
# either side, "--" between matches: each block as xxd -s OFF-N -l LEN+2N.
printf 'aaaa needle bbbb cccc dddd needle eeee needle' > "$dir/ctx"
{ xxd -s 1 -l 14 "$dir/ctx"; echo --; xxd -s 23 -l 14 "$dir/ctx"; echo --; xxd -s 35 -l 14 "$dir/ctx"; } > "$dir/want"
"$FMAP" find -C 4 --string needle "$dir/ctx" | grep -v '^[0-9]*$' > "$dir/got"; check "find --context vs xxd" "$dir/want" "$dir/got"
[ "$("$FMAP" find -C 4 --string needle "$dir/ctx" | grep -c '^[0-9]*$')" = 3 ] || { echo "FAIL: --context offsets"; fail=1; }
"$FMAP" find --no-overlap --string 'no such bytes here' "$dir/hay" > /dev/null; [ $? = 1 ] || { echo "FAIL: not found exit (no overlap)"; fail=1; }
"$FMAP" find --string 'no such bytes here' "$dir/hay" > /dev/null; [ $? = 1 ] || { echo "FAIL: not found exit"; fail=1; }
"$FMAP" find --hex 'abc' "$dir/hay" 2> "$dir/err"; [ $? = 2 ] || { echo "FAIL: odd hex exit"; fail=1; }
grep -qx "fmap find: --hex: odd number of hex digits" "$dir/err" || { echo "FAIL: odd hex message"; cat "$dir/err"; fail=1; }
"$FMAP" dump "$dir/missing" 2> "$dir/err"; [ $? = 1 ] || { echo "FAIL: missing exit"; fail=1; }
grep -qx "fmap dump: open $dir/missing: No such file or directory" "$dir/err" || { echo "FAIL: missing message"; cat "$dir/err"; fail=1; }
# A full disk: the error and its reason, whether the write failed on the
# writer thread (a large dump) or at the end (a small one).
for n in 1 64M; do
  "$FMAP" dump -n "$n" "$dir/hay" > /dev/full 2> "$dir/err"; [ $? = 1 ] || { echo "FAIL: /dev/full exit ($n)"; fail=1; }
  grep -qx "fmap dump: write stdout: No space left on device" "$dir/err" || { echo "FAIL: /dev/full message ($n)"; cat "$dir/err"; fail=1; }
done
set -e
"$FMAP" info "$dir/r16" | grep -qx "$dir/r16: 16 bytes, file, page size [0-9]*, 1 of 1 pages resident" || { echo "FAIL: info"; fail=1; }
# Empty files and /proc: an empty file is a file of no pages; /proc's size is only known by reading.
[ "$("$FMAP" info "$dir/empty")" = "$dir/empty: 0 bytes, file, page size $(getconf PAGESIZE), 0 of 0 pages resident" ] ||
  { echo "FAIL: info empty: $("$FMAP" info "$dir/empty")"; fail=1; }
[ "$("$FMAP" info /proc/self/status)" = "/proc/self/status: size unknown, stream, page size $(getconf PAGESIZE)" ] ||
  { echo "FAIL: info /proc"; fail=1; }
[ "$("$FMAP" residency "$dir/empty")" = "$dir/empty: 0 of 0 pages resident (0.0%), 0 bytes" ] || { echo "FAIL: residency empty"; fail=1; }
sha256sum "$dir/empty" > "$dir/want"; "$FMAP" sum "$dir/empty" > "$dir/got"; check "sum empty" "$dir/want" "$dir/got"
set +e
"$FMAP" find --string a "$dir/empty" > "$dir/got"; [ $? = 1 ] && [ ! -s "$dir/got" ] || { echo "FAIL: find in empty"; fail=1; }
set -e

# write: refused without --write and past EOF without --extend; dd conv=notrunc is the oracle.
printf '0123456789' > "$dir/w"; cp "$dir/w" "$dir/w_dd"
set +e
"$FMAP" write --offset 2 --string AB "$dir/w" 2> "$dir/err"; [ $? = 2 ] || { echo "FAIL: write without --write"; fail=1; }
grep -qx "fmap write: refusing to modify $dir/w without --write" "$dir/err" || { echo "FAIL: refusal message"; fail=1; }
"$FMAP" write --write --offset 8 --string ABC "$dir/w" 2> "$dir/err"; [ $? = 2 ] || { echo "FAIL: past EOF"; fail=1; }
grep -qx "fmap write: writing 3 bytes at 8 would extend $dir/w from 10 to 11 bytes; add --extend" "$dir/err" || { echo "FAIL: extend message"; cat "$dir/err"; fail=1; }
set -e
cmp -s "$dir/w" "$dir/w_dd" || { echo "FAIL: refused write changed the file"; fail=1; }
"$FMAP" write --write --sync --offset 2 --hex '41 42' "$dir/w"
printf 'AB' | dd of="$dir/w_dd" bs=1 seek=2 conv=notrunc status=none
check "write vs dd" "$dir/w_dd" "$dir/w"
"$FMAP" write --write --extend --offset 8 --string XYZ "$dir/w"
printf 'XYZ' | dd of="$dir/w_dd" bs=1 seek=8 conv=notrunc status=none
check "write --extend vs dd" "$dir/w_dd" "$dir/w"
"$FMAP" resize --write --size 4 "$dir/w"; [ "$(cat "$dir/w")" = "01AB" ] || { echo "FAIL: resize"; fail=1; }
"$FMAP" sync "$dir/w"
for a in seq random willneed dontneed; do
  [ "$("$FMAP" advise --json --advice "$a" "$dir/big")" = "{\"file\":\"$dir/big\",\"advice\":\"$a\"}" ] || { echo "FAIL: advise $a"; fail=1; }
done
# willneed reads the file in, dontneed drops it (fincore as the oracle).
"$FMAP" advise --advice willneed "$dir/big"
[ "$(fincore --noheadings --output PAGES "$dir/big" | tr -d ' ')" = 74 ] || { echo "FAIL: willneed not resident"; fail=1; }
# hugepage: huge pages where the kernel and file system can (exit 0), else
# exit 1 saying why; never a usage error or a crash.
set +e
"$FMAP" advise --advice hugepage "$dir/big" 2> "$dir/err"; rc=$?
set -e
if [ $rc = 1 ]; then
  grep -q "^fmap advise: advise $dir/big: hugepage: the kernel cannot back this file's page cache with huge pages (MADV_COLLAPSE: " "$dir/err" ||
    { echo "FAIL: hugepage message: $(cat "$dir/err")"; fail=1; }
elif [ $rc != 0 ]; then
  echo "FAIL: hugepage exit $rc"; fail=1
fi
set +e
"$FMAP" advise --advice often "$dir/big" 2> "$dir/err"; [ $? = 2 ] || { echo "FAIL: bad advice exit"; fail=1; }
set -e
grep -qx "fmap advise: --advice: expected seq, random, willneed, dontneed or hugepage, got 'often'" "$dir/err" ||
  { echo "FAIL: bad advice message"; fail=1; }
# --json for resize and sync.
printf '0123456789' > "$dir/rs"
[ "$("$FMAP" resize --json --write --size 3 "$dir/rs")" = "{\"file\":\"$dir/rs\",\"old_size\":10,\"size\":3}" ] ||
  { echo "FAIL: resize --json"; fail=1; }
[ "$(cat "$dir/rs")" = 012 ] || { echo "FAIL: resize --json content"; fail=1; }
[ "$("$FMAP" sync --json "$dir/rs")" = "{\"file\":\"$dir/rs\",\"synced\":true}" ] || { echo "FAIL: sync --json"; fail=1; }
set +e
"$FMAP" resize --size 3 "$dir/rs" 2> "$dir/err"; [ $? = 2 ] || { echo "FAIL: resize without --write"; fail=1; }
set -e
grep -qx "fmap resize: refusing to modify $dir/rs without --write" "$dir/err" || { echo "FAIL: resize refusal message"; fail=1; }

# sum: sha256sum and openssl as oracles; CRC-32C's check value for "123456789".
sha256sum "$dir/big" > "$dir/want"; "$FMAP" sum "$dir/big" > "$dir/got"; check "sum sha256" "$dir/want" "$dir/got"
want=$(head -c 1100 "$dir/big" | tail -c +101 | openssl dgst -sha256 -r | cut -d' ' -f1)
[ "$("$FMAP" sum -s 100 -n 1000 "$dir/big" | cut -d' ' -f1)" = "$want" ] || { echo "FAIL: sum range"; fail=1; }
printf '123456789' > "$dir/check"
[ "$("$FMAP" sum --algo crc32c "$dir/check")" = "e3069283  $dir/check" ] || { echo "FAIL: crc32c"; fail=1; }
[ "$("$FMAP" sum --json --algo crc32c -s 1 "$dir/check")" = \
  "{\"file\":\"$dir/check\",\"algo\":\"crc32c\",\"offset\":1,\"length\":8,\"digest\":\"$(printf '23456789' | python3 -c '
import sys
crc = 0xFFFFFFFF
for b in sys.stdin.buffer.read():
    crc ^= b
    for _ in range(8):
        crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
print("%08x" % (crc ^ 0xFFFFFFFF))')\"}" ] || { echo "FAIL: sum --json crc32c vs Python"; fail=1; }

# residency, touch and evict, with fincore (util-linux) and vmtouch as oracles.
head -c 1000000 /dev/urandom > "$dir/res"
for step in touch evict; do
  "$FMAP" "$step" "$dir/res"
  oracle=$(fincore --noheadings --output PAGES "$dir/res" | tr -d ' ')
  # Just written, so dirty: evict writes it out first, then drops it all.
  [ "$oracle" = "$([ $step = touch ] && echo 245 || echo 0)" ] || { echo "FAIL: $step left $oracle pages (fincore)"; fail=1; }
  ours=$("$FMAP" residency "$dir/res")
  bytes=$([ "$oracle" = 245 ] && echo 1000000 || echo $((oracle * 4096)))  # The last page holds 576 bytes.
  echo "$ours" | grep -qx "$dir/res: $oracle of 245 pages resident ([0-9.]*%), $bytes bytes" ||
    { echo "FAIL: residency after $step: ours '$ours', fincore $oracle"; fail=1; }
  [ "$("$FMAP" "$step" --json "$dir/res")" = "{\"file\":\"$dir/res\",\"pages\":245,\"resident\":$oracle}" ] ||
    { echo "FAIL: $step --json"; fail=1; }
  vm=$(vmtouch "$dir/res" | awk '/Resident Pages/ {split($3, a, "/"); print a[1]}')
  [ "$vm" = "$oracle" ] || { echo "FAIL: residency after $step: vmtouch $vm, fincore $oracle"; fail=1; }
done
"$FMAP" residency --json "$dir/res" | grep -q '"pages":245,"resident":' || { echo "FAIL: residency --json"; fail=1; }

# A tree, as vmtouch takes it: -r walks it (a directory without -r is a usage
# error), totals agree with vmtouch's after evicting all and touching part,
# and --files-from -0 names the same files.
mkdir -p "$dir/tree/a/b" "$dir/tree/c"
head -c 300000 /dev/urandom > "$dir/tree/big"; head -c 5000 /dev/urandom > "$dir/tree/a/y"
printf z > "$dir/tree/a/b/z"; : > "$dir/tree/c/empty"; ln -s ../big "$dir/tree/a/link"
"$FMAP" evict -r "$dir/tree"
"$FMAP" touch "$dir/tree/a/y"
vm=$(vmtouch "$dir/tree" 2>/dev/null | awk '/Resident Pages/ {print $3}')  # It warns of the link.
ours=$("$FMAP" residency -r --json "$dir/tree" | python3 -c 'import json,sys
t=[json.loads(l) for l in sys.stdin][-1]; print("%d/%d" % (t["resident"], t["pages"]))')
[ "$ours" = "$vm" ] || { echo "FAIL: tree totals: ours $ours, vmtouch $vm"; fail=1; }
[ "$("$FMAP" residency -r "$dir/tree" | tail -1)" = "total: 2 of 77 pages resident (2.6%), 5000 bytes, 4 files" ] ||
  { echo "FAIL: tree total line: $("$FMAP" residency -r "$dir/tree" | tail -1)"; fail=1; }
[ "$("$FMAP" info -r "$dir/tree" | tail -1)" = "total: 4 files, 305001 bytes, 2 of 77 pages resident" ] ||
  { echo "FAIL: info total: $("$FMAP" info -r "$dir/tree" | tail -1)"; fail=1; }
(cd "$dir/tree" && find . -type f | sort | sed 's|^\./||' | xargs sha256sum) > "$dir/want"
(cd "$dir/tree" && "$FMAP" sum -r .) | sed 's|  \./|  |' > "$dir/got"; check "sum -r vs sha256sum" "$dir/want" "$dir/got"
find "$dir/tree" -type f -print0 | sort -z | "$FMAP" residency --files-from - -0 > "$dir/got"
"$FMAP" residency -r "$dir/tree" > "$dir/want"; check "--files-from -0 = -r" "$dir/want" "$dir/got"
set +e
"$FMAP" residency "$dir/tree" 2> "$dir/err"; [ $? = 2 ] || { echo "FAIL: directory without -r"; fail=1; }
set -e
grep -qx "fmap residency: $dir/tree: Is a directory (give -r to go through it)" "$dir/err" ||
  { echo "FAIL: directory message"; cat "$dir/err"; fail=1; }

# --pages and --pages-from: evict some pages (vmtouch's map shows the holes),
# count only some, touch what --ranges listed, lock a range.
head -c 100000 /dev/urandom > "$dir/pg"
"$FMAP" touch "$dir/pg"
"$FMAP" evict --pages 3,10-12 "$dir/pg"
[ "$(vmtouch -v "$dir/pg" | grep -o '\[[ oO]*\]' | head -1)" = "[OOO OOOOOO   OOOOOOOOOOOO]" ] ||
  { echo "FAIL: evict --pages: $(vmtouch -v "$dir/pg")"; fail=1; }
[ "$("$FMAP" residency --pages 0-11 "$dir/pg")" = "$dir/pg: 9 of 12 pages resident (75.0%), 36864 bytes" ] ||
  { echo "FAIL: residency --pages: $("$FMAP" residency --pages 0-11 "$dir/pg")"; fail=1; }
"$FMAP" residency --ranges "$dir/pg" > "$dir/ranges"
"$FMAP" evict "$dir/pg"
"$FMAP" touch --pages-from "$dir/ranges" "$dir/pg"
for p in 0 5 20; do  # Pages listed are resident now (read-ahead may bring more).
  "$FMAP" residency --pages "$p" "$dir/pg" | grep -q ": 1 of 1 pages" || { echo "FAIL: touch --pages-from page $p"; fail=1; }
done
set +e
"$FMAP" touch --pages 9-3 "$dir/pg" 2> "$dir/err"; [ $? = 2 ] || { echo "FAIL: bad --pages exit"; fail=1; }
set -e
grep -qx "fmap touch: --pages: expected A-B\[,C-D...\], got '9-3'" "$dir/err" || { echo "FAIL: bad --pages message"; fail=1; }

# residency --ranges against vmtouch's page map (one character per page for a
# file under 60 pages): pages read with read-ahead off, so only they are cached.
head -c 200000 /dev/urandom > "$dir/map"
"$FMAP" evict "$dir/map"
python3 - "$dir/map" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
for page in (0, 3, 10, 11, 12, 30, 48):
    os.pread(fd, 1, page * 4096)
PY
want=$(vmtouch -v "$dir/map" | python3 -c 'import re, sys; print(re.search(r"\[([ oO]*)\]", sys.stdin.read()).group(1))')
for json in "" --json; do
  got=$("$FMAP" residency --ranges $json "$dir/map" | python3 -c '
import json, re, sys
text = sys.stdin.read()
bar = [" "] * 49
if text.startswith("{"):
    runs = [(r["first_page"], r["pages"]) for r in json.loads(text)["ranges"]]
else:
    runs = [(int(a), int(b) - int(a) + 1) for a, b in re.findall(r"\(pages (\d+)-(\d+)\)", text)]
for first, n in runs:
    for p in range(first, first + n):
        bar[p] = "O"
print("".join(bar))')
  [ "$got" = "$want" ] || { echo "FAIL: residency --ranges $json: ours '$got', vmtouch '$want'"; fail=1; }
done
case "$want" in "O  O      OOO"*) ;; *) echo "FAIL: the pages read are not the ones cached: '$want'"; fail=1 ;; esac
"$FMAP" residency --ranges "$dir/map" | grep -qx "  196608+3392 (pages 48-48)" || { echo "FAIL: last range clipped to EOF"; fail=1; }

# lock: holds the pages (100% resident) until SIGTERM, then exits 0.
"$FMAP" evict "$dir/res"
coproc LOCK { exec "$FMAP" lock "$dir/res" 2>&1; }
lock_pid=$LOCK_PID
read -t 10 -r line <&"${LOCK[0]}"
[ "$line" = "locked $dir/res: 1000000 bytes; holding until SIGINT or SIGTERM" ] || { echo "FAIL: lock line '$line'"; fail=1; }
res=$("$FMAP" residency "$dir/res")
echo "$res" | grep -q ": 245 of 245 pages resident" || { echo "FAIL: locked file not resident: $res"; fail=1; }
kill -TERM "$lock_pid"
wait "$lock_pid" || { echo "FAIL: lock exit status"; fail=1; }
coproc LOCKJ { exec "$FMAP" lock --json "$dir/res" 2>&1; }
lock_pid=$LOCKJ_PID
read -t 10 -r line <&"${LOCKJ[0]}"
[ "$line" = "{\"file\":\"$dir/res\",\"bytes\":1000000,\"locked\":true}" ] || { echo "FAIL: lock --json line '$line'"; fail=1; }
kill -INT "$lock_pid"
wait "$lock_pid" || { echo "FAIL: lock --json exit status"; fail=1; }
# --daemon (vmtouch -dlw): the command returns once the pages are held, the
# daemon's PID in --pidfile; SIGTERM ends it. A failure is the command's.
"$FMAP" lock --daemon --pidfile "$dir/lock.pid" "$dir/res" > "$dir/out" 2>&1 || { echo "FAIL: lock --daemon exit"; fail=1; }
grep -qx "locked $dir/res: 1000000 bytes; holding until SIGINT or SIGTERM" "$dir/out" || { echo "FAIL: daemon line"; fail=1; }
dpid=$(cat "$dir/lock.pid")
[ "$(awk '{print $3}' "/proc/$dpid/stat")" = S ] || { echo "FAIL: daemon $dpid not running"; fail=1; }
"$FMAP" residency "$dir/res" | grep -q ": 245 of 245 pages resident" || { echo "FAIL: daemon's pages"; fail=1; }
kill -TERM "$dpid"
for _ in $(seq 500); do  # Gone, or a zombie of whoever adopted it.
  st=$(awk '{print $3}' "/proc/$dpid/stat" 2>/dev/null || echo gone)
  [ "$st" = gone ] || [ "$st" = Z ] && break
  sleep 0.01
done
[ "$st" = gone ] || [ "$st" = Z ] || { echo "FAIL: daemon $dpid still $st after SIGTERM"; fail=1; }
# Beside vmtouch -dlw (daemon, lock, wait until locked): both return with
# the pages resident and a PID file; --daemon always waits, as -w does.
"$FMAP" evict "$dir/res"
vmtouch -dlw -P "$dir/vm.pid" "$dir/res" > /dev/null 2>&1 || { echo "FAIL: vmtouch -dlw"; fail=1; }
"$FMAP" residency "$dir/res" | grep -q ": 245 of 245 pages resident" || { echo "FAIL: vmtouch -dlw's pages"; fail=1; }
kill -TERM "$(cat "$dir/vm.pid")" 2>/dev/null || true
set +e
"$FMAP" lock --daemon "$dir/no-such" 2> "$dir/err"; code=$?
set -e
[ "$code" = 1 ] && grep -qx "fmap lock: open $dir/no-such: No such file or directory" "$dir/err" ||
  { echo "FAIL: daemon failure ($code)"; cat "$dir/err"; fail=1; }

# --json for find, dump and write, parsed by Python and compared with the text forms.
printf 'abcXYZabcXYZ' > "$dir/j"
json_check() {  # NAME PYTHON_EXPR JSON
  python3 -c 'import json,sys; j=json.loads(sys.argv[2]); sys.exit(0 if eval(sys.argv[1]) else 1)' "$2" "$3" ||
    { echo "FAIL: $1: $3"; fail=1; }
}
json_check "find --json" 'j["offsets"] == [0, 6] and j["count"] == 2' "$("$FMAP" find --json --string abc "$dir/j")"
json_check "find --json --count" 'j["count"] == 2 and "offsets" not in j' "$("$FMAP" find --json --count --string abc "$dir/j")"
json_check "find --json --last" 'j["offsets"] == [6] and j["count"] == 1' "$("$FMAP" find --json --last --string abc "$dir/j")"
json_check "find --json no match" 'j["offsets"] == [] and j["count"] == 0' "$("$FMAP" find --json --string zzz "$dir/j")"
json_check "dump --json" 'bytes.fromhex(j["hex"]) == b"XYZa" and j["offset"] == 3 and j["length"] == 4' \
  "$("$FMAP" dump --json -s 3 -n 4 "$dir/j")"
json_check "write --json" 'j["bytes"] == 2 and j["extended"] and not j["synced"] and j["offset"] == 12' \
  "$("$FMAP" write --write --json --extend --offset 12 --string '!!' "$dir/j")"
[ "$(cat "$dir/j")" = 'abcXYZabcXYZ!!' ] || { echo "FAIL: write --json content"; fail=1; }

# --progress: a progress line on stderr ending in 100% and a newline; stdout untouched.
head -c 3000000 /dev/urandom > "$dir/p"
"$FMAP" sum --progress "$dir/p" > "$dir/p.out" 2> "$dir/p.err"
[ "$(cut -d' ' -f1 "$dir/p.out")" = "$(sha256sum "$dir/p" | cut -d' ' -f1)" ] || { echo "FAIL: sum with --progress"; fail=1; }
grep -q "fmap sum $dir/p: 2.9 MiB of 2.9 MiB (100%)" "$dir/p.err" || { echo "FAIL: progress line: $(od -c "$dir/p.err" | head -3)"; fail=1; }
"$FMAP" find --progress --count --hex 'ff ff ff ff ff ff ff ff ff ff' "$dir/p" > "$dir/p.out" 2> "$dir/p.err" || [ $? = 1 ]
grep -q "fmap find $dir/p: 2.9 MiB of 2.9 MiB (100%)" "$dir/p.err" || { echo "FAIL: find progress line"; fail=1; }
"$FMAP" touch --progress "$dir/p" > "$dir/p.out" 2> "$dir/p.err"
grep -q "fmap touch $dir/p: 2.9 MiB of 2.9 MiB (100%)" "$dir/p.err" || { echo "FAIL: touch progress line"; fail=1; }
"$FMAP" dump --progress -s 1M "$dir/p" > "$dir/p.out" 2> "$dir/p.err"
hexdump -C -s 1048576 "$dir/p" | cmp -s - "$dir/p.out" || { echo "FAIL: dump with --progress"; fail=1; }
grep -q "fmap dump $dir/p: 1.9 MiB of 1.9 MiB (100%)" "$dir/p.err" || { echo "FAIL: dump progress line: $(cat "$dir/p.err")"; fail=1; }

# A sparse file 16 windows long is searched with bounded RSS (two 64 MiB
# windows mapped at a time); a reader that mapped it whole would pass 1 GiB.
truncate -s 1G "$dir/sparse"
rss_kib=$(python3 -c '
import os, sys
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 1 else -1)  # 1: not found' "$FMAP" find --count --string needle "$dir/sparse" || true)
if ldd "$FMAP" | grep -E 'lib(a|t)san' > /dev/null; then  # Not -q: an early exit would SIGPIPE ldd (pipefail).
  # TSan's shadow of every mapped window stays resident (411 MiB seen), so
  # the bound holds for the real build only; here it must at least finish.
  [ "$rss_kib" -gt 0 ] || { echo "FAIL: sparse 1G find"; fail=1; }
  echo "note: under a sanitizer the sparse find's peak RSS (${rss_kib} KiB) is not checked"
else
  [ "$rss_kib" -gt 0 ] && [ "$rss_kib" -lt $((256 * 1024)) ] || { echo "FAIL: sparse 1G find peak RSS ${rss_kib} KiB"; fail=1; }
fi
"$FMAP" evict "$dir/sparse"; rm "$dir/sparse"

# A file truncated and regrown while fmap reads it: every run ends with exit 0
# or exit 1 and "file shrank", never a signal death; run it repeatedly.
head -c 32M /dev/urandom > "$dir/shrink"
python3 - "$dir/shrink" "$dir/shrink.stop" <<'PY' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
while not os.path.exists(sys.argv[2]):
    os.ftruncate(fd, 4096 * 3)
    time.sleep(0.001)
    os.ftruncate(fd, 32 << 20)
    time.sleep(0.001)
PY
churn=$!
shrank=0
for i in $(seq 1 25); do
  for cmd in "sum" "dump" "find --count --hex 0102030405060708" "touch"; do
    set +e
    "$FMAP" $cmd "$dir/shrink" > /dev/null 2> "$dir/err"; rc=$?
    set -e
    if [ $rc -ge 2 ] || { [ $rc = 1 ] && [ -s "$dir/err" ] && ! grep -q "^fmap ${cmd%% *}: $dir/shrink: file shrank " "$dir/err"; }; then
      echo "FAIL: fmap $cmd on a shrinking file: exit $rc: $(cat "$dir/err")"; fail=1
    fi
    grep -q "file shrank" "$dir/err" && shrank=$((shrank + 1))
  done
done
touch "$dir/shrink.stop"; wait "$churn"
echo "note: $shrank of 100 runs over a shrinking file reported it"
# About two in three do here; none would mean the shrink went unnoticed.
[ "$shrank" -gt 0 ] || { echo "FAIL: no run noticed the shrinking file"; fail=1; }

# A block device (a loop device over a file, where the machine allows it):
# sized with BLKGETSIZE64, read through the mapping like a file.
head -c 2000000 /dev/urandom > "$dir/img"
truncate -s 2097152 "$dir/img"
if loopdev=$(losetup -f --show "$dir/img" 2>/dev/null); then
  info=$("$FMAP" info "$loopdev")
  echo "$info" | grep -qx "$loopdev: 2097152 bytes, block device, page size $(getconf PAGESIZE), [0-9]* of 512 pages resident" ||
    { echo "FAIL: block info: $info"; fail=1; }
  [ "$("$FMAP" sum "$loopdev" | cut -d' ' -f1)" = "$(sha256sum "$dir/img" | cut -d' ' -f1)" ] ||
    { echo "FAIL: block device sum"; fail=1; }
  losetup -d "$loopdev"
else
  echo "note: no loop device here; the block-device check did not run"
fi

[ $fail = 0 ] && echo "fmap_e2e_test: all checks passed"
exit $fail
