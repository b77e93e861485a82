#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# One detection per target and rule: the matches of a rule in every block
# of large content merged into one detection (the yara command's offsets
# as the oracle), and a rescan into the same case storing nothing the
# case already holds while still reporting it.

load helpers/common

# A file of size MiB of zeros with MARKER at each offset that follows.
marker_file() {
	python3 - "$@" <<-'EOF'
	import sys
	path, size, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
	b = bytearray(size * 1024 * 1024)
	for off in sys.argv[4:]:
	    off = int(off)
	    b[off:off + len(marker)] = marker
	open(path, "wb").write(b)
	EOF
}

# The decimal offsets the yara command gives for rule file $1 on file $2.
yara_offsets() {
	yara -s "$1" "$2" | awk -F: '/^0x/ { printf "%d\n", $1 }' | sort -n
}

@test "a marker in two 16 MiB blocks of one file is one detection with both of yara's offsets" {
	f=$BATS_TEST_TMPDIR/two-blocks.bin
	# in the first block, in the overlap before 16 MiB (the second
	# block's), across the boundary, and in the third block
	marker_file "$f" 40 SPOOR-DEDUPE-MARKER 1000 $((16 * 1048576 - 100)) \
	    $((16 * 1048576 - 5)) $((33 * 1048576 + 12345))
	r=$BATS_TEST_TMPDIR/m.yar
	echo 'rule dedupe_marker { strings: $m = "SPOOR-DEDUPE-MARKER" condition: $m }' >"$r"
	expected=$(yara_offsets "$r" "$f")
	assert_equal "$(echo "$expected" | wc -l)" 4
	run -1 --separate-stderr spoor-scan --json -r "$r" "$f"
	assert_equal "$(echo "$output" | jq -c 'select(.type == "yara")' | wc -l)" 1
	line=$(echo "$output" | jq -c 'select(.type == "yara")')
	assert_equal "$(echo "$line" | jq -r '.strings[].offset')" "$expected"
	assert_equal "$(echo "$line" | jq -r '.string_matches')" 4
	assert_equal "$(echo "$line" | jq -r '.address')" 1000
	assert_equal "$(echo "$output" | jq -r 'select(.type == "target") | .detections')" 1
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | .detections')" 1
	# the text view: one line
	run -1 --separate-stderr spoor-scan -q -r "$r" "$f"
	assert_equal "$(echo "$output" | grep -c dedupe_marker)" 1
}

@test "a filetype condition holds in every block of a large file, the first ones included" {
	f=$BATS_TEST_TMPDIR/elf.bin
	marker_file "$f" 40 SPOOR-FILETYPE-MARKER 5000 $((30 * 1048576))
	printf '\177ELF' | dd of="$f" conv=notrunc status=none
	r=$BATS_TEST_TMPDIR/ft.yar
	echo 'rule filetype_marker { strings: $m = "SPOOR-FILETYPE-MARKER" condition: filetype == "ELF" and $m }' >"$r"
	run -1 --separate-stderr spoor-scan --json -r "$r" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .strings[].offset')" "$(printf '5000\n%d' $((30 * 1048576)))"
}

@test "the merged matches stay capped at 64 listed, the first in yara's order, with every match counted" {
	f=$BATS_TEST_TMPDIR/many.bin
	offsets=$(seq 100 30000 2900000)
	# shellcheck disable=SC2086
	marker_file "$f" 3 SPOOR-MANY-MARKER $offsets
	r=$BATS_TEST_TMPDIR/m.yar
	echo 'rule many_marker { strings: $m = "SPOOR-MANY-MARKER" condition: $m }' >"$r"
	expected=$(yara_offsets "$r" "$f")
	total=$(echo "$expected" | wc -l)
	[ "$total" -gt 64 ]
	run -1 --separate-stderr spoor-scan --json --strings --block-size 1M -r "$r" "$f"
	line=$(echo "$output" | jq -c 'select(.type == "yara")')
	assert_equal "$(echo "$line" | wc -l)" 1
	assert_equal "$(echo "$line" | jq -r '.string_matches')" "$total"
	assert_equal "$(echo "$line" | jq -r '.strings[].offset')" "$(echo "$expected" | head -n 64)"
	# --strings keeps each match's data
	assert_equal "$(echo "$line" | jq -r '.strings[].data' | sort -u)" SPOOR-MANY-MARKER
}

