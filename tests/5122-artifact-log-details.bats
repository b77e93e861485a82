#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The details of log lines that real hosts write and spoor read wrongly:
# a severity word where the host would be (ChromeOS), program tags
# without their colon, an access log line whose user agent lacks its
# closing quote, update-alternatives lines in dpkg.log, old
# su(pam_unix) session lines, audit system calls outside a short table
# (checked against ausearch's own x86-64 and aarch64 tables), and SECCOMP
# and AVC records, whose fields ausearch shows.  Every input is built here.

load helpers/common

setup() {
	DB=$BATS_TEST_TMPDIR/case.db
	LOG=$BATS_TEST_TMPDIR/log
}

q() {
	sqlite3 "$DB" "$1"
}

x() {
	echo "json_extract(extra, '\$.$1')"
}

# ---- syslog ----

@test "ChromeOS syslog: a severity word in the host's place is the severity, the tag after it the program" {
	cat > "$LOG" <<-'EOF'
	2024-03-14T10:00:00.123456Z INFO sshd[1234]: Accepted publickey for chronos from 10.0.0.5 port 5022 ssh2
	2024-03-14T10:00:01.000000Z WARNING kernel: [   12.500000] usb 1-1: device descriptor read error
	2024-03-14T10:00:02.000000Z ERR shill[977]: Service 3 failed
	2024-03-14T10:00:03.000000Z DEBUG powerd: idle
	EOF
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact syslog "$LOG"
	run -0 q "SELECT origin_line, ifnull(host, '-'), $(x program), ifnull(pid, '-'), $(x severity), time_desc FROM events ORDER BY origin_line"
	assert_output "1|-|sshd|1234|info|login
2|-|kernel|-|warning|entry
3|-|shill|977|err|entry
4|-|powerd|-|debug|entry"
}

@test "a host that only looks like a severity word in lower case stays the host" {
	echo 'Mar 14 10:00:00 info sshd[12]: Server listening on 0.0.0.0 port 22.' > "$LOG"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact syslog "$LOG"
	assert_equal "$(q "SELECT host, $(x program), $(x severity) IS NULL FROM events")" "info|sshd|1"
}

@test "a BSD tag without its colon, CRON[123], is the program and pid: the cron command is typed" {
	cat > "$LOG" <<-'EOF'
	Mar 14 10:00:02 web01 CRON[123] (root) CMD (touch /tmp/x)
	Mar 14 10:00:03 web01 CRON[124]: (www-data) CMD (php /var/www/cron.php)
	EOF
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact syslog "$LOG"
	run -0 q "SELECT host, $(x program), pid, artifact, time_desc, user, $(x command) FROM events ORDER BY origin_line"
	assert_output "web01|CRON|123|cron|exec|root|touch /tmp/x
web01|CRON|124|cron|exec|www-data|php /var/www/cron.php"
}

