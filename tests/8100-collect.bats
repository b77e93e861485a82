#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-collect on this machine: a process the test starts (a unique
# command line, a deleted executable under /tmp, an environment variable,
# a listening socket, a miner's strings in its memory) is found with its
# ppid, its socket and its environment, checked against ps and ss; a
# process hidden by a bind mount over its /proc entry is reported; a
# hostile tree as the walked root neither hangs nor breaks the caps, and
# the manifest stays JSON; nothing outside the output changes; the tar
# stream holds the same collection; spoor-timeline and spoor-scan turn the
# collection into events and detections of that process.
# spoor-test: alone (/etc, /var/log and /root of the host before and
# after; see scripts/run-tests)

load helpers/common

setup_file() {
	export TARGET_BIN=$BATS_FILE_TMPDIR/collect-target
	cc -O1 -o "$TARGET_BIN" "$REPO/tests/fixtures/collect-target.c"
}

setup() {
	pid=
	mnt=
}

teardown() {
	[ -z "$mnt" ] || umount "$mnt" 2>/dev/null || true
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
}

# spoor-collect ARGS: complete (0), or partial (2) where this machine
# hides some of /proc even from root (pid 1 of a container).
collect() {
	status=0
	spoor-collect "$@" || status=$?
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
}

# Start the target from a copy under /tmp with a unique name, then delete
# the copy: $pid, $port, $exe, $mark.
start_target() {
	mark=spoor-mark-$$-$RANDOM
	exe=$(mktemp /tmp/.spoor-target.XXXXXX)
	cp "$TARGET_BIN" "$exe"
	chmod 755 "$exe"
	want_sha=$(sha256sum <"$exe" | cut -c1-64)
	rm -f "$BATS_TEST_TMPDIR/port"
	SPOOR_TEST_MARK=$mark "$exe" "$BATS_TEST_TMPDIR/port" "$mark" 3>&- &
	pid=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.05; done
	port=$(cat "$BATS_TEST_TMPDIR/port")
	[ -n "$port" ]
	rm -f "$exe"
}

@test "the target process: ppid, deleted exe, hash, environment, listening socket (ps and ss as oracles)" {
	start_target
	collect -q --environ --no-walk "$BATS_TEST_TMPDIR/c"
	p=$BATS_TEST_TMPDIR/c/volatile/processes.jsonl
	rec=$(jq -c --argjson p "$pid" 'select(.pid == $p)' "$p")
	[ -n "$rec" ]
	assert_equal "$(jq .ppid <<<"$rec")" "$(ps -o ppid= -p "$pid" | tr -d ' ')"
	assert_equal "$(jq .exe_deleted <<<"$rec")" true
	assert_equal "$(jq -r .exe <<<"$rec")" "$exe"
	assert_equal "$(jq -r .exe_sha256 <<<"$rec")" "$want_sha"
	assert_equal "$(jq -r '.cmdline[2]' <<<"$rec")" "$mark"
	assert_equal "$(jq -r --arg m "SPOOR_TEST_MARK=$mark" '.environ[] | select(. == $m)' <<<"$rec")" "SPOOR_TEST_MARK=$mark"
	s=$(jq -c --argjson p "$pid" 'select(.pids | index($p))' "$BATS_TEST_TMPDIR/c/volatile/sockets.jsonl")
	assert_equal "$(jq -r '[.proto, .state, .local_address, .local_port] | @tsv' <<<"$s")" \
	    "$(printf 'tcp\tLISTEN\t127.0.0.1\t%s' "$port")"
	ss -ltnpH "sport = :$port" | grep -q "pid=$pid,"
	# and the collector found it suspicious
	jq -s -e --argjson p "$pid" 'any(.[]; .pid == $p and .kind == "deleted_exe")' \
	    "$BATS_TEST_TMPDIR/c/volatile/findings.jsonl" >/dev/null
	# every manifest item is there with its hash
	tail -n +2 "$BATS_TEST_TMPDIR/c/manifest.jsonl" | jq -r 'select(.kind == "item") | "\(.sha256)  \(.path)"' |
	    (cd "$BATS_TEST_TMPDIR/c" && sha256sum -c --quiet -)
}

