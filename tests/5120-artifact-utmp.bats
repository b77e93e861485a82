#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline --artifact utmp and lastlog: login records (utmp, wtmp,
# btmp, lastlog) as events, checked against plaso's expected counts,
# util-linux utmpdump record by record, and the reference intrusion.

load helpers/common

UTMP=$TESTDATA/logs/utmp

setup() {
	DB=$BATS_TEST_TMPDIR/case.db
}

# One 384-byte x86-64 struct utmp on stdout:
# utrec TYPE PID LINE ID USER HOST SEC USEC [IPV4]
utrec() {
	perl -e '
		my ($type, $pid, $line, $id, $user, $host, $sec, $usec, $ip) = @ARGV;
		my $addr = defined $ip && $ip ne "" ?
		    pack("C4", split(/\./, $ip)) . ("\0" x 12) : "\0" x 16;
		print pack("s x2 l a32 a4 a32 a256 s s l l l a16 x20",
		    $type, $pid, $line, $id, $user, $host, 0, 0, 0, $sec,
		    $usec, $addr);
	' -- "$@"
}

# One 292-byte lastlog record: llrec TIME LINE HOST
llrec() {
	perl -e 'print pack("l a32 a256", @ARGV)' -- "$@"
}

# The time of the first record utmpdump shows matching the regular
# expression $2, in microseconds since the epoch.
dump_us() {
	local t
	t=$(utmpdump "$1" 2>/dev/null | grep -m1 -e "$2" |
	    sed 's/.*\[\([^]]*\)+00:00\]$/\1/')
	[ -n "$t" ] || return 1
	echo "$(date -ud "${t%,*}" +%s)${t#*,}"
}

# utmpdump's records as "type|pid|id|user|line|host|address|time".
utmpdump_records() {
	utmpdump "$1" 2>/dev/null | sed -e 's/^\[//' -e 's/\]$//' |
	    awk -F'\\] \\[' -v OFS='|' '{
		for (i = 1; i <= NF; i++) sub(/ +$/, "", $i)
		$2 = $2 + 0
		print
	}'
}

# The case's events in the same form; a logout paired with its login
# carries the login's user, which utmpdump's DEAD_PROCESS record has not.
event_records() {
	sqlite3 "$DB" "SELECT CASE json_extract(extra, '\$.type')
	    WHEN 'EMPTY' THEN 0 WHEN 'RUN_LVL' THEN 1 WHEN 'BOOT_TIME' THEN 2
	    WHEN 'NEW_TIME' THEN 3 WHEN 'OLD_TIME' THEN 4
	    WHEN 'INIT_PROCESS' THEN 5 WHEN 'LOGIN_PROCESS' THEN 6
	    WHEN 'USER_PROCESS' THEN 7 WHEN 'DEAD_PROCESS' THEN 8
	    WHEN 'ACCOUNTING' THEN 9 END,
	    coalesce(pid, 0),
	    coalesce(json_extract(extra, '\$.id'), ''),
	    CASE WHEN json_extract(extra, '\$.login_time') IS NULL
	        THEN coalesce(user, '') ELSE '' END,
	    coalesce(json_extract(extra, '\$.line'), ''),
	    coalesce(json_extract(extra, '\$.host'), ''),
	    coalesce(json_extract(extra, '\$.address'), '0.0.0.0'),
	    strftime('%Y-%m-%dT%H:%M:%S', time_ns / 1000000000, 'unixepoch')
	        || ',' || printf('%06d', time_ns / 1000 % 1000000) || '+00:00'
	    FROM events ORDER BY origin_offset"
}

@test "plaso's utmp gives its 14 events, no problem" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$UTMP/plaso_utmp"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 14
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM problems')" 0
}

@test "plaso's x86-64 utmp gives its 6 events, no problem" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$UTMP/plaso_utmp_x86_64"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 6
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM problems')" 0
}

@test "plaso's wtmp.1 gives its 4 events; its stray last byte is a problem" {
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$UTMP/plaso_wtmp.1"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 4
	assert_equal "$(sqlite3 "$DB" 'SELECT message FROM problems')" \
	    "offset 1536: partial record of 1 bytes at the end"
}

