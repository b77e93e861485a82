#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline on a host whose logs were tampered with: each sign is a
# detection (type heuristic, namespace antiforensics) with its reason and
# an event on the timeline, and the same logs left alone give none.  The
# hosts are directory trees the tests build; login records are written by
# tests/fixtures/mkutmp.

load helpers/common

MKUTMP=$REPO/tests/fixtures/mkutmp

setup() {
	db=$BATS_TEST_TMPDIR/case.db
	H=$BATS_TEST_TMPDIR/host
	mkdir -p "$H/etc" "$H/var/log" "$H/root" "$H/home/deploy"
	printf 'root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:/bin/bash\n' >"$H/etc/passwd"
}

q() {
	sqlite3 "$db" "$1"
}

# wtmp FILE: the records of stdin (mkutmp's lines) into $H/var/log/FILE.
wtmp() {
	"$MKUTMP" >"$H/var/log/$1"
}

# Load the host; exit status 0 expected.
load_host() {
	run -0 --separate-stderr spoor-timeline -c "$db" "$H"
}

# The anti-forensics detections as "name|time (UTC ISO)|path".
findings() {
	q "SELECT name || '|' || strftime('%Y-%m-%dT%H:%M:%SZ', time_ns / 1000000000, 'unixepoch') || '|' || path
	    FROM detections WHERE namespace = 'antiforensics' ORDER BY time_ns, name"
}

@test "a zeroed wtmp record between two records is a detection with its offset and neighbours, and an event on the timeline" {
	wtmp wtmp <<-'E'
	BOOT 0 ~ reboot 6.1 2026-03-14T08:00:00Z
	USER 900 pts/0 deploy 198.51.100.7 2026-03-14T09:12:03Z
	ZERO
	DEAD 900 pts/0 - - 2026-03-14T09:30:00Z
	E
	load_host
	assert_equal "$(findings)" "utmp_zeroed_record|2026-03-14T09:12:03Z|/var/log/wtmp"
	assert_equal "$(q "SELECT type || ' ' || severity || ' ' || reason FROM detections")" \
	    "heuristic high 1 record at offset 768 of /var/log/wtmp is all zeros, between 2026-03-14T09:12:03Z and 2026-03-14T09:30:00Z: a login record overwritten in place, as log wipers do"
	assert_equal "$(q "SELECT count(*) FROM events e JOIN detections d ON d.event_id = e.id WHERE e.artifact = 'detection' AND e.message LIKE 'heuristic antiforensics:utmp_zeroed_record %'")" 1
	assert_equal "$(q "SELECT json_extract(details, '\$.namespace') || ' ' || json_extract(details, '\$.target.path') FROM detections")" \
	    "antiforensics /var/log/wtmp"
}

@test "zeroed records at the start of a btmp are one detection per run of zeros" {
	wtmp btmp <<-'E'
	ZERO
	ZERO
	6 1200 ssh:notty admin 203.0.113.66 2026-03-14T10:00:00Z
	ZERO
	6 1201 ssh:notty admin 203.0.113.66 2026-03-14T10:00:05Z
	E
	load_host
	assert_equal "$(findings)" "utmp_zeroed_record|2026-03-14T10:00:00Z|/var/log/btmp
utmp_zeroed_record|2026-03-14T10:00:00Z|/var/log/btmp"
	assert_equal "$(q "SELECT reason FROM detections ORDER BY id LIMIT 1")" \
	    "2 records at offset 0 of /var/log/btmp are all zeros, between the start and 2026-03-14T10:00:00Z: a login record overwritten in place, as log wipers do"
}

@test "an untouched wtmp with logins, logouts, a getty and a reboot gives no anti-forensics detection" {
	wtmp wtmp <<-'E'
	BOOT 0 ~ reboot 6.1 2026-03-14T08:00:00Z
	LOGIN 612 tty1 LOGIN - 2026-03-14T08:00:05Z
	USER 900 pts/0 deploy 198.51.100.7 2026-03-14T09:12:03Z
	DEAD 900 pts/0 - - 2026-03-14T09:30:00Z
	DEAD 900 pts/0 - - 2026-03-14T09:30:00Z
	DEAD 612 tty1 - - 2026-03-14T11:00:00Z
	E
	load_host
	assert_equal "$(findings)" ""
}

@test "a logout whose login record is gone, after a boot in the same wtmp, is a detection" {
	wtmp wtmp <<-'E'
	BOOT 0 ~ reboot 6.1 2026-03-14T08:00:00Z
	USER 900 pts/0 deploy 198.51.100.7 2026-03-14T09:12:03Z
	DEAD 900 pts/0 - - 2026-03-14T09:30:00Z
	DEAD 2411 pts/1 - - 2026-03-14T11:20:00Z
	E
	load_host
	assert_equal "$(findings)" "logout_without_login|2026-03-14T11:20:00Z|/var/log/wtmp"
	assert_equal "$(q "SELECT reason FROM detections")" \
	    "/var/log/wtmp: a logout on pts/1 (pid 2411) at 2026-03-14T11:20:00Z, and no login or any other record on pts/1 since the boot at 2026-03-14T08:00:00Z, which the file covers: the login record was removed"
}

