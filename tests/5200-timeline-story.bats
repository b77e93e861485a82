#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The reference intrusion told by spoor-timeline: each step of the story
# (../shared/SCENARIO.md) is a typed event at the time the fixture wrote
# it (build/scenario/scenario.env), found in the E01 without options.

load helpers/common

setup_file() {
	. "$SCENARIO/scenario.env"
	export DB=$BATS_FILE_TMPDIR/story.db
	"$BUILD/bin/spoor-timeline" -c "$DB" --host web01 "$SCENARIO/web01.E01" >/dev/null
}

setup() {
	. "$SCENARIO/scenario.env"
}

# q SQL: one query against the story's case
q() {
	sqlite3 "$DB" "$1"
}

@test "the load is complete: no problems, every artifact kind of the story found" {
	assert_equal "$(q "SELECT state, problem_count FROM runs")" "done|0"
	assert_equal "$(q "SELECT group_concat(artifact, ' ') FROM (SELECT DISTINCT artifact FROM events ORDER BY artifact)")" \
	    "apt_history audit auth bash_history cron detection dpkg fs persistence syslog web wtmp"
}

@test "step 1: deploy logs in over SSH with a password and installs php-gd" {
	assert_equal "$(q "SELECT user, json_extract(extra, '\$.source_ip'), json_extract(extra, '\$.method') FROM events WHERE artifact = 'auth' AND time_desc = 'login' AND time_ns / 1000000000 = $T_DEPLOY_LOGIN")" \
	    "deploy|$ADMIN_IP|password"
	assert_equal "$(q "SELECT user FROM events WHERE artifact = 'wtmp' AND time_desc = 'login' AND time_ns / 1000000000 = $T_DEPLOY_LOGIN")" deploy
	run -0 q "SELECT user, json_extract(extra, '\$.command_line') FROM events WHERE artifact = 'apt_history'"
	assert_line --regexp "^deploy\|.*install php-gd"
}

@test "step 2: recon from the attacker with python-requests" {
	assert_equal "$(q "SELECT count(*) > 3 FROM events WHERE artifact = 'web' AND json_extract(extra, '\$.client') = '$ATTACKER_IP' AND json_extract(extra, '\$.status') = 404 AND json_extract(extra, '\$.user_agent') = '$ATTACKER_UA'")" 1
	assert_equal "$(q "SELECT min(time_ns) / 1000000000 FROM events WHERE artifact = 'web' AND json_extract(extra, '\$.client') = '$ATTACKER_IP'")" "$T_RECON"
}

@test "step 3: the upload that stored the web shell" {
	assert_equal "$(q "SELECT time_ns / 1000000000 FROM events WHERE artifact = 'web' AND json_extract(extra, '\$.method') = 'POST' AND json_extract(extra, '\$.path') = '/upload.php'")" "$T_UPLOAD"
	assert_equal "$(q "SELECT time_desc FROM events_text WHERE artifact = 'fs' AND path = '/var/www/html/uploads/thumb.php' AND time_ns / 1000000000 = $T_UPLOAD ORDER BY time_ns LIMIT 1")" "ma.b"
}

@test "step 4: the web shell runs sh, wget, chmod and the miner, as www-data under apache2" {
	run -0 q "SELECT pid, ppid, user, exe FROM events WHERE artifact = 'audit' AND time_desc = 'exec' AND pid IN ($PID_SH, $PID_WGET, $PID_CHMOD, $PID_MINER) ORDER BY pid"
	assert_line --index 0 --regexp "^$PID_SH\|$PID_APACHE\|www-data\|"
	assert_line --index 1 --regexp "^$PID_WGET\|$PID_SH\|www-data\|.*wget$"
	assert_line --index 2 --regexp "^$PID_CHMOD\|$PID_SH\|www-data\|.*chmod$"
	assert_line --index 3 "$PID_MINER|$PID_SH|www-data|/tmp/.X11-unix/.x/kswapd0"
	assert_equal "$(q "SELECT time_ns / 1000000000 FROM events WHERE artifact = 'audit' AND time_desc = 'exec' AND pid = $PID_SH")" "$T_EXEC"
	assert_equal "$(q "SELECT time_ns / 1000000000 FROM events WHERE artifact = 'audit' AND time_desc = 'exec' AND pid = $PID_MINER")" "$T_MINER_START"
}