@test "a process hidden from readdir by a bind mount over /proc/PID is reported" {
	start_target
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	mount --bind "$BATS_TEST_TMPDIR/empty" "/proc/$pid"
	mnt=/proc/$pid
	# ps no longer sees it
	run -1 ps -p "$pid"
	collect -q --no-walk "$BATS_TEST_TMPDIR/c"
	jq -s -e --argjson p "$pid" 'any(.[]; .pid == $p and .kind == "hidden_process")' \
	    "$BATS_TEST_TMPDIR/c/volatile/findings.jsonl" >/dev/null
	jq -s -e --argjson p "$pid" 'any(.[]; .pid == $p and .kind == "proc_bind_mount")' \
	    "$BATS_TEST_TMPDIR/c/volatile/findings.jsonl" >/dev/null
}

@test "a hostile root: loops, a FIFO, a 10 GB sparse file, a growing file, hostile names; caps hold, no hang" {
	r=$BATS_TEST_TMPDIR/root
	mkdir -p "$r/var/log" "$r/etc" "$r/tmp/a/b" "$r/root"
	ln -s .. "$r/tmp/a/b/up"
	ln -s "$r/tmp/a" "$r/tmp/a/b/loop"
	mkfifo "$r/var/log/fifo.log"
	truncate -s 10G "$r/var/log/huge.log"
	printf 'x' >"$r/var/log/grow.log"
	touch "$r/tmp/$(printf 'a\nb')" "$r/tmp/$(printf 'e\e[31mx')" "$r/tmp/$(printf 'bad\xff')"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	( while :; do printf 'more\n' >>"$r/var/log/grow.log"; done ) &
	writer=$!
	status=0
	timeout 120 spoor-collect -q --no-volatile --root "$r" --max-file 1M --max-total 3M \
	    "$BATS_TEST_TMPDIR/c" || status=$?
	kill "$writer"
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
	m=$BATS_TEST_TMPDIR/c/manifest.jsonl
	while IFS= read -r line; do jq -e 'type == "object"' <<<"$line" >/dev/null; done <"$m"
	assert_equal "$(jq -r 'select(.path == "files/var/log/huge.log") | .truncated' "$m")" true
	[ "$(jq -s '[.[] | select(.type == "file") | .size] | add' "$m")" -le $((3 * 1024 * 1024)) ]
	[ -z "$(jq -c 'select(.path == "files/var/log/fifo.log")' "$m")" ]
	# the bodyfile names every entry, the hostile ones escaped
	grep -q '/tmp/a%0Ab|' "$BATS_TEST_TMPDIR/c/bodyfile.txt"
	grep -q '/tmp/bad%FF|' "$BATS_TEST_TMPDIR/c/bodyfile.txt"
	run -1 grep -qP '\e' "$BATS_TEST_TMPDIR/c/bodyfile.txt"
}

@test "nothing outside the output changes: /etc, /var/log and /root before and after" {
	# directories: no atime (find reads them, which sets it); the rest with it
	snap() {
		find /etc /var/log /root -xdev -type d -printf '%p %T@ %C@\n' 2>/dev/null
		find /etc /var/log /root -xdev ! -type d -printf '%p %s %T@ %C@ %A@\n' 2>/dev/null
	}
	out=$(mktemp -d /var/tmp/spoor-collect-test.XXXXXX)
	snap | sort >"$BATS_TEST_TMPDIR/before"
	collect -q --max-total 64M "$out/c"
	snap | sort >"$BATS_TEST_TMPDIR/after"
	rm -rf "$out"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_output ""
}

@test "the tar stream holds the same collection; manifest.jsonl is its last member" {
	start_target
	collect -q --no-walk - >"$BATS_TEST_TMPDIR/c.tar"
	assert_equal "$(tar -tf "$BATS_TEST_TMPDIR/c.tar" | tail -1)" manifest.jsonl
	mkdir "$BATS_TEST_TMPDIR/x"
	tar -xf "$BATS_TEST_TMPDIR/c.tar" -C "$BATS_TEST_TMPDIR/x"
	tail -n +2 "$BATS_TEST_TMPDIR/x/manifest.jsonl" | jq -r 'select(.kind == "item") | "\(.sha256)  \(.path)"' |
	    (cd "$BATS_TEST_TMPDIR/x" && sha256sum -c --quiet -)
	jq -s -e --argjson p "$pid" 'any(.[]; .pid == $p)' "$BATS_TEST_TMPDIR/x/volatile/processes.jsonl" >/dev/null
}

