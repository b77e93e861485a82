#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline --artifact cron / systemd / ld_preload / authorized_keys:
# persistence entries dated by their file's modification time, checked
# against istat, ssh-keygen and the scenario's cron job and SSH key.

load helpers/common

iso() {
	echo "strftime('%Y-%m-%dT%H:%M:%SZ', $1 / 1000000000, 'unixepoch')"
}

# The modification time of path in the scenario's file system as istat
# prints it ("2026-03-14 10:44:30.243417795").
scenario_mtime() {
	local inode
	inode=$(ifind -o 2048 -n "$1" "$SCENARIO/web01.raw") || return 1
	istat -o 2048 "$SCENARIO/web01.raw" "$inode" | sed -n 's/^File Modified:[[:space:]]*\(.*\) (UTC)$/\1/p'
}

ns_text() {
	echo "strftime('%Y-%m-%d %H:%M:%S', $1 / 1000000000, 'unixepoch') || printf('.%09d', $1 % 1000000000)"
}

@test "scenario step 6: the @reboot line in www-data's spool crontab, at the crontab's mtime (istat)" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.E01" "$SCENARIO/web01.raw"
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifacts cron "$SCENARIO/web01.E01"
	run -0 sqlite3 "$db" "SELECT artifact, time_desc, user, exe, path, json_extract(extra, '\$.schedule'), json_extract(extra, '\$.command'),
	    json_extract(extra, '\$.time_source'), origin_line FROM events WHERE origin = '/var/spool/cron/crontabs/www-data' AND artifact = 'persistence'"
	assert_output "persistence|persistence|www-data|/tmp/.X11-unix/.x/kswapd0|/var/spool/cron/crontabs/www-data|@reboot|$MINER_CMDLINE >/dev/null 2>&1|mtime|4"
	assert_equal "$(sqlite3 "$db" "SELECT $(ns_text time_ns) FROM events WHERE origin = '/var/spool/cron/crontabs/www-data' AND artifact = 'persistence'")" \
	    "$(scenario_mtime /var/spool/cron/crontabs/www-data)"
	assert_equal "$(sqlite3 "$db" "SELECT time_ns / 1000000000 FROM events WHERE origin = '/var/spool/cron/crontabs/www-data' AND artifact = 'persistence'")" "$T_PERSIST"
}

@test "scenario step 6: the attacker's key in root's authorized_keys, fingerprint as in scenario.env" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.E01" "$SCENARIO/web01.raw"
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifacts authorized_keys "$SCENARIO/web01.E01"
	run -0 sqlite3 "$db" "SELECT artifact, time_desc, user, json_extract(extra, '\$.key_type'), json_extract(extra, '\$.fingerprint_sha256'),
	    time_ns / 1000000000 FROM events WHERE json_extract(extra, '\$.comment') = '$ATTACKER_KEY_COMMENT'"
	assert_output "persistence|key|root|ssh-ed25519|$ATTACKER_KEY_FPR|$T_SSH_KEY_ADDED"
	assert_equal "$(sqlite3 "$db" "SELECT $(ns_text time_ns) FROM events WHERE json_extract(extra, '\$.comment') = '$ATTACKER_KEY_COMMENT'")" \
	    "$(scenario_mtime /root/.ssh/authorized_keys)"
}

