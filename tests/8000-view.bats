#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-view driven in tmux on the reference scenario's case: what each
# screen shows is compared with what the case holds (the rows spoor-export
# gives for the same filter, counts from sqlite3, spoor-rca's summary);
# tags, notes and saved filters are read back with sqlite3; hostile names
# and messages show escaped; the terminal is restored after signals; a
# resize redraws; --read-only writes nothing.

load helpers/common
load helpers/tmux

setup_file() {
	export CASE0=$BATS_FILE_TMPDIR/web01.case
	need "$SCENARIO/web01.E01"
	status=0
	spoor-timeline -c "$CASE0" --host web01 "$SCENARIO/web01.E01" >/dev/null 2>&1 || status=$?
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
	status=0
	spoor-scan -q -c "$CASE0" "$SCENARIO/web01.E01" >/dev/null || status=$?
	[ "$status" -eq 1 ]
	spoor-rca -c "$CASE0" >"$BATS_FILE_TMPDIR/rca.txt" 2>/dev/null
}

setup() {
	# each test writes into a case of its own
	CASE=$BATS_TEST_TMPDIR/web01.case
	cp "$CASE0" "$CASE"
	export USER=analyst
}

teardown() {
	tui_stop
}

# The rows of the timeline on the screen: "time<TAB>artifact", in order.
screen_rows() {
	tui_screen | awk '
		/^time \(/ { on = 1; next }
		on && (/^──/ || /^--/ || /^spoor-view/ || /^$/) { exit }
		on { t = substr($0, 1, 23); a = substr($0, 38, 12); sub(/ +$/, "", a); print t "\t" a }'
}

# The same from spoor-export --jsonl with the arguments given.
export_rows() {
	spoor-export -c "$CASE" --jsonl "$@" |
		jq -r '[(.time[0:10] + " " + .time[11:23]), .artifact] | @tsv'
}

# The id of the selected event, from the status line.
selected_id() {
	tui_screen | sed -n 's/^spoor-view .* event \([0-9]*\) .*/\1/p'
}

start_view() {
	tui_start -x 200 -y 50 spoor-view "$@"
	tui_wait_for '^spoor-view '
}

@test "the first screen is the case's first events, as spoor-export gives them" {
	start_view "$CASE"
	n=$(screen_rows | wc -l)
	[ "$n" -ge 10 ]
	assert_equal "$(screen_rows)" "$(export_rows | head -n "$n")"
	assert_equal "$(selected_id)" "$(spoor-export -c "$CASE" --jsonl | head -1 | jq .id)"
}

@test "j, k, PgDn, PgUp, G and g move through the rows spoor-export lists" {
	start_view "$CASE"
	n=$(screen_rows | wc -l)
	all=$(export_rows)
	tui_keys j j j
	tui_wait_for "event $(spoor-export -c "$CASE" --jsonl | sed -n 4p | jq .id) "
	tui_keys k
	tui_wait_for "event $(spoor-export -c "$CASE" --jsonl | sed -n 3p | jq .id) "
	# a page scrolls by the rows on the screen less one
	tui_keys PageDown
	tui_wait_stable
	assert_equal "$(screen_rows)" "$(sed -n "$n,$((2 * n - 1))p" <<<"$all")"
	tui_keys PageDown
	tui_wait_stable
	assert_equal "$(screen_rows)" "$(sed -n "$((2 * n - 1)),$((3 * n - 2))p" <<<"$all")"
	tui_keys PageUp
	tui_wait_stable
	assert_equal "$(screen_rows)" "$(sed -n "$n,$((2 * n - 1))p" <<<"$all")"
	tui_keys G
	tui_wait_for "event $(spoor-export -c "$CASE" --jsonl | tail -1 | jq .id) .*\(end\)"
	assert_equal "$(screen_rows)" "$(tail -n "$n" <<<"$all")"
	tui_keys g
	tui_wait_stable
	assert_equal "$(screen_rows)" "$(head -n "$n" <<<"$all")"
}

@test "a jump to a time selects the first event at or after it" {
	start_view "$CASE"
	tui_keys -l ':2026-03-14T10:43' Enter
	want=$(spoor-export -c "$CASE" --jsonl --from 2026-03-14T10:43:00Z | head -1 | jq .id)
	tui_wait_for "event $want "
	# the rows from there on are the case's
	assert_equal "$(screen_rows | grep -A3 -m1 '^2026-03-14 10:43' | head -4)" \
	    "$(export_rows --from 2026-03-14T10:43:00Z | head -4)"
}

@test "filters: one artifact, detections only, and clear" {
	start_view "$CASE"
	tui_keys -l ':artifact audit' Enter
	tui_wait_for 'filter: artifact=audit'
	tui_wait_stable
	n=$(screen_rows | wc -l)
	assert_equal "$(screen_rows)" "$(export_rows --artifact audit | head -n "$n")"
	tui_keys -l ':clear' Enter d
	tui_wait_for 'filter: detections'
	tui_wait_stable
	want=$(export_rows --detections)
	[ -n "$want" ]
	assert_equal "$(screen_rows)" "$(head -n "$(screen_rows | wc -l)" <<<"$want")"
	tui_keys -l ':clear' Enter
	tui_wait_for 'filter: every event'
}

@test "f edits the filter bar in its own words; a line that does not read changes nothing" {
	start_view "$CASE"
	tui_keys -l ':artifact audit' Enter f
	tui_wait_for '^:filter artifact=audit'
	tui_keys C-u -l 'filter artifact=wtmp,auth user=root from=2026-03-14T10:00:00Z' Enter
	tui_wait_for 'filter: artifact=wtmp,auth from=2026-03-14T10:00:00Z user=root'
	tui_wait_stable
	want=$(export_rows --artifact wtmp,auth --user root --from 2026-03-14T10:00:00Z)
	[ -n "$want" ]
	assert_equal "$(screen_rows)" "$(head -n "$(screen_rows | wc -l)" <<<"$want")"
	tui_keys f C-u -l 'filter pid=notanumber' Enter
	tui_wait_for "filter: cannot read 'pid'"
	tui_wait_for 'filter: artifact=wtmp,auth from=2026-03-14T10:00:00Z user=root'
}

@test "/ searches the messages through the full-text index; n and N go on and back" {
	start_view "$CASE"
	ids=$(spoor-export -c "$CASE" --jsonl --match kswapd0 | jq .id)
	[ "$(wc -l <<<"$ids")" -ge 3 ]
	tui_keys / -l 'kswapd0' Enter
	tui_wait_for "event $(sed -n 1p <<<"$ids") "
	tui_wait_for 'search: kswapd0'
	tui_keys n
	tui_wait_for "event $(sed -n 2p <<<"$ids") "
	tui_keys n
	tui_wait_for "event $(sed -n 3p <<<"$ids") "
	tui_keys N
	tui_wait_for "event $(sed -n 2p <<<"$ids") "
	# the words are marked in the row (reverse video)
	tui_screen_esc | grep -q $'\e\\[[0-9;]*7[0-9;]*m[^\e]*kswapd0'
}

@test "the histogram counts what the case holds, at each zoom" {
	start_view "$CASE"
	tui_keys -l ':2026-03-14T10:43:02' Enter
	tui_wait_for "^events per day  2026-03-14 00:00:00.000: [0-9]+ events"
	want=$(spoor-export -c "$CASE" --jsonl --from 2026-03-14T00:00:00Z --to 2026-03-14T23:59:59.999999999Z | wc -l)
	tui_wait_for "^events per day  2026-03-14 00:00:00.000: $want events"
	tui_keys +
	want=$(spoor-export -c "$CASE" --jsonl --from 2026-03-14T10:00:00Z --to 2026-03-14T10:59:59.999999999Z | wc -l)
	tui_wait_for "^events per hour  2026-03-14 10:00:00.000: $want events"
	tui_keys +
	want=$(spoor-export -c "$CASE" --jsonl --from 2026-03-14T10:43:00Z --to 2026-03-14T10:43:59.999999999Z | wc -l)
	tui_wait_for "^events per minute  2026-03-14 10:43:00.000: $want events"
	tui_keys - -
	tui_wait_for "^events per day "
	# a detection is marked under its bucket
	tui_keys G
	tui_wait_for '^ *!'
}

@test "the tree: the summary of spoor-rca, collapse and expand, a node to its events and back" {
	start_view "$CASE"
	tui_keys T
	tui_wait_for '^incident 1 of 1'
	# the where line is spoor-rca's
	want=$(grep '^  where' "$BATS_FILE_TMPDIR/rca.txt")
	tui_wait_for "^$(sed 's/[].[*^$()+?{}|\\]/\\&/g' <<<"$want")\$"
	tui_wait_for '^  who    accounts www-data, root; from 203\.0\.113\.66'
	nodes=$(sqlite3 "$CASE" "SELECT count(*) FROM tree_nodes")
	[ "$nodes" -gt 10 ]
	tui_keys C
	tui_wait_stable
	# collapsed: the root alone under the rule
	assert_equal "$(tui_screen | grep -c '203\.0\.113\.66  ')" 1
	run -1 grep -q 'requested: POST' <<<"$(tui_screen)"
	tui_keys l
	tui_wait_for 'requested: POST /upload.php'
	tui_keys E
	tui_wait_for 'wrote: /tmp/.X11-unix/.x/kswapd0'
	# the node of wget's write: its first event in the timeline
	seq=$(sqlite3 "$CASE" "SELECT seq FROM tree_nodes WHERE label LIKE '/tmp/.X11-unix/.x/kswapd0%' AND relation = 'wrote'")
	node=$(sqlite3 "$CASE" "SELECT node FROM tree_nodes WHERE seq = $seq")
	ev=$(sqlite3 "$CASE" "SELECT json_extract(events, '\$[0]') FROM objects WHERE id = $node UNION ALL
	    SELECT json_extract(events, '\$[0]') FROM processes WHERE id = $node")
	[ -n "$ev" ]
	tui_keys g
	for _ in $(seq "$seq"); do tui_keys j; done
	tui_keys Enter
	tui_wait_for "event $ev "
	tui_wait_for "^spoor-view .* timeline"
	# and from the event back to its node
	tui_keys r
	tui_wait_for "^spoor-view .* tree"
	tui_screen | grep -qE $'wrote: /tmp/.X11-unix/.x/kswapd0'
}

@test "a tag and a note on a row, a tag on a tree node: in the case after q" {
	start_view "$CASE"
	tui_keys j j
	id=$(spoor-export -c "$CASE" --jsonl | sed -n 3p | jq .id)
	tui_wait_for "event $id "
	tui_keys t -l 'suspicious' Enter
	tui_wait_for "tagged event suspicious $id"
	tui_keys a -l 'looked at it; benign?' Enter
	tui_wait_for "note added to event"
	# the row is marked
	tui_screen | grep -q '^.\{82\}\*'
	tui_keys T
	tui_wait_for '^incident 1'
	tui_keys j -l ':tag entry-point' Enter
	tui_wait_for "tagged node entry-point"
	node=$(sqlite3 "$CASE" "SELECT node FROM tree_nodes WHERE seq = 1")
	tui_keys q
	assert_equal "$(tui_wait_exit)" 0
	assert_equal "$(sqlite3 "$CASE" "SELECT target_kind, target_id, tag, author FROM tags ORDER BY id")" \
	    "$(printf 'event|%s|suspicious|analyst\nnode|%s|entry-point|analyst' "$id" "$node")"
	assert_equal "$(sqlite3 "$CASE" "SELECT target_kind, target_id, text FROM notes")" \
	    "event|$id|looked at it; benign?"
	# the session is a run of the case, and spoor-export filters by the tag
	assert_equal "$(sqlite3 "$CASE" "SELECT count(*) FROM runs WHERE tool = 'spoor-view'")" 1
	assert_equal "$(spoor-export -c "$CASE" --jsonl --tag suspicious | jq .id)" "$id"
}

@test "a saved filter is in the case and spoor-export uses it; :export writes the filtered view" {
	start_view "$CASE"
	tui_keys -l ':artifact audit,wtmp' Enter -l ':save logins' Enter
	tui_wait_for "filter 'logins' saved"
	tui_keys -l ":export jsonl $BATS_TEST_TMPDIR/view.jsonl" Enter
	tui_wait_for "records written to"
	tui_keys -l ":export jsonl $BATS_TEST_TMPDIR/view.jsonl" Enter
	tui_wait_for "File exists"
	tui_keys -l ':clear' Enter -l ':load logins' Enter
	tui_wait_for 'filter: artifact=audit,wtmp'
	tui_keys q
	tui_wait_exit >/dev/null
	spoor-export -c "$CASE" --jsonl --artifact audit,wtmp >"$BATS_TEST_TMPDIR/want.jsonl"
	[ -s "$BATS_TEST_TMPDIR/want.jsonl" ]
	cmp "$BATS_TEST_TMPDIR/want.jsonl" "$BATS_TEST_TMPDIR/view.jsonl"
	spoor-export -c "$CASE" --jsonl --filter logins | cmp - "$BATS_TEST_TMPDIR/want.jsonl"
}

@test "the detail pane lays out the event's fields and provenance; o shows the file through the evidence" {
	start_view "$CASE"
	id=$(sqlite3 "$CASE" "SELECT id FROM events_text WHERE artifact = 'fs' AND path = '/var/www/html/uploads/thumb.php' ORDER BY time_ns, id LIMIT 1")
	t=$(sqlite3 "$CASE" "SELECT time_ns FROM events WHERE id = $id")
	iso=$(date -u -d "@$((t / 1000000000))" +%Y-%m-%dT%H:%M:%S)
	tui_keys -l ":$iso" Enter
	while [ "$(selected_id)" != "$id" ]; do tui_keys j; tui_wait_stable 50; done
	tui_wait_for "^event $id "
	tui_wait_for "^  source +#1 .*web01.E01 \(e01\)"
	tui_wait_for '^  path +/var/www/html/uploads/thumb.php'
	tui_keys o
	want=$(spoor-cat "$SCENARIO/web01.E01" /var/www/html/uploads/thumb.php | head -1)
	tui_wait_for "^$(sed 's/[].[*^$()+?{}|\\]/\\&/g' <<<"${want:0:60}")"
	tui_wait_for 'bytes .*q back'
	tui_keys q
	tui_wait_for '^spoor-view '
}

@test "hostile names and messages are shown escaped, never written to the terminal" {
	d=$BATS_TEST_TMPDIR/ev
	mkdir -p "$d/var/log" "$d/tmp"
	printf 'Mar 14 10:00:00 h1 sshd[123]: Accepted password for bob from 10.0.0.1 port 22 ssh2\n' >"$d/var/log/syslog"
	touch "$d/tmp/$(printf 'a\e]2;pwned\ab')" "$d/tmp/$(printf 'evil\xe2\x80\xaetxt.exe')" \
	    "$d/tmp/$(printf 'bad\xff\xfeutf8')"
	c=$BATS_TEST_TMPDIR/h.case
	spoor-timeline -c "$c" --host h1 "$d" >/dev/null 2>&1 || true
	start_view "$c"
	tui_wait_for '/tmp/a\\x1b\]2;pwned\\x07b'
	tui_wait_for '/tmp/evil\\u\{202e\}txt\.exe'
	tui_wait_for '/tmp/bad\\xff\\xfeutf8'
	# the title sequence did not reach the terminal
	[ "$(TMUX='' tmux -L "$TUI_SOCKET" display-message -p -t tui '#{pane_title}')" != pwned ]
	# no byte of the screen is a control character but the program's own
	run -1 grep -qP '[\x00-\x08\x0b-\x1f\x7f]' <<<"$(tui_screen)"
}

@test "SIGTERM, SIGHUP and ^C leave the alternate screen with echo restored, each with its status" {
	for sig in TERM HUP INT; do
		start_view "$CASE"
		[ "$(tui_alternate_on)" = 1 ]
		[ "$(tui_tty_echo)" = 0 ]
		if [ $sig = INT ]; then
			tui_keys C-c
		else
			kill -$sig "$(tui_program_pid spoor-view)"
		fi
		st=$(tui_wait_exit)
		case $sig in TERM) assert_equal "$st" 143 ;; *) assert_equal "$st" 130 ;; esac
		assert_equal "$(tui_alternate_on)" 0
		assert_equal "$(tui_tty_echo)" 1
		tui_stop
	done
}

