#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline judges what a source's persistence entries run and what
# its audited processes are called: a cron line, systemd unit or timer
# whose program lives in a temporary or hidden directory or that no
# package of the source's dpkg database lists is a detection (namespace
# persistence) on the program's path; an audited process named like a
# kernel thread that has an executable is one (namespace process) on its
# pid.  The hosts are directory trees (and an ext4 image of one) that the
# tests build, with a small dpkg database and an audit.log.

load helpers/common

setup() {
	db=$BATS_TEST_TMPDIR/case.db
	H=$BATS_TEST_TMPDIR/host
	mkdir -p "$H/etc/systemd/system" "$H/etc/cron.d" "$H/var/spool/cron/crontabs" \
	    "$H/var/lib/dpkg/info" "$H/var/lib/dpkg/alternatives" "$H/usr/bin" "$H/usr/sbin" \
	    "$H/usr/local/bin" "$H/var/log/audit"
	# packages: the programs they list, /bin/sh under its unmerged name
	printf '/.\n/bin\n/bin/sh\n/usr/bin\n/usr/bin/python3\n/usr/bin/logrotate-lite\n' \
	    >"$H/var/lib/dpkg/info/base.list"
	printf '/.\n/usr/sbin\n/usr/sbin/nginx\n/etc/cron.d/nginx-rotate\n' >"$H/var/lib/dpkg/info/nginx.list"
	printf 'd41d8cd98f00b204e9800998ecf8427e  usr/sbin/ntpd\n' >"$H/var/lib/dpkg/info/ntp.md5sums"
	printf 'auto\n/usr/bin/awk\nawk.1.gz\n/usr/share/man/man1/awk.1.gz\n\n/usr/bin/mawk\n5\n' \
	    >"$H/var/lib/dpkg/alternatives/awk"
	for f in usr/bin/python3 usr/bin/logrotate-lite usr/sbin/nginx usr/sbin/ntpd usr/sbin/netlogd; do
		cp /bin/true "$H/$f"
	done
}

q() {
	sqlite3 "$db" "$1"
}

load_host() {
	run -0 --separate-stderr spoor-timeline -c "$db" "${1:-$H}"
}

# The detections as "namespace name severity path".
found() {
	q "SELECT namespace || ' ' || name || ' ' || severity || ' ' || path FROM detections ORDER BY path, name, id"
}

unit() {
	printf '[Unit]\nDescription=%s\n\n[Service]\n%s\n\n[Install]\nWantedBy=multi-user.target\n' "$1" "$2" \
	    >"$H/etc/systemd/system/$1"
}

@test "a systemd unit whose ExecStart runs a file no package lists is a detection with its reason and an event; a unit running a packaged binary is not" {
	unit x.service 'ExecStart=/usr/sbin/netlogd --forward'
	unit web.service 'ExecStart=/usr/sbin/nginx -g "daemon off;"'
	unit time.service 'ExecStart=-/usr/sbin/ntpd -n'
	load_host
	assert_equal "$(found)" "persistence unpackaged_command medium /usr/sbin/netlogd"
	assert_equal "$(q "SELECT type || ' ' || target_kind || ' ' || reason FROM detections")" \
	    "heuristic file the systemd unit /etc/systemd/system/x.service runs /usr/sbin/netlogd: no package of the dpkg database lists it"
	# the file itself, and the entry that runs it
	assert_equal "$(q "SELECT f.path FROM detections d JOIN files f ON f.id = d.file_id")" "/usr/sbin/netlogd"
	assert_equal "$(q "SELECT json_extract(details, '\$.entry.kind') || ' ' || json_extract(details, '\$.entry.path') || ' ' ||
	    json_extract(details, '\$.entry.present') || ' ' || json_extract(details, '\$.technique') FROM detections")" \
	    "systemd /etc/systemd/system/x.service 1 T1543.002"
	assert_equal "$(q "SELECT count(*) FROM events e JOIN detections d ON d.event_id = e.id WHERE e.artifact = 'detection'
	    AND e.message LIKE 'heuristic persistence:unpackaged_command %' AND e.time_ns = d.time_ns")" 1
}

