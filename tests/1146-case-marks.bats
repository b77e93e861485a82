#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# What the analyst keeps in a case, read through libspoor and held against
# plain SQL run by the sqlite3 shell on the reference scenario's case
# (loaded, scanned and analysed by spoor-rca): the tag and tagged filters
# of the cursors, the marks and severity of an event row, the marks of a
# target (sp_query_open_marks), saved filters, the migration to schema 6,
# the stored root-cause trees, and the plan of a tagged page.

load helpers/common

CQ=$BUILD/tests/case-query
CM=$BUILD/tests/case-marks
CS=$BUILD/tests/case-store
COLS="e.id, e.time_ns, e.artifact, e.source_id, e.file_id, e.origin_file_id, e.host, e.user, e.pid, e.session, e.message"
# the severity of an event as SQL: the highest of its detections
SEV="(SELECT d.severity FROM detections d WHERE d.event_id = e.id ORDER BY
    CASE d.severity WHEN 'info' THEN 1 WHEN 'low' THEN 2 WHEN 'medium' THEN 3
    WHEN 'high' THEN 4 WHEN 'critical' THEN 5 ELSE 0 END DESC LIMIT 1)"
MARKS="(SELECT count(*) FROM tags t WHERE t.target_kind = 'event' AND t.target_id = e.id) +
    (SELECT count(*) FROM notes n WHERE n.target_kind = 'event' AND n.target_id = e.id)"

setup_file() {
	export DB=$BATS_FILE_TMPDIR/case.db
	need "$SCENARIO/web01.E01"
	status=0
	spoor-timeline -c "$DB" --host web01 "$SCENARIO/web01.E01" \
	    "$IMAGES/ext4/tiny.ext4" >/dev/null 2>&1 || status=$?
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
	status=0
	spoor-scan -q -c "$DB" "$SCENARIO/web01.E01" >/dev/null || status=$?
	[ "$status" -eq 1 ]
	spoor-rca -c "$DB" >/dev/null 2>&1
	# marks spread over the timeline: 'suspicious' on every 97th event,
	# 'pivot' on every 211th, notes on every 150th, and on rows of other
	# kinds (a file, a detection, a node) that must not count as events'
	local id
	for id in $(sqlite3 "$DB" "SELECT id FROM events WHERE id % 97 = 3"); do
		"$CS" "$DB" tag-add event "$id" suspicious alice >/dev/null
	done
	for id in $(sqlite3 "$DB" "SELECT id FROM events WHERE id % 211 = 5"); do
		"$CS" "$DB" tag-add event "$id" pivot >/dev/null
	done
	for id in $(sqlite3 "$DB" "SELECT id FROM events WHERE id % 150 = 7"); do
		"$CS" "$DB" note-add event "$id" "look at $id" bob >/dev/null
	done
	id=$(sqlite3 "$DB" "SELECT min(id) FROM files")
	"$CS" "$DB" tag-add file "$id" suspicious >/dev/null
	"$CS" "$DB" tag-add file "$id" other >/dev/null
	"$CS" "$DB" tag-add detection 2 suspicious >/dev/null
	"$CS" "$DB" tag-add detection 3 other >/dev/null
	"$CS" "$DB" tag-add node 4 suspicious >/dev/null
	# an event of two detections: the severity shown is the higher one
	sqlite3 "$DB" "UPDATE detections SET event_id = (SELECT event_id FROM detections
	    WHERE severity = 'info' ORDER BY id LIMIT 1)
	    WHERE id = (SELECT id FROM detections WHERE severity = 'critical' ORDER BY id LIMIT 1)"
}

# The oracle: the events that pass WHERE terms, in time order.
oracle() {
	sqlite3 "$DB" "SELECT $COLS${2:+, $2} FROM events_text e WHERE ${1:-1} ORDER BY e.time_ns, e.id"
}

TAGGED="(EXISTS (SELECT 1 FROM tags t WHERE t.target_kind = 'event' AND t.target_id = e.id) OR EXISTS (SELECT 1 FROM notes n WHERE n.target_kind = 'event' AND n.target_id = e.id))"
has_tag() {
	echo "EXISTS (SELECT 1 FROM tags t WHERE t.target_kind = 'event' AND t.target_id = e.id AND t.tag = '$1')"
}

