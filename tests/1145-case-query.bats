#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The read cursors of a case (spoor/query.h) through tests/helpers/
# case-query, held against plain SQL run by the sqlite3 shell on the
# reference scenario's case: filters, keyset pages both ways in both
# orders, histograms, full-text match, one event's provenance, the plan of
# a time-range page and interruption.

load helpers/common

CQ=$BUILD/tests/case-query
COLS="e.id, e.time_ns, e.artifact, e.source_id, e.file_id, e.origin_file_id, e.host, e.user, e.pid, e.session, e.message"

setup_file() {
	export DB=$BATS_FILE_TMPDIR/case.db
	"$BUILD/bin/spoor-timeline" -c "$DB" --host web01 "$SCENARIO/web01.E01" \
	    "$IMAGES/ext4/tiny.ext4" >/dev/null
	"$BUILD/bin/spoor-scan" -c "$DB" "$SCENARIO/web01.E01" >/dev/null 2>&1 || true
	# spoor-timeline fills origin_file_id and file_id itself; the process
	# identity of the login and audit records is set here to a known
	# spread of values so that every filter has rows on both sides
	sqlite3 "$DB" "UPDATE events SET session = id % 4 + 1, boot_id = 'boot' || (id % 2),
	    auid = 1000 + id % 3, tty = 'pts/' || (id % 2), cwd = '/root'
	    WHERE artifact IN ('auth', 'audit', 'wtmp');"
}

# The oracle: the events that pass WHERE terms, in the given order.
oracle() {
	sqlite3 "$DB" "SELECT $COLS FROM events_text e WHERE ${1:-1} ORDER BY e.time_ns ${2:-}, e.id ${2:-}"
}

# Pages of case-query with their page numbers stripped, in page order
# (forward) or with the last page first (backward).
pages() {
	local dir=$1; shift
	if [ "$dir" = back ]; then
		"$CQ" "$@" | sort -s -t' ' -k1,1nr | cut -d' ' -f2-
	else
		"$CQ" "$@" | cut -d' ' -f2-
	fi
}

@test "the case has what the tests need: detections, sessions, a run of equal times" {
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM detections")" -gt 0 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE session IS NOT NULL")" -gt 10 ]
	[ "$(sqlite3 "$DB" "SELECT max(c) FROM (SELECT count(*) c FROM events GROUP BY time_ns)")" -ge 10 ]
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM events")" -gt 1000 ]
}

@test "every event, ascending and descending, equals ORDER BY time_ns, id" {
	assert_equal "$("$CQ" "$DB" events)" "$(oracle)"
	assert_equal "$("$CQ" --desc "$DB" events)" "$(oracle 1 DESC)"
}

@test "each filter keeps what its WHERE keeps" {
	t1=$(sqlite3 "$DB" "SELECT time_ns FROM events ORDER BY time_ns LIMIT 1 OFFSET 300")
	t2=$(sqlite3 "$DB" "SELECT time_ns FROM events ORDER BY time_ns LIMIT 1 OFFSET 700")
	pid=$(sqlite3 "$DB" "SELECT pid FROM events WHERE pid IS NOT NULL GROUP BY pid ORDER BY count(*) DESC LIMIT 1")
	user=$(sqlite3 "$DB" "SELECT user FROM events WHERE user IS NOT NULL GROUP BY user ORDER BY count(*) DESC LIMIT 1")
	while IFS=';' read -r args where; do
		got=$("$CQ" $args "$DB" events)
		want=$(oracle "$where")
		[ -n "$want" ] || fail "the oracle for '$args' is empty"
		[ "$got" = "$want" ] || {
			diff <(echo "$want") <(echo "$got") | head
			fail "filter '$args' differs"
		}
	done <<-EOF
	--from $t1;e.time_ns >= $t1
	--to $t2;e.time_ns <= $t2
	--from $t1 --to $t2;e.time_ns BETWEEN $t1 AND $t2
	--artifact syslog;e.artifact = 'syslog'
	--artifact syslog --artifact auth --artifact fs;e.artifact IN ('syslog', 'auth', 'fs')
	--source 2;e.source_id = 2
	--host web01 --artifact auth;e.host = 'web01' AND e.artifact = 'auth'
	--user $user;e.user = '$user'
	--pid $pid;e.pid = $pid
	--session 3;e.session = 3
	--session 2 --from $t1;e.session = 2 AND e.time_ns >= $t1
	--detections;e.artifact = 'detection'
	--artifact cron --source 1 --to $t2;e.artifact = 'cron' AND e.source_id = 1 AND e.time_ns <= $t2
	EOF
}

