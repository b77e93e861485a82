#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-acquire on a source with unreadable sectors, made by the
# fault-injection shim (tests/fixtures/faultread.c): the image has zeros
# exactly there and the source's bytes everywhere else, the record lists
# exactly those ranges, the E01 holds them as acquiry errors, status 2.

load helpers/common
load helpers/acquire

setup() {
	W=$BATS_TEST_TMPDIR
	SRC=$W/disk.bin
	mksource "$SRC" 4194304
	# sector 0; sectors 2050-2051, in the middle of chunk 32 (64-sector
	# chunks); 3000-3007 across a 1 MiB read; the last sector
	BAD="0+512,1049600+1024,1536000+4096,4193792+512"
	# data, not zeros, where the reads fail, or zeros prove nothing
	python3 - "$SRC" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    for off, n in ((0, 512), (1049600, 1024), (1536000, 4096),
                   (2621952, 512), (4193792, 512)):
        f.seek(off)
        f.write(bytes((i * 7 + 1) % 256 or 1 for i in range(n)))
PY
}

# Compare image $1 with the source: zeros exactly in the ranges $2
# (offset+length,...), the source's bytes elsewhere.
zeros_exactly() {
	python3 - "$SRC" "$1" "$2" <<'PY'
import sys
src = open(sys.argv[1], "rb").read()
img = open(sys.argv[2], "rb").read()
want = bytearray(src)
for r in sys.argv[3].split(","):
    off, n = (int(x) for x in r.split("+"))
    want[off:off + n] = bytes(n)
if len(img) != len(src):
    sys.exit("image is %d bytes, source %d" % (len(img), len(src)))
if bytes(want) != img:
    i = next(i for i in range(len(img)) if img[i] != want[i])
    sys.exit("first difference at byte %d" % i)
# the test is only meaningful if the source had no zeros there
for r in sys.argv[3].split(","):
    off, n = (int(x) for x in r.split("+"))
    if src[off:off + n] == bytes(n):
        sys.exit("source is already zero at %d" % off)
PY
}

@test "raw: zeros exactly at the bad sectors, status 2, the ranges in the record" {
	run -2 --separate-stderr with_faults "$SRC" "$BAD" spoor-acquire --json "$SRC" "$W/img.raw"
	zeros_exactly "$W/img.raw" "$BAD"
	assert_equal "$(jq -c '[.bad_ranges[] | [.offset, .length, .first_sector, .sectors]]' <<<"$output")" \
	    '[[0,512,0,1],[1049600,1024,2050,2],[1536000,4096,3000,8],[4193792,512,8191,1]]'
	assert_equal "$(jq -r .complete <<<"$output")" true
	assert_equal "$(jq -r .sha256 <<<"$output")" "$(sha256sum < "$W/img.raw" | cut -d' ' -f1)"
	[[ "$stderr" == *"spoor-acquire: 4 problems skipped (partial results)" ]]
}

@test "raw: the sidecar log lists the bad sectors" {
	run -2 with_faults "$SRC" "$BAD" spoor-acquire "$SRC" "$W/img.raw"
	run -0 grep '^bad sectors:' "$W/img.raw.log"
	assert_output "bad sectors:           bytes 0-511 (sectors 0-0)
bad sectors:           bytes 1049600-1050623 (sectors 2050-2051)
bad sectors:           bytes 1536000-1540095 (sectors 3000-3007)
bad sectors:           bytes 4193792-4194303 (sectors 8191-8191)"
}

@test "E01: the acquiry errors are stored, ewfverify passes, ewfexport has the zeros" {
	run -2 --separate-stderr with_faults "$SRC" "$BAD" spoor-acquire --json "$SRC" "$W/img.E01"
	run -0 ewfinfo "$W/img.E01"
	assert_output --partial "Read errors during acquiry
	total number: 4
	at sector(s): 0 - 0 number: 1
	at sector(s): 2050 - 2051 number: 2
	at sector(s): 3000 - 3007 number: 8
	at sector(s): 8191 - 8191 number: 1"
	run -0 ewfverify -q "$W/img.E01"
	assert_output --partial "ewfverify: SUCCESS"
	ewfexport -q -t "$W/exp" -f raw -u "$W/img.E01" > /dev/null
	zeros_exactly "$W/exp.raw" "$BAD"
}

@test "split: the zeros land in the right segment at the right offset" {
	run -2 --separate-stderr with_faults "$SRC" "$BAD" spoor-acquire --split 1M "$SRC" "$W/s"
	cat "$W/s.000" "$W/s.001" "$W/s.002" "$W/s.003" > "$W/cat"
	zeros_exactly "$W/cat" "$BAD"
}

@test "a read that fails in the middle of a block: the bytes before it are kept" {
	# a single bad sector deep in a 1 MiB read: the read returns short and
	# the sectors after the bad one are read again
	run -2 --separate-stderr with_faults "$SRC" "2621952+512" spoor-acquire --json "$SRC" "$W/img.raw"
	zeros_exactly "$W/img.raw" "2621952+512"
	assert_equal "$(jq -c '.bad_ranges' <<<"$output")" \
	    '[{"offset":2621952,"length":512,"first_sector":5121,"sectors":1}]'
}

@test "a transient error within --retries is recovered: status 0, identical image" {
	run -0 --separate-stderr with_faults "$SRC" "1049600+512x2" spoor-acquire --retries 2 --json "$SRC" "$W/img.raw"
	cmp "$SRC" "$W/img.raw"
	assert_equal "$(jq -c .bad_ranges <<<"$output")" '[]'
}

@test "a transient error outlasting --retries is a bad sector" {
	run -2 --separate-stderr with_faults "$SRC" "1049600+512x2" spoor-acquire --retries 0 --json "$SRC" "$W/img.raw"
	zeros_exactly "$W/img.raw" "1049600+512"
}

@test "a source that cannot be read at all: all zeros, every sector recorded" {
	head -c 65536 "$SRC" > "$W/small"
	run -2 --separate-stderr with_faults "$W/small" "0+65536" spoor-acquire --retries 0 --json "$W/small" "$W/img.raw"
	assert_equal "$(jq -c .bad_ranges <<<"$output")" \
	    '[{"offset":0,"length":65536,"first_sector":0,"sectors":128}]'
	cmp "$W/img.raw" <(head -c 65536 /dev/zero)
}

@test "-c: the bad ranges are the run's problems and in the source's record" {
	run -2 with_faults "$SRC" "$BAD" spoor-acquire -c "$W/case.db" "$SRC" "$W/img.E01"
	run -0 sqlite3 "$W/case.db" "SELECT exit_status, state, problem_count FROM runs"
	assert_output "2|partial|4"
	run -0 sqlite3 "$W/case.db" "SELECT subject, code, message FROM problems ORDER BY id LIMIT 2"
	assert_output "$SRC|SP_E_IO|bytes 0-511 (sectors 0-0) unreadable, written as zeros
$SRC|SP_E_IO|bytes 1049600-1050623 (sectors 2050-2051) unreadable, written as zeros"
	run -0 sqlite3 "$W/case.db" "SELECT json_extract(details, '\$.bad_ranges[2].first_sector'), json_array_length(details, '\$.bad_ranges') FROM sources"
	assert_output "3000|4"
}