@test "ExecStartPre= and a timer's unit count: a program in /var/tmp or /dev/shm is flagged for the unit and for the timer that starts it" {
	unit x.service 'ExecStartPre=/var/tmp/.cache/upd --check
ExecStart=/usr/sbin/nginx'
	unit sync.service 'ExecStart=/dev/shm/sync -q'
	printf '[Timer]\nOnCalendar=hourly\nUnit=sync.service\n' >"$H/etc/systemd/system/hourly.timer"
	unit ok.service 'ExecStart=/usr/sbin/nginx'
	printf '[Timer]\nOnBootSec=5min\n' >"$H/etc/systemd/system/ok.timer"
	load_host
	assert_equal "$(found)" "persistence command_in_temp_dir high /dev/shm/sync
persistence command_in_temp_dir high /dev/shm/sync
persistence command_in_temp_dir high /var/tmp/.cache/upd"
	assert_equal "$(q "SELECT reason FROM detections WHERE reason LIKE 'the timer %'")" \
	    "the timer /etc/systemd/system/hourly.timer, through /etc/systemd/system/sync.service, runs /dev/shm/sync: it lives in /dev/shm, a world-writable temporary directory; no package of the dpkg database lists it"
	assert_equal "$(q "SELECT reason FROM detections WHERE path = '/var/tmp/.cache/upd'")" \
	    "the systemd unit /etc/systemd/system/x.service runs /var/tmp/.cache/upd: it lives in /var/tmp, a world-writable temporary directory; it is under the hidden name .cache; no package of the dpkg database lists it"
	assert_equal "$(q "SELECT json_extract(details, '\$.entry.kind') || ' ' || json_extract(details, '\$.technique') || ' ' || path
	    FROM detections ORDER BY 1, path")" "systemd T1543.002 /dev/shm/sync
systemd T1543.002 /var/tmp/.cache/upd
timer T1053.006 /dev/shm/sync"
}

@test "a cron.d line: the program is found past variable assignments, env and sh -c; packaged programs, under either /usr name, are not flagged" {
	cat >"$H/etc/cron.d/y" <<-'E'
	SHELL=/bin/sh
	*/5 * * * * root PATH=/usr/bin env -i LANG=C /bin/sh -c 'cd / && /tmp/.x/upd >/dev/null 2>&1'
	0 3 * * * root /usr/bin/logrotate-lite --quiet
	15 3 * * * root /usr/bin/sh /usr/bin/logrotate-lite 2>&1 | /usr/bin/awk '{print}' >>/var/log/rot.log
	E
	load_host
	assert_equal "$(found)" "persistence command_in_temp_dir high /tmp/.x/upd"
	assert_equal "$(q "SELECT reason FROM detections")" \
	    "the cron entry at /etc/cron.d/y line 2 (*/5 * * * *) runs /tmp/.x/upd: it lives in /tmp, a world-writable temporary directory; it is under the hidden name .x; no package of the dpkg database lists it"
	assert_equal "$(q "SELECT json_extract(details, '\$.entry.line') || ' ' || json_extract(details, '\$.entry.present') || ' ' || json_extract(details, '\$.technique') FROM detections")" \
	    "2 0 T1053.003"
}

@test "a program behind sh -c four and eight levels deep is found" {
	# each level one more "sh -c" around the next, quoted as a shell
	# needs it: '...' and "..." in turn, then bash's %q
	cat >"$H/etc/cron.d/deep" <<-'E'
	*/5 * * * * root sh -c "sh -c 'sh -c \"sh -c /tmp/.d/deep\"'"
	E
	local i line=/var/tmp/.e/deeper
	for i in $(seq 1 8); do
		line="sh -c $(printf '%q' "$line")"
	done
	printf '*/7 * * * * root %s\n' "$line" >>"$H/etc/cron.d/deep"
	# what a shell runs in the end
	printf '#!/bin/sh\necho reached\n' >"$BATS_TEST_TMPDIR/reached"
	chmod +x "$BATS_TEST_TMPDIR/reached"
	run -0 sh -c "${line//\/var\/tmp\/.e\/deeper/$BATS_TEST_TMPDIR/reached}"
	assert_output reached
	load_host
	assert_equal "$(found)" "persistence command_in_temp_dir high /tmp/.d/deep
persistence command_in_temp_dir high /var/tmp/.e/deeper"
}

