#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# How spoor-timeline knows a source without hashing all of it: a sampled
# fingerprint, the hashes an E01 or spoor-acquire recorded (checked
# against ewfinfo and sha256sum), --verify for the full SHA-256, and the
# same source refused again; and a case of schema 6, whose file system
# events carry their own text, read the same after its migration.

load helpers/common

setup() {
	db=$BATS_TEST_TMPDIR/case.db
}

src() { sqlite3 "$db" "SELECT $1 FROM sources WHERE id = ${2:-1}"; }

@test "without --verify a source has a fingerprint and no SHA-256, and the run says so" {
	img=$IMAGES/ext2/dfvfs_ext2.splitraw.000
	run -0 spoor-timeline -c "$db" "$img"
	assert_equal "$(src 'sha256 IS NULL')" 1
	[[ "$(src fingerprint)" =~ ^[0-9a-f]{64}$ ]] || fail "fingerprint: $(src fingerprint)"
	assert_equal "$(src "json_extract(details, '\$.identity.fingerprint') = fingerprint")" 1
	assert_equal "$(src "json_extract(details, '\$.identity.sha256')")" \
	    "not computed (spoor-timeline --verify computes it)"
	# the run's inputs: each segment with its size, no hash claimed
	inputs=$(sqlite3 "$db" "SELECT inputs FROM runs")
	assert_equal "$(jq -c '[.[] | [.size, .sha256]]' <<<"$inputs")" \
	    "[[$(stat -c %s "$img"),null],[$(stat -c %s "${img%.000}.001"),null]]"
}

@test "--verify records the SHA-256 of the segments, whole and each, equal to sha256sum" {
	img=$IMAGES/ext2/dfvfs_ext2.splitraw.000
	run -0 spoor-timeline -c "$db" --verify "$img"
	assert_equal "$(src sha256)" "$(cat "$img" "${img%.000}.001" | sha256sum | cut -d' ' -f1)"
	assert_equal "$(src "json_extract(details, '\$.identity.sha256')")" \
	    "computed by this run over the segment files"
	inputs=$(sqlite3 "$db" "SELECT inputs FROM runs")
	assert_equal "$(jq -r '.[0].sha256' <<<"$inputs")" "$(sha256sum < "$img" | cut -d' ' -f1)"
	assert_equal "$(jq -r '.[1].sha256' <<<"$inputs")" "$(sha256sum < "${img%.000}.001" | cut -d' ' -f1)"
}

@test "a copy under another name is the same source by its fingerprint: refused with 73, --replace replaces it" {
	img=$IMAGES/ext4/hierarchy_64.ext4
	run -0 spoor-timeline -c "$db" "$img"
	cp "$img" "$BATS_TEST_TMPDIR/other-name.img"
	run -73 --separate-stderr spoor-timeline -c "$db" "$BATS_TEST_TMPDIR/other-name.img"
	assert_equal "$stderr" "spoor-timeline: '$BATS_TEST_TMPDIR/other-name.img': evidence with the same fingerprint is already in the case as source 1; use --replace to load it again"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM sources")" 1
	run -0 spoor-timeline -c "$db" --replace "$BATS_TEST_TMPDIR/other-name.img"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(id) FROM sources")" 2
}

@test "a byte changed in a sampled region makes another source; one changed between samples is told apart by --verify" {
	# an 8 MiB image: a 2 MiB ext2 file system, then zeros
	mkdir "$BATS_TEST_TMPDIR/tree"
	echo hello > "$BATS_TEST_TMPDIR/tree/a.txt"
	img=$BATS_TEST_TMPDIR/disk.img
	mke2fs -q -F -t ext2 -d "$BATS_TEST_TMPDIR/tree" "$img" 2M
	truncate -s 8M "$img"
	# the first MiB is always read
	cp "$img" "$BATS_TEST_TMPDIR/first.img"
	printf 'X' | dd of="$BATS_TEST_TMPDIR/first.img" bs=1 seek=600 conv=notrunc status=none
	run -0 spoor-timeline -c "$db" "$img"
	run -0 spoor-timeline -c "$db" "$BATS_TEST_TMPDIR/first.img"
	assert_equal "$(sqlite3 "$db" "SELECT count(DISTINCT fingerprint) FROM sources")" 2
	# a byte between the first two 16 KiB slices (evidence.h: 64 of them
	# spread evenly between the first and the last MiB) is not read
	edge=1048576
	step=$(( (8388608 - 2 * edge) / 65 ))
	cp "$img" "$BATS_TEST_TMPDIR/middle.img"
	printf 'Y' | dd of="$BATS_TEST_TMPDIR/middle.img" bs=1 seek=$((edge + step + 8192 + 1000)) conv=notrunc status=none
	# without a full hash of the first, the fingerprint decides: the same
	run -73 --separate-stderr spoor-timeline -c "$db" "$BATS_TEST_TMPDIR/middle.img"
	[[ "$stderr" == *"evidence with the same fingerprint is already in the case as source 1;"* ]] || fail "$stderr"
	# with --verify on the first load the full hashes decide, and differ
	rm -f "$db" "$db"-*
	run -0 spoor-timeline -c "$db" --verify "$img"
	run -0 spoor-timeline -c "$db" "$BATS_TEST_TMPDIR/middle.img"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM sources")" 2
	assert_equal "$(sqlite3 "$db" "SELECT count(DISTINCT fingerprint) FROM sources")" 1
	assert_equal "$(src sha256 2)" "$(sha256sum < "$BATS_TEST_TMPDIR/middle.img" | cut -d' ' -f1)"
	# the same bytes again are refused by their SHA-256
	run -73 --separate-stderr spoor-timeline -c "$db" "$BATS_TEST_TMPDIR/middle.img"
	[[ "$stderr" == *"evidence with the same SHA-256 is already in the case as source 2;"* ]] || fail "$stderr"
}

