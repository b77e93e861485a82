#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The readers of the host's volatile state (lib/live/volatile*.c,
# netstate.c, hidden.c), driven by tests/helpers/collect-volatile.c:
# a target process started here (a small C program with a hostile name,
# an environment mark, three extra threads and a listening TCP socket,
# its executable deleted once it runs) must come out as ps, ss,
# sha256sum, ip, uname and the kernel's own files say; a process covered
# by a bind mount over /proc/PID must come out hidden.  Needs root (the
# bind mount); the suite runs as root.
# spoor-test: alone (every listening port and every process of the host,
# beside ss and ps read a moment apart; see scripts/run-tests)

load helpers/common

CV=$BUILD/tests/collect-volatile

# The target: listen on 127.0.0.1 (port into $1), start three threads,
# name itself like a kernel thread when $2 is "mimic", then wait.
target_source() {
	cat <<'EOF'
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void *idle(void *arg) { (void)arg; for (;;) pause(); return NULL; }

int main(int argc, char *argv[])
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	pthread_t t;
	FILE *f;
	int s, i;

	if (argc < 3)
		return 64;
	if (strcmp(argv[2], "mimic") == 0)
		prctl(PR_SET_NAME, "kworker/0:7", 0, 0, 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(s, 4) != 0 || getsockname(s, (struct sockaddr *)&a, &len))
		return 71;
	for (i = 0; i < 3; i++)
		pthread_create(&t, NULL, idle, NULL);
	if ((f = fopen(argv[1], "w")) == NULL)
		return 73;
	fprintf(f, "%d\n", ntohs(a.sin_port));
	fclose(f);
	for (;;)
		pause();
}
EOF
}

# start_target NAME MODE [ENV...]: copy the target to $BATS_FILE_TMPDIR
# under NAME, start it with a unique argv, wait for its port; sets TPID
# and TPORT.
start_target() {
	local name=$1 mode=$2 exe i
	shift 2
	exe=$BATS_FILE_TMPDIR/$name
	cp "$BATS_FILE_TMPDIR/target" "$exe"
	rm -f "$BATS_FILE_TMPDIR/$name.port"
	env "$@" "$exe" "$BATS_FILE_TMPDIR/$name.port" "$mode" \
	    "spoor-unique-$name-$(cat "$BATS_FILE_TMPDIR/mark")" </dev/null >/dev/null 2>&1 3>&- &
	TPID=$!
	for i in $(seq 100); do
		[ -s "$BATS_FILE_TMPDIR/$name.port" ] && break
		sleep 0.05
	done
	TPORT=$(cat "$BATS_FILE_TMPDIR/$name.port") ||
		fail "target $name did not start"
	echo "$TPID" >>"$BATS_FILE_TMPDIR/pids"
}

setup_file() {
	[ "$(id -u)" -eq 0 ] || fail "tests/8110 needs root"
	[ -x "$BUILD/tests/collect-volatile" ] ||
		fail "missing $BUILD/tests/collect-volatile (make it)"
	target_source >"$BATS_FILE_TMPDIR/target.c"
	${CC:-cc} -O1 -o "$BATS_FILE_TMPDIR/target" \
	    "$BATS_FILE_TMPDIR/target.c" -lpthread || fail "cannot build target"
	: >"$BATS_FILE_TMPDIR/pids"
	# a comm that fools a parser splitting /proc/PID/stat at blanks
	date +%s >"$BATS_FILE_TMPDIR/before"
	echo "$$" >"$BATS_FILE_TMPDIR/mark"
	start_target 'ev) S 1 (il' plain SPOOR_TEST_MARK="mark-$$"
	date +%s >"$BATS_FILE_TMPDIR/after"
	sha256sum "$BATS_FILE_TMPDIR/ev) S 1 (il" | cut -d' ' -f1 \
	    >"$BATS_FILE_TMPDIR/sha256"
	rm "$BATS_FILE_TMPDIR/ev) S 1 (il"
	echo "$TPID" >"$BATS_FILE_TMPDIR/tpid"
	echo "$TPORT" >"$BATS_FILE_TMPDIR/tport"
	local status=0
	"$BUILD/tests/collect-volatile" -e "$BATS_FILE_TMPDIR/out" processes \
	    sockets network system hidden \
	    2>"$BATS_FILE_TMPDIR/stderr" || status=$?
	echo "$status" >"$BATS_FILE_TMPDIR/status"
}

