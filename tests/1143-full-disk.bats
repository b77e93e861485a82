#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# A full disk as output, one meaning everywhere: 73 when the output cannot
# be created or is known not to fit before anything is written; 74 when a
# write fails, a full disk included.  Tested on a tiny tmpfs mounted for
# the test and on /dev/full.

load helpers/common

setup() {
	FULL=$BATS_TEST_TMPDIR/full
	mkdir -p "$FULL"
	mount -t tmpfs -o size=64k tmpfs "$FULL" || fail "cannot mount a tmpfs (needs root)"
}

teardown() {
	umount "$FULL" 2>/dev/null || true
}

@test "spoor-acquire of a source larger than the free space: 73 before writing, nothing left behind" {
	head -c 1M /dev/urandom > "$BATS_TEST_TMPDIR/src.raw"
	run -73 --separate-stderr spoor-acquire "$BATS_TEST_TMPDIR/src.raw" "$FULL/out.raw"
	assert_equal "$stderr" "spoor-acquire: '$FULL': 1048576 bytes needed, 65536 free"
	assert_equal "$(ls -A "$FULL")" ""
}

@test "a case on a full disk: a write that fails is 74" {
	ev=$BATS_TEST_TMPDIR/ev
	mkdir -p "$ev"
	for i in $(seq 200); do printf 'x\n' > "$ev/file-with-a-long-name-$i"; done
	run -74 --separate-stderr spoor-timeline -c "$FULL/case.db" "$ev"
	assert_equal "$stderr" "spoor-timeline: case '$FULL/case.db': database or disk is full"
}

@test "spoor-export to a full disk (/dev/full): 74" {
	[ -w /dev/full ] || fail "no /dev/full"
	ev=$BATS_TEST_TMPDIR/ev
	mkdir -p "$ev"
	printf 'x\n' > "$ev/a"
	spoor-timeline -c "$BATS_TEST_TMPDIR/case.db" "$ev" >/dev/null
	run -74 --separate-stderr sh -c 'spoor-export -c "$1" > /dev/full' sh "$BATS_TEST_TMPDIR/case.db"
	assert_equal "$stderr" "spoor-export: write error"
}