@test "every record agrees with utmpdump: type, pid, id, user, line, host, address, time" {
	need "$SCENARIO/web01.E01"
	spoor-cat "$SCENARIO/web01.E01" /var/log/wtmp > "$BATS_TEST_TMPDIR/wtmp"
	for f in "$UTMP/plaso_utmp" "$UTMP/plaso_utmp_x86_64" \
	    "$UTMP/plaso_wtmp.1" "$BATS_TEST_TMPDIR/wtmp"; do
		rm -f "$DB" "$DB"-*
		run spoor-timeline -c "$DB" --artifact utmp "$f"
		[ "$status" -le 2 ]
		expected=$(utmpdump_records "$f")
		[ -n "$expected" ]
		assert_equal "$(event_records)" "$expected"
	done
}

@test "time_desc follows the record type: boot, runlevel, entry, login" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$UTMP/plaso_utmp"
	run -0 sqlite3 "$DB" "SELECT json_extract(extra, '\$.type'), time_desc, count(*)
	    FROM events GROUP BY 1, 2 ORDER BY 1"
	assert_output "BOOT_TIME|boot|1
LOGIN_PROCESS|entry|6
RUN_LVL|runlevel|1
USER_PROCESS|login|6"
	assert_equal "$(sqlite3 "$DB" "SELECT json_extract(extra, '\$.runlevel')
	    FROM events WHERE time_desc = 'runlevel'")" 2
}

@test "a RUN_LVL record of user shutdown is a shutdown, DEAD_PROCESS a logout" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$UTMP/plaso_utmp_x86_64"
	run -0 sqlite3 "$DB" "SELECT time_desc FROM events ORDER BY origin_offset"
	assert_output "entry
logout
boot
shutdown
entry
entry"
}

@test "a login carries user, pid, tty, host and IPv4 address at its microsecond" {
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$UTMP/plaso_wtmp.1"
	run -0 sqlite3 "$DB" "SELECT time_ns, time_desc, artifact, user, pid,
	    json_extract(extra, '\$.line'), json_extract(extra, '\$.host'),
	    json_extract(extra, '\$.address'), origin_offset
	    FROM events WHERE origin_offset = 0"
	assert_output "$(date -ud 2011-12-01T17:36:38Z +%s)432935000|login|wtmp|userA|20060|pts/32|10.10.122.1|10.10.122.1|0"
}

@test "the artifact is named for the file: btmp records are failed logins" {
	cp "$UTMP/plaso_wtmp.1" "$BATS_TEST_TMPDIR/btmp.1"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/btmp.1"
	run -0 sqlite3 "$DB" "SELECT DISTINCT artifact, time_desc FROM events"
	assert_output "btmp|login_failed"
	rm -f "$DB" "$DB"-*
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$UTMP/plaso_utmp"
	assert_equal "$(sqlite3 "$DB" 'SELECT DISTINCT artifact FROM events')" utmp
}

@test "logouts pair with their login by tty and pid, whatever comes between" {
	{
		utrec 7 100 pts/0 ts/0 alice host-a 1700000000 0 192.0.2.1
		utrec 7 200 pts/1 ts/1 bob host-b 1700000100 0 192.0.2.2
		utrec 8 200 pts/1 ts/1 "" "" 1700000160 500000
		utrec 8 100 pts/0 ts/0 "" "" 1700003661 0
		utrec 8 300 pts/7 ts/7 "" "" 1700003700 0
	} > "$BATS_TEST_TMPDIR/wtmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	run -0 sqlite3 "$DB" "SELECT user, pid, json_extract(extra, '\$.login_time'),
	    json_extract(extra, '\$.duration_s'), message FROM events
	    WHERE time_desc = 'logout' ORDER BY origin_offset"
	assert_output "bob|200|2023-11-14T22:15:00.000000Z|60|logout of bob on pts/1 after 1m00s
alice|100|2023-11-14T22:13:20.000000Z|3661|logout of alice on pts/0 after 1h01m01s
|300|||end of process 300 on pts/7"
}

@test "a boot ends the sessions still open" {
	{
		utrec 7 100 pts/0 ts/0 alice host-a 1700000000 0
		utrec 2 0 '~' '~~' reboot 6.1.0 1700000500 0
		utrec 8 100 pts/0 ts/0 "" "" 1700000600 0
	} > "$BATS_TEST_TMPDIR/wtmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	run -0 sqlite3 "$DB" "SELECT user IS NULL, extra FROM events WHERE time_desc = 'logout'"
	assert_output '1|{"type":"DEAD_PROCESS","line":"pts/0","id":"ts/0","session":0}'
}