teardown_file() {
	local p
	while read -r p; do
		kill "$p" 2>/dev/null || true
	done <"$BATS_FILE_TMPDIR/pids"
}

setup() {
	OUT=$BATS_FILE_TMPDIR/out/volatile
	TPID=$(cat "$BATS_FILE_TMPDIR/tpid")
	TPORT=$(cat "$BATS_FILE_TMPDIR/tport")
	MARK=$(cat "$BATS_FILE_TMPDIR/mark")
}

teardown() {
	if [ -n "${COVERED:-}" ]; then
		umount "/proc/$COVERED" 2>/dev/null || true
	fi
}

# collect ARGS...: run the test program; 2 (problems recorded) is fine.
collect() {
	run "$CV" "$@"
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ] ||
		fail "collect-volatile $*: status $status: $output"
}

# The processes.jsonl line of pid $1.
proc_line() {
	jq -c --argjson p "$1" 'select(.pid == $p)' "$OUT/processes.jsonl"
}

@test "the collection ends with status 0, or 2 with its problems logged" {
	local status
	status=$(cat "$BATS_FILE_TMPDIR/status")
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ] ||
		fail "status $status: $(cat "$BATS_FILE_TMPDIR/stderr")"
	if [ "$status" -eq 2 ]; then
		[ -s "$BATS_FILE_TMPDIR/out/collection.log" ]
	fi
	[ ! -s "$BATS_FILE_TMPDIR/stderr" ]
}

@test "every item is JSON lines of objects with schema 1" {
	local f
	for f in processes sockets network system findings; do
		[ -s "$OUT/$f.jsonl" ] || [ "$f" = findings ] ||
			fail "$f.jsonl is empty"
		run -0 jq -e -s 'all(.[]; type == "object" and .schema == 1)' \
		    "$OUT/$f.jsonl"
	done
}

@test "the target is found with the ppid and thread count ps gives" {
	local line
	line=$(proc_line "$TPID")
	[ -n "$line" ] || fail "no process $TPID"
	run -0 jq -r '[.ppid, .tgid, .threads] | @tsv' <<<"$line"
	assert_output "$(ps -o ppid=,pid=,nlwp= -p "$TPID" |
	    awk '{ print $1 "\t" $2 "\t" $3 }')"
	run -0 jq -r '.threads' <<<"$line"
	assert_output 4
}

@test "a comm with parentheses and spaces, the argv and the state survive" {
	run -0 jq -r '.comm, .state, (.cmdline | length), .cmdline[2],
	    .cmdline[3], .kernel_thread' <<<"$(proc_line "$TPID")"
	assert_output "ev) S 1 (il
S
4
plain
spoor-unique-ev) S 1 (il-$MARK
false"
}

@test "the deleted executable is flagged and hashed through /proc/PID/exe" {
	run -0 jq -r '.exe_deleted, .exe_memfd, .exe, .exe_sha256' \
	    <<<"$(proc_line "$TPID")"
	assert_output "true
false
$BATS_FILE_TMPDIR/ev) S 1 (il
$(cat "$BATS_FILE_TMPDIR/sha256")"
}

@test "environ holds the target's mark with -e and is null without" {
	run -0 jq -r '.environ[]' <<<"$(proc_line "$TPID")"
	assert_line "SPOOR_TEST_MARK=mark-$MARK"
	collect -P "$BATS_TEST_TMPDIR/noenv" processes
	run -0 jq -c --argjson p "$TPID" 'select(.pid == $p) | .environ' \
	    "$BATS_TEST_TMPDIR/noenv/volatile/processes.jsonl"
	assert_output null
}

@test "the start time is the second the target was started" {
	local start before after
	start=$(jq -r '.start_ns' <<<"$(proc_line "$TPID")")
	before=$(cat "$BATS_FILE_TMPDIR/before")
	after=$(cat "$BATS_FILE_TMPDIR/after")
	# btime has a resolution of one second
	[ $((start / 1000000000)) -ge $((before - 1)) ] ||
		fail "start $start before $before"
	[ $((start / 1000000000)) -le $((after + 1)) ] ||
		fail "start $start after $after"
}

@test "uids, cwd, namespaces and seen_by are those of the target" {
	run -0 jq -r '.uid, .euid, .gid, .cwd, .namespaces.pid, .seen_by[]' \
	    <<<"$(proc_line "$TPID")"
	assert_output "$(id -u)
$(id -u)
$(id -g)
$PWD
$(readlink "/proc/$TPID/ns/pid")
readdir
probe
task"
}

