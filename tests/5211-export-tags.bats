#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-export's filters of a viewer's view: --tag, --tagged, --match,
# --detections and a saved --filter whose fields the options override,
# checked against the case itself (sqlite3) in every event view, and
# refused with the file views (status 64).

load helpers/common

CS=$BUILD/tests/case-store
CM=$BUILD/tests/case-marks

setup_file() {
	need "$SCENARIO/web01.raw"
	export DB=$BATS_FILE_TMPDIR/case.db
	spoor-timeline -c "$DB" --host web01 "$SCENARIO/web01.raw" >/dev/null
	status=0
	spoor-scan -q -c "$DB" "$SCENARIO/web01.raw" >/dev/null || status=$?
	[ "$status" -eq 1 ]
	local id
	for id in $(sqlite3 "$DB" "SELECT id FROM events WHERE id % 41 = 1"); do
		"$CS" "$DB" tag-add event "$id" suspicious >/dev/null
	done
	for id in $(sqlite3 "$DB" "SELECT id FROM events WHERE id % 67 = 2"); do
		"$CS" "$DB" note-add event "$id" "seen" >/dev/null
	done
	id=$(sqlite3 "$DB" "SELECT min(id) FROM files")
	"$CS" "$DB" tag-add file "$id" suspicious >/dev/null
	"$CS" "$DB" tag-add detection 1 suspicious >/dev/null
}

setup() {
	db=$BATS_TEST_TMPDIR/case.db
	cp "$DB" "$db"
}

# The ids of the events that pass the SQL condition $1, in time order.
ids() {
	sqlite3 "$db" "SELECT id FROM events e WHERE $1 ORDER BY time_ns, id"
}

TAG="EXISTS (SELECT 1 FROM tags t WHERE t.target_kind = 'event' AND t.target_id = e.id AND t.tag = 'suspicious')"
TAGGED="(EXISTS (SELECT 1 FROM tags t WHERE t.target_kind = 'event' AND t.target_id = e.id) OR EXISTS (SELECT 1 FROM notes n WHERE n.target_kind = 'event' AND n.target_id = e.id))"
MATCH="(e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH 'wget OR kswapd0') OR (e.artifact = 'fs' AND e.file_id IN (SELECT rowid FROM files_fts WHERE files_fts MATCH 'wget OR kswapd0')))"

@test "--tag keeps the events with that tag, in every event view" {
	want=$(ids "$TAG")
	[ "$(echo "$want" | wc -l)" -gt 10 ]
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --tag suspicious
	assert_equal "$stderr" ""
	assert_equal "$(echo "$output" | jq -r .id)" "$want"
	run -0 --separate-stderr spoor-export -c "$db" --timesketch --tag suspicious
	assert_equal "${#lines[@]}" "$(echo "$want" | wc -l)"
	run -0 --separate-stderr spoor-export -c "$db" --text --tag suspicious
	assert_equal "$((${#lines[@]} - 1))" "$(echo "$want" | wc -l)"
	# a tag of files and detections only is no event's
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --tag nothing
	assert_output ""
}

@test "--tagged keeps the events with a tag or a note" {
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --tagged
	assert_equal "$(echo "$output" | jq -r .id)" "$(ids "$TAGGED")"
	[ "$(ids "$TAGGED" | wc -l)" -gt "$(ids "$TAG" | wc -l)" ]
}

@test "--match keeps the events whose message matches the FTS5 query" {
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --match 'wget OR kswapd0'
	assert_equal "$(echo "$output" | jq -r .id)" "$(ids "$MATCH")"
	[ "${#lines[@]}" -gt 3 ]
	run -74 --separate-stderr spoor-export -c "$db" --jsonl --match '"unbalanced'
	assert_output ""
	[[ "$stderr" == "spoor-export: export: "* ]]
}

@test "--detections keeps the events of detections" {
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --detections
	assert_equal "$(echo "$output" | jq -r .id)" "$(ids "e.artifact = 'detection'")"
	assert_equal "${#lines[@]}" "$(sqlite3 "$db" "SELECT count(*) FROM detections")"
}

