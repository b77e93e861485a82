#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-acquire on disks and files: raw, split raw and E01, checked against
# md5sum/sha1sum/sha256sum, ewfverify, ewfinfo and ewfexport.

load helpers/common
load helpers/acquire

setup() {
	W=$BATS_TEST_TMPDIR
	SRC=$W/disk.bin
	mksource "$SRC" 6291456
}

sums() {
	MD5=$(md5sum < "$1" | cut -d' ' -f1)
	SHA1=$(sha1sum < "$1" | cut -d' ' -f1)
	SHA256=$(sha256sum < "$1" | cut -d' ' -f1)
}

@test "raw: the image is the source byte for byte and the hashes are md5sum's, sha1sum's, sha256sum's" {
	sums "$SRC"
	run -0 --separate-stderr spoor-acquire --json "$SRC" "$W/img.raw"
	cmp "$SRC" "$W/img.raw"
	assert_equal "$(jq -r .md5 <<<"$output")" "$MD5"
	assert_equal "$(jq -r .sha1 <<<"$output")" "$SHA1"
	assert_equal "$(jq -r .sha256 <<<"$output")" "$SHA256"
	assert_equal "$(jq -c '[.format, .size, .acquired, .complete, .bad_ranges]' <<<"$output")" \
	    '["raw",6291456,6291456,true,[]]'
	assert_equal "$stderr" ""
}

@test "raw: the text record and the sidecar log carry the hashes" {
	sums "$SRC"
	run -0 spoor-acquire "$SRC" "$W/img.raw"
	assert_line "md5:                   $MD5"
	assert_line "sha256:                $SHA256"
	assert_line "complete:              yes"
	run -0 cat "$W/img.raw.log"
	assert_line "sha1:                  $SHA1"
	assert_line "source:                $SRC"
	assert_line --regexp '^libewf 20140813$'
}

@test "split: segments of the given size whose concatenation is the source" {
	sums "$SRC"
	run -0 --separate-stderr spoor-acquire --json --split 2M "$SRC" "$W/img"
	assert_equal "$(jq -c .segments <<<"$output")" \
	    "[\"$W/img.000\",\"$W/img.001\",\"$W/img.002\"]"
	assert_equal "$(stat -c %s "$W/img.000" "$W/img.001" "$W/img.002" | tr '\n' ' ')" \
	    "2097152 2097152 2097152 "
	cat "$W/img.000" "$W/img.001" "$W/img.002" | cmp - "$SRC"
	assert_equal "$(jq -r .sha256 <<<"$output")" "$SHA256"
	[ -f "$W/img.log" ]
	# spoor's evidence layer finds the same segments from the first
	run -65 spoor-info "$W/img.000"
}

@test "split: a last segment shorter than the others" {
	head -c 5000000 "$SRC" > "$W/odd.bin"
	run -0 spoor-acquire --split 2M "$W/odd.bin" "$W/odd"
	assert_equal "$(stat -c %s "$W/odd.002")" 805696
	cat "$W/odd.000" "$W/odd.001" "$W/odd.002" | cmp - "$W/odd.bin"
}

@test "E01: ewfverify passes, ewfinfo shows the metadata and the hashes, ewfexport gives the source" {
	sums "$SRC"
	run -0 --separate-stderr spoor-acquire --case-number 'CASE-2026-17' \
	    --evidence-number 'EV 3' --examiner 'J. Roe' \
	    --description 'web01 system disk' --notes 'seized 2026-11-20' \
	    "$SRC" "$W/img.E01"
	run -0 ewfverify -q "$W/img.E01"
	assert_output --partial "ewfverify: SUCCESS"
	assert_output --partial "MD5 hash stored in file:		$MD5"
	assert_output --partial "MD5 hash calculated over data:		$MD5"
	run -0 ewfinfo "$W/img.E01"
	assert_line --partial "Case number:		CASE-2026-17"
	assert_line --partial "Evidence number:	EV 3"
	assert_line --partial "Examiner name:		J. Roe"
	assert_line --partial "Description:		web01 system disk"
	assert_line --partial "Notes:			seized 2026-11-20"
	assert_line --partial "File format:		EnCase 6"
	assert_line --partial "Software version used:	spoor "
	assert_line --partial "MD5:			$MD5"
	assert_line --partial "SHA1:			$SHA1"
	assert_line --partial "Media size:		6.0 MiB (6291456 bytes)"
	ewfexport -q -t "$W/exp" -f raw -u "$W/img.E01" > /dev/null
	cmp "$W/exp.raw" "$SRC"
}