@test "a fatal signal restores the terminal too" {
	start_view "$CASE"
	kill -SEGV "$(tui_program_pid spoor-view)"
	assert_equal "$(tui_wait_exit)" $((128 + 11))
	assert_equal "$(tui_alternate_on)" 0
	assert_equal "$(tui_tty_echo)" 1
}

@test "a resize redraws the whole screen without artefacts" {
	start_view "$CASE"
	tui_keys j j j
	tui_resize 100 30
	tui_wait_stable
	assert_equal "$(tui_size)" 100x30
	# one header, one status line at the bottom, rows from the case
	assert_equal "$(tui_screen | grep -c '^time (UTC)')" 1
	assert_equal "$(tui_screen | tail -1 | cut -c1-10)" "spoor-view"
	[ "$(tui_screen | LC_ALL=C.UTF-8 wc -L)" -le 100 ]
	n=$(screen_rows | wc -l)
	[ "$n" -ge 3 ]
	export_rows >"$BATS_TEST_TMPDIR/all"
	screen_rows | while IFS= read -r row; do grep -qxF "$row" "$BATS_TEST_TMPDIR/all"; done
	tui_resize 200 50
	tui_wait_stable
	assert_equal "$(tui_screen | grep -c '^time (UTC)')" 1
}

@test "another command writes the case while the view reads it: both go on" {
	start_view "$CASE"
	tui_keys j
	printf 'Dec 25 10:00:00 web01 sshd[77]: Accepted publickey for late from 198.51.100.9 port 22 ssh2\n' >"$BATS_TEST_TMPDIR/auth.log"
	run -0 spoor-timeline -c "$CASE" --artifact syslog "$BATS_TEST_TMPDIR/auth.log"
	# a tag from the view while the case has a new source
	tui_keys t -l 'seen' Enter
	tui_wait_for 'tagged event seen'
	tui_keys G
	want=$(spoor-export -c "$CASE" --jsonl | tail -1 | jq .id)
	tui_wait_for "event $want "
	tui_keys -l ':match late' Enter
	tui_wait_for 'filter: match="late"'
	tui_wait_stable
	tui_screen | grep -q 'Accepted publickey for late'
	tui_keys q
	assert_equal "$(tui_wait_exit)" 0
}

