#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Audit connects on non-blocking sockets (EINPROGRESS is not a failure),
# and users named from the evidence's own /etc/passwd: audit and lastlog
# records give a uid where the other logs give a name.  The evidence is a
# directory or an ext4 image built here; ausearch (auditd) is the oracle
# of what the records say.

load helpers/common

setup() {
	DB=$BATS_TEST_TMPDIR/case.db
	LOG=$BATS_TEST_TMPDIR/audit.log
	ROOT=$BATS_TEST_TMPDIR/root
}

q() {
	sqlite3 "$DB" "$1"
}

x() {
	echo "json_extract(extra, '\$.$1')"
}

# A connect of pid $2 (uid $3, auid $4) at second $1 returning $5.
connect_event() {
	local t=$1 pid=$2 uid=$3 auid=$4 exit=$5 success=yes
	[ "$exit" -lt 0 ] && success=no
	printf 'type=SYSCALL msg=audit(%s.100:%s): arch=c000003e syscall=42 success=%s exit=%s a0=3 a1=7ffd5c1b2a40 a2=10 a3=0 items=0 ppid=1 pid=%s auid=%s uid=%s gid=%s euid=%s suid=%s fsuid=%s egid=%s sgid=%s fsgid=%s tty=(none) ses=5 comm="python3" exe="/usr/bin/python3.11" key="net"\n' \
	    "$t" "$pid" "$success" "$exit" "$pid" "$auid" "$uid" "$uid" "$uid" "$uid" "$uid" "$uid" "$uid" "$uid"
	printf 'type=SOCKADDR msg=audit(%s.100:%s): saddr=020011C7CB0071420000000000000000\n' "$t" "$pid"
	printf 'type=PROCTITLE msg=audit(%s.100:%s): proctitle=707974686F6E33\n' "$t" "$pid"
}

# A small root: /etc/passwd and an audit log of three connects.
make_root() {
	mkdir -p "$ROOT/etc" "$ROOT/var/log/audit"
	cat > "$ROOT/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/bash
	www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
	deploy:x:1000:1000:Deploy,,,:/home/deploy:/bin/bash
	EOF
	{
		connect_event 1710412937 4001 33 1000 -115
		connect_event 1710412938 4002 0 1000 0
		connect_event 1710412939 4003 1001 1001 -111
	} > "$ROOT/var/log/audit/audit.log"
}

@test "a non-blocking connect that returns EINPROGRESS (-115) is in progress, not failed; success and exit kept" {
	connect_event 1710412937 4001 33 1000 -115 > "$LOG"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact audit "$LOG"
	run -0 q "SELECT time_desc, $(x success), $(x exit), $(x in_progress), $(x address), $(x port) FROM events"
	assert_output "connect|no|-115|1|203.0.113.66|4551"
	run -0 q "SELECT message FROM events"
	assert_output "connect: python3 to 203.0.113.66 port 4551 (pid 4001, ppid 1, uid 33) in progress (EINPROGRESS)"
	refute_output --partial failed
	# ausearch reads the same exit as EINPROGRESS
	command -v ausearch >/dev/null || fail "ausearch missing (auditd: scripts/install-deps)"
	run -0 bash -c "ausearch -if '$LOG' -i 2>/dev/null | grep -o 'exit=EINPROGRESS'"
}

@test "a connect refused (ECONNREFUSED, -111) is still failed, without in_progress" {
	connect_event 1710412939 4003 1001 1001 -111 > "$LOG"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact audit "$LOG"
	assert_equal "$(q "SELECT $(x success), $(x exit), $(x in_progress) IS NULL FROM events")" "no|-111|1"
	assert_equal "$(q "SELECT message FROM events")" \
	    "connect: python3 to 203.0.113.66 port 4551 (pid 4003, ppid 1, uid 1001) failed, exit -111"
}

@test "audit users are named from the evidence's own /etc/passwd: the name in the user column, the uid kept, uid_name and auid_name" {
	make_root
	run -0 --separate-stderr spoor-timeline -c "$DB" "$ROOT"
	run -0 q "SELECT pid, user, auid, $(x uid), ifnull($(x uid_name), '-'), ifnull($(x auid_name), '-') FROM events WHERE artifact = 'audit' ORDER BY pid"
	assert_output "4001|www-data|1000|33|www-data|deploy
4002|root|1000|0|root|deploy
4003|1001|1001|1001|-|-"
}

