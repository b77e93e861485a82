#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The case database: created on first use, WAL, a schema version,
# refusing what is not a case or is newer; every run recorded with its
# argv, versions, inputs and their SHA-256, times and exit status; older
# schemas migrated; what the loads write in schema 4's columns; tags and
# notes through the store.

load helpers/common

FIXTURES=$REPO/tests/fixtures

# A case of schema version $2 at $1, built with the sqlite3 command from the
# migrations' own SQL (tests/fixtures/case-schema-N.sql).  From version 2 on
# it holds one source with four files rows: the log /var/log/auth.log, the
# program /usr/bin/sudo, a second /usr/bin/sudo on file system 1 and a
# deleted /etc/gone; an fs event of sudo; three auth events read from the
# log, about /usr/bin/sudo, /etc/gone and /nowhere; one without a path.
# From version 3 on, a detection of sudo with its event.  file_id has the
# meaning it had before version 4: the log for an artifact event.
old_case() {
	local db=$1 version=$2 i
	for ((i = 1; i <= version; i++)); do
		sqlite3 "$db" < "$FIXTURES/case-schema-$i.sql"
	done
	sqlite3 "$db" "PRAGMA user_version = $version; PRAGMA application_id = 1397772114;
	    INSERT INTO runs (id, tool, argv, versions, started_ns) VALUES (1, 'spoor-timeline', '[]', '{}', 1)"
	[ "$version" -ge 2 ] || return 0
	sqlite3 "$db" "INSERT INTO sources (id, run_id, kind, path, added_ns) VALUES (1, 1, 'raw', '/x.raw', 1);
	    INSERT INTO files (id, source_id, fs, inode, path, name, name_type, meta_type, mode, uid, gid, size, flags, allocated)
	    VALUES (10, 1, 0, 156, '/var/log/auth.log', 'auth.log', 'r', 'r', 420, 0, 0, 1, 0, 1),
	           (11, 1, 0, 200, '/usr/bin/sudo', 'sudo', 'r', 'r', 493, 0, 0, 1, 0, 1),
	           (12, 1, 1, 300, '/usr/bin/sudo', 'sudo', 'r', 'r', 493, 0, 0, 1, 0, 1),
	           (13, 1, 0, 400, '/etc/gone', 'gone', 'r', 'r', 420, 0, 0, 1, 1, 0);
	    INSERT INTO events (id, time_ns, time_desc, artifact, source_id, file_id, path, message, origin, origin_line, run_id)
	    VALUES (100, 5, 'm...', 'fs', 1, 11, '/usr/bin/sudo', '/usr/bin/sudo', NULL, NULL, 1),
	           (101, 6, 'sudo', 'auth', 1, 10, '/usr/bin/sudo', 'sudo', '/var/log/auth.log', 3, 1),
	           (102, 7, 'sudo', 'auth', 1, 10, '/etc/gone', 'gone', '/var/log/auth.log', 4, 1),
	           (103, 8, 'sudo', 'auth', 1, 10, '/nowhere', 'nowhere', '/var/log/auth.log', 5, 1),
	           (104, 9, 'login', 'auth', 1, 10, NULL, 'login', '/var/log/auth.log', 6, 1)"
	[ "$version" -ge 3 ] || return 0
	sqlite3 "$db" "INSERT INTO events (id, time_ns, time_desc, artifact, source_id, file_id, path, message, run_id)
	    VALUES (105, 10, 'detection', 'detection', 1, 11, '/usr/bin/sudo', 'yara x', 1);
	    INSERT INTO detections (id, run_id, source_id, file_id, event_id, type, name, severity, score, target_kind, path, details, time_ns)
	    VALUES (1, 1, 1, 11, 105, 'yara', 'x', 'high', 80, 'file', '/usr/bin/sudo', '{}', 10)"
}

# Schema 4's tables, columns and indexes are all there, schema 5's
# graph and tree tables, and schema 6's saved filters.
assert_schema_4() {
	local db=$1
	assert_equal "$(sqlite3 "$db" 'PRAGMA user_version')" 7
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master
	    WHERE name IN ('saved_filters', 'detections_event') ORDER BY name)")" \
	    "detections_event,saved_filters"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master
	    WHERE type = 'table' AND name IN ('graph_builds','processes','sessions','objects','edges',
	    'trees','tree_nodes') ORDER BY name)")" \
	    "edges,graph_builds,objects,processes,sessions,tree_nodes,trees"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM pragma_table_info('events')
	    WHERE name IN ('origin_file_id','boot_id','session','auid','tty','cwd') ORDER BY name)")" \
	    "auid,boot_id,cwd,origin_file_id,session,tty"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master
	    WHERE type = 'table' AND name IN ('tags','notes') ORDER BY name)")" "notes,tags"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master
	    WHERE type = 'index' AND name IN ('events_origin_file','events_process','events_session',
	    'tags_tag','tags_target','notes_target') ORDER BY name)")" \
	    "events_origin_file,events_process,events_session,notes_target,tags_tag,tags_target"
}

