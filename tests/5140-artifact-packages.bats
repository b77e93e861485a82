#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline --artifact dpkg / apt_history: package changes from
# dpkg.log and apt's history.log, checked against plaso's expectations and
# the scenario's "sudo apt-get install php-gd".

load helpers/common

PKG=$TESTDATA/logs/packages

iso() {
	echo "strftime('%Y-%m-%dT%H:%M:%SZ', $1 / 1000000000, 'unixepoch')"
}

@test "dpkg: plaso's dpkg.log gives 4 events, no problem, entry 0 the conffile line" {
	need "$PKG/plaso_dpkg.log"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 --separate-stderr spoor-timeline -c "$db" --artifact dpkg "$PKG/plaso_dpkg.log"
	assert_output --partial "4 events"
	assert_equal "$stderr" ""
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM problems')" 0
	assert_equal "$(sqlite3 "$db" "SELECT $(iso time_ns), artifact, time_desc, message, origin_line FROM events ORDER BY time_ns LIMIT 1")" \
	    "2009-02-25T11:45:23Z|dpkg|entry|conffile /etc/X11/Xsession keep|1"
	assert_equal "$(sqlite3 "$db" "SELECT json_extract(extra, '\$.path') || ' ' || json_extract(extra, '\$.decision') FROM events WHERE origin_line = 1")" \
	    "/etc/X11/Xsession keep"
}

@test "dpkg: an install line is typed (package, arch, versions) and its local time is marked as UTC assumed" {
	need "$PKG/plaso_dpkg.log"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifact dpkg "$PKG/plaso_dpkg.log"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), time_desc, json_extract(extra, '\$.action'), json_extract(extra, '\$.package'),
	    json_extract(extra, '\$.arch'), ifnull(json_extract(extra, '\$.old_version'), 'none'), json_extract(extra, '\$.new_version'),
	    json_extract(extra, '\$.zone') FROM events WHERE origin_line = 3"
	assert_output "2016-08-06T17:35:39Z|install|install|base-passwd|amd64|none|3.5.33|UTC assumed"
	run -0 sqlite3 "$db" "SELECT time_desc, json_extract(extra, '\$.status') FROM events WHERE origin_line = 4"
	assert_output "entry|half-installed"
}

@test "dpkg: upgrade, remove and purge lines are upgrade and remove events" {
	db=$BATS_TEST_TMPDIR/case.db
	cat > "$BATS_TEST_TMPDIR/dpkg.log" <<'LOG'
2026-01-02 03:04:05 upgrade openssl:amd64 3.0.1 3.0.2
2026-01-02 03:04:06 remove nano:amd64 7.2-1 <none>
2026-01-02 03:04:07 purge nano:amd64 7.2-1 <none>
2026-01-02 03:04:08 configure openssl:amd64 3.0.2 <none>
LOG
	run -0 spoor-timeline -c "$db" --artifact dpkg "$BATS_TEST_TMPDIR/dpkg.log"
	run -0 sqlite3 "$db" "SELECT time_desc, json_extract(extra, '\$.action'), json_extract(extra, '\$.package'),
	    ifnull(json_extract(extra, '\$.old_version'), '-'), ifnull(json_extract(extra, '\$.new_version'), '-') FROM events ORDER BY origin_line"
	assert_output "upgrade|upgrade|openssl|3.0.1|3.0.2
remove|remove|nano|7.2-1|-
remove|purge|nano|7.2-1|-
entry|configure|openssl|3.0.2|-"
}

@test "apt_history: plaso's history.log gives 10 transactions, no problem" {
	need "$PKG/plaso_apt_history.log"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 --separate-stderr spoor-timeline -c "$db" --artifact apt_history "$PKG/plaso_apt_history.log"
	assert_output --partial "10 events"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM problems')" 0
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'apt_history'")" \
	    "$(grep -c '^Start-Date: ' "$PKG/plaso_apt_history.log")"
}