@test "authorized_keys: every key's fingerprint equals ssh-keygen -l, options and comments kept" {
	d=$BATS_TEST_TMPDIR/home/alice/.ssh
	mkdir -p "$d"
	ssh-keygen -q -t ed25519 -N '' -C 'a@one' -f "$BATS_TEST_TMPDIR/k1"
	ssh-keygen -q -t rsa -b 2048 -N '' -C 'b two words' -f "$BATS_TEST_TMPDIR/k2"
	ssh-keygen -q -t ecdsa -N '' -C '' -f "$BATS_TEST_TMPDIR/k3"
	{
		echo '# managed by hand'
		cat "$BATS_TEST_TMPDIR/k1.pub"
		printf 'command="echo \\"hi there\\"",no-pty,from="10.0.0.0/8" %s\n' "$(cat "$BATS_TEST_TMPDIR/k2.pub")"
		echo
		cat "$BATS_TEST_TMPDIR/k3.pub"
	} > "$d/authorized_keys"
	touch -d '2026-02-03 04:05:06 UTC' "$d/authorized_keys"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifact authorized_keys "$d/authorized_keys"
	run -0 sqlite3 "$db" "SELECT json_extract(extra, '\$.fingerprint_sha256') FROM events ORDER BY origin_line"
	assert_output "$(ssh-keygen -l -f "$d/authorized_keys" | awk '{ print $2 }')"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), time_desc, user, json_extract(extra, '\$.key_type'), ifnull(json_extract(extra, '\$.comment'), '-'),
	    ifnull(json_extract(extra, '\$.options'), '-'), origin_line FROM events ORDER BY origin_line"
	assert_output '2026-02-03T04:05:06Z|key|alice|ssh-ed25519|a@one|-|2
2026-02-03T04:05:06Z|key|alice|ssh-rsa|b two words|command="echo \"hi there\"",no-pty,from="10.0.0.0/8"|3
2026-02-03T04:05:06Z|key|alice|ecdsa-sha2-nistp256|-|-|5'
}

@test "cron: /etc/crontab has a user field; environment lines and comments are skipped" {
	mkdir -p "$BATS_TEST_TMPDIR/etc"
	f=$BATS_TEST_TMPDIR/etc/crontab
	printf '# comment\nSHELL=/bin/sh\nMAILTO = ops\n17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n@daily  backup /usr/local/bin/dump --all\n' > "$f"
	touch -d '2026-01-01 00:00:01 UTC' "$f"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifact cron "$f"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), time_desc, user, ifnull(exe, '-'), json_extract(extra, '\$.schedule'), json_extract(extra, '\$.command'), origin_line
	    FROM events ORDER BY origin_line"
	assert_output "2026-01-01T00:00:01Z|persistence|root|-|17 * * * *|cd / && run-parts --report /etc/cron.hourly|4
2026-01-01T00:00:01Z|persistence|backup|/usr/local/bin/dump|@daily|/usr/local/bin/dump --all|5"
}

@test "cron: a spool crontab belongs to the user it is named for" {
	mkdir -p "$BATS_TEST_TMPDIR/var/spool/cron/crontabs"
	f=$BATS_TEST_TMPDIR/var/spool/cron/crontabs/alice
	printf '*/5 * * * * /home/alice/bin/poll >/dev/null\n' > "$f"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifact cron "$f"
	run -0 sqlite3 "$db" "SELECT user, json_extract(extra, '\$.schedule'), json_extract(extra, '\$.line'), time_ns / 1000000000 FROM events"
	assert_output "alice|*/5 * * * *|*/5 * * * * /home/alice/bin/poll >/dev/null|$(stat -c %Y "$f")"
}

@test "systemd: a unit is one event with its ExecStart, User, WantedBy and Description" {
	mkdir -p "$BATS_TEST_TMPDIR/etc/systemd/system"
	f=$BATS_TEST_TMPDIR/etc/systemd/system/kworker.service
	cat > "$f" <<'UNIT'
# hidden miner
[Unit]
Description=Kernel worker
After=network.target

[Service]
Type=simple
User=www-data
ExecStart=-/tmp/.x/kswapd0 \
    -c /tmp/.x/config.json
Restart=always

[Install]
WantedBy=multi-user.target
WantedBy=default.target
UNIT
	touch -d '2026-03-14 10:44:31 UTC' "$f"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifact systemd "$f"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), artifact, time_desc, user, exe, path = '$f', json_extract(extra, '\$.unit'), json_extract(extra, '\$.exec_start'),
	    json_extract(extra, '\$.wanted_by'), json_extract(extra, '\$.description') FROM events WHERE artifact = 'persistence'"
	assert_output "2026-03-14T10:44:31Z|persistence|persistence|www-data|/tmp/.x/kswapd0|1|kworker.service|-/tmp/.x/kswapd0 -c /tmp/.x/config.json|multi-user.target default.target|Kernel worker"
}