@test "a filter that keeps nothing gives nothing, not an error" {
	run -0 --separate-stderr "$CQ" --artifact nothing "$DB" events
	assert_output ""
	run -0 --separate-stderr "$CQ" --pid 999999 --session 1 "$DB" events
	assert_output ""
}

@test "pages forward, concatenated, equal one ORDER BY query, in both orders" {
	for n in 1 7 100 5000; do
		assert_equal "$(pages fwd --pages $n "$DB" events)" "$(oracle)"
		assert_equal "$(pages fwd --desc --pages $n "$DB" events)" "$(oracle 1 DESC)"
	done
	# and with a filter under the pages
	assert_equal "$(pages fwd --pages 5 --artifact auth --session 1 "$DB" events)" \
	    "$(oracle "e.artifact = 'auth' AND e.session = 1")"
}

@test "pages backward from the end, last page first, equal the same query" {
	for n in 1 7 100 5000; do
		assert_equal "$(pages back --pages-back $n "$DB" events)" "$(oracle)"
		assert_equal "$(pages back --desc --pages-back $n "$DB" events)" "$(oracle 1 DESC)"
	done
	assert_equal "$(pages back --pages-back 3 --artifact syslog --artifact cron "$DB" events)" \
	    "$(oracle "e.artifact IN ('syslog', 'cron')")"
}

@test "a page boundary inside a run of equal times splits it by id" {
	t=$(sqlite3 "$DB" "SELECT time_ns FROM events GROUP BY time_ns ORDER BY count(*) DESC LIMIT 1")
	ids=$(sqlite3 "$DB" "SELECT id FROM events WHERE time_ns = $t ORDER BY id")
	mid=$(echo "$ids" | sed -n 5p)
	# after (t, mid): the rest of the run first, then what follows it
	assert_equal "$("$CQ" --after "$t,$mid" --limit 3 "$DB" events)" \
	    "$(oracle "(e.time_ns, e.id) > ($t, $mid)" | head -3)"
	assert_equal "$("$CQ" --after "$t,$mid" --limit 3 "$DB" events | cut -d'|' -f2 | sort -u)" "$t"
	# before (t, mid): the run's first four, still ascending
	assert_equal "$("$CQ" --before "$t,$mid" --limit 4 "$DB" events | cut -d'|' -f1)" \
	    "$(echo "$ids" | head -4)"
	# descending: after (t, mid) are the lower ids of the run
	assert_equal "$("$CQ" --desc --after "$t,$mid" --limit 4 "$DB" events | cut -d'|' -f1)" \
	    "$(echo "$ids" | head -4 | tac)"
	assert_equal "$("$CQ" --desc --before "$t,$mid" --limit 2 "$DB" events)" \
	    "$(oracle "(e.time_ns, e.id) > ($t, $mid)" | head -2 | tac)"
	# and a walk in pages of 3 crosses the run without losing a row
	assert_equal "$(pages fwd --pages 3 --from "$t" --to "$t" "$DB" events | cut -d'|' -f1)" "$ids"
	assert_equal "$(pages back --pages-back 4 --from "$t" --to "$t" "$DB" events | cut -d'|' -f1)" "$ids"
}

@test "a page before a key needs a limit; after and before together are refused" {
	run -64 --separate-stderr "$CQ" --before 1,1 "$DB" events
	assert_equal "$stderr" "case-query: a page before a key needs a limit (SP_E_USAGE)"
	run -64 --separate-stderr "$CQ" --before 1,1 --after 1,1 --limit 2 "$DB" events
	assert_equal "$stderr" "case-query: a page is after a key or before one, not both (SP_E_USAGE)"
}