@test "a logout without login in a wtmp with no boot before it is not a detection: its login may be in the rotated file" {
	wtmp wtmp <<-'E'
	DEAD 2411 pts/1 - - 2026-03-14T11:20:00Z
	USER 900 pts/0 deploy 198.51.100.7 2026-03-14T12:12:03Z
	E
	load_host
	assert_equal "$(findings)" ""
}

@test "a login lastlog records on a terminal that the wtmp covering its time lacks is a detection" {
	wtmp wtmp <<-'E'
	BOOT 0 ~ reboot 6.1 2026-03-14T08:00:00Z
	USER 900 pts/0 deploy 198.51.100.7 2026-03-14T09:12:03Z
	DEAD 900 pts/0 - - 2026-03-14T09:30:00Z
	USER 901 pts/0 deploy 198.51.100.7 2026-03-14T12:00:00Z
	E
	"$MKUTMP" --lastlog >"$H/var/log/lastlog" <<-'E'
	0 pts/1 203.0.113.66 2026-03-14T11:02:41Z
	1000 pts/0 198.51.100.7 2026-03-14T12:00:00Z
	E
	load_host
	assert_equal "$(findings)" "login_missing_from_wtmp|2026-03-14T11:02:41Z|/var/log/wtmp"
	assert_equal "$(q "SELECT reason FROM detections")" \
	    "/var/log/lastlog records a login of root on pts/1 at 2026-03-14T11:02:41Z, and /var/log/wtmp, which holds records from 2026-03-14T08:00:00Z on, has no login of root within 120 s of it: the wtmp record was removed"
}

@test "a login on a terminal that audit records and wtmp lacks is a detection; one before wtmp begins is not" {
	wtmp wtmp <<-'E'
	BOOT 0 ~ reboot 6.1 2026-03-14T08:00:00Z
	USER 900 pts/0 deploy 198.51.100.7 2026-03-14T09:12:03Z
	DEAD 900 pts/0 - - 2026-03-14T13:00:00Z
	E
	mkdir -p "$H/var/log/audit"
	cat >"$H/var/log/audit/audit.log" <<-'E'
	type=USER_LOGIN msg=audit(1773470000.000:10): pid=700 uid=0 auid=0 ses=1 msg='op=login id=0 exe="/usr/sbin/sshd" hostname=? addr=192.0.2.9 terminal=/dev/pts/3 res=success'
	type=USER_LOGIN msg=audit(1773486161.000:11): pid=2410 uid=0 auid=0 ses=7 msg='op=login id=0 exe="/usr/sbin/sshd" hostname=? addr=203.0.113.66 terminal=/dev/pts/1 res=success'
	type=USER_LOGIN msg=audit(1773479523.000:12): pid=899 uid=0 auid=1000 ses=3 msg='op=login id=1000 exe="/usr/sbin/sshd" hostname=? addr=198.51.100.7 terminal=/dev/pts/0 res=success'
	E
	load_host
	assert_equal "$(findings)" "login_missing_from_wtmp|2026-03-14T11:02:41Z|/var/log/wtmp"
}

@test "a shell history replaced by a link to /dev/null is a detection" {
	ln -s /dev/null "$H/root/.bash_history"
	printf 'ls\n' >"$H/home/deploy/.bash_history"
	load_host
	assert_equal "$(q "SELECT name || '|' || path || '|' || reason FROM detections")" \
	    "history_to_dev_null|/root/.bash_history|/root/.bash_history is a link to /dev/null: the shell's history goes nowhere"
}

@test "an empty history last written inside its user's session is a detection; one written at the logout is not" {
	wtmp wtmp <<-'E'
	BOOT 0 ~ reboot 6.1 2026-03-14T08:00:00Z
	USER 900 pts/0 deploy 198.51.100.7 2026-03-14T09:12:03Z
	USER 2411 pts/1 root 203.0.113.66 2026-03-14T11:02:41Z
	DEAD 900 pts/0 - - 2026-03-14T09:30:00Z
	DEAD 2411 pts/1 - - 2026-03-14T11:40:00Z
	E
	: >"$H/root/.bash_history"
	touch -d 2026-03-14T11:05:00Z "$H/root/.bash_history"
	: >"$H/home/deploy/.bash_history"
	touch -d 2026-03-14T09:30:00Z "$H/home/deploy/.bash_history"
	load_host
	assert_equal "$(findings)" "history_truncated|2026-03-14T11:05:00Z|/root/.bash_history"
	assert_equal "$(q "SELECT reason FROM detections")" \
	    "/root/.bash_history is empty and was last written at 2026-03-14T11:05:00Z, inside the session of root from 2026-03-14T11:02:41Z to 2026-03-14T11:40:00Z: a shell writes its history at the end of a session, so it was emptied during one"
}