@test "ld_preload: one event per library line at the file's mtime" {
	mkdir -p "$BATS_TEST_TMPDIR/etc"
	f=$BATS_TEST_TMPDIR/etc/ld.so.preload
	printf '/usr/local/lib/libhide.so\n\n  /lib/x86_64-linux-gnu/libprocesshider.so  \n' > "$f"
	touch -d '2026-03-14 10:50:00 UTC' "$f"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifact ld_preload "$f"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), time_desc, path, json_extract(extra, '\$.library'), origin_line FROM events ORDER BY origin_line"
	assert_output "2026-03-14T10:50:00Z|persistence|/usr/local/lib/libhide.so|/usr/local/lib/libhide.so|1
2026-03-14T10:50:00Z|persistence|/lib/x86_64-linux-gnu/libprocesshider.so|/lib/x86_64-linux-gnu/libprocesshider.so|3"
}

@test "cron: garbage, a 10 MB line, NUL bytes and invalid UTF-8 are problems with their line; good lines kept; status 2" {
	mkdir -p "$BATS_TEST_TMPDIR/var/spool/cron/crontabs"
	f=$BATS_TEST_TMPDIR/var/spool/cron/crontabs/bob
	{
		echo '@reboot /bin/good-one'
		echo 'this is not cron'
		head -c 10485760 /dev/zero | tr '\0' '1'; echo
		printf '@hourly /bin/n\000ul\n'
		printf '\377\376 \300\200\n'
		echo '@sometimes /bin/x'
		echo '1 2 3 4'
		printf '0 0 * * * /bin/caf\377\n'
	} > "$f"
	db=$BATS_TEST_TMPDIR/case.db
	run -2 --separate-stderr spoor-timeline -c "$db" --artifact cron "$f"
	run -0 sqlite3 "$db" "SELECT message FROM problems ORDER BY id"
	assert_output "line 2: not a crontab line
line 3: line longer than 1048576 bytes
line 4: NUL byte in line
line 5: not a crontab line
line 6: unknown schedule '@sometimes'
line 7: not a crontab line"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(origin_line, ' ') FROM (SELECT origin_line FROM events ORDER BY origin_line)")" "1 8"
	assert_equal "$(sqlite3 "$db" "SELECT state FROM runs")" partial
}

@test "authorized_keys: bad base64, a blob of another type and garbage are problems; good keys kept" {
	d=$BATS_TEST_TMPDIR/root/.ssh
	mkdir -p "$d"
	ssh-keygen -q -t ed25519 -N '' -C 'good' -f "$BATS_TEST_TMPDIR/k1"
	blob=$(awk '{ print $2 }' "$BATS_TEST_TMPDIR/k1.pub")
	{
		echo "ssh-ed25519 AAAA!!!notbase64 x"
		echo "ssh-rsa $blob claims rsa"
		printf 'garbage \377\376\n'
		printf 'ssh-ed25519 %s nul\000\n' "$blob"
		head -c 10485760 /dev/zero | tr '\0' 'A'; echo
		echo 'command="unterminated ssh-ed25519 AAAA'
		cat "$BATS_TEST_TMPDIR/k1.pub"
	} > "$d/authorized_keys"
	db=$BATS_TEST_TMPDIR/case.db
	run -2 --separate-stderr spoor-timeline -c "$db" --artifact authorized_keys "$d/authorized_keys"
	run -0 sqlite3 "$db" "SELECT message FROM problems ORDER BY id"
	assert_output "line 1: authorized key: bad base64
line 2: authorized key: key data is not a ssh-rsa key
line 3: not an authorized key
line 4: NUL byte in line
line 5: line longer than 1048576 bytes
line 6: not an authorized key: unbalanced quotes in options"
	run -0 sqlite3 "$db" "SELECT user, json_extract(extra, '\$.comment'), json_extract(extra, '\$.fingerprint_sha256'), origin_line FROM events"
	assert_output "root|good|$(ssh-keygen -l -f "$BATS_TEST_TMPDIR/k1.pub" | awk '{ print $2 }')|7"
}