@test "a tag word without its colon, 'log_tag message', is the program; a bare word such as 'Job' stays in the message" {
	cat > "$LOG" <<-'EOF'
	Mar 14 10:00:03 web01 log_tag this is info
	Mar 14 10:00:04 web01 systemd-logind New session 4 of user deploy.
	Mar 14 10:00:05 web01 Job `cron.daily' terminated
	EOF
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact syslog "$LOG"
	run -0 q "SELECT ifnull($(x program), '-'), message FROM events ORDER BY origin_line"
	assert_output "log_tag|this is info
systemd-logind|New session 4 of user deploy.
-|Job \`cron.daily' terminated"
}

@test "old su(pam_unix) and sshd(pam_unix) session lines are session events of their service" {
	cat > "$LOG" <<-'EOF'
	Mar 14 10:00:01 oldbox su(pam_unix)[4321]: session opened for user root by alice(uid=500)
	Mar 14 10:05:01 oldbox su(pam_unix)[4321]: session closed for user root
	Mar 14 10:05:02 oldbox sshd(pam_unix)[4400]: session opened for user bob by (uid=0)
	EOF
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact syslog "$LOG"
	run -0 q "SELECT artifact, time_desc, user, pid, $(x service), ifnull($(x by), '-'), ifnull($(x by_uid), '-') FROM events ORDER BY origin_line"
	assert_output "auth|session_open|root|4321|su|alice|500
auth|session_close|root|4321|su|-|-
auth|session_open|bob|4400|sshd|-|0"
}

# ---- web ----

@test "an Apache combined line whose user agent lacks its closing quote is kept with every field, and is a problem" {
	cat > "$LOG" <<-'EOF'
	46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html
	10.0.0.9 - - [20/May/2015:12:05:18 +0000] "GET / HTTP/1.1" 200 10 "http://example.com/cut
	EOF
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact web "$LOG"
	run -0 q "SELECT origin_line, $(x client), $(x method), $(x path), $(x status), $(x size), ifnull($(x referer), '-'), ifnull($(x user_agent), '-'), $(x unterminated) FROM events ORDER BY origin_line"
	assert_output "1|46.118.127.106|GET|/scripts/grok-py-test/configlib.py|200|235|-|Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html|user_agent
2|10.0.0.9|GET|/|200|10|http://example.com/cut|-|referer"
	run -0 q "SELECT message FROM problems ORDER BY id"
	assert_output "line 1: user_agent without its closing quote: kept to the end of the line
line 2: referer without its closing quote: kept to the end of the line"
}

@test "an access log line with text after the status that is not a quoted field is still not an access log line" {
	echo '10.0.0.9 - - [20/May/2015:12:05:18 +0000] "GET / HTTP/1.1" 200 10 garbage "x"' > "$LOG"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact web "$LOG"
	assert_equal "$(q 'SELECT count(*) FROM events')" 0
	assert_equal "$(q 'SELECT message FROM problems')" "line 1: not an access log line"
}

# ---- dpkg ----

@test "dpkg.log update-alternatives lines are no package: the program, its arguments, the alternative's path" {
	cat > "$LOG" <<-'EOF'
	2024-03-14 10:00:00 install vim:amd64 <none> 2:9.0.1378-2
	2024-03-14 10:00:01 update-alternatives: run with --install /usr/bin/editor editor /usr/bin/vim.basic 30
	2024-03-14 10:00:02 update-alternatives: link group editor updated to point to /usr/bin/vim.basic
	2024-03-14 10:00:03 configure vim:amd64 2:9.0.1378-2 <none>
	EOF
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact dpkg "$LOG"
	run -0 q "SELECT origin_line, time_desc, ifnull($(x package), '-'), ifnull($(x program), '-'), ifnull($(x arguments), '-'), ifnull($(x alternative), '-'), ifnull(path, '-') FROM events ORDER BY origin_line"
	assert_output "1|install|vim|-|-|-|-
2|entry|-|update-alternatives|--install /usr/bin/editor editor /usr/bin/vim.basic 30|-|-
3|entry|-|update-alternatives|-|editor|/usr/bin/vim.basic
4|entry|vim|-|-|-|-"
	assert_equal "$(q "SELECT count(*) FROM events WHERE $(x new_version) = 'with' OR $(x old_version) = 'with'")" 0
}

@test "dpkg.log: an update-alternatives link line without a group name gives no alternative, and nothing is read out of the line" {
	printf '2024-03-14 10:00:02 update-alternatives: link group updated to point to /usr/bin/vim.basic\n' > "$LOG"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact dpkg "$LOG"
	assert_equal "$(q "SELECT $(x program), $(x alternative) IS NULL, path IS NULL FROM events")" "update-alternatives|1|1"
}

# ---- audit ----

# One SYSCALL event per system call number 0..462 of arch $1 (hex).
syscall_log() {
	local arch=$1 nr
	for nr in $(seq 0 462); do
		printf 'type=SYSCALL msg=audit(1710412937.%03d:%d): arch=%s syscall=%d success=yes exit=0 a0=0 a1=0 a2=0 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm="x" exe="/x" key=(null)\n' \
		    $((nr % 1000)) $((1000 + nr)) "$arch" "$nr"
	done
}

# Where the kernel's table and auditd's name one call differently.
X86_64_ALIASES='pread64=pread pwrite64=pwrite'
AARCH64_ALIASES='pread64=pread pwrite64=pwrite getdents64=getdents fstat=newfstat'

# ausearch's names of $1 as "nr|name", the aliases $2 put back to the
# kernel's names; numbers ausearch does not know are left out.
ausearch_names() {
	command -v ausearch >/dev/null || fail "ausearch missing (auditd: scripts/install-deps)"
	local ALIASES=$2
	ausearch -if "$1" -i 2>/dev/null | grep -o ':[0-9]*) : arch=[^ ]* syscall=[^ ]*' |
	    sed 's/^:\([0-9]*\)) : arch=[^ ]* syscall=/\1|/' | grep -v unknown-syscall |
	    awk -F'|' -v aliases="$ALIASES" 'BEGIN {
		n = split(aliases, a, " ")
		for (i = 1; i <= n; i++) { split(a[i], kv, "="); k[kv[2]] = kv[1] }
	    } { if ($2 in k) $2 = k[$2]; print $1 - 1000 "|" $2 }' OFS='|'
}

# Lines of "nr|name" of $1 and $2 whose names differ, and numbers of $1
# missing from $2.
name_diff() {
	join -t'|' -j1 <(echo "$1" | sort -t'|' -k1,1) <(echo "$2" | sort -t'|' -k1,1) |
	    awk -F'|' '$2 != $3'
	join -t'|' -v1 -j1 <(echo "$1" | sort -t'|' -k1,1) <(echo "$2" | sort -t'|' -k1,1)
}

@test "audit: every x86-64 system call ausearch names gets the same name, 0 to 450, and the newer ones to mseal" {
	syscall_log c000003e > "$LOG"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact audit "$LOG"
	expected=$(ausearch_names "$LOG" "$X86_64_ALIASES")
	assert [ "$(echo "$expected" | wc -l)" -ge 360 ]
	got=$(q "SELECT $(x syscall) || '|' || $(x syscall_name) FROM events WHERE $(x syscall_name) IS NOT NULL")
	assert_equal "$(name_diff "$expected" "$got")" ""
	assert_equal "$(q "SELECT $(x syscall_name) FROM events WHERE $(x syscall) IN (101, 165, 175, 313, 322, 451, 462) ORDER BY $(x syscall)" | tr '\n' ' ')" \
	    "ptrace mount init_module finit_module execveat cachestat mseal "
}

@test "audit: every aarch64 system call ausearch names gets the same name" {
	syscall_log c00000b7 > "$LOG"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact audit "$LOG"
	expected=$(ausearch_names "$LOG" "$AARCH64_ALIASES")
	assert [ "$(echo "$expected" | wc -l)" -ge 300 ]
	got=$(q "SELECT $(x syscall) || '|' || $(x syscall_name) FROM events WHERE $(x syscall_name) IS NOT NULL")
	assert_equal "$(name_diff "$expected" "$got")" ""
	# aarch64 has no open(2): its 198 is socket, 200 bind, 203 connect
	assert_equal "$(q "SELECT time_desc || ' ' || $(x syscall_name) FROM events WHERE $(x syscall) IN (198, 200, 203, 221, 56) ORDER BY $(x syscall)" | tr '\n' ',')" \
	    "entry openat,entry socket,entry bind,connect connect,exec execve,"
}

@test "audit: a SECCOMP record keeps arch, syscall and its name, signal, code and action, comm, as ausearch shows them" {
	cat > "$LOG" <<-'EOF'
	type=SECCOMP msg=audit(1710412939.123:502): auid=1000 uid=1000 gid=1000 ses=3 subj=unconfined pid=4242 comm="chrome" exe="/opt/google/chrome/chrome" sig=0 arch=c000003e syscall=273 compat=0 ip=0x7f0b3c1d2e3f code=0x50000
	type=SECCOMP msg=audit(1710412940.000:503): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=77 comm="sshd" exe="/usr/sbin/sshd" sig=31 arch=c00000b7 syscall=203 compat=0 ip=0xffff8a1b2c3d code=0x80000000
	EOF
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact audit "$LOG"
	run -0 q "SELECT pid, exe, $(x arch), $(x syscall), $(x syscall_name), $(x sig), $(x code), $(x action), $(x comm), $(x ip) FROM events ORDER BY time_ns"
	assert_output "4242|/opt/google/chrome/chrome|x86_64|273|set_robust_list|0|0x50000|errno|chrome|0x7f0b3c1d2e3f
77|/usr/sbin/sshd|aarch64|203|connect|31|0x80000000|kill_process|sshd|0xffff8a1b2c3d"
	# ausearch -i names the same calls and architectures
	command -v ausearch >/dev/null || fail "ausearch missing"
	run -0 bash -c "ausearch -if '$LOG' -i 2>/dev/null | grep -o 'arch=[^ ]* syscall=[^ ]*'"
	assert_output "arch=x86_64 syscall=set_robust_list
arch=aarch64 syscall=connect"
	assert_equal "$(q "SELECT message FROM events ORDER BY time_ns LIMIT 1")" "entry: SECCOMP set_robust_list by chrome (code 0x50000) (pid 4242, uid 1000)"
}

@test "audit: an AVC record keeps the decision, permissions, contexts, class and object, alone or beside its SYSCALL" {
	cat > "$LOG" <<-'EOF'
	type=AVC msg=audit(1710412940.123:503): avc:  denied  { read write } for  pid=2714 comm="httpd" name="shadow" dev="dm-0" ino=1234 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:shadow_t:s0 tclass=file permissive=0
	type=AVC msg=audit(1710412941.000:504): avc:  denied  { getattr } for  pid=2714 comm="ls" path="/usr/lib/locale/locale-archive" dev="dm-0" ino=353593 scontext=system_u:object_r:unlabeled_t:s0 tcontext=system_u:object_r:locale_t:s0 tclass=file permissive=1
	type=SYSCALL msg=audit(1710412941.000:504): arch=c000003e syscall=5 success=yes exit=0 a0=3 a1=7ffd a2=7ffd a3=0 items=0 ppid=2671 pid=2714 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=1 comm="ls" exe="/bin/ls" key=(null)
	EOF
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact audit "$LOG"
	run -0 q "SELECT $(x type), $(x avc), json_extract(extra, '\$.permissions'), $(x scontext), $(x tcontext), $(x tclass), $(x permissive), ifnull($(x name), '-'), ifnull($(x path), '-'), $(x dev), $(x ino) FROM events ORDER BY time_ns"
	assert_output 'AVC|denied|["read","write"]|system_u:system_r:httpd_t:s0|system_u:object_r:shadow_t:s0|file|0|shadow|-|dm-0|1234
SYSCALL|denied|["getattr"]|system_u:object_r:unlabeled_t:s0|system_u:object_r:locale_t:s0|file|1|-|/usr/lib/locale/locale-archive|dm-0|353593'
	assert_equal "$(q "SELECT message FROM events ORDER BY time_ns LIMIT 1")" "entry: AVC denied { read write } for httpd on shadow (file) (pid 2714)"
	# ausearch sees the same denial and contexts
	command -v ausearch >/dev/null || fail "ausearch missing"
	run -0 bash -c "ausearch -if '$LOG' -m AVC -i 2>/dev/null | grep -c 'avc:  denied'"
	assert_output 2
}