# audit N FROM TO: syscall events with serials FROM..TO, one a second
# from 2026-03-14T10:00:00Z + FROM seconds.
audit_events() {
	local s
	for s in $(seq "$2" "$3"); do
		printf 'type=SYSCALL msg=audit(%d.000:%d): arch=c000003e syscall=59 success=yes exit=0 pid=%d uid=0 auid=0 ses=1 comm="ls" exe="/usr/bin/ls"\n' \
		    $((1773482400 + $1 + s)) "$s" $((3000 + s))
	done
}

@test "1500 audit serials missing with no daemon start between is a detection; gaps of 5 and 300 are not" {
	mkdir -p "$H/var/log/audit"
	{
		audit_events 0 1 50
		audit_events 0 56 80
		audit_events 0 381 400
		audit_events 0 1901 1920
	} >"$H/var/log/audit/audit.log"
	load_host
	assert_equal "$(findings)" "audit_serial_gap|2026-03-14T10:06:40Z|/var/log/audit/audit.log"
	assert_equal "$(q "SELECT reason FROM detections")" \
	    "/var/log/audit/audit.log: 1500 audit serials are missing between 400 (2026-03-14T10:06:40Z) and 1901 (2026-03-14T10:31:41Z), with no daemon start or boot between: records were removed (or lost by the kernel, which auditctl -s counts as lost)"
}

@test "audit serials that start over after a DAEMON_START are a reboot, not a detection" {
	mkdir -p "$H/var/log/audit"
	{
		audit_events 0 1000 1040
		printf 'type=DAEMON_START msg=audit(1773486000.000:7001): op=start ver=3.0.9 format=enriched kernel=6.1.0 auid=4294967295 pid=500 uid=0 ses=4294967295 res=success\n'
		audit_events 3700 1 30
	} >"$H/var/log/audit/audit.log"
	load_host
	assert_equal "$(findings)" ""
}

@test "audit serials that start over with no daemon start and no boot are a detection" {
	mkdir -p "$H/var/log/audit"
	{
		audit_events 0 1000 1040
		audit_events 1100 1 30
	} >"$H/var/log/audit/audit.log"
	load_host
	assert_equal "$(findings)" "audit_serial_restart|2026-03-14T10:18:21Z|/var/log/audit/audit.log"
}

# 25 files of the host modified at $1.
busy_after() {
	local i
	mkdir -p "$H/srv/data"
	for i in $(seq 1 25); do
		echo "$i" >"$H/srv/data/f$i"
		touch -d "$1" "$H/srv/data/f$i"
	done
}

@test "a syslog whose last entry is days before 25 files changed is a detection; its rotated predecessor is not" {
	printf 'Mar 14 10:42:17 web01 sshd[811]: Server listening on 0.0.0.0 port 22.\n' >"$H/var/log/syslog"
	printf 'Mar 10 10:42:17 web01 cron[1]: (root) CMD (true)\n' >"$H/var/log/syslog.1"
	touch -d 2026-03-20T00:00:00Z "$H/var/log/syslog"
	touch -d 2026-03-10T10:42:17Z "$H/var/log/syslog.1" "$H/etc/passwd"
	busy_after 2026-03-19T12:00:00Z
	load_host
	assert_equal "$(findings)" "log_stops_early|2026-03-14T10:42:17Z|/var/log/syslog"
	assert_equal "$(q "SELECT reason FROM detections")" \
	    "the last entry of /var/log/syslog is of 2026-03-14T10:42:17Z, but 25 files of the file system were modified more than 24 hours later, up to 2026-03-19T12:00:00Z (the 20th latest at 2026-03-19T12:00:00Z); the file itself was modified at 2026-03-20T00:00:00Z, after its last entry: the log stops before the host's other activity, as when its end was cut or logging was stopped"
}

@test "a syslog followed by activity within a day, or by fewer than 20 changed files, is not a detection" {
	printf 'Mar 14 10:42:17 web01 sshd[811]: Server listening on 0.0.0.0 port 22.\n' >"$H/var/log/syslog"
	touch -d 2026-03-14T10:42:17Z "$H/var/log/syslog"
	busy_after 2026-03-15T08:00:00Z
	find "$H" -exec touch -h -d 2026-03-14T10:00:00Z {} +
	touch -d 2026-03-14T10:42:17Z "$H/var/log/syslog"
	for i in $(seq 1 25); do touch -d 2026-03-15T08:00:00Z "$H/srv/data/f$i"; done
	load_host
	assert_equal "$(findings)" ""
	for i in $(seq 1 10); do touch -d 2026-03-30T00:00:00Z "$H/srv/data/f$i"; done
	rm -f "$db"
	load_host
	assert_equal "$(findings)" ""
}
