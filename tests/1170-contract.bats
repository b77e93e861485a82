#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The library's contract for errors, callbacks and cancellation, driven
# through tests/helpers/contract.c and through the commands: an error's
# code (and so the exit status) does not depend on whether the caller
# passed a struct sp_err, a content callback's error reaches the caller,
# SP_CB_STOP is no error, and a tripped token interrupts until reset.

load helpers/common

CONTRACT=$BUILD/tests/contract

@test "a missing file is SP_E_NOINPUT (66) with and without an error struct" {
	need "$IMAGES/fat/fat_very_small.dd"
	run -0 "$CONTRACT" "$BATS_TEST_TMPDIR/nope.db" \
		"$IMAGES/fat/fat_very_small.dd" /a/b/hello.txt
	assert_line "with err: SP_E_NOINPUT 66"
	assert_line "without err: SP_E_NOINPUT 66"
}

@test "a content callback's error code reaches the reader's caller (image)" {
	need "$IMAGES/fat/fat_very_small.dd"
	run -0 "$CONTRACT" "$BATS_TEST_TMPDIR/nope.db" \
		"$IMAGES/fat/fat_very_small.dd" /a/b/hello.txt
	assert_line "callback error: SP_E_IO 'callback: disk full'"
	assert_line "callback code: SP_E_CREATE '/a/b/hello.txt: cannot create output'"
	assert_line "callback code without err: SP_E_CREATE"
	assert_line "callback stop: SP_OK after data"
}

@test "a content callback's error code reaches the reader's caller (directory)" {
	mkdir -p "$BATS_TEST_TMPDIR/ev/sub"
	echo hi > "$BATS_TEST_TMPDIR/ev/sub/f.txt"
	run -0 "$CONTRACT" "$BATS_TEST_TMPDIR/nope.db" "$BATS_TEST_TMPDIR/ev" sub/f.txt
	assert_line "callback error: SP_E_IO 'callback: disk full'"
	assert_line "callback code: SP_E_CREATE 'sub/f.txt: cannot create output'"
	assert_line "callback stop: SP_OK after data"
}

@test "a tripped cancellation token interrupts a walk; reset, it runs" {
	need "$IMAGES/fat/fat_very_small.dd"
	run -0 "$CONTRACT" "$BATS_TEST_TMPDIR/nope.db" \
		"$IMAGES/fat/fat_very_small.dd" /a/b/hello.txt
	assert_line "cancelled walk: SP_E_INTERRUPTED 130, no entries"
	assert_line "reset walk: SP_OK, entries"
}

@test "commands: a missing hash set is status 66 naming it" {
	need "$IMAGES/fat/fat_very_small.dd"
	run -66 --separate-stderr spoor-hashset info "$BATS_TEST_TMPDIR/nope.db"
	assert_equal "$stderr" "spoor-hashset: '$BATS_TEST_TMPDIR/nope.db': open: No such file or directory"
	run -66 --separate-stderr spoor-scan --known-good "$BATS_TEST_TMPDIR/nope.db" \
		"$IMAGES/fat/fat_very_small.dd"
	assert_equal "$stderr" "spoor-scan: '$BATS_TEST_TMPDIR/nope.db': open: No such file or directory"
}

@test "commands: spoor-cat's write error is status 74 with its cause" {
	need "$IMAGES/fat/fat_very_small.dd"
	[ -w /dev/full ] || fail "no /dev/full"
	run -74 --separate-stderr sh -c 'spoor-cat "$1" /a/b/hello.txt > /dev/full' \
		sh "$IMAGES/fat/fat_very_small.dd"
	assert_equal "$stderr" "spoor-cat: standard output: write error"
}