@test "the case has what the tests need: tags and notes on events and other rows, a tree" {
	[ "$(sqlite3 "$DB" "SELECT count(DISTINCT target_id) FROM tags WHERE target_kind = 'event' AND tag = 'suspicious'")" -gt 5 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM notes")" -gt 5 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM tags WHERE target_kind <> 'event'")" -eq 5 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM trees")" -gt 0 ]
	[ "$(sqlite3 "$DB" "SELECT max(c) FROM (SELECT count(*) c FROM detections GROUP BY event_id)")" -eq 2 ]
}

@test "--tag keeps the events with that tag and --tagged those with any tag or note, as SQL does" {
	t=$(sqlite3 "$DB" "SELECT time_ns FROM events ORDER BY time_ns LIMIT 1 OFFSET 400")
	while IFS=';' read -r args where; do
		got=$("$CQ" $args "$DB" events)
		want=$(oracle "$where")
		[ -n "$want" ] || fail "the oracle for '$args' is empty"
		[ "$got" = "$want" ] || {
			diff <(echo "$want") <(echo "$got") | head
			fail "filter '$args' differs"
		}
	done <<-EOF
	--tag suspicious;$(has_tag suspicious)
	--tag pivot;$(has_tag pivot)
	--tagged;$TAGGED
	--tagged --from $t;$TAGGED AND e.time_ns >= $t
	--tag suspicious --artifact fs;$(has_tag suspicious) AND e.artifact = 'fs'
	--tag suspicious --tagged --to $t;$(has_tag suspicious) AND e.time_ns <= $t
	EOF
	# a tag nothing carries, and one only a file carries, keep no event
	run -0 --separate-stderr "$CQ" --tag nothing "$DB" events
	assert_output ""
	run -0 --separate-stderr "$CQ" --tag other "$DB" events
	assert_output ""
}

@test "tagged pages walk the same rows both ways, and the histogram counts them" {
	for n in 1 4 50; do
		assert_equal "$("$CQ" --pages $n --tagged "$DB" events | cut -d' ' -f2-)" "$(oracle "$TAGGED")"
		assert_equal "$("$CQ" --pages-back $n --tag suspicious "$DB" events | sort -s -t' ' -k1,1nr | cut -d' ' -f2-)" \
		    "$(oracle "$(has_tag suspicious)")"
	done
	w=3600000000000
	assert_equal "$("$CQ" --width $w --tagged "$DB" histogram)" \
	    "$(sqlite3 "$DB" "SELECT time_ns - ((time_ns % $w) + $w) % $w b, count(*) FROM events e WHERE $TAGGED GROUP BY b ORDER BY b")"
}

@test "--tag on detections keeps the detections with that tag, not the events'" {
	assert_equal "$("$CQ" --tag suspicious "$DB" detections)" \
	    "$(sqlite3 "$DB" "SELECT id, time_ns, type, name, event_id, path FROM detections d WHERE EXISTS (SELECT 1 FROM tags
	    WHERE target_kind = 'detection' AND target_id = d.id AND tag = 'suspicious') ORDER BY time_ns, id")"
	assert_equal "$("$CQ" --tag suspicious "$DB" detections | cut -d'|' -f1)" 2
	run -0 --separate-stderr "$CQ" --tag pivot "$DB" detections
	assert_output ""
}

@test "every event row carries its marks and the highest severity of its detections" {
	assert_equal "$("$CQ" --marks "$DB" events)" "$(oracle 1 "$MARKS, $SEV")"
	# the two-detection event reads critical, not info
	ev=$(sqlite3 "$DB" "SELECT event_id FROM detections GROUP BY event_id HAVING count(*) = 2")
	assert_equal "$("$CQ" --marks --from "$(sqlite3 "$DB" "SELECT time_ns FROM events WHERE id = $ev")" "$DB" events |
	    grep "^$ev|" | awk -F'|' '{print $NF}')" critical
	assert_equal "$("$CQ" --marks --tagged "$DB" events | awk -F'|' '$(NF-1) == 0' | wc -l)" 0
	# a bare cursor reads neither: 0 marks, no severity
	assert_equal "$("$CQ" --marks --bare "$DB" events | awk -F'|' '{print $(NF-1) "|" $NF}' | sort -u)" "0|"
}