@test "a time-range page seeks events_time from its key and sorts nothing" {
	t=$(sqlite3 "$DB" "SELECT time_ns FROM events ORDER BY time_ns LIMIT 1 OFFSET 500")
	for order in "" --desc; do
		sql=$("$CQ" $order --from 1 --to "$t" --after "$t,1000" --limit 50 --sql "$DB" events)
		run -0 sqlite3 "$DB" "EXPLAIN QUERY PLAN $sql"
		assert_line --partial "SEARCH e USING INDEX events_time (time_ns>? AND time_ns<?)"
		refute_output --partial "TEMP B-TREE"
		refute_output --partial "SCAN e"
	done
	# one artifact kind reads its own index, still in time order
	sql=$("$CQ" --artifact syslog --after "$t,1" --limit 50 --sql "$DB" events)
	run -0 sqlite3 "$DB" "EXPLAIN QUERY PLAN $sql"
	assert_line --partial "SEARCH e USING INDEX events_artifact_time (artifact=? AND time_ns>?)"
	refute_output --partial "TEMP B-TREE"
}

@test "histogram counts equal a GROUP BY, also per artifact and filtered" {
	for w in 1000000000 60000000000 86400000000000; do
		assert_equal "$("$CQ" --width $w "$DB" histogram)" \
		    "$(sqlite3 "$DB" "SELECT time_ns - ((time_ns % $w) + $w) % $w b, count(*) FROM events GROUP BY b ORDER BY b")"
		assert_equal "$("$CQ" --width $w --per-artifact "$DB" histogram)" \
		    "$(sqlite3 "$DB" "SELECT artifact, time_ns - ((time_ns % $w) + $w) % $w b, count(*) FROM events GROUP BY artifact, b ORDER BY artifact, b")"
	done
	w=3600000000000
	assert_equal "$("$CQ" --width $w --artifact auth --artifact syslog --source 1 "$DB" histogram)" \
	    "$(sqlite3 "$DB" "SELECT time_ns - ((time_ns % $w) + $w) % $w b, count(*) FROM events WHERE artifact IN ('auth', 'syslog') AND source_id = 1 GROUP BY b ORDER BY b")"
	assert_equal "$("$CQ" --width $w --match kswapd0 "$DB" histogram)" \
	    "$(sqlite3 "$DB" "SELECT time_ns - ((time_ns % $w) + $w) % $w b, count(*) FROM events WHERE (id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH 'kswapd0') OR (artifact = 'fs' AND file_id IN (SELECT rowid FROM files_fts WHERE files_fts MATCH 'kswapd0'))) GROUP BY b ORDER BY b")"
	run -64 --separate-stderr "$CQ" --width 0 "$DB" histogram
}

