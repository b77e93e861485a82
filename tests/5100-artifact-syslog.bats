#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline --artifact syslog: BSD (RFC 3164), RFC 5424 and rsyslog
# lines, one event each, typed when they are auth or cron messages;
# checked against plaso's expectations (SOURCES.md), date(1) and the
# reference intrusion web01.

load helpers/common

SYSLOG=$TESTDATA/logs/syslog

# Load file $1 as syslog into $db with status $2 (the file is copied and
# its mtime set to $3 when given, for year-less lines).
load_syslog() {
	local f=$1 status=$2 mtime=${3:-}
	need "$f"
	db=$BATS_TEST_TMPDIR/case.db
	rm -f "$db" "$db"-*
	if [ -n "$mtime" ]; then
		if [ "$(dirname "$f")" != "$BATS_TEST_TMPDIR" ]; then
			cp "$f" "$BATS_TEST_TMPDIR/$(basename "$f")"
			f=$BATS_TEST_TMPDIR/$(basename "$f")
		fi
		touch -d "$mtime" "$f"
	fi
	run -"$status" --separate-stderr spoor-timeline -c "$db" --artifact syslog "$f"
}

q() {
	sqlite3 "$db" "$1"
}

# Seconds since the epoch of a UTC date, by date(1).
utc() {
	date -u -d "$1" +%s
}

# Load the scenario's logs from web01.E01 (syslog parser only).
load_scenario() {
	need "$SCENARIO/web01.E01" "$SCENARIO/scenario.env"
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	rm -f "$db" "$db"-*
	run -0 --separate-stderr spoor-timeline -c "$db" --artifacts syslog "$SCENARIO/web01.E01"
}

# The time of the auth.log line matching $1 as spoor-cat shows it, by date(1).
auth_log_time() {
	local line
	line=$(spoor-cat "$SCENARIO/web01.E01" /var/log/auth.log | grep -F -- "$1" | head -1)
	[ -n "$line" ] || fail "no auth.log line with '$1'"
	utc "$SCENARIO_DAY ${line:7:8}"
}

# ---- plaso's expectations ----

@test "plaso syslog: 16 events and 1 problem (the MMM month), status 2" {
	load_syslog "$SYSLOG/plaso_syslog" 2
	assert_equal "$(q 'SELECT count(*) FROM events')" 16
	assert_equal "$(q 'SELECT message FROM problems')" "line 8: bad month"
	assert_equal "$(q 'SELECT state FROM runs')" partial
}

@test "plaso syslog entry 0: host, program, pid, message and time" {
	load_syslog "$SYSLOG/plaso_syslog" 2 "2012-12-31 12:00:00 UTC"
	run -0 q "SELECT time_ns / 1000000000, artifact, time_desc, host, pid, message,
	    json_extract(extra, '$.program') FROM events ORDER BY origin_line LIMIT 1"
	assert_output "$(utc '2012-01-22 07:52:33')|syslog|entry|myhostname.myhost.com|30840|INFO No new content in ímynd.dd.|client"
}

@test "plaso syslog entry 9: fractional seconds are kept" {
	load_syslog "$SYSLOG/plaso_syslog" 2 "2012-12-31 12:00:00 UTC"
	run -0 q "SELECT time_ns, json_extract(extra, '$.program'), message FROM events
	    WHERE origin_line = 11"
	assert_output "$(utc '2012-03-23 23:01:18')123000000|somrandomexe|This syslog message has a fractional value for seconds."
}

@test "a year-less line takes the mtime's year, the year before for a later month" {
	load_syslog "$SYSLOG/plaso_syslog" 2 "2013-02-01 00:00:00 UTC"
	assert_equal "$(q 'SELECT time_ns / 1000000000 FROM events WHERE origin_line = 1')" "$(utc '2013-01-22 07:52:33')"
	assert_equal "$(q 'SELECT time_ns / 1000000000 FROM events WHERE origin_line = 9')" "$(utc '2012-12-18 17:54:32')"
	assert_equal "$(q "SELECT DISTINCT json_extract(extra, '$.year_inferred') || ' ' || json_extract(extra, '$.zone') FROM events")" "1 UTC assumed"
}

@test "Feb 29 goes back to the last leap year" {
	load_syslog "$SYSLOG/plaso_syslog" 2 "2013-06-01 00:00:00 UTC"
	assert_equal "$(q 'SELECT time_ns / 1000000000, host IS NULL, message FROM events WHERE origin_line = 7')" \
	    "$(utc '2012-02-29 01:15:43')|1|--- testing leap year in parsing, events take place in 2012 ---"
}