@test "the new filters combine with each other and with the old ones" {
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --tagged --artifact fs --from 2026-03-14
	assert_equal "$(echo "$output" | jq -r .id)" "$(ids "$TAGGED AND e.artifact = 'fs' AND e.time_ns >= 1773446400000000000")"
	[ "${#lines[@]}" -gt 0 ]
	run -0 --separate-stderr spoor-export -c "$db" --text --tag suspicious --match 'wget OR kswapd0'
	assert_equal "$((${#lines[@]} - 1))" "$(ids "$TAG AND $MATCH" | wc -l)"
}

@test "--filter exports what the saved filter keeps" {
	"$CM" --tagged --artifact auth --artifact fs "$db" save mine
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --filter mine
	assert_equal "$stderr" ""
	assert_equal "$(echo "$output" | jq -r .id)" "$(ids "$TAGGED AND e.artifact IN ('auth', 'fs')")"
	"$CM" --user deploy --pid 1234 --to 1773480000000000000 "$db" save narrow
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --filter narrow
	assert_equal "$(echo "$output" | jq -r .id)" "$(ids "e.user = 'deploy' AND e.pid = 1234 AND e.time_ns <= 1773480000000000000")"
	[ "${#lines[@]}" -gt 0 ]
}

@test "options given with --filter override its fields" {
	"$CM" --artifact auth --user root --tag suspicious "$db" save base
	# --artifact and --user replace the filter's; its tag stays
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --filter base --artifact auth,audit,bash_history --user deploy
	assert_equal "$(echo "$output" | jq -r .id)" "$(ids "$TAG AND e.artifact IN ('auth', 'audit', 'bash_history') AND e.user = 'deploy'")"
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --filter base --tag other
	assert_output ""
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --filter base --artifact cron,auth
	assert_equal "$(echo "$output" | jq -r .id)" "$(ids "$TAG AND e.artifact IN ('cron', 'auth') AND e.user = 'root'")"
	[ "${#lines[@]}" -gt 0 ]
}

@test "an unknown --filter is status 66, a malformed one 74, and neither writes anything" {
	run -66 --separate-stderr spoor-export -c "$db" --jsonl --filter nothing
	assert_output ""
	assert_equal "$stderr" "spoor-export: no filter 'nothing' in the case"
	sqlite3 "$db" "INSERT INTO saved_filters (name, filter, created_ns) VALUES ('bad', '{\"pid\": \"x\"}', 1)"
	run -74 --separate-stderr spoor-export -c "$db" --jsonl --filter bad
	assert_output ""
	assert_equal "$stderr" "spoor-export: filter 'bad': member 'pid' is not an integer or null"
}

@test "--tag, --tagged, --match and --detections with the mactime view or the bodyfile are usage errors" {
	for f in --mactime "--mactime --csv" --bodyfile; do
		for o in "--tag x" --tagged "--match wget" --detections; do
			# shellcheck disable=SC2086
			run -64 --separate-stderr spoor-export -c "$db" $f $o
			assert_output ""
			[[ "$stderr" == "spoor-export: --tag, --tagged, --match and --detections filter events: use --text, --jsonl or --timesketch"* ]]
		done
	done
}

@test "a saved filter of events with the mactime view or the bodyfile is a usage error; one of time and fs is not" {
	"$CM" --tagged "$db" save events
	run -64 --separate-stderr spoor-export -c "$db" --bodyfile --filter events
	assert_output ""
	assert_equal "$stderr" "spoor-export: filter 'events' filters events: use --text, --jsonl or --timesketch"
	"$CM" --artifact auth "$db" save auth
	run -64 --separate-stderr spoor-export -c "$db" --mactime --filter auth
	assert_equal "$stderr" "spoor-export: filter 'auth': --mactime lists file system entries only (artifact fs): use --text, --jsonl or --timesketch for 'auth'"
	"$CM" --artifact fs --from 1773446400000000000 "$db" save files
	run -0 --separate-stderr spoor-export -c "$db" --mactime --filter files
	assert_equal "$output" "$(spoor-export -c "$db" --mactime --from 2026-03-14)"
}

@test "an empty --tag or --match is a usage error" {
	run -64 --separate-stderr spoor-export -c "$db" --jsonl --tag ""
	[[ "$stderr" == "spoor-export: empty --tag"* ]]
	run -64 --separate-stderr spoor-export -c "$db" --jsonl --match ""
	[[ "$stderr" == "spoor-export: empty --match"* ]]
}