@test "without an /etc/passwd in the evidence the audit user stays the numeric uid" {
	make_root
	rm "$ROOT/etc/passwd"
	run -0 --separate-stderr spoor-timeline -c "$DB" "$ROOT"
	run -0 q "SELECT user, ifnull($(x uid_name), '-') FROM events WHERE artifact = 'audit' ORDER BY pid"
	assert_output "33|-
0|-
1001|-"
}

@test "an ENRICHED record's own name wins over the evidence's /etc/passwd" {
	make_root
	printf 'type=SYSCALL msg=audit(1710412940.100:4004): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=4004 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=5 comm="id" exe="/usr/bin/id" key=(null)\035ARCH=x86_64 SYSCALL=execve AUID="olddeploy" UID="olddeploy" GID="deploy"\n' >> "$ROOT/var/log/audit/audit.log"
	run -0 --separate-stderr spoor-timeline -c "$DB" "$ROOT"
	assert_equal "$(q "SELECT user, $(x uid_name), $(x auid_name) FROM events WHERE artifact = 'audit' AND pid = 4004")" "olddeploy|olddeploy|olddeploy"
}

@test "the /etc/passwd of an ext4 image names the audit and lastlog users" {
	make_root
	# lastlog: uid 1000 logged in from 198.51.100.7
	perl -e 'print "\0" x (292 * 1000), pack("l a32 a256", 1710400000, "pts/0", "198.51.100.7")' > "$ROOT/var/log/lastlog"
	img=$BATS_TEST_TMPDIR/root.ext4
	mke2fs -q -t ext4 -d "$ROOT" "$img" 8M
	run -0 --separate-stderr spoor-timeline -c "$DB" "$img"
	assert_equal "$(q "SELECT group_concat(user, ' ') FROM (SELECT user FROM events WHERE artifact = 'audit' ORDER BY pid)")" "www-data root 1001"
	run -0 q "SELECT user, $(x uid), $(x uid_name), message FROM events WHERE artifact = 'lastlog'"
	assert_output "deploy|1000|deploy|last login of deploy (uid 1000) on pts/0 from 198.51.100.7"
}

@test "lastlog without /etc/passwd keeps the uid as the user" {
	perl -e 'print "\0" x (292 * 1000), pack("l a32 a256", 1710400000, "pts/0", "198.51.100.7")' > "$BATS_TEST_TMPDIR/lastlog"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact lastlog "$BATS_TEST_TMPDIR/lastlog"
	assert_equal "$(q "SELECT user, $(x uid_name) IS NULL, message FROM events")" \
	    "1000|1|last login of uid 1000 on pts/0 from 198.51.100.7"
}

@test "a hostile /etc/passwd: bad uids, control characters, long lines and duplicates give no name but the first good one" {
	make_root
	{
		printf 'evil\033[31m:x:33:33::/:/bin/sh\n'
		printf 'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n'
		printf 'shadow:x:33:33:second of uid 33:/:/bin/sh\n'
		printf 'nouid:x::0::/:/bin/sh\n'
		printf 'big:x:99999999999:0::/:/bin/sh\n'
		printf 'neg:x:-1:0::/:/bin/sh\n'
		head -c 10000 /dev/zero | tr '\0' a; printf ':x:0:0::/:/bin/sh\n'
		printf 'root:x:0:0:root:/root:/bin/bash\n'
		printf 'broken line without colons\n'
		printf '\377\376:x:1000:0::/:/bin/sh\n'
	} > "$ROOT/etc/passwd"
	run -0 --separate-stderr spoor-timeline -c "$DB" "$ROOT"
	run -0 q "SELECT user FROM events WHERE artifact = 'audit' ORDER BY pid"
	assert_output "www-data
root
1001"
	assert_equal "$(q "SELECT ifnull($(x auid_name), '-') FROM events WHERE artifact = 'audit' AND pid = 4001")" "-"
}
