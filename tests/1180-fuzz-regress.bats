#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The inputs that fuzzing found a crash, leak, hang or broken invariant
# with (tests/fuzz/regress/<target>/), replayed through their fuzz target
# built with the system compiler against build/libspoor.a and the main of
# tests/fuzz/replay.c: a target aborts on what it checks, so each must
# pass every input.  The seed corpora are replayed too.

load helpers/common

PKGS="tsk libewf yara sqlite3 ncursesw libcrypto zlib libsystemd"

# build TARGET: the replay binary of tests/fuzz/TARGET.c, once per run.
build() {
	local t=$1 bin=$BATS_FILE_TMPDIR/$1 san
	san=$(sanitizers)
	if [ ! -x "$bin" ]; then
		# the library's sanitizers, if it has any, for the program too
		# shellcheck disable=SC2046
		${CC:-cc} ${san:+-fsanitize=$san -fno-omit-frame-pointer} -std=c11 -D_GNU_SOURCE -g -O1 -I"$REPO/lib/include" \
		    -I"$REPO/lib" $(pkg-config --cflags $PKGS) -o "$bin" \
		    "$REPO/tests/fuzz/$t.c" "$REPO/tests/fuzz/replay.c" \
		    "$BUILD/libspoor.a" $(pkg-config --libs $PKGS) -lpthread -lm \
		    >&2 || return 1
	fi
	echo "$bin"
}

# replay TARGET DIR: every file of DIR through TARGET.
replay() {
	local bin
	bin=$(build "$1") || fail "cannot build $1"
	run -0 find "$2" -type f
	[ -n "$output" ] || fail "no inputs in $2"
	find "$2" -type f -print0 | sort -z | TMPDIR=$BATS_TEST_TMPDIR \
	    xargs -0 "$bin" >"$BATS_TEST_TMPDIR/log" 2>&1 ||
		fail "$1 failed: $(tail -n 20 "$BATS_TEST_TMPDIR/log")"
}

@test "every fuzz target has a seed corpus and a dictionary" {
	local t
	for t in "$REPO"/tests/fuzz/fuzz_*.c; do
		t=$(basename "$t" .c)
		[ -d "$REPO/tests/fuzz/corpus/$t" ] || fail "no corpus for $t"
		[ -f "$REPO/tests/fuzz/$t.dict" ] || fail "no dictionary for $t"
		# libFuzzer's dictionary syntax: comments or "quoted" entries
		run grep -v -E -e '^(#.*)?$' -e '^([A-Za-z0-9_]+=)?"([^"\\]|\\.)*"$' \
		    "$REPO/tests/fuzz/$t.dict"
		[ -z "$output" ] || fail "$t.dict: $output"
	done
}

@test "the regression inputs of every target replay without a crash" {
	local d t
	for d in "$REPO"/tests/fuzz/regress/*/; do
		t=$(basename "$d")
		replay "$t" "$d"
	done
}

@test "the seed corpora replay without a crash" {
	local d t
	for d in "$REPO"/tests/fuzz/corpus/*/; do
		t=$(basename "$d")
		[ "$t" = fuzz_evidence ] && continue	# images: the regress set
		replay "$t" "$d"
	done
}