@test "the listening socket is in sockets.jsonl with its pid, as ss lists it" {
	local ino
	run -0 jq -r --argjson port "$TPORT" 'select(.proto == "tcp" and
	    .local_port == $port) | [.state, .local_address, (.pids | join(",")),
	    .inode] | @tsv' "$OUT/sockets.jsonl"
	assert_output --regexp "^LISTEN	127\.0\.0\.1	$TPID	[0-9]+\$"
	ino=$(cut -f4 <<<"$output")
	run -0 ss -ltnpeH "sport = :$TPORT"
	assert_output --partial "pid=$TPID,"
	assert_output --partial "ino:$ino "
	# the fds of the process hold it
	run -0 jq -r '.socket_inodes[], (.fds[].target)' \
	    <<<"$(proc_line "$TPID")"
	assert_line "$ino"
	assert_line "socket:[$ino]"
}

@test "every listening TCP port ss knows is in sockets.jsonl" {
	run -0 jq -r 'select((.proto == "tcp" or .proto == "tcp6") and
	    .state == "LISTEN") | .local_port' "$OUT/sockets.jsonl"
	local ours=$output
	run -0 ss -ltnH
	local theirs
	theirs=$(awk '{ n = split($4, a, ":"); print a[n] }' <<<"$output" |
	    sort -un)
	[ "$(sort -un <<<"$ours")" = "$theirs" ] ||
		fail "ours: $(sort -un <<<"$ours" | tr '\n' ' ') ss: $(tr '\n' ' ' <<<"$theirs")"
}

@test "the default route and interface addresses agree with ip" {
	local gw dev
	read -r _ _ gw _ dev _ < <(ip -4 route show default | head -n 1)
	[ -n "$gw" ] || skip "no IPv4 default route on this host"
	run -0 jq -r 'select(.kind == "route" and .family == "inet" and
	    .destination == "0.0.0.0/0") | [.gateway, .interface] | @tsv' \
	    "$OUT/network.jsonl"
	assert_output "$gw	$dev"
	run -0 jq -r --arg d "$dev" 'select(.kind == "interface" and
	    .name == $d) | .addresses[]' "$OUT/network.jsonl"
	local a
	for a in $(ip -o addr show dev "$dev" | awk '{ print $4 }'); do
		assert_line "$a"
	done
	run -0 jq -r 'select(.kind == "interface") | .name' "$OUT/network.jsonl"
	assert_equal "$(sort <<<"$output")" \
	    "$(ip -o link | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort)"
}

@test "kernel, boot id and modules agree with uname and /proc" {
	run -0 jq -r 'select(.kind == "kernel") | .release, .machine' \
	    "$OUT/system.jsonl"
	assert_output "$(uname -r)
$(uname -m)"
	run -0 jq -r 'select(.kind == "boot") | .boot_id' "$OUT/system.jsonl"
	assert_output "$(cat /proc/sys/kernel/random/boot_id)"
	run -0 jq -s '[.[] | select(.kind == "module" and .in_proc_modules)] |
	    length' "$OUT/system.jsonl"
	assert_output "$(cat /proc/modules 2>/dev/null | wc -l)"
	run -0 jq -s '[.[] | select(.kind == "mount")] | length' \
	    "$OUT/system.jsonl"
	assert_output "$(wc -l </proc/self/mountinfo)"
	run -0 jq -r 'select(.kind == "taint") | .value' "$OUT/system.jsonl"
	assert_output "$(cat /proc/sys/kernel/tainted)"
}