@test "garbage records are problems at their offset, the good records kept: status 2" {
	{
		utrec 7 100 pts/0 ts/0 alice host-a 1700000000 0
		head -c 384 /dev/zero | tr '\0' 'A'
		utrec 7 101 pts/1 ts/1 "$(printf 'b\377\376b')" host 1700000001 0
		printf 'a partial record'
	} > "$BATS_TEST_TMPDIR/wtmp"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	run -0 sqlite3 "$DB" "SELECT message FROM problems ORDER BY id"
	assert_output "offset 384: unknown record type 16705
offset 1152: partial record of 16 bytes at the end"
	run -0 sqlite3 "$DB" "SELECT origin_offset, user FROM events ORDER BY origin_offset"
	assert_output "0|alice
768|b??b"
	assert_equal "$(sqlite3 "$DB" 'SELECT state FROM runs')" partial
}

@test "10 MB of random bytes fit no utmp layout: refused with one problem, no event, status 2" {
	head -c 10000000 /dev/urandom > "$BATS_TEST_TMPDIR/wtmp"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$stderr" "spoor-timeline: 1 problem skipped (partial results); see the case's problems table"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 0
	run -0 sqlite3 "$DB" "SELECT message FROM problems"
	assert_output --partial "no known utmp layout"
}

@test "lastlog: one login per uid that logged in, the uid as user" {
	{
		llrec 1773486161 pts/0 203.0.113.66
		llrec 0 "" ""
		llrec 1773479523 pts/1 198.51.100.7
		printf 'xyz'
	} > "$BATS_TEST_TMPDIR/lastlog"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact lastlog "$BATS_TEST_TMPDIR/lastlog"
	run -0 sqlite3 "$DB" "SELECT time_ns / 1000000000, time_desc, artifact, user, extra,
	    origin_offset FROM events ORDER BY origin_offset"
	assert_output '1773486161|login|lastlog|0|{"uid":0,"line":"pts/0","host":"203.0.113.66"}|0
1773479523|login|lastlog|2|{"uid":2,"line":"pts/1","host":"198.51.100.7"}|584'
	assert_equal "$(sqlite3 "$DB" 'SELECT message FROM problems')" \
	    "offset 876: partial record of 3 bytes at the end"
}

# ---- the reference intrusion ----

scenario_db() {
	need "$SCENARIO/web01.E01" "$SCENARIO/scenario.env"
	. "$SCENARIO/scenario.env"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifacts utmp "$SCENARIO/web01.E01"
}

@test "scenario: deploy logs in over SSH at 09:12:03 from 198.51.100.7" {
	scenario_db
	run -0 sqlite3 "$DB" "SELECT time_ns / 1000000000, artifact, user,
	    json_extract(extra, '\$.line'), json_extract(extra, '\$.address'), origin
	    FROM events WHERE time_desc = 'login' AND time_ns >= $SCENARIO_DAY_START * 1000000000
	    AND user = 'deploy'"
	assert_output "$T_DEPLOY_LOGIN|wtmp|deploy|pts/0|$ADMIN_IP|/var/log/wtmp"
	assert_equal "$(date -ud @"$T_DEPLOY_LOGIN" +%T)" 09:12:03
}

@test "scenario: deploy's logout carries the login time and the session's length" {
	scenario_db
	spoor-cat "$SCENARIO/web01.E01" /var/log/wtmp > "$BATS_TEST_TMPDIR/wtmp"
	login=$(dump_us "$BATS_TEST_TMPDIR/wtmp" "^\[7\] .*\[deploy .*\[$SCENARIO_DAY")
	logout=$(dump_us "$BATS_TEST_TMPDIR/wtmp" "^\[8\] .*\[$SCENARIO_DAY")
	run -0 sqlite3 "$DB" "SELECT time_ns / 1000, user,
	    json_extract(extra, '\$.login_time'), json_extract(extra, '\$.duration_s')
	    FROM events WHERE time_desc = 'logout' AND user = 'deploy'
	    AND time_ns >= $SCENARIO_DAY_START * 1000000000"
	assert_output "$logout|deploy|$(date -ud @$((login / 1000000)) +%FT%T).$(printf %06d $((login % 1000000)))Z|$(((logout - login) / 1000000))"
	assert_equal "$((logout / 1000000))" "$T_DEPLOY_LOGOUT"
}