@test "sp_query_open_marks lists a target's tags then notes, each by id, as they were added" {
	ev=$(sqlite3 "$DB" "SELECT max(id) FROM events")
	run -0 "$CS" "$DB" note-add event "$ev" "first, with 'quotes' | and a bar" carol
	n1=$output
	run -0 "$CS" "$DB" tag-add event "$ev" zeta dave
	run -0 "$CS" "$DB" note-add event "$ev" "second"
	n2=$output
	run -0 "$CS" "$DB" tag-add event "$ev" alpha
	run -0 "$CS" "$DB" note-update "$n1" "first, revised"
	want=$(sqlite3 "$DB" "SELECT id, 0, target_id, tag, author, created_ns, NULL FROM tags
	    WHERE target_kind = 'event' AND target_id = $ev UNION ALL
	    SELECT id, 1, target_id, text, author, created_ns, updated_ns FROM notes
	    WHERE target_kind = 'event' AND target_id = $ev ORDER BY 2, 1")
	run -0 --separate-stderr "$CM" "$DB" marks event "$ev"
	assert_output "$want"
	assert_equal "${#lines[@]}" 4
	assert_equal "$(echo "$output" | cut -d'|' -f2,4 | tr '\n' ' ')" "0|zeta 0|alpha 1|first, revised 1|second "
	# the revised note has its update time, the other none
	assert_equal "$(echo "$output" | awk -F'|' -v n="$n1" '$1 == n && $2 == 1 {print ($7 >= $6)}')" 1
	assert_equal "$(echo "$output" | awk -F'|' -v n="$n2" '$1 == n && $2 == 1 {print $7}')" ""
	# id 0: every mark of a kind; a node's tag; an unmarked target
	assert_equal "$("$CM" "$DB" marks event 0)" "$(sqlite3 "$DB" "SELECT id, 0, target_id, tag, author, created_ns, NULL
	    FROM tags WHERE target_kind = 'event' UNION ALL SELECT id, 1, target_id, text, author, created_ns, updated_ns
	    FROM notes WHERE target_kind = 'event' ORDER BY 2, 1")"
	assert_equal "$("$CM" "$DB" marks node 4 | cut -d'|' -f2-5)" "0|4|suspicious|"
	assert_equal "$("$CM" "$DB" marks file 0 | cut -d'|' -f4 | tr '\n' ' ')" "suspicious other "
	run -0 --separate-stderr "$CM" "$DB" marks detection 999999
	assert_output ""
	# and the row's count follows
	assert_equal "$("$CQ" --marks --from "$(sqlite3 "$DB" "SELECT time_ns FROM events WHERE id = $ev")" "$DB" events |
	    grep "^$ev|" | awk -F'|' '{print $(NF-1)}')" "$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT id FROM tags
	    WHERE target_kind = 'event' AND target_id = $ev UNION ALL SELECT id FROM notes WHERE target_kind = 'event' AND target_id = $ev)")"
}