@test "E01: every compression level, chunk size and segment size verifies and exports to the source" {
	for c in none empty-block fast best; do
		rm -f "$W"/c.*
		run -0 spoor-acquire --compression "$c" --sectors-per-chunk 128 \
		    --segment-size 2M "$SRC" "$W/c.E01"
		[ -f "$W/c.E02" ] || fail "$c: no second segment"
		run -0 ewfverify -q "$W/c.E01"
		assert_output --partial "ewfverify: SUCCESS"
		run -0 ewfinfo "$W/c.E01"
		assert_line --partial "Sectors per chunk:	128"
		rm -f "$W/exp.raw"
		ewfexport -q -t "$W/exp" -f raw -u "$W/c.E01" > /dev/null
		cmp "$W/exp.raw" "$SRC" || fail "$c: export differs"
	done
}

@test "E01: the output may be named without .E01; compression none is larger than best" {
	run -0 spoor-acquire -f e01 --compression none "$SRC" "$W/plain"
	run -0 spoor-acquire -f e01 --compression best "$SRC" "$W/small"
	[ "$(stat -c %s "$W/small.E01")" -lt "$(stat -c %s "$W/plain.E01")" ]
	[ "$(stat -c %s "$W/plain.E01")" -gt 6291456 ]
	run -0 ewfverify -q "$W/plain.E01"
}

@test "E01 fast: random chunks are stored as they are, repeated random blocks still compress" {
	python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(7).randbytes(4194304))' > "$W/random"
	python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(8).randbytes(4096) * 1024)' > "$W/repeated"
	run -0 spoor-acquire --compression fast "$W/random" "$W/random.E01"
	run -0 spoor-acquire --compression fast "$W/repeated" "$W/repeated.E01"
	[ "$(stat -c %s "$W/random.E01")" -gt 4194304 ]
	[ "$(stat -c %s "$W/repeated.E01")" -lt 1048576 ]
	for f in random repeated; do
		run -0 ewfverify -q "$W/$f.E01"
		assert_output --partial "ewfverify: SUCCESS"
		rm -f "$W/exp.raw"
		ewfexport -q -t "$W/exp" -f raw -u "$W/$f.E01" > /dev/null
		cmp "$W/exp.raw" "$W/$f"
	done
}

@test "--verify re-reads raw, split and E01 images and says they match" {
	for f in "raw $W/v.raw" "split $W/vs" "e01 $W/v.E01"; do
		set -- $f
		extra=
		[ "$1" = split ] && extra="--split 4M"
		run -0 --separate-stderr spoor-acquire --verify --json $extra "$SRC" "$2"
		assert_equal "$(jq -r .verified <<<"$output")" true
	done
}

@test "--hash-window: piecewise hashes equal those of each window of the source" {
	run -0 --separate-stderr spoor-acquire --json --hash-window 1M "$SRC" "$W/img.raw"
	assert_equal "$(jq '.pieces | length' <<<"$output")" 6
	for i in 0 1 2 3 4 5; do
		want=$(dd if="$SRC" bs=1M skip=$i count=1 status=none | sha256sum | cut -d' ' -f1)
		assert_equal "$(jq -r ".pieces[$i].sha256" <<<"$output")" "$want"
		want=$(dd if="$SRC" bs=1M skip=$i count=1 status=none | md5sum | cut -d' ' -f1)
		assert_equal "$(jq -r ".pieces[$i].md5" <<<"$output")" "$want"
		assert_equal "$(jq -r ".pieces[$i].offset" <<<"$output")" $((i * 1048576))
	done
}

