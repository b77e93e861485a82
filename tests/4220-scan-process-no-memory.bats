#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-scan --pid given a process without memory (a kernel thread, a
# zombie): nothing to scan, so the scan of it is complete: skipped with a
# note, counted in the summary, status 0.

load helpers/common

# A kernel thread's pid: one whose status says Kthread, or kthreadd's
# children.
kthread_pid() {
	local d
	for d in /proc/[0-9]*; do
		if grep -qE '^Kthread:[[:space:]]*1' "$d/status" 2>/dev/null ||
		    [ "$(awk '/^PPid:/ { print $2 }' "$d/status" 2>/dev/null)" = 2 ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

@test "spoor-scan --pid of a kernel thread: skipped with a note, status 0" {
	pid=$(kthread_pid) || fail "no kernel thread visible in /proc"
	run -0 --separate-stderr spoor-scan --no-heuristics --pid "$pid"
	assert_output ""
	[[ "$stderr" == *"spoor-scan: process $pid: no memory (a kernel thread or a zombie); nothing to scan"* ]]
	[[ "$stderr" == *"1 process without memory (kernel threads, zombies)"* ]]
}

@test "spoor-scan --pid of a zombie: skipped with a note, status 0, recorded as done" {
	# a child that exits and is never waited for
	python3 -c 'import os, sys, time
pid = os.fork()
if pid == 0:
    os._exit(0)
print(pid, flush=True)
time.sleep(60)' > "$BATS_TEST_TMPDIR/zombie" &
	parent=$!
	for i in $(seq 50); do
		pid=$(cat "$BATS_TEST_TMPDIR/zombie")
		[ -n "$pid" ] && grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" && break
		sleep 0.1
	done
	grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" || fail "no zombie"
	run -0 --separate-stderr spoor-scan --no-heuristics -c "$BATS_TEST_TMPDIR/case.db" --pid "$pid"
	kill "$parent"
	[[ "$stderr" == *"spoor-scan: process $pid: no memory (a kernel thread or a zombie); nothing to scan"* ]]
	assert_equal "$(sqlite3 "$BATS_TEST_TMPDIR/case.db" 'SELECT state, exit_status, problem_count FROM runs')" "done|0|0"
}