@test "step 5: the miner connects to the pool" {
	assert_equal "$(q "SELECT time_ns / 1000000000, pid FROM events WHERE artifact = 'audit' AND time_desc = 'connect' AND json_extract(extra, '\$.address') = '$POOL_IP' AND json_extract(extra, '\$.port') = $POOL_PORT")" \
	    "$T_CONNECT|$PID_MINER"
}

@test "step 6: persistence by cron and by an SSH key written through sudo tee" {
	assert_equal "$(q "SELECT user, json_extract(extra, '\$.command') FROM events WHERE artifact = 'persistence' AND time_desc = 'persistence' AND json_extract(extra, '\$.schedule') = '@reboot'")" \
	    "www-data|$MINER_CMDLINE >/dev/null 2>&1"
	assert_equal "$(q "SELECT user, json_extract(extra, '\$.fingerprint_sha256') FROM events WHERE artifact = 'persistence' AND time_desc = 'key' AND json_extract(extra, '\$.comment') = '$ATTACKER_KEY_COMMENT'")" \
	    "root|$ATTACKER_KEY_FPR"
	assert_equal "$(q "SELECT user, json_extract(extra, '\$.target_user') FROM events WHERE artifact = 'auth' AND time_desc = 'sudo' AND time_ns / 1000000000 = $T_SSH_KEY_ADDED")" "www-data|root"
	assert_equal "$(q "SELECT count(*) FROM events WHERE artifact = 'audit' AND path = '/root/.ssh/authorized_keys' AND time_ns / 1000000000 = $T_SSH_KEY_ADDED")" 1
}

@test "step 7: the miner's mtime is set back: created on the day, modified in 2025" {
	assert_equal "$(q "SELECT count(*) FROM events WHERE artifact = 'audit' AND time_desc = 'exec' AND exe LIKE '%touch' AND time_ns / 1000000000 = $T_TIMESTOMP")" 1
	assert_equal "$(q "SELECT strftime('%Y-%m-%d', mtime_ns / 1000000000, 'unixepoch'), crtime_ns / 1000000000 > mtime_ns / 1000000000, ctime_ns / 1000000000 FROM files WHERE path = '/tmp/.X11-unix/.x/kswapd0'")" \
	    "2025-11-02|1|$T_TIMESTOMP"
}

@test "step 8: root returns over SSH with the new key, and a log is deleted" {
	assert_equal "$(q "SELECT user, json_extract(extra, '\$.source_ip'), json_extract(extra, '\$.method') FROM events WHERE artifact = 'auth' AND time_desc = 'login' AND time_ns / 1000000000 = $T_ROOT_LOGIN")" \
	    "root|$ATTACKER_IP|publickey"
	assert_equal "$(q "SELECT json_extract(extra, '\$.host') FROM events WHERE artifact = 'wtmp' AND time_desc = 'login' AND user = 'root' AND time_ns / 1000000000 = $T_ROOT_LOGIN")" "$ATTACKER_IP"
	assert_equal "$(q "SELECT user, json_extract(extra, '\$.argv[0]') FROM events WHERE artifact = 'audit' AND time_desc = 'exec' AND json_extract(extra, '\$.argv[1]') = '/var/log/apache2/access.log.1' AND time_ns / 1000000000 = $T_LOG_DELETE")" "root|rm"
	assert_equal "$(q "SELECT count(*) FROM events WHERE artifact = 'bash_history' AND user = 'root' AND json_extract(extra, '\$.command') = 'rm /var/log/apache2/access.log.1'")" 1
	assert_equal "$(q "SELECT allocated FROM files WHERE path = '/var/log/apache2/access.log.1'")" 0
}

@test "benign activity of step 1 is not attributed to the attacker" {
	assert_equal "$(q "SELECT count(*) FROM events WHERE artifact IN ('auth', 'wtmp') AND time_desc = 'login' AND json_extract(extra, '\$.source_ip') = '$ATTACKER_IP' AND time_ns / 1000000000 < $T_ROOT_LOGIN")" 0
}