@test "--hash-window that does not divide the size: the last piece is short" {
	run -0 --separate-stderr spoor-acquire --json --hash-window 4M "$SRC" "$W/img.raw"
	assert_equal "$(jq -c '[.pieces[] | .length]' <<<"$output")" '[4194304,2097152]'
	want=$(tail -c 2097152 "$SRC" | sha1sum | cut -d' ' -f1)
	assert_equal "$(jq -r '.pieces[1].sha1' <<<"$output")" "$want"
}

@test "-c: the run and a sources row with the image, its hashes and the record" {
	sums "$SRC"
	run -0 spoor-acquire -c "$W/case.db" --examiner 'J. Roe' "$SRC" "$W/img.E01"
	run -0 sqlite3 "$W/case.db" "SELECT kind, path, size, md5, sha1, sha256 FROM sources"
	assert_output "e01|$W/img.E01|6291456|$MD5|$SHA1|$SHA256"
	run -0 sqlite3 "$W/case.db" "SELECT json_extract(details, '$.source'), json_extract(details, '$.metadata.examiner'), json_extract(details, '$.complete'), json_extract(details, '$.versions.libewf') FROM sources"
	assert_output "$SRC|J. Roe|1|20140813"
	run -0 sqlite3 "$W/case.db" "SELECT tool, exit_status, state, json_extract(inputs, '\$[0].path'), json_extract(inputs, '\$[0].sha256') FROM runs"
	assert_output "spoor-acquire|0|done|$SRC|$SHA256"
}

@test "an existing image is not replaced (status 73) unless --force" {
	echo old > "$W/img.raw"
	run -73 --separate-stderr spoor-acquire "$SRC" "$W/img.raw"
	assert_equal "$stderr" "spoor-acquire: '$W/img.raw' exists (use --force to replace it)"
	assert_equal "$(cat "$W/img.raw")" old
	run -0 spoor-acquire --force "$SRC" "$W/img.raw"
	cmp "$SRC" "$W/img.raw"
}

@test "an existing E01 segment or sidecar log is not replaced either" {
	touch "$W/img.E01.log"
	run -73 --separate-stderr spoor-acquire "$SRC" "$W/img.E01"
	assert_equal "$stderr" "spoor-acquire: '$W/img.E01.log' exists (use --force to replace it)"
	[ ! -e "$W/img.E01" ]
	touch "$W/s.001"
	run -73 spoor-acquire --split 2M "$SRC" "$W/s"
	[ ! -e "$W/s.000" ]
}

@test "the image is never written onto the source, even with --force (status 64)" {
	sums "$SRC"
	run -64 --separate-stderr spoor-acquire --force "$SRC" "$SRC"
	assert_equal "$stderr" "spoor-acquire: output '$SRC' is the source"
	ln -s "$SRC" "$W/link"
	run -64 --separate-stderr spoor-acquire --force "$SRC" "$W/link"
	assert_equal "$(sha256sum < "$SRC" | cut -d' ' -f1)" "$SHA256"
}

@test "a missing source is status 66" {
	run -66 --separate-stderr spoor-acquire "$W/nope" "$W/img.raw"
	assert_equal "$stderr" "spoor-acquire: source '$W/nope': No such file or directory"
	[ ! -e "$W/img.raw" ]
}

@test "a source the user may not read is status 77" {
	chmod 600 "$SRC"
	chmod 755 "$W"
	run -77 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$BUILD/bin/spoor-acquire" "$SRC" "$W/img.raw"
	assert_equal "$stderr" "spoor-acquire: source '$SRC': Permission denied"
}