@test "a memory range read in blocks gives one detection per rule with every address" {
	f=$BATS_TEST_TMPDIR/raw.mem
	marker_file "$f" 3 SPOOR-DEDUPE-MEMORY 4096 $((2 * 1048576 + 64))
	r=$BATS_TEST_TMPDIR/m.yar
	echo 'rule memory_marker { strings: $m = "SPOOR-DEDUPE-MEMORY" condition: $m }' >"$r"
	run -1 --separate-stderr spoor-scan --json --memory --block-size 1M -r "$r" "$f"
	line=$(echo "$output" | jq -c 'select(.type == "yara")')
	assert_equal "$(echo "$line" | wc -l)" 1
	assert_equal "$(echo "$line" | jq -r '.strings[].offset')" "$(yara_offsets "$r" "$f")"
}

@test "the scenario image, scanned in the smallest blocks, gives one detection per rule and target" {
	run -1 --separate-stderr spoor-scan --json --block-size 64K "$SCENARIO/web01.raw"
	# a heuristic's findings in one file are told apart by their offset
	# (each key of an authorized_keys)
	pairs=$(echo "$output" | jq -r 'select(.type != "target" and .type != "summary") |
	    "\(.type) \(.name) \(.offset) \(.target.fs) \(.target.inode) \(.target.path)"' | sort)
	[ -n "$pairs" ]
	assert_equal "$(echo "$pairs" | uniq -d)" ""
}

@test "scanning the scenario image twice into one case stores its detections once and says they were known" {
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" "$SCENARIO/web01.raw"
	run -1 --separate-stderr spoor-scan -q -c "$db" "$SCENARIO/web01.raw"
	# the timeline's own findings are detections too; n are the scan's
	all=$(sqlite3 "$db" "SELECT count(*) FROM detections")
	n=$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE run_id IN
	    (SELECT id FROM runs WHERE tool = 'spoor-scan')")
	events=$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'detection'")
	[ "$n" -ge 8 ]
	assert_equal "$events" "$all"
	run -1 --separate-stderr spoor-scan -c "$db" "$SCENARIO/web01.raw"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections")" "$all"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'detection'")" "$all"
	assert_equal "$(echo "$stderr" | grep -c "^spoor-scan: $n detections in [0-9]* targets ($n already in the case); ")" 1
	# both runs recorded as having found something
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(exit_status) FROM runs WHERE tool = 'spoor-scan'")" "1,1"
	# and the index the lookup uses
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'detections_target'")" 1
}

@test "a known detection's JSON record still lists its offsets, and the summary counts it" {
	db=$BATS_TEST_TMPDIR/case.db
	f=$BATS_TEST_TMPDIR/two-blocks.bin
	marker_file "$f" 20 SPOOR-DEDUPE-MARKER 1000 $((17 * 1048576))
	r=$BATS_TEST_TMPDIR/m.yar
	echo 'rule dedupe_marker { strings: $m = "SPOOR-DEDUPE-MARKER" condition: $m }' >"$r"
	run -1 --separate-stderr spoor-scan -q -c "$db" -r "$r" "$f"
	run -1 --separate-stderr spoor-scan --json -c "$db" -r "$r" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .strings[].offset')" "$(yara_offsets "$r" "$f")"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | "\(.detections) \(.already_known)"')" "1 1"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections")" 1
	# the stored record has both offsets too
	assert_equal "$(sqlite3 "$db" "SELECT details FROM detections" | jq -r '.strings[].offset')" "$(yara_offsets "$r" "$f")"
}