@test "apt_history: plaso's entry 0 (Install at 2019-07-11 12:20:55) has its command line, end and packages" {
	need "$PKG/plaso_apt_history.log"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifact apt_history "$PKG/plaso_apt_history.log"
	run -0 sqlite3 "$db" "SELECT time_desc, json_extract(extra, '\$.action'), json_extract(extra, '\$.command_line'),
	    json_extract(extra, '\$.end'), json_extract(extra, '\$.packages[0]'), json_extract(extra, '\$.packages[1]')
	    FROM events WHERE $(iso time_ns) = '2019-07-11T12:20:55Z'"
	assert_output "install|install|apt-get -y install python-pip python3-pip python-dev python3-dev git tmux screen joe|2019-07-11T12:21:28Z|libmpc3:amd64 (1.0.3-1+b2, automatic)|manpages:amd64 (4.10-2, automatic)"
	# every package of the Install: line, split at the commas between entries
	want=$(sed -n '/^Start-Date: 2019-07-11  12:20:55/,/^End-Date/p' "$PKG/plaso_apt_history.log" |
	    sed -n 's/^Install: //p' | grep -o '), ' | wc -l)
	assert_equal "$(sqlite3 "$db" "SELECT json_array_length(extra, '\$.packages') FROM events WHERE $(iso time_ns) = '2019-07-11T12:20:55Z'")" "$((want + 1))"
}

@test "apt_history: Requested-By is the user, Remove and Purge transactions are remove events" {
	need "$PKG/plaso_apt_history.log"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifact apt_history "$PKG/plaso_apt_history.log"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), time_desc, user, json_extract(extra, '\$.uid'), json_extract(extra, '\$.action')
	    FROM events WHERE user IS NOT NULL ORDER BY time_ns"
	assert_output "2019-07-12T04:08:31Z|install|jxs|1005|install
2019-07-12T04:12:20Z|remove|jxs|1005|remove
2019-07-12T04:12:51Z|remove|jxs|1005|purge
2019-07-12T04:16:39Z|install|jxs|1005|install
2019-07-12T04:19:26Z|remove|jxs|1005|remove"
	assert_equal "$(sqlite3 "$db" "SELECT time_desc FROM events WHERE $(iso time_ns) = '2019-07-10T16:38:08Z'")" upgrade
}

@test "scenario step 1: deploy's apt-get install php-gd is an apt_history install event by deploy" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.E01"
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifacts apt_history "$SCENARIO/web01.E01"
	run -0 sqlite3 "$db" "SELECT time_ns / 1000000000, time_desc, user, json_extract(extra, '\$.command_line')
	    FROM events WHERE artifact = 'apt_history' AND json_extract(extra, '\$.command_line') LIKE '%php-gd%'"
	IFS='|' read -r t desc user cmd <<<"$output"
	assert_equal "$desc|$user|$cmd" "install|deploy|apt-get install php-gd"
	# after deploy's sudo, before deploy logs out; the Start-Date of the log
	[ "$t" -ge "$T_SUDO_APT" ] && [ "$t" -le "$T_DEPLOY_LOGOUT" ] || fail "apt at $t, outside $T_SUDO_APT..$T_DEPLOY_LOGOUT"
	want=$(spoor-cat "$SCENARIO/web01.E01" /var/log/apt/history.log | grep -B2 'install php-gd' | sed -n 's/^Start-Date: //p')
	assert_equal "$(date -u -d "$want" +%s)" "$t"
	assert_equal "$(sqlite3 "$db" "SELECT json_extract(extra, '\$.packages') FROM events WHERE artifact = 'apt_history' AND time_ns / 1000000000 = $t")" \
	    '["libgd3:amd64 (2.3.3-9, automatic)","php8.2-gd:amd64 (8.2.29-1~deb12u1, automatic)","php-gd:all (2:8.2+93)"]'
}

@test "scenario step 1: dpkg.log records the install of php-gd inside that apt transaction" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.E01"
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifacts dpkg,apt_history "$SCENARIO/web01.E01"
	run -0 sqlite3 "$db" "SELECT json_extract(extra, '\$.package'), json_extract(extra, '\$.arch'), json_extract(extra, '\$.new_version')
	    FROM events WHERE artifact = 'dpkg' AND time_desc = 'install' AND time_ns / 1000000000 > $T_SUDO_APT ORDER BY time_ns, origin_line"
	assert_output "libgd3|amd64|2.3.3-9