@test "a continuation line (TAB) is merged into the record before it" {
	load_syslog "$SYSLOG/plaso_syslog" 2
	assert_equal "$(q 'SELECT count(*) FROM events WHERE origin_line = 14')" 0
	assert_equal "$(q 'SELECT message FROM events WHERE origin_line = 13')" \
	    "This is a multi-line message that screws up"$'\n\t'"many syslog parsers."
}

@test "plaso cron log: 9 cron exec events; entry 1 is root's sleep command" {
	load_syslog "$SYSLOG/plaso_syslog_cron.log" 0 "2016-12-31 00:00:00 UTC"
	assert_equal "$(q "SELECT count(*) FROM events WHERE artifact = 'cron' AND time_desc = 'exec' AND user = 'root'")" 9
	assert_equal "$(q 'SELECT count(*) FROM problems')" 0
	run -0 q "SELECT time_ns / 1000000000, host, json_extract(extra, '$.command') FROM events WHERE origin_line = 2"
	assert_output "$(utc '2016-03-11 19:26:39')|osx-machine|sleep \$(( 1 * 60 )); touch /tmp/afile.txt"
}

@test "plaso rsyslog: 5 events; entry 0 localhost rsyslogd at 00:00:45.698463" {
	load_syslog "$SYSLOG/plaso_syslog_rsyslog" 0
	assert_equal "$(q 'SELECT count(*) FROM events')" 5
	run -0 q "SELECT time_ns, host, json_extract(extra, '$.program'), message FROM events WHERE origin_line = 1"
	assert_output "$(utc '2020-05-31 00:00:45')698463000|localhost|rsyslogd|message repeated 76 times: [-- MARK --]"
	assert_equal "$(q "SELECT count(*) FROM events WHERE extra LIKE '%year_inferred%'")" 0
}

@test "plaso RFC 5424: 9 events; entry 0 user.debug from log_tag, msgid 123" {
	load_syslog "$SYSLOG/plaso_syslog_rsyslog_SyslogProtocol23Format" 0
	assert_equal "$(q 'SELECT count(*) FROM events')" 9
	assert_equal "$(q 'SELECT count(*) FROM problems')" 0
	run -0 q "SELECT time_ns, host, json_extract(extra, '$.program'), json_extract(extra, '$.facility'),
	    json_extract(extra, '$.severity'), json_extract(extra, '$.msgid'), message FROM events WHERE origin_line = 1"
	assert_output "$(utc '2021-03-06 04:07:38')251122000|hostname|log_tag|user|debug|123|this is debug"
	assert_equal "$(q 'SELECT message FROM events WHERE origin_line = 2')" "this is info"$'\n'"with another line"
}

@test "plaso sshd log: 9 events; entry 1 plaso's publickey login with the RSA key" {
	load_syslog "$SYSLOG/plaso_syslog_ssh.log" 0 "2016-12-31 00:00:00 UTC"
	assert_equal "$(q 'SELECT count(*) FROM events')" 9
	run -0 q "SELECT time_ns / 1000000000, artifact, time_desc, user, json_extract(extra, '$.method'),
	    json_extract(extra, '$.source_ip'), json_extract(extra, '$.source_port'),
	    json_extract(extra, '$.key_type'), json_extract(extra, '$.key_fingerprint')
	    FROM events WHERE origin_line = 2"
	assert_output "$(utc '2016-03-11 19:26:39')|auth|login|plaso|publickey|192.168.0.1|59229|RSA|00:aa:bb:cc:dd:ee:ff:11:22:33:44:55:66:77:88:99"
}

@test "plaso sshd log entry 3: a failed login from an IPv6 address" {
	load_syslog "$SYSLOG/plaso_syslog_ssh.log" 0 "2016-12-31 00:00:00 UTC"
	run -0 q "SELECT time_ns / 1000000000, time_desc, user, json_extract(extra, '$.source_ip'),
	    json_extract(extra, '$.source_port') FROM events WHERE origin_line = 4"
	assert_output "$(utc '2016-03-11 22:55:30')|login_failed|plaso|001:db8:a0b:12f0::1|8759"
	assert_equal "$(q "SELECT artifact || ' ' || time_desc || ' ' || message FROM events WHERE origin_line = 5")" \
	    "syslog entry Connection from 188.124.3.41 port 32889"
}

# ---- typed auth messages ----