@test "scanning the memory image twice into one case stores its detection once" {
	db=$BATS_TEST_TMPDIR/mem.db
	run -1 --separate-stderr spoor-scan -q -c "$db" "$SCENARIO/web01.lime"
	n=$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE target_kind = 'memory'")
	[ "$n" -ge 1 ]
	run -1 --separate-stderr spoor-scan --json -c "$db" "$SCENARIO/web01.lime"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE target_kind = 'memory'")" "$n"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | .already_known')" \
	    "$(echo "$output" | jq -r 'select(.type == "summary") | .detections')"
}

@test "another rule on a target the case knows is stored: only the same rule is already known" {
	db=$BATS_TEST_TMPDIR/case.db
	f=$BATS_TEST_TMPDIR/one.bin
	printf 'SPOOR-DEDUPE-ONE SPOOR-DEDUPE-TWO' >"$f"
	r1=$BATS_TEST_TMPDIR/one.yar
	r2=$BATS_TEST_TMPDIR/two.yar
	echo 'rule dedupe_one { strings: $m = "SPOOR-DEDUPE-ONE" condition: $m }' >"$r1"
	echo 'rule dedupe_two { strings: $m = "SPOOR-DEDUPE-TWO" condition: $m }' >"$r2"
	run -1 --separate-stderr spoor-scan -q -c "$db" -r "$r1" "$f"
	run -1 --separate-stderr spoor-scan --json -c "$db" -r "$r1" -r "$r2" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | "\(.detections) \(.already_known)"')" "2 1"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM detections ORDER BY name)")" "dedupe_one dedupe_two"
}

@test "the image under another name, loaded without its SHA-256, is the same source by its fingerprint" {
	db=$BATS_TEST_TMPDIR/case.db
	copy=$BATS_TEST_TMPDIR/copy.raw
	cp "$SCENARIO/web01.raw" "$copy"
	run -0 spoor-timeline -c "$db" "$copy"
	assert_equal "$(sqlite3 "$db" "SELECT sha256 IS NULL FROM sources")" 1
	run -1 --separate-stderr spoor-scan -q -c "$db" "$SCENARIO/web01.raw"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM sources")" 1
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE target_kind = 'file' AND file_id IS NULL")" 0
	# a file of the same size and other bytes is another source
	head -c "$(stat -c %s "$copy")" /dev/zero > "$BATS_TEST_TMPDIR/zeros.raw"
	run -0 --separate-stderr spoor-scan -q -c "$db" "$BATS_TEST_TMPDIR/zeros.raw"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM sources")" 2
}

@test "the image under another name is the source spoor-timeline loaded: its detections link to its files and a rescan knows them" {
	db=$BATS_TEST_TMPDIR/case.db
	copy=$BATS_TEST_TMPDIR/copy.raw
	cp "$SCENARIO/web01.raw" "$copy"
	run -0 spoor-timeline -c "$db" --verify "$copy"
	run -1 --separate-stderr spoor-scan -q -c "$db" "$SCENARIO/web01.raw"
	# one source, the timeline's, found by the SHA-256 of the bytes
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM sources")" 1
	assert_equal "$(sqlite3 "$db" "SELECT sha256 FROM sources")" "$(sha256sum "$SCENARIO/web01.raw" | cut -d' ' -f1)"
	# the scan's detections (the timeline's own findings are detections too)
	all=$(sqlite3 "$db" "SELECT count(*) FROM detections")
	n=$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE run_id IN
	    (SELECT id FROM runs WHERE tool = 'spoor-scan')")
	[ "$n" -ge 8 ]
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE target_kind = 'file' AND file_id IS NULL")" 0
	run -1 --separate-stderr spoor-scan --json -c "$db" "$SCENARIO/web01.raw"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | "\(.detections) \(.already_known)"')" "$n $n"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections")" "$all"
}