@test "the collection in spoor-timeline and spoor-scan: events and detections of the target" {
	start_target
	collect -q --no-walk --process-memory "$pid" "$BATS_TEST_TMPDIR/c"
	[ -s "$BATS_TEST_TMPDIR/c/memory/$pid.lime" ]
	case=$BATS_TEST_TMPDIR/case.db
	status=0
	spoor-timeline -c "$case" "$BATS_TEST_TMPDIR/c" >/dev/null 2>&1 || status=$?
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
	assert_equal "$(sqlite3 "$case" "SELECT count(*) FROM events WHERE artifact = 'process' AND pid = $pid")" 1
	assert_equal "$(sqlite3 "$case" "SELECT count(*) FROM events WHERE artifact = 'socket' AND pid = $pid")" 1
	[ "$(sqlite3 "$case" "SELECT count(*) FROM detections WHERE pid = $pid AND name = 'deleted_exe'")" -ge 1 ]
	status=0
	spoor-scan -q -c "$case" --json "$BATS_TEST_TMPDIR/c" >"$BATS_TEST_TMPDIR/scan.jsonl" || status=$?
	# found (1), or found in a collection the collector marked partial (2)
	[ "$status" -eq 1 ] || [ "$status" -eq 2 ]
	jq -s -e --argjson p "$pid" 'any(.[]; .rule == "miner_xmrig_memory" and .target.pid == $p)' \
	    "$BATS_TEST_TMPDIR/scan.jsonl" >/dev/null
}

@test "--memory: the physical memory as spoor-acquire --memory images it, listed in the manifest" {
	need "$REPO/tests/fixtures/mkcore"
	"$REPO/tests/fixtures/mkcore" "$BATS_TEST_TMPDIR/core" "$BATS_TEST_TMPDIR/iomem"
	run -0 spoor-collect -q --no-walk --no-volatile --memory --memory-source "$BATS_TEST_TMPDIR/core" \
	    --iomem "$BATS_TEST_TMPDIR/iomem" "$BATS_TEST_TMPDIR/c"
	run -0 spoor-acquire --memory --source "$BATS_TEST_TMPDIR/core" --iomem "$BATS_TEST_TMPDIR/iomem" \
	    "$BATS_TEST_TMPDIR/acq.lime"
	cmp "$BATS_TEST_TMPDIR/c/memory/physical.lime" "$BATS_TEST_TMPDIR/acq.lime"
	assert_equal "$(jq -r 'select(.path == "memory/physical.lime") | .sha256' "$BATS_TEST_TMPDIR/c/manifest.jsonl")" \
	    "$(sha256sum <"$BATS_TEST_TMPDIR/acq.lime" | cut -c1-64)"
	# a source that is not there is a problem of a partial collection
	run -2 spoor-collect -q --no-walk --no-volatile --memory --memory-source "$BATS_TEST_TMPDIR/none" \
	    --iomem "$BATS_TEST_TMPDIR/iomem" "$BATS_TEST_TMPDIR/c2"
	grep -q 'physical memory' "$BATS_TEST_TMPDIR/c2/collection.log"
	# a tar stream cannot hold an image written beside it
	run -64 --separate-stderr spoor-collect --memory - </dev/null
}

@test "bad input: no output, an output that exists, a missing root, a bad process list" {
	run -64 --separate-stderr spoor-collect
	mkdir "$BATS_TEST_TMPDIR/full" && touch "$BATS_TEST_TMPDIR/full/x"
	run -73 --separate-stderr spoor-collect -q --no-walk "$BATS_TEST_TMPDIR/full"
	run -66 --separate-stderr spoor-collect -q --root "$BATS_TEST_TMPDIR/none" "$BATS_TEST_TMPDIR/c"
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/none"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/c" ]
	run -64 --separate-stderr spoor-collect --process-memory 12,x "$BATS_TEST_TMPDIR/c"
}