@test "scenario: root logs in at 11:02:41 on pts/0 from 203.0.113.66" {
	scenario_db
	run -0 sqlite3 "$DB" "SELECT time_ns / 1000000000, user, pid,
	    json_extract(extra, '\$.line'), json_extract(extra, '\$.host'),
	    json_extract(extra, '\$.address') FROM events
	    WHERE time_desc = 'login' AND user = 'root'"
	assert_output "$T_ROOT_LOGIN|root|2398|pts/0|$ATTACKER_IP|$ATTACKER_IP"
	assert_equal "$(date -ud @"$T_ROOT_LOGIN" +%T)" 11:02:41
	spoor-cat "$SCENARIO/web01.E01" /var/log/wtmp > "$BATS_TEST_TMPDIR/wtmp"
	login=$(dump_us "$BATS_TEST_TMPDIR/wtmp" "^\[7\] .*\[root ")
	logout=$(dump_us "$BATS_TEST_TMPDIR/wtmp" "^\[8\] \[02398\]")
	assert_equal "$(sqlite3 "$DB" "SELECT time_ns / 1000000000, json_extract(extra, '\$.duration_s')
	    FROM events WHERE time_desc = 'logout' AND user = 'root'")" \
	    "$T_ROOT_LOGOUT|$(((logout - login) / 1000000))"
}

@test "scenario: the boot of the day is a boot event at T_BOOT" {
	scenario_db
	run -0 sqlite3 "$DB" "SELECT time_ns / 1000000000, user, json_extract(extra, '\$.host')
	    FROM events WHERE artifact = 'wtmp' AND time_desc = 'boot'"
	assert_output "$T_BOOT|reboot|6.1.0-31-amd64"
}

@test "tty is utmpdump's line, but the '~' of boot and runlevel records" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$UTMP/plaso_utmp"
	expected=$(utmpdump_records "$UTMP/plaso_utmp" | awk -F'|' '{ print ($5 == "~" ? "" : $5) }')
	[ "$(echo "$expected" | grep -c .)" -gt 0 ]
	assert_equal "$(sqlite3 "$DB" "SELECT coalesce(tty, '') FROM events ORDER BY origin_offset")" \
	    "$expected"
}

@test "a boot record starts a boot: its id carried to the records after it, two boots two ids" {
	{
		utrec 2 0 '~' '~~' reboot 5.15.0 1700000000 0
		utrec 7 777 pts/0 ts/0 alice 10.0.0.1 1700000100 0 10.0.0.1
		utrec 8 777 pts/0 ts/0 '' '' 1700000200 0
		utrec 2 0 '~' '~~' reboot 5.15.0 1700086400 0
		utrec 7 777 pts/0 ts/0 bob 10.0.0.2 1700086500 0 10.0.0.2
	} > "$BATS_TEST_TMPDIR/wtmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	run -0 sqlite3 "$DB" "SELECT time_desc, coalesce(pid, '-'), boot_id, coalesce(tty, '-')
	    FROM events ORDER BY origin_offset"
	assert_output "boot|-|boot@2023-11-14T22:13:20Z|-
login|777|boot@2023-11-14T22:13:20Z|pts/0
logout|777|boot@2023-11-14T22:13:20Z|pts/0
boot|-|boot@2023-11-15T22:13:20Z|-
login|777|boot@2023-11-15T22:13:20Z|pts/0"
}

@test "records before the first boot record have no boot id; ut_session is the session" {
	{
		perl -e 'print pack("s x2 l a32 a4 a32 a256 s s l l l a16 x20",
		    7, 555, "tty1", "1", "carol", "", 0, 0, 4242, 1700000100, 0, "\0" x 16)'
	} > "$BATS_TEST_TMPDIR/wtmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(sqlite3 "$DB" "SELECT coalesce(boot_id, '-'), session, tty FROM events")" \
	    "-|4242|tty1"
}