# The artifact events of old_case moved to schema 4's meaning.
assert_subjects_moved() {
	local db=$1
	# the fs event is about its entry and was read from no file
	assert_equal "$(sqlite3 "$db" 'SELECT file_id, origin_file_id IS NULL FROM events WHERE id = 100')" "11|1"
	# the auth events: read from the log; about the first allocated row
	# of their path in the source, or nothing
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(id || ':' || origin_file_id || ':' || ifnull(file_id, '-'))
	    FROM (SELECT * FROM events WHERE artifact = 'auth' ORDER BY id)")" "101:10:11,102:10:-,103:10:-,104:10:-"
}

@test "-c creates a case in WAL mode with the current schema version" {
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-info -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_equal "$(sqlite3 "$db" 'PRAGMA journal_mode')" wal
	assert_equal "$(sqlite3 "$db" 'PRAGMA user_version')" 7
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
	assert_equal "$stderr" "spoor-info: case '$db': schema version 99 is newer than this program's 7; upgrade spoor"
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

@test "a case of schema version 1 is migrated to version 7, its runs kept" {
	db=$BATS_TEST_TMPDIR/case.db
	old_case "$db" 1
	run -0 spoor-timeline -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_schema_4 "$db"
	assert_equal "$(sqlite3 "$db" 'SELECT group_concat(tool) FROM (SELECT tool FROM runs ORDER BY id)')" "spoor-timeline,spoor-timeline"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM detections')" 0
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM files')" "$(fls -r "$IMAGES/ext4/tiny.ext4" | wc -l)"
}

@test "a case of schema version 2 is migrated to version 7: an artifact event's log moves to origin_file_id, file_id names its subject" {
	db=$BATS_TEST_TMPDIR/case.db
	old_case "$db" 2
	run -0 spoor-info -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_schema_4 "$db"
	assert_subjects_moved "$db"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM files')" 4
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM detections')" 0
}

@test "a case of schema version 3 is migrated to version 7: detections and their events keep their file" {
	db=$BATS_TEST_TMPDIR/case.db
	old_case "$db" 3
	run -0 spoor-info -c "$db" "$IMAGES/ext4/tiny.ext4"
	assert_schema_4 "$db"
	assert_subjects_moved "$db"
	assert_equal "$(sqlite3 "$db" 'SELECT file_id, origin_file_id IS NULL FROM events WHERE id = 105')" "11|1"
	assert_equal "$(sqlite3 "$db" 'SELECT file_id, event_id FROM detections')" "11|105"
	assert_equal "$(sqlite3 "$db" 'SELECT group_concat(tool) FROM (SELECT tool FROM runs ORDER BY id)')" "spoor-timeline,spoor-info"
}

@test "a migrated case takes new loads: a scan of a schema 3 case adds its detections under schema 4" {
	db=$BATS_TEST_TMPDIR/case.db
	old_case "$db" 3
	run -0 --separate-stderr spoor-scan -q -c "$db" --no-heuristics "$IMAGES/ext4/tiny.ext4"
	assert_schema_4 "$db"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM detections')" 1
	assert_equal "$(sqlite3 "$db" 'SELECT group_concat(tool) FROM (SELECT tool FROM runs ORDER BY id)')" "spoor-timeline,spoor-scan"
}

@test "spoor-timeline writes schema 4's file_id and origin_file_id: fs events name their entry, artifact events their log and subject" {
	db=$BATS_TEST_TMPDIR/case.db
	img=$SCENARIO/web01.raw
	off=$(scenario_offset)
	run -0 spoor-timeline -c "$db" "$img"
	# fs events: the entry's row (fls gives the inode of the path), no origin file
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'fs' AND (file_id IS NULL OR origin_file_id IS NOT NULL)")" 0
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events_text e JOIN files f ON f.id = e.file_id WHERE e.artifact = 'fs' AND f.path IS NOT e.path")" 0
	# allocated paths and their inodes, as fls lists them
	fls -r -p -u -o "$off" "$img" | sed -E 's|^[^ ]+ ([0-9]+)[^:]*:\t|/\1\t|; s|^/([0-9]+)\t(.*)|/\2\t\1|' | sort > "$BATS_TEST_TMPDIR/fls"
	# artifact events: every one was read from a log in the image, its own files row
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact NOT IN ('fs', 'detection') AND origin_file_id IS NULL")" 0
	sqlite3 -separator $'\t' "$db" "SELECT DISTINCT e.origin, f.inode FROM events e JOIN files f ON f.id = e.origin_file_id
	    WHERE e.artifact NOT IN ('fs', 'detection') ORDER BY 1" > "$BATS_TEST_TMPDIR/origins"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/origins")" -ge 5 ]
	assert_equal "$(join -t $'\t' -v 1 "$BATS_TEST_TMPDIR/origins" "$BATS_TEST_TMPDIR/fls")" ""
	assert_equal "$(join -t $'\t' "$BATS_TEST_TMPDIR/origins" "$BATS_TEST_TMPDIR/fls" | awk -F'\t' '$2 != $3')" ""
	# their subject: the allocated file at the event's path, where fls lists one
	sqlite3 -separator $'\t' "$db" "SELECT DISTINCT e.path, ifnull(f.inode, '-') FROM events e LEFT JOIN files f ON f.id = e.file_id
	    WHERE e.artifact NOT IN ('fs', 'detection') AND e.path IS NOT NULL ORDER BY 1" > "$BATS_TEST_TMPDIR/subjects"
	join -t $'\t' -a 1 -e - -o 0,1.2,2.2 "$BATS_TEST_TMPDIR/subjects" "$BATS_TEST_TMPDIR/fls" > "$BATS_TEST_TMPDIR/both"
	[ "$(awk -F'\t' '$2 != "-"' "$BATS_TEST_TMPDIR/both" | wc -l)" -ge 5 ]
	[ "$(awk -F'\t' '$2 == "-"' "$BATS_TEST_TMPDIR/both" | wc -l)" -ge 1 ]
	assert_equal "$(awk -F'\t' '$2 != $3' "$BATS_TEST_TMPDIR/both")" ""
	# what the records do not tell stays NULL, never -1
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE session < 0 OR auid < 0 OR pid < 0")" 0
}