@test "a full-text match equals the FTS5 queries of messages and of file paths, alone and with other filters" {
	for m in kswapd0 'wget OR chmod' 'kswap*' '"Accepted password"'; do
		q=${m//\'/\'\'}
		want=$(sqlite3 "$DB" "SELECT $COLS FROM events_text e WHERE e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH '$q')
		    OR (e.artifact = 'fs' AND e.file_id IN (SELECT rowid FROM files_fts WHERE files_fts MATCH '$q')) ORDER BY e.time_ns, e.id")
		[ -n "$want" ] || fail "no match for $m"
		assert_equal "$("$CQ" --match "$m" "$DB" events)" "$want"
	done
	assert_equal "$(pages back --pages-back 2 --desc --match 'kswapd0' --artifact fs "$DB" events)" \
	    "$(oracle "e.artifact = 'fs' AND e.file_id IN (SELECT rowid FROM files_fts WHERE files_fts MATCH 'kswapd0')" DESC)"
	run -74 --separate-stderr "$CQ" --match '"unbalanced' "$DB" events
	assert_output ""
}

@test "one event's record: its source, origin, origin file, subject file and detection equal the joined rows" {
	ids=$(sqlite3 "$DB" "SELECT min(id) FROM events GROUP BY artifact")
	n=0
	for id in $ids; do
		got=$("$CQ" "$DB" record "$id" | jq -r '[.id, .artifact, .message, .origin, .origin_line, .origin_offset, .boot_id, .session, .auid, .tty, .cwd,
		    .source.id, .source.kind, .source.path, .source.sha256, .source.host,
		    .origin_file.id, .origin_file.inode, .origin_file.path,
		    .file.id, .file.inode, .file.path, .file.allocated,
		    .detection.id, .detection.type, .detection.name, .detection.score] | map(. // "" | tostring) | join("|")')
		want=$(sqlite3 "$DB" "SELECT e.id, e.artifact, e.message, e.origin, e.origin_line, e.origin_offset, e.boot_id, e.session, e.auid, e.tty, e.cwd,
		    s.id, s.kind, s.path, s.sha256, s.host, o.id, o.inode, o.path, f.id, f.inode, f.path, f.allocated,
		    d.id, d.type, d.name, d.score
		    FROM events_text e JOIN sources s ON s.id = e.source_id
		    LEFT JOIN files o ON o.id = e.origin_file_id LEFT JOIN files f ON f.id = e.file_id
		    LEFT JOIN detections d ON d.event_id = e.id WHERE e.id = $id")
		assert_equal "$got" "$want"
		n=$((n + 1))
	done
	[ "$n" -ge 8 ] || fail "only $n artifact kinds"
	# an artifact event has both files, told apart; a detection has its row
	id=$(sqlite3 "$DB" "SELECT min(id) FROM events WHERE artifact = 'auth'")
	assert_equal "$("$CQ" "$DB" record "$id" | jq -r '.origin_file.path')" /var/log/auth.log
	id=$(sqlite3 "$DB" "SELECT event_id FROM detections ORDER BY id LIMIT 1")
	assert_equal "$("$CQ" "$DB" record "$id" | jq -r '.detection.id')" \
	    "$(sqlite3 "$DB" "SELECT id FROM detections ORDER BY id LIMIT 1")"
	run -66 --separate-stderr "$CQ" "$DB" record 99999999
	assert_equal "$stderr" "case-query: no event 99999999 in the case"
}

@test "files, mactime's file times and detections read in their orders" {
	assert_equal "$("$CQ" "$DB" files)" "$(sqlite3 "$DB" "SELECT id, source_id, inode, path FROM files ORDER BY id")"
	assert_equal "$("$CQ" --source 2 "$DB" files)" "$(sqlite3 "$DB" "SELECT id, source_id, inode, path FROM files WHERE source_id = 2 ORDER BY id")"
	run -0 "$CQ" --artifact syslog "$DB" files
	assert_output ""
	# a row per distinct second of a file, with the letters of that second
	assert_equal "$("$CQ" "$DB" file-times | sort)" "$(sqlite3 "$DB" "
	    WITH t(fid, sec, bit) AS (
	    SELECT id, coalesce(mtime_ns / 1000000000, 0), 1 FROM files UNION ALL
	    SELECT id, coalesce(atime_ns / 1000000000, 0), 2 FROM files UNION ALL
	    SELECT id, coalesce(ctime_ns / 1000000000, 0), 4 FROM files UNION ALL
	    SELECT id, coalesce(crtime_ns / 1000000000, 0), 8 FROM files)
	    SELECT t.sec, sum(bit), t.fid, f.path FROM t JOIN files f ON f.id = t.fid
	    WHERE coalesce(f.atime_ns, f.mtime_ns, f.ctime_ns, f.crtime_ns) IS NOT NULL
	    GROUP BY t.fid, t.sec" | sort)"
	assert_equal "$("$CQ" "$DB" detections)" \
	    "$(sqlite3 "$DB" "SELECT id, time_ns, type, name, event_id, path FROM detections ORDER BY time_ns, id")"
	assert_equal "$(pages back --pages-back 3 --desc "$DB" detections)" \
	    "$(sqlite3 "$DB" "SELECT id, time_ns, type, name, event_id, path FROM detections ORDER BY time_ns DESC, id DESC")"
}

@test "sp_query_interrupt from another thread stops the cursor with SP_E_INTERRUPTED" {
	run -130 --separate-stderr "$CQ" "$DB" interrupt
	assert_output "$(oracle | head -1)"
	assert_equal "$stderr" "case-query: query: interrupted (SP_E_INTERRUPTED)"
}