@test "a saved filter round trip: save with every field, load, list, replace, delete" {
	db=$BATS_TEST_TMPDIR/case.db
	cp "$DB" "$db"
	run -0 --separate-stderr "$CM" --from 100 --to 200 --artifact auth --artifact 'sys"log' --source 2 \
	    --host web01 --user 'r\oot' --pid 1234 --session 5 --detections --match 'wget OR "chmod"' \
	    --tag 'sus picious' --tagged --bare "$db" save 'all fields'
	run -0 --separate-stderr "$CM" "$db" load 'all fields'
	assert_output - <<-'EOF'
	from=100
	to=200
	artifacts=auth,sys"log
	source_id=2
	host=web01
	user=r\oot
	pid=1234
	session=5
	detections_only=1
	match=wget OR "chmod"
	tag=sus picious
	tagged_only=1
	bare=0
	EOF
	# the row: a JSON object with every field, the time and no update
	row=$(sqlite3 "$db" "SELECT filter FROM saved_filters WHERE name = 'all fields'")
	assert_equal "$(echo "$row" | jq -c .)" \
	    '{"from":100,"to":200,"artifacts":["auth","sys\"log"],"source_id":2,"host":"web01","user":"r\\oot","pid":1234,"session":5,"detections_only":true,"match":"wget OR \"chmod\"","tag":"sus picious","tagged_only":true}'
	assert_equal "$(sqlite3 "$db" "SELECT created_ns > 0, updated_ns IS NULL, run_id IS NULL FROM saved_filters WHERE name = 'all fields'")" "1|1|1"
	# an empty filter keeps everything
	run -0 "$CM" "$db" save empty
	run -0 --separate-stderr "$CM" "$db" load empty
	assert_output - <<-'EOF'
	from=
	to=
	artifacts=
	source_id=0
	host=
	user=
	pid=
	session=
	detections_only=0
	match=
	tag=
	tagged_only=0
	bare=0
	EOF
	# replaced under its name: the new fields, the old creation time
	created=$(sqlite3 "$db" "SELECT created_ns FROM saved_filters WHERE name = 'empty'")
	run_id=$(sqlite3 "$db" "SELECT max(id) FROM runs")
	run -0 "$CM" --tag pivot --run "$run_id" "$db" save empty
	assert_equal "$("$CM" "$db" load empty | grep -E '^(tag|from)=')" "$(printf 'from=\ntag=pivot')"
	assert_equal "$(sqlite3 "$db" "SELECT created_ns = $created, updated_ns >= created_ns, run_id FROM saved_filters WHERE name = 'empty'")" "1|1|$run_id"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM saved_filters")" 2
	# listed by name, bytewise; the callback stops the list
	run -0 "$CM" "$db" save 'Zulu'
	run -0 "$CM" "$db" save 'ünïcode'
	run -0 --separate-stderr "$CM" "$db" names
	assert_output "$(sqlite3 "$db" "SELECT name FROM saved_filters ORDER BY name")"
	assert_output "$(printf 'Zulu\nall fields\nempty\nünïcode')"
	run -0 --separate-stderr "$CM" "$db" names 2
	assert_output "$(printf 'Zulu\nall fields')"
	# deleted; a second delete and a load of it are not found
	run -0 "$CM" "$db" delete empty
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(name, ',') FROM (SELECT name FROM saved_filters ORDER BY name)")" "Zulu,all fields,ünïcode"
	run -66 --separate-stderr "$CM" "$db" delete empty
	assert_equal "$stderr" "case-marks: no filter 'empty' in the case (SP_E_NOTFOUND)"
	run -66 --separate-stderr "$CM" "$db" load empty
	assert_equal "$stderr" "case-marks: no filter 'empty' in the case (SP_E_NOTFOUND)"
}

@test "a loaded filter keeps what it kept when it was saved" {
	db=$BATS_TEST_TMPDIR/case.db
	cp "$DB" "$db"
	run -0 "$CM" --tagged --artifact fs --artifact auth "$db" save mine
	# the same cursor from the loaded fields
	assert_equal "$("$CQ" --tagged --artifact fs --artifact auth "$db" events)" \
	    "$(oracle "$TAGGED AND e.artifact IN ('fs', 'auth')")"
	assert_equal "$("$CM" "$db" load mine | grep -E '^(artifacts|tagged_only)=')" "$(printf 'artifacts=fs,auth\ntagged_only=1')"
}

@test "a filter's name must be printable text of 1 to 256 bytes" {
	db=$BATS_TEST_TMPDIR/case.db
	cp "$DB" "$db"
	for name in "" "$(printf 'a\tb')" "$(printf 'esc\033[31m')" "$(printf 'c1\302\233')" "$(printf 'bad\377utf8')" \
	    "$(printf 'del\177')" "$(printf '%257s' x)"; do
		run -64 --separate-stderr "$CM" "$db" save "$name"
		assert_equal "$stderr" "case-marks: a filter's name must be printable text of 1 to 256 bytes (SP_E_USAGE)"
	done
	run -0 "$CM" "$db" save "$(printf '%256s' x)"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM saved_filters")" 1
}

