#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# LiME ranges that are not a plain list of disjoint ranges: a range of
# zeros after a range with content (each scanned with its own bytes, so
# every detection's physical address holds what matched, as an
# independent LiME reader sees it), ranges that overlap and a header whose
# end is before its start (problems: status 2, and spoor-info lists them
# in text and JSON).  Every LiME file here is written by the test.

load helpers/common

MARKER=SPOOR-LIME-RANGE-MARKER

# mklime FILE START:KIND:SIZE ...: a LiME file, one range per argument;
# KIND is "marker" (the marker every 4 KiB in filler) or "zero".
# START and END may be given as START-END to write a header as is.
mklime() {
	python3 - "$MARKER" "$@" <<-'EOF'
	import struct, sys
	marker = sys.argv[1].encode()
	out = open(sys.argv[2], "wb")
	for spec in sys.argv[3:]:
	    where, kind, size = spec.split(":")
	    size = int(size, 0)
	    if "-" in where:
	        start, end = (int(x, 0) for x in where.split("-"))
	    else:
	        start = int(where, 0)
	        end = start + size - 1
	    if kind == "marker":
	        data = bytearray(b"\x41" * size)
	        for o in range(100, size - len(marker), 4096):
	            data[o:o + len(marker)] = marker
	    else:
	        data = bytes(size)
	    out.write(struct.pack("<IIQQQ", 0x4C694D45, 1, start, end, 0))
	    out.write(data)
	EOF
}

# check_hits LIME: every string match of the detections on stdin (JSON
# Lines) lies in the range its detection names, and the bytes at its
# physical address in that range are the marker.  Prints the count.
check_hits() {
	python3 -c '
import json, struct, sys
data = open(sys.argv[1], "rb").read()
marker = sys.argv[2].encode()
ranges, off = [], 0
while off < len(data):
    magic, ver, start, end = struct.unpack_from("<IIQQ", data, off)
    assert magic == 0x4C694D45 and ver == 1
    ranges.append((start, end, off + 32))
    off += 32 + end - start + 1
n = 0
for line in sys.stdin:
    d = json.loads(line)
    if d.get("type") != "yara":
        continue
    rs, re_ = d["target"]["range"]["start"], d["target"]["range"]["end"]
    (fo,) = [f for s, e, f in ranges if s == rs and e == re_ and
             data[f:f + e - s + 1].find(marker) >= 0] or [None]
    assert fo is not None, ("no marker in the range reported", rs, re_)
    for m in d["strings"]:
        a = m["offset"]
        assert rs <= a <= re_, (a, rs, re_)
        got = data[fo + a - rs:fo + a - rs + len(marker)]
        assert got == marker, (a, got)
        n += 1
print(n)
' "$1" "$MARKER"
}

setup() {
	rule=$BATS_TEST_TMPDIR/marker.yar
	printf 'rule lime_marker { strings: $m = "%s" condition: $m }\n' \
	    "$MARKER" >"$rule"
}

@test "a zero range after a range with content: detections only where the marker is" {
	f=$BATS_TEST_TMPDIR/two.lime
	mklime "$f" 0x100000:marker:0x30000 0x10000000:zero:0x30000
	run -1 --separate-stderr spoor-scan --json -r "$rule" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.range.start')" 1048576
	n=$(echo "$output" | check_hits "$f")
	[ "$n" -ge 40 ]
}

@test "a zero range over the same addresses as a range with content is scanned with its own bytes" {
	f=$BATS_TEST_TMPDIR/over.lime
	mklime "$f" 0x100000:marker:0x30000 0x100000:zero:0x30000 \
	    0x10000000:zero:0x30000
	run -1 --separate-stderr spoor-scan --json -r "$rule" "$f"
	# one detection: the zeros match nothing
	assert_equal "$(echo "$output" | jq -c 'select(.type == "yara")' | wc -l)" 1
	n=$(echo "$output" | check_hits "$f")
	[ "$n" -ge 40 ]
	[[ $stderr == *"overlaps"* ]]
}

@test "overlapping LiME ranges are a problem: spoor-info says so in text and JSON, status 2" {
	f=$BATS_TEST_TMPDIR/over.lime
	mklime "$f" 0x100000:zero:0x2000 0x101000:zero:0x2000 0x200000:zero:0x1000
	run -2 --separate-stderr spoor-info "$f"
	assert_line "ranges: 3"
	assert_line --partial "problems: 1"
	assert_line --regexp "^  LiME header at offset 8224: range 0x0*101000-0x0*102fff overlaps range 0x0*100000-0x0*101fff at offset 0$"
	[[ $stderr == *"1 problem skipped"* ]]
	run -2 --separate-stderr spoor-info --json "$f"
	assert_equal "$(echo "$output" | jq -r '.ranges | length')" 3
	assert_equal "$(echo "$output" | jq -r '.problems | length')" 1
	assert_equal "$(echo "$output" | jq -r '.problems[0].offset')" 8224
	[[ $(echo "$output" | jq -r '.problems[0].message') == *overlaps* ]]
	# disjoint ranges, even adjacent ones, are none
	mklime "$f" 0x100000:zero:0x1000 0x101000:zero:0x1000
	run -0 --separate-stderr spoor-info --json "$f"
	assert_equal "$(echo "$output" | jq -r '.problems | length')" 0
}

@test "a LiME header whose end is before its start is a problem: the ranges before it kept, status 2" {
	f=$BATS_TEST_TMPDIR/wrap.lime
	mklime "$f" 0x100000:marker:0x2000 0x300000-0x200000:zero:0x1000
	run -2 --separate-stderr spoor-info "$f"
	assert_line "ranges: 1"
	assert_line --regexp "^  LiME header at offset 8224: end 0x0*200000 before start 0x0*300000"
	[[ $stderr == *"1 problem skipped"* ]]
	run -2 --separate-stderr spoor-info --json "$f"
	assert_equal "$(echo "$output" | jq -r '.ranges | length')" 1
	assert_equal "$(echo "$output" | jq -r '.problems[0].offset')" 8224
	# the scan still finds the marker in the first range, and says so
	run -1 --separate-stderr spoor-scan --json -r "$rule" "$f"
	head -c $((32 + 0x2000)) "$f" >"$f.kept"
	n=$(echo "$output" | check_hits "$f.kept")
	[ "$n" -ge 2 ]
	[[ $stderr == *"before start"* ]]
}