@test "a directory is not a source (status 69)" {
	run -69 --separate-stderr spoor-acquire "$W" "$W/img.raw"
	assert_equal "$stderr" "spoor-acquire: source '$W': not a block device or a regular file"
}

@test "E01 of a source that is not whole sectors is refused (status 69); raw takes it" {
	head -c 1000 "$SRC" > "$W/odd"
	run -69 --separate-stderr spoor-acquire "$W/odd" "$W/odd.E01"
	[[ "$stderr" == *"1000 bytes is not a whole number of 512-byte sectors"* ]]
	run -0 spoor-acquire "$W/odd" "$W/odd.raw"
	cmp "$W/odd" "$W/odd.raw"
}

@test "free space is checked before writing (status 73)" {
	truncate -s 10T "$W/huge"
	run -73 --separate-stderr spoor-acquire "$W/huge" "$W/img.raw"
	[[ "$stderr" == *"bytes needed,"*"free" ]]
	[ ! -e "$W/img.raw" ]
}

@test "an empty source gives an empty image with the hashes of nothing" {
	: > "$W/empty"
	run -0 --separate-stderr spoor-acquire --json "$W/empty" "$W/e.raw"
	assert_equal "$(jq -r .sha256 <<<"$output")" \
	    e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	[ -f "$W/e.raw" ] && [ ! -s "$W/e.raw" ]
}

@test "SIGINT: the output is closed, marked incomplete, the run interrupted (status 130)" {
	so=$(faultread)
	# six 1 MiB reads of half a second each; the signal comes amid them
	SPOOR_FAULT_FILE=$SRC SPOOR_FAULT_DELAY_US=500000 LD_PRELOAD=$so \
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    spoor-acquire -c "$W/case.db" --json "$SRC" "$W/int.E01" \
	    > "$W/out.json" 2> "$W/err" &
	pid=$!
	sleep 1.2
	kill -INT $pid
	status=0
	wait $pid || status=$?
	assert_equal "$status" 130
	run -0 jq -r '[.complete, .acquired < .size, .acquired > 0] | @tsv' "$W/out.json"
	assert_output "false	true	true"
	grep -q '^complete:              no (INCOMPLETE IMAGE)$' "$W/int.E01.log"
	grep -q "interrupted after" "$W/err"
	run -0 sqlite3 "$W/case.db" "SELECT exit_status, state FROM runs"
	assert_output "130|interrupted"
	run -0 sqlite3 "$W/case.db" "SELECT json_extract(details, '$.complete') FROM sources"
	assert_output 0
	# the E01 was finalized: libewf opens it and says it is short
	run ewfinfo "$W/int.E01"
	assert_line --partial "Is corrupted:		yes"
}

@test "usage errors are status 64" {
	run -64 spoor-acquire "$SRC"
	run -64 spoor-acquire --split 1M "$SRC" "$W/x.E01"
	run -64 spoor-acquire --split 0 "$SRC" "$W/x"
	run -64 spoor-acquire --compression huge -f e01 "$SRC" "$W/x"
	run -64 spoor-acquire --sectors-per-chunk 100 -f e01 "$SRC" "$W/x"
	run -64 spoor-acquire --retries -1 "$SRC" "$W/x"
	run -64 spoor-acquire --source /dev/mem "$SRC" "$W/x"
	run -64 spoor-acquire --split 1k "$SRC" "$W/x"
	[ ! -e "$W/x" ] && [ ! -e "$W/x.000" ]
}

@test "--progress=json reports bytes done of the total on stderr" {
	run -0 --separate-stderr spoor-acquire --progress=json "$SRC" "$W/img.raw"
	last=$(tail -n 1 <<<"$stderr")
	assert_equal "$(jq -c '[.progress, .done, .total, .final]' <<<"$last")" \
	    '["acquire",6291456,6291456,true]'
}