@test "--read-only writes nothing: tags are refused, the case is byte for byte the same" {
	sum=$(sha256sum <"$CASE")
	chmod 444 "$CASE"
	start_view --read-only "$CASE"
	tui_wait_for 'read-only'
	tui_keys t -l x Enter
	tui_wait_for 'the case is open read-only'
	tui_keys -l ':save f' Enter
	tui_wait_for 'the case is open read-only'
	tui_keys q
	assert_equal "$(tui_wait_exit)" 0
	assert_equal "$(sha256sum <"$CASE")" "$sum"
}

@test "a case of a newer schema is refused with 65; not a terminal is 64; a missing case is 66" {
	sqlite3 "$CASE" "PRAGMA user_version = 99"
	# wide enough that the message is one line whatever the path
	tui_start -x 250 -y 10 spoor-view "$CASE"
	assert_equal "$(tui_wait_exit)" 65
	tui_wait_for 'schema version 99 is newer than this program'
	run -64 --separate-stderr spoor-view "$CASE0" </dev/null
	[[ "$stderr" == *"must be a terminal"* ]]
	run -66 --separate-stderr spoor-view "$BATS_TEST_TMPDIR/none.case"
	[[ "$stderr" == *"none.case"* ]]
	# spoor view -c CASE runs the same command
	run -66 --separate-stderr spoor view -c "$BATS_TEST_TMPDIR/none.case"
}

@test "NO_COLOR and --ascii: no colours, nothing but ASCII on the screen" {
	export NO_COLOR=1
	start_view --ascii "$CASE"
	run -1 grep -qE $'\e\\[(3[0-7]|4[0-7]|38;|48;)' <<<"$(tui_screen_esc)"
	run -1 grep -qP '[^\x00-\x7f]' <<<"$(tui_screen)"
	tui_keys T
	tui_wait_for '`-'
	run -1 grep -qP '[^\x00-\x7f]' <<<"$(tui_screen)"
}

@test "--tz shows and reads times in the zone" {
	start_view --tz Asia/Tokyo "$CASE"
	tui_keys -l ':2026-03-14T19:43' Enter
	want=$(spoor-export -c "$CASE" --jsonl --from 2026-03-14T10:43:00Z | head -1 | jq .id)
	tui_wait_for "event $want "
	tui_wait_for '^2026-03-14 19:43'
}