@test "a user crontab: an @reboot program under a hidden directory is high, a script an interpreter runs from /tmp counts, the packaged interpreter does not" {
	printf '@reboot /var/lib/.sys/agent --daemon\n*/10 * * * * /usr/bin/python3 -u /tmp/poll.py\n' \
	    >"$H/var/spool/cron/crontabs/z"
	load_host
	assert_equal "$(found)" "persistence command_in_temp_dir high /tmp/poll.py
persistence command_in_hidden_dir high /var/lib/.sys/agent"
	assert_equal "$(q "SELECT reason FROM detections WHERE name = 'command_in_hidden_dir'")" \
	    "the cron entry at /var/spool/cron/crontabs/z line 1 (@reboot) runs /var/lib/.sys/agent: it is under the hidden name .sys; no package of the dpkg database lists it"
}

@test "programs nobody packages in /usr/local, /opt and a home are low; a cron file a package installed is not judged on ownership" {
	printf '0 2 * * * root /usr/local/bin/backup --all\n30 2 * * * root /opt/tool/bin/sync\n' >"$H/etc/cron.d/local"
	printf '0 * * * * /home/z/bin/poll\n' >"$H/var/spool/cron/crontabs/z"
	printf '0 0 * * * root /usr/lib/nginx/rotate-helper\n' >"$H/etc/cron.d/nginx-rotate"
	load_host
	assert_equal "$(found)" "persistence unpackaged_command low /home/z/bin/poll
persistence unpackaged_command low /opt/tool/bin/sync
persistence unpackaged_command low /usr/local/bin/backup"
	assert_equal "$(q "SELECT reason FROM detections WHERE path = '/usr/local/bin/backup'")" \
	    "the cron entry at /etc/cron.d/local line 1 (0 2 * * *) runs /usr/local/bin/backup: no package of the dpkg database lists it (locally installed software lives here too)"
}

@test "without a dpkg database only temporary and hidden directories count" {
	rm -rf "$H/var/lib/dpkg"
	unit x.service 'ExecStart=/usr/sbin/netlogd'
	unit y.service 'ExecStart=/tmp/y'
	load_host
	assert_equal "$(found)" "persistence command_in_temp_dir high /tmp/y"
	assert_equal "$(q "SELECT reason FROM detections")" \
	    "the systemd unit /etc/systemd/system/y.service runs /tmp/y: it lives in /tmp, a world-writable temporary directory"
}

@test "an ext4 image of the host gives the same persistence detections as the directory" {
	unit x.service 'ExecStart=/usr/sbin/netlogd'
	unit web.service 'ExecStart=/usr/sbin/nginx'
	printf '@reboot /tmp/.X11-unix/.x/kswapd0 -c /tmp/.X11-unix/.x/config.json >/dev/null 2>&1\n' \
	    >"$H/var/spool/cron/crontabs/www-data"
	mkdir -p "$H/tmp/.X11-unix/.x"
	cp /bin/true "$H/tmp/.X11-unix/.x/kswapd0"
	load_host
	want=$(found)
	assert_equal "$want" "persistence command_in_temp_dir high /tmp/.X11-unix/.x/kswapd0
persistence unpackaged_command medium /usr/sbin/netlogd"
	truncate -s 16M "$BATS_TEST_TMPDIR/host.ext4"
	mke2fs -q -F -t ext4 -I 256 -d "$H" "$BATS_TEST_TMPDIR/host.ext4"
	db=$BATS_TEST_TMPDIR/image.db
	load_host "$BATS_TEST_TMPDIR/host.ext4"
	assert_equal "$(found)" "$want"
	assert_equal "$(q "SELECT json_extract(details, '\$.target.fs') || ' ' || (inode > 0) || ' ' || (file_id > 0) FROM detections
	    WHERE name = 'command_in_temp_dir'")" "0 1 1"
}