@test "sshd invalid users are failed logins" {
	printf '%s\n' \
	    'Mar 14 08:00:01 web01 sshd[10]: Invalid user admin from 198.51.100.199 port 40612' \
	    'Mar 14 08:00:02 web01 sshd[10]: Failed password for invalid user admin from 198.51.100.199 port 40612 ssh2' \
	    > "$BATS_TEST_TMPDIR/auth.log"
	load_syslog "$BATS_TEST_TMPDIR/auth.log" 0 "2026-03-15 00:00:00 UTC"
	run -0 q "SELECT time_desc, user, json_extract(extra, '$.invalid_user'), json_extract(extra, '$.source_ip') FROM events ORDER BY origin_line"
	assert_output "login_failed|admin|1|198.51.100.199
login_failed|admin|1|198.51.100.199"
}

@test "pam_unix sessions open and close with the user, uid and opener" {
	printf '%s\n' \
	    'Mar 14 09:12:51 web01 sudo: pam_unix(sudo:session): session opened for user root(uid=0) by deploy(uid=1000)' \
	    'Mar 14 09:13:04 web01 sudo: pam_unix(sudo:session): session closed for user root' \
	    > "$BATS_TEST_TMPDIR/auth.log"
	load_syslog "$BATS_TEST_TMPDIR/auth.log" 0 "2026-03-15 00:00:00 UTC"
	run -0 q "SELECT artifact, time_desc, user, json_extract(extra, '$.service'), json_extract(extra, '$.uid'),
	    json_extract(extra, '$.by'), json_extract(extra, '$.by_uid') FROM events ORDER BY origin_line"
	assert_output "auth|session_open|root|sudo|0|deploy|1000
auth|session_close|root|sudo|||"
}

@test "su lines are su events of the invoking user" {
	printf '%s\n' \
	    'Mar 14 09:20:00 web01 su[50]: (to root) deploy on pts/0' \
	    'Mar 14 09:20:01 web01 su[51]: Successful su for root by deploy' \
	    'Mar 14 09:20:02 web01 su[52]: FAILED SU (to root) deploy on pts/1' \
	    > "$BATS_TEST_TMPDIR/auth.log"
	load_syslog "$BATS_TEST_TMPDIR/auth.log" 0 "2026-03-15 00:00:00 UTC"
	run -0 q "SELECT time_desc, user, json_extract(extra, '$.target_user'), json_extract(extra, '$.tty'),
	    json_extract(extra, '$.result') FROM events ORDER BY origin_line"
	assert_output "su|deploy|root|pts/0|
su|deploy|root||
su|deploy|root|pts/1|failed"
}

@test "useradd, usermod and passwd lines are user changes" {
	printf '%s\n' \
	    "Mar 14 10:50:00 web01 useradd[60]: new user: name=backup2, UID=1001, GID=1001, home=/home/backup2, shell=/bin/bash, from=/dev/pts/0" \
	    "Mar 14 10:50:01 web01 usermod[61]: add 'backup2' to group 'sudo'" \
	    "Mar 14 10:50:02 web01 passwd[62]: pam_unix(passwd:chauthtok): password changed for backup2" \
	    > "$BATS_TEST_TMPDIR/auth.log"
	load_syslog "$BATS_TEST_TMPDIR/auth.log" 0 "2026-03-15 00:00:00 UTC"
	run -0 q "SELECT artifact, time_desc, user, json_extract(extra, '$.action') FROM events ORDER BY origin_line"
	assert_output "auth|user_change|backup2|useradd
auth|user_change|backup2|usermod
auth|user_change|backup2|password changed"
}

@test "a refused sudo keeps its reason" {
	printf '%s\n' \
	    'Mar 14 10:00:00 web01 sudo: www-data : user NOT in sudoers ; TTY=unknown ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh' \
	    > "$BATS_TEST_TMPDIR/auth.log"
	load_syslog "$BATS_TEST_TMPDIR/auth.log" 0 "2026-03-15 00:00:00 UTC"
	run -0 q "SELECT time_desc, user, json_extract(extra, '$.reason'), json_extract(extra, '$.command') FROM events"
	assert_output "sudo|www-data|user NOT in sudoers|/bin/sh"
}

# ---- the reference intrusion ----

@test "web01 step 1: deploy's password login from the admin address" {
	load_scenario
	run -0 q "SELECT time_ns, host, pid, json_extract(extra, '$.method'), json_extract(extra, '$.source_ip')
	    FROM events WHERE origin = '/var/log/auth.log' AND artifact = 'auth' AND time_desc = 'login' AND user = 'deploy'
	    AND time_ns / 1000000000 BETWEEN $SCENARIO_DAY_START AND $SCENARIO_DAY_START + 86399"
	assert_output "$((T_DEPLOY_LOGIN * 1000000000))|web01|1234|password|$ADMIN_IP"
	assert_equal "$T_DEPLOY_LOGIN" "$(auth_log_time 'Accepted password for deploy from 198.51.100.7 port 51234')"
}