@test "tags round trip: added once per target and tag, with author and run, removed; a missing target or tag is status 66" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$IMAGES/ext4/tiny.ext4" >/dev/null
	ev=$(sqlite3 "$db" 'SELECT max(id) FROM events')
	file=$(sqlite3 "$db" 'SELECT max(id) FROM files')
	run -0 "$BUILD/tests/case-store" "$db" tag-add event "$ev" suspicious alice
	id=$output
	run_id=$(sqlite3 "$db" "SELECT max(id) FROM runs WHERE tool = 'case-store'")
	assert_equal "$(sqlite3 "$db" "SELECT target_kind, target_id, tag, author, run_id, created_ns > 0 FROM tags WHERE id = $id")" \
	    "event|$ev|suspicious|alice|$run_id|1"
	# the same tag again is the same row
	run -0 "$BUILD/tests/case-store" "$db" tag-add event "$ev" suspicious bob
	assert_equal "$output" "$id"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*), author FROM tags')" "1|alice"
	run -0 "$BUILD/tests/case-store" "$db" tag-add file "$file" suspicious
	run -0 "$BUILD/tests/case-store" "$db" tag-add node 424242 pivot
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(target_kind || ':' || target_id) FROM (SELECT * FROM tags WHERE tag = 'suspicious' ORDER BY id)")" \
	    "event:$ev,file:$file"
	run -66 --separate-stderr "$BUILD/tests/case-store" "$db" tag-add event $((ev + 1000)) suspicious
	assert_equal "$stderr" "case-store: no event $((ev + 1000)) in the case"
	run -0 "$BUILD/tests/case-store" "$db" tag-remove event "$ev" suspicious
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM tags WHERE target_kind = 'event'")" 0
	run -66 --separate-stderr "$BUILD/tests/case-store" "$db" tag-remove event "$ev" suspicious
	assert_equal "$stderr" "case-store: event $ev has no tag 'suspicious'"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM tags')" 2
}

@test "notes round trip: added with author and run, updated with their time, deleted; a missing note is status 66" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$IMAGES/ext4/tiny.ext4" >/dev/null
	file=$(sqlite3 "$db" 'SELECT min(id) FROM files')
	text="first look: 'quoted'; DROP TABLE notes; --"
	run -0 "$BUILD/tests/case-store" "$db" note-add file "$file" "$text" alice
	id=$output
	run_id=$(sqlite3 "$db" "SELECT max(id) FROM runs WHERE tool = 'case-store'")
	assert_equal "$(sqlite3 "$db" "SELECT target_kind, target_id, author, run_id, updated_ns IS NULL FROM notes WHERE id = $id")" \
	    "file|$file|alice|$run_id|1"
	assert_equal "$(sqlite3 "$db" "SELECT text FROM notes WHERE id = $id")" "$text"
	run -0 "$BUILD/tests/case-store" "$db" note-update "$id" "second look"
	assert_equal "$(sqlite3 "$db" "SELECT text, updated_ns >= created_ns FROM notes WHERE id = $id")" "second look|1"
	run -0 "$BUILD/tests/case-store" "$db" note-add file "$file" "another"
	assert_equal "$(sqlite3 "$db" "SELECT count(*), author IS NULL FROM notes WHERE text = 'another'")" "1|1"
	run -0 "$BUILD/tests/case-store" "$db" note-delete "$id"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(text) FROM notes")" "another"
	run -66 --separate-stderr "$BUILD/tests/case-store" "$db" note-delete "$id"
	assert_equal "$stderr" "case-store: no note $id in the case"
	run -66 --separate-stderr "$BUILD/tests/case-store" "$db" note-update "$id" "x"
	assert_equal "$stderr" "case-store: no note $id in the case"
	run -66 --separate-stderr "$BUILD/tests/case-store" "$db" note-add detection 1 "x"
	assert_equal "$stderr" "case-store: no detection 1 in the case"
}