# audit.log records: an execve of each process, and a kernel thread's
# write (no exe=, as the kernel writes for its own threads).
audit_log() {
	cat >"$H/var/log/audit/audit.log" <<-'E'
	type=SYSCALL msg=audit(1773484982.715:100): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=2301 pid=2304 auid=4294967295 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4294967295 comm="kswapd0" exe="/tmp/.x/kswapd0" key="exec"
	type=EXECVE msg=audit(1773484982.715:100): argc=3 a0="/tmp/.x/kswapd0" a1="-c" a2="/tmp/.x/config.json"
	type=SYSCALL msg=audit(1773484983.715:101): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=2310 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="dbus-helper" exe="/usr/bin/python3" key="exec"
	type=EXECVE msg=audit(1773484983.715:101): argc=2 a0="[kworker/0:2-events]" a1="/usr/share/x.py"
	type=SYSCALL msg=audit(1773484984.715:102): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=2311 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="ls" exe="/usr/bin/ls" key="exec"
	type=EXECVE msg=audit(1773484984.715:102): argc=2 a0="ls" a1="-l"
	type=SYSCALL msg=audit(1773484984.915:103): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=2312 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="watchdog" exe="/usr/sbin/watchdog" key="exec"
	type=EXECVE msg=audit(1773484984.915:103): argc=1 a0="/usr/sbin/watchdog"
	type=SYSCALL msg=audit(1773484985.715:104): arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=2 a2=3 a3=4 items=1 ppid=2 pid=77 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="kworker/0:1" key="w"
	type=PATH msg=audit(1773484985.715:104): item=0 name="/var/log/x" inode=5 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL
	type=SYSCALL msg=audit(1773484986.715:105): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=2 a2=16 a3=0 items=0 ppid=2301 pid=2304 auid=4294967295 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4294967295 comm="kswapd0" exe="/tmp/.x/kswapd0" key="net"
	E
}

@test "an audited process named like a kernel thread (comm or argv[0]) that has an executable is a detection on its pid; a kernel thread, watchdog and ls are not" {
	audit_log
	load_host
	assert_equal "$(q "SELECT namespace || ' ' || name || ' ' || severity || ' ' || target_kind || ' ' || pid || ' ' || path || ' ' ||
	    json_extract(details, '\$.target.name') || ' ' || json_extract(details, '\$.target.field') FROM detections ORDER BY pid")" \
	    "process kernel_thread_mimic high process 2304 /tmp/.x/kswapd0 kswapd0 comm
process kernel_thread_mimic high process 2310 /usr/bin/python3 [kworker/0:2-events] argv[0]"
	assert_equal "$(q "SELECT reason FROM detections WHERE pid = 2304")" \
	    "process 2304 is named kswapd0 (comm) like a kernel thread, but runs the executable /tmp/.x/kswapd0, in /tmp: kernel threads have none"
	assert_equal "$(q "SELECT e.pid || ' ' || e.exe || ' ' || strftime('%Y-%m-%dT%H:%M:%SZ', e.time_ns / 1000000000, 'unixepoch') FROM events e
	    JOIN detections d ON d.event_id = e.id WHERE d.pid = 2304")" "2304 /tmp/.x/kswapd0 2026-03-14T10:43:02Z"
}

@test "an audit.log loaded alone is judged too" {
	audit_log
	run -0 --separate-stderr spoor-timeline -c "$db" --artifact audit "$H/var/log/audit/audit.log"
	assert_equal "$(q "SELECT pid || ' ' || name FROM detections ORDER BY pid")" "2304 kernel_thread_mimic
2310 kernel_thread_mimic"
}

@test "names from the evidence are escaped in a reason" {
	printf '[Service]\nExecStart=/tmp/\033Mred\n' >"$H/etc/systemd/system/esc.service"
	load_host
	assert_equal "$(q "SELECT reason FROM detections")" \
	    'the systemd unit /etc/systemd/system/esc.service runs /tmp/\x1bMred: it lives in /tmp, a world-writable temporary directory; no package of the dpkg database lists it'
}

@test "scenario: the @reboot line running the miner from /tmp and the audited exec of kswapd0 are found" {
	need "$SCENARIO/web01.raw"
	run -0 --separate-stderr spoor-timeline -c "$db" --host web01 "$SCENARIO/web01.raw"
	assert_equal "$(q "SELECT namespace || ' ' || name || ' ' || target_kind || ' ' || ifnull(pid, '-') || ' ' || path FROM detections ORDER BY namespace")" \
	    "persistence command_in_temp_dir file - /tmp/.X11-unix/.x/kswapd0
process kernel_thread_mimic process 2304 /tmp/.X11-unix/.x/kswapd0"
	assert_equal "$(q "SELECT json_extract(details, '\$.entry.path') || ' ' || json_extract(details, '\$.entry.line') FROM detections WHERE namespace = 'persistence'")" \
	    "/var/spool/cron/crontabs/www-data 4"
}