@test "web01 step 1: deploy's sudo apt-get install php-gd" {
	load_scenario
	run -0 q "SELECT time_ns / 1000000000, json_extract(extra, '$.target_user'), json_extract(extra, '$.cwd'),
	    json_extract(extra, '$.tty') FROM events WHERE origin = '/var/log/auth.log' AND time_desc = 'sudo'
	    AND user = 'deploy' AND json_extract(extra, '$.command') = '/usr/bin/apt-get install php-gd'"
	assert_output "$(auth_log_time 'COMMAND=/usr/bin/apt-get install php-gd')|root|/home/deploy|pts/0"
	# sudo logs once the password is typed, seconds after its execve
	t=${output%%|*}
	[ "$t" -ge "$T_SUDO_APT" ] && [ "$t" -le $((T_SUDO_APT + 10)) ] ||
	    fail "sudo at $t, not within 10 s after T_SUDO_APT $T_SUDO_APT"
}

@test "web01 step 6: www-data's sudo tee into root's authorized_keys" {
	load_scenario
	run -0 q "SELECT time_ns, artifact, json_extract(extra, '$.target_user'), json_extract(extra, '$.cwd')
	    FROM events WHERE origin = '/var/log/auth.log' AND time_desc = 'sudo' AND user = 'www-data'
	    AND json_extract(extra, '$.command') = '/usr/bin/tee -a /root/.ssh/authorized_keys'"
	assert_output "$((T_SSH_KEY_ADDED * 1000000000))|auth|root|/var/www/html/uploads"
	assert_equal "$T_SSH_KEY_ADDED" "$(auth_log_time 'COMMAND=/usr/bin/tee -a /root/.ssh/authorized_keys')"
}

@test "web01 step 8: root's publickey login from the attacker with the new key" {
	load_scenario
	run -0 q "SELECT time_ns, json_extract(extra, '$.method'), json_extract(extra, '$.source_ip'),
	    json_extract(extra, '$.key_fingerprint') FROM events WHERE origin = '/var/log/auth.log'
	    AND time_desc = 'login' AND user = 'root'"
	assert_output "$((T_ROOT_LOGIN * 1000000000))|publickey|$ATTACKER_IP|$ATTACKER_KEY_FPR"
}

@test "web01: every line of auth.log and syslog is one event, no problems" {
	load_scenario
	for f in /var/log/auth.log /var/log/syslog; do
		assert_equal "$(q "SELECT count(*) FROM events WHERE origin = '$f'")" \
		    "$(spoor-cat "$SCENARIO/web01.E01" "$f" | wc -l)"
	done
	assert_equal "$(q 'SELECT count(*) FROM problems')" 0
}

# ---- hostile input ----

@test "garbage, a 10 MB line, NUL bytes and invalid UTF-8 are problems; good lines stay" {
	f=$BATS_TEST_TMPDIR/syslog
	{
		printf 'garbage that is no syslog line\n'
		printf 'Mar 14 09:00:00 web01 good[1]: first\n'
		head -c 10485760 /dev/zero | tr '\0' 'A'; printf '\n'
		printf 'Mar 14 09:00:01 web01 good[2]: second\n'
		printf '\0\0\0\0Mar 14 09:00:02 web01 good[3]: after NULs\n'
		printf 'Mar 14 09:00:03 web01 good[4]: bad \xff\xfe bytes\n'
		printf 'Mar 14 09:00:04 web01 good[5]: control\001 continuation:\n'
		printf '\001\002 binary \0 junk\n'
		printf 'Mar 99 09:00:05 web01 bad[6]: bad day\n'
		printf '<999>1 2026-03-14T09:00:06Z web01 bad - - - bad priority\n'
		printf 'Mar 14 09:00:07 web01 good[7]: last\n'
	} > "$f"
	load_syslog "$f" 2 "2026-03-15 00:00:00 UTC"
	run -0 q "SELECT message FROM problems ORDER BY id"
	assert_output "line 1: not a syslog line
line 3: line longer than 1048576 bytes
line 5: NUL bytes dropped
line 6: invalid UTF-8 kept as \\x escapes
line 8: not a syslog line
line 9: bad day
line 10: bad RFC 5424 header"
	run -0 q "SELECT pid || ' ' || message FROM events ORDER BY origin_line"
	assert_output "1 first
2 second
3 after NULs
4 bad \\xff\\xfe bytes
5 control"$'\001'" continuation:
7 last"
}

