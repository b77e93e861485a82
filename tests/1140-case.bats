#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The case database: created on first use, WAL, a schema version,
# refusing what is not a case or is newer; every run recorded with its
# argv, versions, inputs and their SHA-256, times and exit status.

load helpers/common

@test "-c creates a case in WAL mode with the current schema version" {
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-info -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_equal "$(sqlite3 "$db" 'PRAGMA journal_mode')" wal
	assert_equal "$(sqlite3 "$db" 'PRAGMA user_version')" 3
	assert_equal "$(sqlite3 "$db" 'PRAGMA application_id')" 1397772114
}

@test "a run records tool, argv, versions, inputs with their SHA-256, times and status" {
	db=$BATS_TEST_TMPDIR/case.db
	img=$IMAGES/ext2/dfvfs_ext2.splitraw.000
	run -0 spoor-ls -c "$db" -r "$img"
	row=$(sqlite3 "$db" "SELECT tool, state, exit_status, problem_count, ended_ns >= started_ns FROM runs")
	assert_equal "$row" "spoor-ls|done|0|0|1"
	assert_equal "$(sqlite3 "$db" 'SELECT argv FROM runs' | jq -c .)" \
	    "$(jq -cn --arg db "$db" --arg img "$img" '["spoor-ls","-c",$db,"-r",$img]')"
	inputs=$(sqlite3 "$db" 'SELECT inputs FROM runs')
	assert_equal "$(echo "$inputs" | jq -r '.[0].sha256')" "$(sha256sum < "$img" | cut -d' ' -f1)"
	assert_equal "$(echo "$inputs" | jq -r '.[1].sha256')" \
	    "$(sha256sum < "${img%.000}.001" | cut -d' ' -f1)"
	assert_equal "$(echo "$inputs" | jq -r '.[1].size')" 2097152
	versions=$(sqlite3 "$db" 'SELECT versions FROM runs')
	assert_equal "$(echo "$versions" | jq -r .libtsk)" "$(fls -V | awk '{print $NF}')"
	assert_equal "$(echo "$versions" | jq -r .sqlite)" "$(sqlite3 --version | cut -d' ' -f1)"
}

@test "SPOOR_CASE names the case when -c is not given" {
	db=$BATS_TEST_TMPDIR/env.db
	SPOOR_CASE=$db run -0 spoor-info "$IMAGES/ext4/tiny.ext4"
	assert_equal "$(sqlite3 "$db" 'SELECT tool FROM runs')" spoor-info
}

@test "runs accumulate in one case" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-info -c "$db" "$IMAGES/ext4/tiny.ext4" >/dev/null
	spoor-ls -c "$db" "$IMAGES/ext4/tiny.ext4" >/dev/null
	spoor-cat -c "$db" "$IMAGES/ext4/tiny.ext4" 12 >/dev/null
	assert_equal "$(sqlite3 "$db" 'SELECT group_concat(tool) FROM (SELECT tool FROM runs ORDER BY id)')" \
	    "spoor-info,spoor-ls,spoor-cat"
}

@test "a failed run is recorded with its status" {
	db=$BATS_TEST_TMPDIR/case.db
	run -66 spoor-cat -c "$db" "$IMAGES/ext4/tiny.ext4" /missing
	assert_equal "$(sqlite3 "$db" 'SELECT state, exit_status FROM runs')" "failed|66"
}

@test "a case with a newer schema is refused with status 65" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-info -c "$db" "$IMAGES/ext4/tiny.ext4" >/dev/null
	sqlite3 "$db" 'PRAGMA user_version = 99'
	run -65 --separate-stderr spoor-info -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_equal "$stderr" "spoor-info: case '$db': schema version 99 is newer than this program's 3; upgrade spoor"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM runs')" 1
}

@test "a file that is not a case is refused with status 65 and left alone" {
	db=$BATS_TEST_TMPDIR/other.db
	sqlite3 "$db" 'CREATE TABLE t (x); INSERT INTO t VALUES (1)'
	before=$(sha256sum < "$db")
	run -65 --separate-stderr spoor-info -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_equal "$stderr" "spoor-info: case '$db': not a spoor case database"
	assert_equal "$(sha256sum < "$db")" "$before"
	printf 'plain text\n' > "$BATS_TEST_TMPDIR/text.db"
	run -65 --separate-stderr spoor-info -c "$BATS_TEST_TMPDIR/text.db" "$IMAGES/ext4/tiny.ext4"
	[[ "$stderr" == "spoor-info: case '$BATS_TEST_TMPDIR/text.db': "* ]]
}

@test "a case in a directory that does not exist: status 66" {
	run -66 --separate-stderr spoor-info -c /nonexistent/dir/case.db "$IMAGES/ext4/tiny.ext4"
	[[ "$stderr" == "spoor-info: case '/nonexistent/dir/case.db'"* ]]
}

@test "evidence is never modified by a run" {
	img=$BATS_TEST_TMPDIR/img.E01
	cp "$IMAGES/ntfs/test.ntfs.dd.E01" "$img"
	before=$(sha256sum < "$img"; stat -c '%s %Y' "$img")
	spoor-ls -r -c "$BATS_TEST_TMPDIR/case.db" "$img" >/dev/null
	spoor-info -c "$BATS_TEST_TMPDIR/case.db" "$img" >/dev/null
	spoor-cat "$img" 46-128-5 >/dev/null
	assert_equal "$(sha256sum < "$img"; stat -c '%s %Y' "$img")" "$before"
}

@test "a case of schema version 1 is migrated to version 3, its runs kept" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-info -c "$db" "$IMAGES/ext4/tiny.ext4" >/dev/null
	# take it back to version 1: what migrations 2 and 3 add is not there yet
	sqlite3 "$db" "DROP TABLE detections; DROP TABLE events_fts; DROP TABLE events; DROP TABLE files;
	    ALTER TABLE sources DROP COLUMN state; ALTER TABLE sources DROP COLUMN file_count;
	    ALTER TABLE sources DROP COLUMN event_count; PRAGMA user_version = 1"
	run -0 spoor-timeline -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_equal "$(sqlite3 "$db" 'PRAGMA user_version')" 3
	assert_equal "$(sqlite3 "$db" 'SELECT group_concat(tool) FROM runs')" "spoor-info,spoor-timeline"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM detections')" 0
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM files')" 3
}

@test "a case of schema version 2 is migrated to version 3: its timeline kept, detections added" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$IMAGES/ext4/tiny.ext4" >/dev/null
	files=$(sqlite3 "$db" 'SELECT count(*) FROM files')
	events=$(sqlite3 "$db" 'SELECT count(*) FROM events')
	sqlite3 "$db" "DROP TABLE detections; PRAGMA user_version = 2"
	run -0 --separate-stderr spoor-scan -q -c "$db" --no-heuristics "$IMAGES/ext4/tiny.ext4"
	assert_equal "$(sqlite3 "$db" 'PRAGMA user_version')" 3
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM files')" "$files"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM events')" "$events"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM detections')" 0
	assert_equal "$(sqlite3 "$db" 'SELECT group_concat(tool) FROM runs')" "spoor-timeline,spoor-scan"
}
