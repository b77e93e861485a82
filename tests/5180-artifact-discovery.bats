#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Where artifacts are found: by path in a directory taken as a root,
# rotated and gzip-compressed logs, systemd enablement links, and the
# --artifacts filter.

load helpers/common

setup() {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/var/log" "$root/etc/systemd/system/multi-user.target.wants" "$root/home/eve"
	printf 'Mar 14 09:12:03 web01 sshd[1234]: Accepted password for deploy from 198.51.100.7 port 51234 ssh2\n' > "$root/var/log/auth.log"
	printf 'Mar 13 08:00:00 web01 sshd[999]: Failed password for root from 203.0.113.66 port 4000 ssh2\n' > "$BATS_TEST_TMPDIR/old"
	gzip -c "$BATS_TEST_TMPDIR/old" > "$root/var/log/auth.log.2.gz"
	printf 'Mar 12 07:00:00 web01 sshd[998]: Accepted publickey for eve from 192.0.2.9 port 4001 ssh2\n' > "$root/var/log/auth.log.1"
	touch -d '2026-03-14 12:00:00 UTC' "$root/var/log/auth.log" "$root/var/log/auth.log.1" "$root/var/log/auth.log.2.gz"
	printf '[Service]\nExecStart=/usr/local/bin/backdoor\n[Install]\nWantedBy=multi-user.target\n' > "$root/etc/systemd/system/evil.service"
	ln -s /etc/systemd/system/evil.service "$root/etc/systemd/system/multi-user.target.wants/evil.service"
	printf 'ls\n' > "$root/home/eve/.bash_history"
}

@test "a directory taken as a root: artifacts found by path, rotated and .gz logs included" {
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" "$root"
	run -0 sqlite3 "$db" "SELECT origin, time_desc, user, strftime('%Y-%m-%dT%H:%M:%S', time_ns / 1000000000, 'unixepoch') FROM events WHERE artifact = 'auth' ORDER BY time_ns"
	assert_output "/var/log/auth.log.1|login|eve|2026-03-12T07:00:00
/var/log/auth.log.2.gz|login_failed|root|2026-03-13T08:00:00
/var/log/auth.log|login|deploy|2026-03-14T09:12:03"
}

@test "an enabled systemd unit: the unit and its *.wants link" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$root" >/dev/null
	run -0 sqlite3 "$db" "SELECT json_extract(extra, '\$.kind'), json_extract(extra, '\$.unit'), json_extract(extra, '\$.wanted_by') FROM events WHERE artifact = 'persistence' ORDER BY json_extract(extra, '\$.kind')"
	assert_line "systemd|evil.service|multi-user.target"
	assert_line "systemd_enablement|evil.service|multi-user.target"
	assert_equal "$(sqlite3 "$db" "SELECT json_extract(extra, '\$.target') FROM events WHERE json_extract(extra, '\$.kind') = 'systemd_enablement'")" \
	    /etc/systemd/system/evil.service
}

@test "--artifacts limits the kinds parsed; none parses none" {
	db=$BATS_TEST_TMPDIR/a.db
	spoor-timeline -c "$db" --artifacts bash_history "$root" >/dev/null
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(DISTINCT artifact) FROM events WHERE artifact != 'fs'")" bash_history
	db=$BATS_TEST_TMPDIR/b.db
	spoor-timeline -c "$db" --artifacts none "$root" >/dev/null
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact != 'fs'")" 0
	run -64 --separate-stderr spoor-timeline -c "$db" --artifacts syslog,nope "$root"
	[[ "$stderr" == "spoor-timeline: unknown artifact 'nope'"* ]]
}

@test "every event of an artifact names its file and line" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$root" >/dev/null
	assert_equal "$(sqlite3 "$db" "SELECT e.origin = f.path, e.origin_line FROM events e JOIN files f ON f.id = e.origin_file_id WHERE e.artifact = 'auth' AND e.user = 'deploy'")" "1|1"
}

@test "--artifact KIND FILE reads a lone file, gzip included" {
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifact syslog "$root/var/log/auth.log.2.gz"
	assert_equal "$(sqlite3 "$db" "SELECT s.kind, e.time_desc, e.user FROM events e JOIN sources s ON s.id = e.source_id")" "file|login_failed|root"
	run -64 --separate-stderr spoor-timeline -c "$db" --artifact nope "$root/var/log/auth.log"
	[[ "$stderr" == "spoor-timeline: unknown artifact 'nope'"* ]]
}

@test "a truncated .gz log keeps what it holds and records the loss: status 2" {
	seq 1 20000 | sed 's/^/Mar 14 09:12:03 web01 cron[1]: line /' | gzip > "$BATS_TEST_TMPDIR/full.gz"
	head -c 20000 "$BATS_TEST_TMPDIR/full.gz" > "$BATS_TEST_TMPDIR/auth.log.3.gz"
	db=$BATS_TEST_TMPDIR/case.db
	run -2 --separate-stderr spoor-timeline -c "$db" --artifact syslog "$BATS_TEST_TMPDIR/auth.log.3.gz"
	kept=$(sqlite3 "$db" "SELECT count(*) FROM events")
	[ "$kept" -gt 100 ] && [ "$kept" -lt 20000 ]
	assert_equal "$kept" "$(zcat "$BATS_TEST_TMPDIR/auth.log.3.gz" 2>/dev/null | grep -c 'line [0-9]*$')"
	run -0 sqlite3 "$db" "SELECT message FROM problems"
	assert_output --partial "unexpected end of file; the records after it are lost"
}