@test "an E01's stored MD5 and SHA-1 are recorded as the E01 header's, equal to ewfinfo's" {
	run -0 spoor-timeline -c "$db" "$SCENARIO/web01.E01"
	md5=$(ewfinfo "$SCENARIO/web01.E01" | awk '$1 == "MD5:" { print $2 }')
	sha1=$(ewfinfo "$SCENARIO/web01.E01" | awk '$1 == "SHA1:" { print $2 }')
	[ -n "$md5" ] && [ -n "$sha1" ] || fail "ewfinfo shows no stored hashes"
	assert_equal "$(src "json_extract(details, '\$.identity.recorded.from')")" "the E01 header"
	assert_equal "$(src "json_extract(details, '\$.identity.recorded.md5')")" "$md5"
	assert_equal "$(src "json_extract(details, '\$.identity.recorded.sha1')")" "$sha1"
	assert_equal "$(src 'sha256 IS NULL')" 1
}

@test "an image spoor-acquire wrote into the case has its recorded hashes trusted, equal to sha256sum" {
	cp "$IMAGES/ext4/hierarchy_64.ext4" "$BATS_TEST_TMPDIR/disk.bin"
	run -0 spoor-acquire -c "$db" "$BATS_TEST_TMPDIR/disk.bin" "$BATS_TEST_TMPDIR/img.raw"
	run -0 spoor-timeline -c "$db" "$BATS_TEST_TMPDIR/img.raw"
	id=$(sqlite3 "$db" "SELECT max(id) FROM sources")
	acq=$(sqlite3 "$db" "SELECT min(id) FROM sources")
	assert_equal "$(src "json_extract(details, '\$.identity.recorded.from')" "$id")" \
	    "spoor-acquire, source $acq of this case"
	assert_equal "$(src "json_extract(details, '\$.identity.recorded.sha256')" "$id")" \
	    "$(sha256sum < "$BATS_TEST_TMPDIR/img.raw" | cut -d' ' -f1)"
	assert_equal "$(src "json_extract(details, '\$.identity.recorded.md5')" "$id")" \
	    "$(md5sum < "$BATS_TEST_TMPDIR/img.raw" | cut -d' ' -f1)"
}

@test "a schema 6 case, file system events with their own text, reads the same after migrating to 7" {
	run -0 spoor-timeline -c "$db" "$SCENARIO/web01.E01"
	before=$(spoor-export -c "$db" --jsonl)
	match=$(spoor-export -c "$db" --jsonl --match kswapd0 | jq -c '[.id, .message]')
	[ -n "$match" ] || fail "no kswapd0 event"
	# schema 6 stored an fs event's path and name in its row and its name
	# in events_fts, and had no files_fts, events_text or fingerprint
	sqlite3 "$db" "UPDATE events SET path = (SELECT t.path FROM events_text t WHERE t.id = events.id),
	        message = (SELECT t.message FROM events_text t WHERE t.id = events.id) WHERE artifact = 'fs';
	    INSERT INTO events_fts(rowid, message) SELECT id, message FROM events WHERE artifact = 'fs';
	    DROP VIEW events_text; DROP TABLE files_fts; ALTER TABLE sources DROP COLUMN fingerprint;
	    PRAGMA user_version = 6"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'fs' AND message = ''")" = 0 ]
	# a writer migrates it
	run -0 spoor-ls -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_equal "$(sqlite3 "$db" 'PRAGMA user_version')" 7
	assert_equal "$(spoor-export -c "$db" --jsonl --source 1)" "$before"
	assert_equal "$(spoor-export -c "$db" --jsonl --match kswapd0 --source 1 | jq -c '[.id, .message]')" "$match"
	assert_equal "$(sqlite3 "$db" "PRAGMA integrity_check")" ok
	# a new load into the migrated case stores fs events without text
	run -0 spoor-timeline -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'fs' AND source_id > 1 AND message != ''")" 0
	assert_equal "$(spoor-export -c "$db" --bodyfile --source "$(sqlite3 "$db" 'SELECT max(id) FROM sources')")" \
	    "$(spoor-ls -r --bodyfile "$IMAGES/ext4/tiny.ext4")"
}

@test "spoor-info --hash prints the SHA-256 of the files, whole and each, and records them on the run once" {
	img=$IMAGES/ext2/dfvfs_ext2.splitraw.000
	whole=$(cat "$img" "${img%.000}.001" | sha256sum | cut -d' ' -f1)
	s0=$(sha256sum < "$img" | cut -d' ' -f1)
	s1=$(sha256sum < "${img%.000}.001" | cut -d' ' -f1)
	run -0 spoor-info --hash "$img"
	assert_line "sha256: $whole"
	assert_line "  $s0  $img"
	assert_line "  $s1  ${img%.000}.001"
	run -0 spoor-info --hash --json -c "$db" "$img"
	assert_equal "$(jq -c '[.sha256, .segment_sha256]' <<<"$output")" "[\"$whole\",[\"$s0\",\"$s1\"]]"
	assert_equal "$(sqlite3 "$db" "SELECT inputs FROM runs" | jq -c '[.[] | .sha256]')" "[\"$s0\",\"$s1\"]"
	# the same hash spoor-timeline --verify stores for the source
	run -0 spoor-timeline -c "$db" --verify "$img"
	assert_equal "$(src sha256)" "$whole"
	# a directory is described without hashes
	run -0 spoor-info --hash --json "$BATS_TEST_TMPDIR"
	assert_equal "$(jq -r 'has("sha256")' <<<"$output")" false
}
