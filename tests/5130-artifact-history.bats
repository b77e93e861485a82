#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline --artifact bash_history and zsh_history: each command an
# event, at its own time when the file has one, else at the file's
# modification time and marked so; checked against plaso's expected
# figures and the reference intrusion.

load helpers/common

HIST=$TESTDATA/logs/shell_history

setup() {
	DB=$BATS_TEST_TMPDIR/case.db
}

iso() {
	sqlite3 "$DB" "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', time_ns / 1000000000, 'unixepoch') $1"
}

@test "plaso's bash history gives its 4 commands, no problem" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact bash_history "$HIST/plaso_bash_history"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 4
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM problems')" 0
	assert_equal "$(sqlite3 "$DB" 'SELECT DISTINCT artifact, time_desc FROM events')" "bash_history|command"
}

@test "bash: entry 0 is /usr/lib/plaso at 2013-10-01T12:36:17Z, from its timestamp" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact bash_history "$HIST/plaso_bash_history"
	assert_equal "$(iso ", json_extract(extra, '\$.command'), json_extract(extra, '\$.time_source')
	    FROM events ORDER BY origin_line LIMIT 1")" \
	    "2013-10-01T12:36:17Z|/usr/lib/plaso|timestamp"
}

@test "bash: the multi-line command is one event at 2021-06-10T22:30:36Z" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact bash_history "$HIST/plaso_bash_history"
	assert_equal "$(iso ", json_extract(extra, '\$.command'), origin_line
	    FROM events WHERE json_extract(extra, '\$.command') LIKE 'binary%'")" \
	    '2021-06-10T22:30:36Z|binary argument1 "--params=\ param1=foo, param2=bar " argument2|7'
}

@test "plaso's zsh extended history gives its 4 commands; cd plaso at 2016-03-12T08:26:50Z" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact zsh_history "$HIST/plaso_zsh_extended_history.txt"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 4
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM problems')" 0
	assert_equal "$(iso ", artifact, time_desc, extra FROM events ORDER BY origin_line LIMIT 1")" \
	    '2016-03-12T08:26:50Z|zsh_history|command|{"command":"cd plaso","elapsed_s":0,"time_source":"timestamp"}'
}

@test "zsh: a line ending in a backslash goes on on the next line" {
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact zsh_history "$HIST/plaso_zsh_extended_history.txt"
	run -0 sqlite3 "$DB" "SELECT origin_line, json_extract(extra, '\$.command') FROM events ORDER BY origin_line"
	assert_output "1|cd plaso
2|ls
3|echo dfgdfg \\
& touch /tmp/afile
5|PYTHONPATH=. ./runtests.py"
}

@test "zsh: elapsed seconds are kept, metafied bytes restored" {
	printf ': 1700000000:42;sleep 42\n: 1700000100:0;echo \303\203\244\n' \
	    > "$BATS_TEST_TMPDIR/.zsh_history"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact zsh_history "$BATS_TEST_TMPDIR/.zsh_history"
	run -0 sqlite3 "$DB" "SELECT time_ns / 1000000000, json_extract(extra, '\$.command'),
	    json_extract(extra, '\$.elapsed_s') FROM events ORDER BY origin_line"
	assert_output "1700000000|sleep 42|42
1700000100|echo Ä|0"
}

@test "without timestamps each line is a command at the file's mtime, in line order" {
	printf 'ls\n\ncd /tmp\n#not a timestamp\n' > "$BATS_TEST_TMPDIR/.bash_history"
	touch -d @1700000000.25 "$BATS_TEST_TMPDIR/.bash_history"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact bash_history "$BATS_TEST_TMPDIR/.bash_history"
	run -0 sqlite3 "$DB" "SELECT time_ns, origin_line, extra FROM events ORDER BY origin_line"
	assert_output '1700000000250000000|1|{"command":"ls","time_source":"mtime","time_bounded":"mtime","order":1}
1700000000250000000|3|{"command":"cd /tmp","time_source":"mtime","time_bounded":"mtime","order":3}
1700000000250000000|4|{"command":"#not a timestamp","time_source":"mtime","time_bounded":"mtime","order":4}'
}

@test "plain zsh lines are timed like bash's" {
	printf 'ls\nvi a\\\nb\n' > "$BATS_TEST_TMPDIR/.zsh_history"
	touch -d @1700000000 "$BATS_TEST_TMPDIR/.zsh_history"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact zsh_history "$BATS_TEST_TMPDIR/.zsh_history"
	run -0 sqlite3 "$DB" "SELECT time_ns / 1000000000, json_extract(extra, '\$.command'),
	    json_extract(extra, '\$.time_source') FROM events ORDER BY origin_line"
	assert_output "1700000000|ls|mtime
1700000000|vi a
b|mtime"
}

@test "the user comes from the path: /home/USER/... and /root" {
	mkdir -p "$BATS_TEST_TMPDIR/home/alice" "$BATS_TEST_TMPDIR/root"
	echo id > "$BATS_TEST_TMPDIR/home/alice/.bash_history"
	echo whoami > "$BATS_TEST_TMPDIR/root/.zsh_history"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact bash_history "$BATS_TEST_TMPDIR/home/alice/.bash_history"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact zsh_history "$BATS_TEST_TMPDIR/root/.zsh_history"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact bash_history "$HIST/plaso_bash_history"
	run -0 sqlite3 "$DB" "SELECT DISTINCT coalesce(user, '-'), artifact FROM events ORDER BY id"
	assert_output "alice|bash_history
root|zsh_history
-|bash_history"
}

