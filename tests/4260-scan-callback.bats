#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The scanner's detection callback returns enum sp_cb like every other
# callback (tests/helpers/scan-stop.c): a stop after the first detection
# ends the scan with SP_OK and no further detection, file or callback; an
# error ends it with the callback's code, from the walker's thread
# (heuristics) and from a YARA worker alike.

load helpers/common

SCAN_STOP=$BUILD/tests/scan-stop

setup() {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/tmp"
	# ten scripts under /tmp: ten exec-in-tmp detections when nothing stops
	for i in 0 1 2 3 4 5 6 7 8 9; do
		printf '#!/bin/sh\necho %s\n' "$i" > "$root/tmp/drop$i"
	done
	rules=$BATS_TEST_TMPDIR/every.yar
	printf 'rule every_file { condition: true }\n' > "$rules"
}

@test "without a stop, every file is a detection (the fixture's baseline)" {
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	[ "$(echo "$output" | jq -s '[.[] | select(.type == "heuristic")] | length')" -eq 10 ]
}

@test "a stop after the first detection ends the scan with SP_OK" {
	run -0 "$SCAN_STOP" stop "$root"
	assert_line "scan: SP_OK ''"
	assert_line "again: SP_OK"
	assert_line "finish: SP_OK"
	assert_line "calls: 1"
	assert_line "detections: 1"
	assert_line "files scanned: 1"
}

@test "a callback's error ends the scan and is what the scan returns" {
	run -0 "$SCAN_STOP" error "$root"
	assert_line "scan: SP_E_IO 'callback: disk full'"
	assert_line "again: SP_E_IO"
	assert_line "finish: SP_E_IO"
	assert_line "calls: 1"
	assert_line "files scanned: 1"
}

@test "a callback's error in a YARA worker reaches the caller; later hits are dropped" {
	run -0 "$SCAN_STOP" error "$root" "$rules"
	assert_line "first error: SP_E_CREATE"
	assert_line "finish: SP_E_CREATE"
	assert_line "calls: 1"
	assert_line "detections: 1"
}

@test "a stop in a YARA worker gives SP_OK and one detection" {
	run -0 "$SCAN_STOP" stop "$root" "$rules"
	assert_line "first error: SP_OK"
	assert_line "calls: 1"
	assert_line "detections: 1"
}
