#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-scan --pid: a running process named like a kernel thread (its
# comm, or its argv[0] as ps shows it) while it runs an executable, which
# kernel threads never do, is the kernel-thread-name heuristic; a process
# with an ordinary name is not.  ps is the oracle of the names.

load helpers/common

teardown() {
	[ -z "${pid:-}" ] || kill "$pid" 2>/dev/null || true
}

@test "a copy of sleep called kswapd0 is flagged as a kernel thread's name, with its pid and exe" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp "$(command -v sleep)" "$BATS_TEST_TMPDIR/bin/kswapd0"
	"$BATS_TEST_TMPDIR/bin/kswapd0" 300 &
	pid=$!
	sleep 0.2
	assert_equal "$(ps -o comm= -p "$pid")" kswapd0
	run -1 --separate-stderr spoor-scan --json --pid "$pid"
	d=$(jq -c 'select(.name == "kernel-thread-name")' <<<"$output")
	[ -n "$d" ]
	assert_equal "$(jq -r '.target.pid' <<<"$d")" "$pid"
	assert_equal "$(jq -r '.target.exe' <<<"$d")" "$BATS_TEST_TMPDIR/bin/kswapd0"
	[[ "$(jq -r .reason <<<"$d")" == *"named 'kswapd0' (comm)"* ]]
}

@test "an argv[0] in ps's kernel-thread brackets is flagged too" {
	bash -c 'exec -a "[kworker/0:1-events]" sleep 300' &
	pid=$!
	sleep 0.2
	assert_equal "$(ps -o args= -p "$pid")" "[kworker/0:1-events] 300"
	run -1 --separate-stderr spoor-scan --json --pid "$pid"
	jq -e -s 'any(.[]; .name == "kernel-thread-name" and (.reason | contains("(argv[0])")))' <<<"$output" >/dev/null
}

@test "an ordinary process, and --no-heuristics, give no such detection" {
	sleep 300 &
	pid=$!
	sleep 0.2
	run --separate-stderr spoor-scan --json --pid "$pid"
	[ "$(jq -c 'select(.name == "kernel-thread-name")' <<<"$output" | wc -l)" -eq 0 ]
	kill "$pid"
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp "$(command -v sleep)" "$BATS_TEST_TMPDIR/bin/kswapd0"
	"$BATS_TEST_TMPDIR/bin/kswapd0" 300 &
	pid=$!
	sleep 0.2
	run --separate-stderr spoor-scan --json --no-heuristics --pid "$pid"
	[ "$(jq -c 'select(.name == "kernel-thread-name")' <<<"$output" | wc -l)" -eq 0 ]
}