@test "an empty file gives no events and status 0" {
	: > "$BATS_TEST_TMPDIR/syslog"
	load_syslog "$BATS_TEST_TMPDIR/syslog" 0
	assert_equal "$(q 'SELECT count(*) FROM events')" 0
}

# ---- process identity ----

@test "a kernel banner starts a boot: a pid seen in two boots gets two boot ids" {
	printf '%s\n' \
	    'Mar 14 08:00:00 web01 kernel: [    0.000000] Linux version 5.15.0-91-generic (buildd@lcy02) #101-Ubuntu SMP' \
	    'Mar 14 08:00:00 web01 kernel: [    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1' \
	    'Mar 14 08:05:00 web01 sshd[812]: Server listening on 0.0.0.0 port 22.' \
	    'Mar 14 09:00:00 web01 kernel: [ 3300.123456] Linux version string in a message is no boot' \
	    'Mar 14 10:00:01 web01 kernel: Booting Linux on physical CPU 0x0000000000 [0x410fd083]' \
	    'Mar 14 10:00:01 web01 kernel: Linux version 6.1.0-18-arm64 (debian-kernel@lists.debian.org)' \
	    'Mar 14 10:05:00 web01 sshd[812]: Server listening on 0.0.0.0 port 22.' \
	    > "$BATS_TEST_TMPDIR/syslog"
	load_syslog "$BATS_TEST_TMPDIR/syslog" 0 "2026-03-15 00:00:00 UTC"
	run -0 q "SELECT origin_line, coalesce(pid, '-'), boot_id FROM events ORDER BY origin_line"
	assert_output "1|-|boot@2026-03-14T08:00:00Z
2|-|boot@2026-03-14T08:00:00Z
3|812|boot@2026-03-14T08:00:00Z
4|-|boot@2026-03-14T08:00:00Z
5|-|boot@2026-03-14T10:00:01Z
6|-|boot@2026-03-14T10:00:01Z
7|812|boot@2026-03-14T10:00:01Z"
}

@test "lines before any boot banner have no boot id; each host keeps its own boots" {
	printf '%s\n' \
	    'Mar 14 08:00:00 web01 sshd[812]: Server listening on 0.0.0.0 port 22.' \
	    'Mar 14 08:01:00 db01 kernel: Linux version 5.10.0-28-amd64' \
	    'Mar 14 08:02:00 web01 sshd[812]: Server listening on 0.0.0.0 port 22.' \
	    'Mar 14 08:03:00 db01 sshd[90]: Server listening on 0.0.0.0 port 22.' \
	    > "$BATS_TEST_TMPDIR/syslog"
	load_syslog "$BATS_TEST_TMPDIR/syslog" 0 "2026-03-15 00:00:00 UTC"
	run -0 q "SELECT host, coalesce(boot_id, '-') FROM events ORDER BY origin_line"
	assert_output "web01|-
db01|boot@2026-03-14T08:01:00Z
web01|-
db01|boot@2026-03-14T08:01:00Z"
}

@test "sudo's TTY= and PWD= give tty and cwd, su's 'on pts/1' the tty" {
	printf '%s\n' \
	    'Mar 14 09:12:51 web01 sudo: deploy : TTY=pts/0 ; PWD=/home/deploy/app ; USER=root ; COMMAND=/usr/bin/apt-get install php-gd' \
	    'Mar 14 09:13:00 web01 sudo: www-data : TTY=unknown ; PWD=/var/www ; USER=root ; COMMAND=/usr/bin/tee -a /root/.ssh/authorized_keys' \
	    'Mar 14 09:14:00 web01 su[900]: (to root) deploy on pts/1' \
	    'Mar 14 09:15:00 web01 sshd[901]: Accepted password for deploy from 192.0.2.9 port 50000 ssh2' \
	    > "$BATS_TEST_TMPDIR/auth.log"
	load_syslog "$BATS_TEST_TMPDIR/auth.log" 0 "2026-03-15 00:00:00 UTC"
	run -0 q "SELECT time_desc, coalesce(tty, '-'), coalesce(cwd, '-') FROM events ORDER BY origin_line"
	assert_output "sudo|pts/0|/home/deploy/app
sudo|-|/var/www
su|pts/1|-
login|-|-"
}