php8.2-gd|amd64|8.2.29-1~deb12u1
php-gd|all|2:8.2+93"
	want=$(spoor-cat "$SCENARIO/web01.E01" /var/log/dpkg.log | awk '$3 == "install" && $4 == "php-gd:all" { print $1 " " $2 }')
	assert_equal "$(sqlite3 "$db" "SELECT time_ns / 1000000000 FROM events WHERE artifact = 'dpkg' AND time_desc = 'install' AND json_extract(extra, '\$.package') = 'php-gd'")" \
	    "$(date -u -d "$want" +%s)"
	# inside the apt transaction: Start-Date <= dpkg install <= End-Date
	run -0 sqlite3 "$db" "SELECT count(*) FROM events d, events a WHERE d.artifact = 'dpkg' AND json_extract(d.extra, '\$.package') = 'php-gd'
	    AND d.time_desc = 'install' AND a.artifact = 'apt_history' AND d.time_ns >= a.time_ns
	    AND $(iso d.time_ns) <= json_extract(a.extra, '\$.end')"
	assert_output 1
}

@test "dpkg: garbage, a 10 MB line, NUL bytes and invalid UTF-8 are problems with their line; good lines kept; status 2" {
	db=$BATS_TEST_TMPDIR/case.db
	f=$BATS_TEST_TMPDIR/dpkg.log
	{
		echo '2026-01-02 03:04:05 install a:amd64 <none> 1'
		echo 'this is not dpkg'
		head -c 10485760 /dev/zero | tr '\0' 'x'; echo
		printf '2026-01-02 03:04:06 install b\000:amd64 <none> 1\n'
		printf '\377\376garbage \300\200\n'
		echo '2026-13-40 03:04:05 install c:amd64 <none> 1'
		printf '2026-01-02 03:04:07 install d\377:amd64 <none> 1\n'
		echo '2026-01-02 03:04:08 install e:amd64 <none> 1'
	} > "$f"
	run -2 --separate-stderr spoor-timeline -c "$db" --artifact dpkg "$f"
	[[ "$stderr" == *"5 problems skipped (partial results)"* ]]
	run -0 sqlite3 "$db" "SELECT message FROM problems ORDER BY id"
	assert_output "line 2: not a dpkg.log line
line 3: line longer than 4194304 bytes
line 4: NUL byte in line
line 5: not a dpkg.log line
line 6: not a dpkg.log line"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(origin_line, ' ') FROM (SELECT origin_line FROM events ORDER BY origin_line)")" "1 7 8"
	assert_equal "$(sqlite3 "$db" "SELECT state FROM runs")" partial
}

@test "apt_history: lines outside a transaction and malformed input are problems; transactions kept" {
	db=$BATS_TEST_TMPDIR/case.db
	f=$BATS_TEST_TMPDIR/history.log
	{
		echo 'Commandline: stray'
		echo
		echo 'Start-Date: 2026-01-02  03:04:05'
		echo 'Commandline: apt-get install a'
		printf 'Requested-By: al\000ice (1000)\n'
		head -c 10485760 /dev/zero | tr '\0' 'y'; echo
		printf '\377\376 not a key\n'
		echo 'Install: a:amd64 (1.0), b:amd64 (2.0, automatic)'
		echo 'End-Date: 2026-01-02  03:04:09'
		echo
		echo 'Start-Date: yesterday'
		echo 'Start-Date: 2026-01-03  00:00:00'
		echo 'Remove: c:amd64 (1.0)'
	} > "$f"
	run -2 --separate-stderr spoor-timeline -c "$db" --artifact apt_history "$f"
	run -0 sqlite3 "$db" "SELECT message FROM problems ORDER BY id"
	assert_output "line 1: line outside a transaction
line 5: NUL byte in line
line 6: line longer than 4194304 bytes
line 7: not a history.log line
line 11: bad Start-Date
line 12: transaction without End-Date"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), time_desc, json_extract(extra, '\$.packages'), origin_line FROM events ORDER BY time_ns"
	assert_output '2026-01-02T03:04:05Z|install|["a:amd64 (1.0)","b:amd64 (2.0, automatic)"]|3
2026-01-03T00:00:00Z|remove|["c:amd64 (1.0)"]|12'
}