@test "bad lines are problems with their line, the good commands kept: status 2" {
	{
		echo '#1700000000'
		echo 'good one'
		printf 'nul\000byte\n'
		printf 'bad \377\376 utf-8\n'
		head -c 10000000 /dev/zero | tr '\0' 'x'; echo
		echo '#17000000001234567'
		echo '#1700000100'
		echo 'good two'
		head -c 3000 /dev/urandom | tr -d '\n\000'; echo
		echo 'good three'
	} > "$BATS_TEST_TMPDIR/.bash_history"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact bash_history "$BATS_TEST_TMPDIR/.bash_history"
	run -0 sqlite3 "$DB" "SELECT message FROM problems ORDER BY id"
	assert_line --index 0 "line 3: NUL byte in a command"
	assert_line --index 1 "line 4: invalid UTF-8 at byte 5"
	assert_line --index 2 "line 5: line longer than 262144 bytes"
	assert_line --index 3 "line 6: bad timestamp line"
	assert_line --index 4 --regexp "^line 9: invalid UTF-8 at byte [0-9]+$"
	assert_equal "${#lines[@]}" 5
	run -0 sqlite3 "$DB" "SELECT time_ns / 1000000000, origin_line, json_extract(extra, '\$.command') FROM events ORDER BY origin_line"
	assert_output "1700000000|1|good one
1700000100|7|good two good three"
	assert_equal "$(sqlite3 "$DB" "SELECT state FROM runs")" partial
}

@test "a zsh file of NUL bytes and garbage: problems, no crash" {
	{
		printf ': 1700000000:0;ok\n'
		printf ': 1700000001:0;\203\040nul\n'
		head -c 100000 /dev/urandom
	} > "$BATS_TEST_TMPDIR/.zsh_history"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact zsh_history "$BATS_TEST_TMPDIR/.zsh_history"
	assert_equal "$(sqlite3 "$DB" "SELECT message FROM problems ORDER BY id LIMIT 1")" "line 2: NUL byte in a command"
	assert_equal "$(sqlite3 "$DB" "SELECT json_extract(extra, '\$.command') FROM events ORDER BY origin_line LIMIT 1")" ok
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE json_valid(extra) = 0")" 0
}

# ---- the reference intrusion ----

scenario_db() {
	need "$SCENARIO/web01.E01" "$SCENARIO/scenario.env"
	. "$SCENARIO/scenario.env"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifacts bash_history "$SCENARIO/web01.E01"
}

@test "scenario: root's history has no timestamps: every line is a command at its mtime" {
	scenario_db
	run -0 sqlite3 "$DB" "SELECT json_extract(extra, '\$.command') FROM events
	    WHERE origin = '$ROOT_HISTORY_PATH' ORDER BY origin_line"
	assert_output "$(spoor-cat "$SCENARIO/web01.E01" "$ROOT_HISTORY_PATH")"
	assert_equal "$(sqlite3 "$DB" "SELECT DISTINCT time_ns, user, json_extract(extra, '\$.time_source'),
	    json_extract(extra, '\$.time_bounded') FROM events WHERE origin = '$ROOT_HISTORY_PATH'")" \
	    "$ROOT_HISTORY_MTIME$(printf %09d "$ROOT_HISTORY_MTIME_NS")|root|mtime|mtime"
}

@test "scenario: root deletes access.log.1 after the 11:02:41 login, by 11:06:40" {
	scenario_db
	run -0 sqlite3 "$DB" "SELECT time_ns, user, origin_line, json_extract(extra, '\$.order')
	    FROM events WHERE json_extract(extra, '\$.command') = 'rm /var/log/apache2/access.log.1'"
	line=$(spoor-cat "$SCENARIO/web01.E01" "$ROOT_HISTORY_PATH" | grep -n -x 'rm /var/log/apache2/access.log.1' | cut -d: -f1)
	assert_output "$ROOT_HISTORY_MTIME$(printf %09d "$ROOT_HISTORY_MTIME_NS")|root|$line|$line"
	[ "$ROOT_HISTORY_MTIME" -ge "$T_ROOT_LOGIN" ]
	[ "$ROOT_HISTORY_MTIME" -le "$T_ROOT_LOGOUT" ]
	# the commands of that session come after the previous one's exit
	prev=$(spoor-cat "$SCENARIO/web01.E01" "$ROOT_HISTORY_PATH" |
	    awk -v l="$line" 'NR < l && $0 == "exit" { p = NR } END { print p }')
	run -0 sqlite3 "$DB" "SELECT json_extract(extra, '\$.command') FROM events
	    WHERE origin = '$ROOT_HISTORY_PATH' AND origin_line > $prev ORDER BY origin_line"
	assert_output "id
w
ps aux | grep kswapd0
cat /var/spool/cron/crontabs/www-data
ls -la /tmp/.X11-unix/.x/
rm /var/log/apache2/access.log.1
exit"
}

@test "scenario: deploy's sudo apt-get install php-gd, by the end of the 09:12 session" {
	scenario_db
	run -0 sqlite3 "$DB" "SELECT time_ns, user, json_extract(extra, '\$.time_source') FROM events
	    WHERE json_extract(extra, '\$.command') = 'sudo apt-get install php-gd'"
	assert_output "$DEPLOY_HISTORY_MTIME$(printf %09d "$DEPLOY_HISTORY_MTIME_NS")|deploy|mtime"
	[ "$DEPLOY_HISTORY_MTIME" -eq "$T_DEPLOY_LOGOUT" ]
}