@test "the target's deleted executable in a temporary directory are findings" {
	run -0 jq -r --argjson p "$TPID" 'select(.pid == $p) |
	    [.kind, .severity] | @tsv' "$OUT/findings.jsonl"
	assert_line "deleted_exe	medium"
	case $BATS_FILE_TMPDIR in
	/tmp/* | /var/tmp/* | /dev/shm/*) assert_line "exe_in_tmp	medium" ;;
	esac
	refute_line --partial hidden_process
}

@test "no process is hidden without a rootkit, no /proc entry covered" {
	run -0 jq -r 'select(.kind == "hidden_process" or
	    .kind == "proc_bind_mount") | .reason' "$OUT/findings.jsonl"
	assert_output ""
	run -0 jq -r 'select(.readable == false) | .pid' "$OUT/processes.jsonl"
	assert_output ""
}

@test "a process named like a kernel thread with an executable is a mimic" {
	start_target mimic mimic
	collect "$BATS_TEST_TMPDIR/c" hidden
	run -0 jq -r --argjson p "$TPID" 'select(.pid == $p and
	    .kind == "kernel_thread_mimic") | .name, .severity' \
	    "$BATS_TEST_TMPDIR/c/volatile/findings.jsonl"
	assert_output "kworker/0:7
high"
}

@test "LD_PRELOAD in an environment is a finding and a field" {
	start_target preload plain LD_PRELOAD=/nonexistent/spoor-test.so
	collect "$BATS_TEST_TMPDIR/c" hidden processes
	run -0 jq -r --argjson p "$TPID" 'select(.pid == $p and
	    .kind == "ld_preload_env") | .path' \
	    "$BATS_TEST_TMPDIR/c/volatile/findings.jsonl"
	assert_output /nonexistent/spoor-test.so
	run -0 jq -r --argjson p "$TPID" 'select(.pid == $p) | .ld_preload,
	    .environ' "$BATS_TEST_TMPDIR/c/volatile/processes.jsonl"
	assert_output "/nonexistent/spoor-test.so
null"
}

@test "a bind mount over /proc/PID is hidden_process and proc_bind_mount" {
	start_target covered plain
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	mount --bind "$BATS_TEST_TMPDIR/empty" "/proc/$TPID"
	COVERED=$TPID
	# the oracle: ps no longer sees it
	run -1 ps -p "$TPID" -o pid=
	collect "$BATS_TEST_TMPDIR/c" processes hidden
	run -0 jq -r --argjson p "$TPID" 'select(.pid == $p) |
	    [.kind, .severity] | @tsv' \
	    "$BATS_TEST_TMPDIR/c/volatile/findings.jsonl"
	assert_line "hidden_process	critical"
	assert_line "proc_bind_mount	high"
	run -0 jq -c --argjson p "$TPID" 'select(.pid == $p) |
	    [.readable, .seen_by]' "$BATS_TEST_TMPDIR/c/volatile/processes.jsonl"
	assert_output '[false,["readdir","probe"]]'
	umount "/proc/$TPID"
	COVERED=
}

@test "the probe of every pid up to pid_max takes seconds at most" {
	local t0 t1
	t0=$(date +%s%N)
	collect "$BATS_TEST_TMPDIR/c" hidden
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt 10000 ] ||
		fail "took $(((t1 - t0) / 1000000)) ms"
}

@test "a reader without privilege records problems and goes on" {
	local dir
	# a directory the user nobody can write in
	dir=$(mktemp -d /tmp/spoor-8110.XXXXXX)
	chmod 777 "$dir"
	ln -s "$dir" "$BATS_TEST_TMPDIR/nobody"
	run -2 setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$CV" "$dir/c" processes sockets
	run -0 grep -c -E '^processes: process [0-9]+: (exe|environ|cwd|root|fd|maps): Permission denied$' \
	    "$BATS_TEST_TMPDIR/nobody/c/collection.log"
	[ "$output" -gt 0 ]
	# root's processes are still listed, with what could not be read null
	run -0 jq -r --argjson p "$TPID" 'select(.pid == $p) |
	    .comm, .exe, .exe_sha256' \
	    "$BATS_TEST_TMPDIR/nobody/c/volatile/processes.jsonl"
	assert_output "ev) S 1 (il
null
null"
	rm -rf "$dir"
}

# ---- the parsers, on crafted text ----

parse() {
	printf "$2" >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr "$CV" -k "$1" "$BATS_TEST_TMPDIR/in"
}

@test "stat: the comm runs to the last parenthesis" {
	parse stat '4242 (a) R 1 (b) c) S 77 4242 4242 34816 0 4194560 0 0 0 0 0 0 0 0 20 0 3 0 123456 0 0\n'
	run -0 jq -r '.pid, .comm, .state, .ppid, .threads, .starttime' <<<"$output"
	assert_output "4242
a) R 1 (b) c
S
77
3
123456"
	parse stat '4242 (a) R 1\n'
	assert_output ""
}

@test "net/tcp6 and unix: addresses decoded, paths with blanks kept" {
	parse tcp6 '  sl  local_address                         remote_address                        st\n   0: 0000000000000000FFFF00000100007F:0050 00000000000000000000000001000000:C350 01 00000000:00000000 00:00000000 00000000  1000        0 31337 1 0 100 0 0 10 0\n'
	run -0 jq -r '[.local_address, .local_port, .remote_address,
	    .remote_port, .state, .uid, .inode] | @tsv' <<<"$output"
	assert_output "::ffff:127.0.0.1	80	::1	50000	ESTABLISHED	1000	31337"
	parse unix 'Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 99 /run/a b (c).sock\n0000000000000000: 00000002 00000000 00000000 0002 01 98\n'
	run -0 jq -r '[.state, .type, .inode, .path] | @tsv' <<<"$output"
	assert_output "LISTEN	stream	99	/run/a b (c).sock
UNCONNECTED	dgram	98	"
}

@test "mountinfo: octal escapes decoded, optional fields skipped" {
	parse mountinfo '36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n37 35 bad\n'
	run -0 jq -r '[.target, .source, .fstype, .options, .super_options] |
	    @tsv' <<<"$output"
	assert_output "/mnt 2	/dev/root	ext3	rw,noatime	rw,errors=continue"
}

@test "environ and cgroup: NUL bytes split, LD_PRELOAD found, containers named" {
	parse environ 'A=1\0LD_PRELOAD=/x.so\0B=\0'
	assert_output '{"environ":["A=1","LD_PRELOAD=/x.so","B="],"ld_preload":"/x.so"}'
	parse cgroup '/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope\n/kubepods/burstable/pod1/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\n/lxc.payload.web1/init.scope\n/user.slice\n'
	run -0 jq -r '.container' <<<"$output"
	assert_output "docker:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
kubepods:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
lxc:web1
null"
}

@test "route, arp, modules: /proc text decoded" {
	parse route 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n'
	run -0 jq -r '[.destination, .gateway, .interface, .metric] | @tsv' <<<"$output"
	assert_output "0.0.0.0/0	192.168.2.1	eth0	100"
	parse arp 'IP address       HW type     Flags       HW address            Mask     Device\n10.0.0.1         0x1         0x2         52:54:00:12:34:56     *        eth0\n'
	run -0 jq -r '[.address, .mac, .interface, .state] | @tsv' <<<"$output"
	assert_output "10.0.0.1	52:54:00:12:34:56	eth0	REACHABLE"
	parse modules 'rootkit 16384 0 - Live 0x0000000000000000 (OE)\nbad line\n'
	run -0 jq -r '[.name, .size, .refcount, .state, .taint] | @tsv' <<<"$output"
	assert_output "rootkit	16384	0	Live	(OE)"
}

@test "an unknown kind of /proc file is a usage error" {
	printf 'x' >"$BATS_TEST_TMPDIR/in"
	run -64 --separate-stderr "$CV" -k nosuch "$BATS_TEST_TMPDIR/in"
	assert_equal "$stderr" "collect-volatile: unknown kind of /proc file 'nosuch'"
}

@test "the IPv6 neighbours are those ip -6 neigh lists, in a network namespace of their own" {
	local d=$BATS_TEST_TMPDIR/n
	mkdir -p "$d"
	# neighbours set here, where nothing else changes them
	run unshare -n sh -c '
		ip link set lo up &&
		ip -6 neigh add 2001:db8::5 lladdr 02:00:00:00:00:05 dev lo nud permanent &&
		ip -6 neigh add fe80::7 lladdr 0a:1b:2c:3d:4e:5f dev lo nud permanent &&
		ip -6 neigh add 2001:db8:0:1::a:b lladdr 02:00:00:00:00:0b dev lo nud permanent || exit 99
		"$1" -P "$2" network; rc=$?
		ip -6 neigh show >"$2/ip-neigh"
		exit $rc' sh "$CV" "$d"
	case $status in 0 | 2) ;; *) fail "status $status: $output" ;; esac
	[ "$(wc -l <"$d/ip-neigh")" -eq 3 ] || fail "ip lists: $(cat "$d/ip-neigh")"
	run -0 jq -r 'select(.kind == "neighbour") |
	    [.address, .interface, .mac, .state] | @tsv' "$d/volatile/network.jsonl"
	assert_equal "$(sort <<<"$output")" "$(awk '{ print $1 "\t" $3 "\t" $5 "\t" $6 }' "$d/ip-neigh" | sort)"
}