@test "a malformed filter in the table is a case error naming it, never a crash" {
	db=$BATS_TEST_TMPDIR/case.db
	cp "$DB" "$db"
	# (not i: bats's run uses it)
	nf=0
	while IFS='|' read -r json msg; do
		nf=$((nf + 1))
		sqlite3 "$db" "INSERT INTO saved_filters (name, filter, created_ns) VALUES ('f$nf', '${json//\'/\'\'}', 1)"
		run -74 --separate-stderr "$CM" "$db" load "f$nf"
		assert_output ""
		assert_equal "$stderr" "case-marks: filter 'f$nf': $msg (SP_E_CASE)"
	done <<-'EOF'
	not json|the stored filter is not a JSON object
	|the stored filter is not a JSON object
	[1, 2]|the stored filter is not a JSON object
	{"tag": "x"|the stored filter is not a JSON object
	{"tag": "x"} trailing|the stored filter is not a JSON object
	{"from": "yesterday"}|member 'from' is not an integer or null
	{"from": 1.5}|member 'from' is not an integer or null
	{"to": 99999999999999999999999}|member 'to' is not an integer or null
	{"source_id": null}|member 'source_id' is not an integer
	{"artifacts": "fs"}|member 'artifacts' is not an array of strings
	{"artifacts": ["fs", 1]}|member 'artifacts' is not an array of strings
	{"artifacts": [["fs"]]}|member 'artifacts' is not an array of strings
	{"host": 5}|member 'host' is not a string or null
	{"tag": "bad \u0000 nul"}|member 'tag' is not a well-formed string
	{"tagged_only": 1}|member 'tagged_only' is not true or false
	{"detections_only": "yes"}|member 'detections_only' is not true or false
	EOF
	# deep nesting and a long array are refused as well
	sqlite3 "$db" "INSERT INTO saved_filters (name, filter, created_ns) VALUES ('deep', '{\"x\": $(printf '[%.0s' $(seq 200))$(printf ']%.0s' $(seq 200))}', 1)"
	run -74 --separate-stderr "$CM" "$db" load deep
	assert_equal "$stderr" "case-marks: filter 'deep': the stored filter is not a JSON object (SP_E_CASE)"
	sqlite3 "$db" "INSERT INTO saved_filters (name, filter, created_ns) VALUES ('long', '{\"artifacts\": [$(seq -s, -f '"k%g"' 1 300)]}', 1)"
	run -74 --separate-stderr "$CM" "$db" load long
	assert_equal "$stderr" "case-marks: filter 'long': member 'artifacts' is not an array of at most 256 kinds (SP_E_CASE)"
	# members a newer program writes are left alone; a member given twice: the last
	sqlite3 "$db" "INSERT INTO saved_filters (name, filter, created_ns) VALUES ('newer', '{\"tag\": \"a\", \"colour\": [1, {\"x\": null}], \"tag\": \"b\"}', 1)"
	run -0 --separate-stderr "$CM" "$db" load newer
	assert_line "tag=b"
}

@test "a schema 5 case is migrated: saved_filters and detections_event added, its rows and marks kept" {
	db=$BATS_TEST_TMPDIR/case.db
	cp "$DB" "$db"
	# schema 5 is the current schema without what migrations 6 and 7 add
	sqlite3 "$db" "DROP TABLE saved_filters; DROP INDEX detections_event; DROP VIEW events_text; DROP TABLE files_fts;
	    ALTER TABLE sources DROP COLUMN fingerprint; PRAGMA user_version = 5"
	before=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM tags), (SELECT count(*) FROM notes),
	    (SELECT count(*) FROM trees), (SELECT count(*) FROM detections)")
	# a reader refuses it until a writer has migrated it
	run -66 --separate-stderr "$CQ" "$db" events
	assert_equal "$stderr" "case-query: case '$db': schema version 5 needs migrating; open it once for writing"
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --tagged
	assert_equal "$(sqlite3 "$db" 'PRAGMA user_version')" 7
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master
	    WHERE name IN ('saved_filters', 'detections_event') ORDER BY name)")" "detections_event,saved_filters"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(name) FROM (SELECT name FROM pragma_table_info('saved_filters') ORDER BY cid)")" \
	    "id,name,filter,created_ns,updated_ns,run_id"
	assert_equal "$(sqlite3 "$db" "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM tags), (SELECT count(*) FROM notes),
	    (SELECT count(*) FROM trees), (SELECT count(*) FROM detections)")" "$before"
	assert_equal "${#lines[@]}" "$(sqlite3 "$db" "SELECT count(*) FROM events e WHERE $TAGGED")"
	assert_equal "$(sqlite3 "$db" "PRAGMA integrity_check")" ok
	run -0 "$CM" --tag suspicious "$db" save after
	assert_equal "$("$CM" "$db" names)" after
}

@test "the stored trees read back equal the rows of trees and tree_nodes of the newest analysis" {
	db=$BATS_TEST_TMPDIR/case.db
	cp "$DB" "$db"
	newest() {
		sqlite3 "$db" "SELECT id, run_id, incident, root, created_ns, summary, missing FROM trees
		    WHERE run_id = (SELECT max(run_id) FROM trees) ORDER BY incident, id"
	}
	run -0 --separate-stderr "$CM" "$db" trees
	assert_output "$(newest)"
	[ "${#lines[@]}" -ge 1 ]
	# a second analysis stores its trees again: only those are given
	spoor-rca -c "$db" >/dev/null 2>&1
	[ "$(sqlite3 "$db" "SELECT count(DISTINCT run_id) FROM trees")" -eq 2 ]
	run -0 --separate-stderr "$CM" "$db" trees
	assert_output "$(newest)"
	assert_equal "$(echo "$output" | cut -d'|' -f2 | sort -u)" "$(sqlite3 "$db" "SELECT max(run_id) FROM trees")"
	echo "$output" | cut -d'|' -f6 | jq -e 'type == "object"' >/dev/null
	for tree in $(echo "$output" | cut -d'|' -f1); do
		run -0 --separate-stderr "$CM" "$db" tree-nodes "$tree"
		assert_output "$(sqlite3 "$db" "SELECT seq, node, ifnull(parent, -1), relation, edge_id, depth, time_ns,
		    printf('%.6f', confidence), label, reason FROM tree_nodes WHERE tree_id = $tree ORDER BY seq")"
		[ "${#lines[@]}" -gt 5 ]
		# the root first, its parent -1; every other parent comes before it
		assert_equal "$(echo "$output" | head -1 | cut -d'|' -f3)" -1
		assert_equal "$(echo "$output" | awk -F'|' 'NR > 1 && !($3 >= 0 && $3 < $1)')" ""
	done
	run -66 --separate-stderr "$CM" "$db" tree-nodes 999999
	assert_equal "$stderr" "case-marks: no tree 999999 in the case (SP_E_NOTFOUND)"
}

@test "a case without trees gives none and no error" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$IMAGES/ext4/tiny.ext4" >/dev/null
	run -0 --separate-stderr "$CM" "$db" trees
	assert_output ""
	assert_equal "$stderr" ""
}

@test "a tagged page seeks events_time from its key and finds the marks through their indexes" {
	t=$(sqlite3 "$DB" "SELECT time_ns FROM events ORDER BY time_ns LIMIT 1 OFFSET 500")
	for f in "--tag suspicious" --tagged "--tag pivot --tagged"; do
		for order in "" --desc; do
			# shellcheck disable=SC2086
			sql=$("$CQ" $order $f --from 1 --to "$t" --after "$t,1000" --limit 50 --sql "$DB" events)
			run -0 sqlite3 "$DB" "EXPLAIN QUERY PLAN $sql"
			assert_line --partial "SEARCH e USING INDEX events_time (time_ns>? AND time_ns<?)"
			assert_line --partial "SEARCH d USING INDEX detections_event (event_id=?)"
			assert_line --regexp "SEARCH t USING COVERING INDEX (tags_target|sqlite_autoindex_tags_1) \(target_kind=\? AND target_id=\?"
			assert_line --partial "SEARCH n USING COVERING INDEX notes_target (target_kind=? AND target_id=?)"
			refute_output --partial "TEMP B-TREE"
			refute_output --partial "SCAN"
		done
	done
}
