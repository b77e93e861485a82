#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The command-line contract every command keeps (spoor(7)): --help on
# stdout with status 0, --version with library versions, usage errors on
# stderr with status 64, man pages that document every option.

load helpers/common

TOOLS="spoor-info spoor-ls spoor-cat"

@test "every command prints help on stdout and exits 0" {
	for t in spoor $TOOLS; do
		run -0 --separate-stderr "$t" --help
		assert_output --partial "usage: $t"
		[ -z "$stderr" ]
	done
}

@test "every command prints its version and the linked library versions" {
	for t in spoor $TOOLS; do
		run -0 "$t" --version
		assert_line --partial "libtsk 4."
		assert_line --partial "libewf "
		assert_line --partial "libyara 4."
		assert_line --partial "sqlite 3."
		assert_line --partial "ncurses"
		assert_line --partial "OpenSSL"
	done
}

@test "an unknown option is a usage error with status 64 on stderr" {
	for t in $TOOLS; do
		run -64 --separate-stderr "$t" --no-such-option
		assert_equal "$output" ""
		[[ "$stderr" == *"usage: $t"* ]]
	done
}

@test "a missing operand is a usage error with status 64" {
	for t in $TOOLS; do
		run -64 --separate-stderr "$t"
		[[ "$stderr" == "usage: $t"* ]]
	done
}

@test "spoor lists its verbs: every spoor-VERB command built" {
	run -0 spoor --help
	n=0
	for cmd in "$BUILD"/bin/spoor-*; do
		verb=${cmd##*/spoor-}
		assert_line --regexp "^  $verb "
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
}

@test "spoor VERB runs spoor-VERB with the remaining arguments" {
	need "$IMAGES/ext2/tsk_image.dd"
	run -0 spoor ls "$IMAGES/ext2/tsk_image.dd"
	expected=$(spoor-ls "$IMAGES/ext2/tsk_image.dd")
	assert_equal "$output" "$expected"
}

@test "spoor with an unknown verb exits 64 and says so" {
	run -64 --separate-stderr spoor frobnicate
	assert_equal "$stderr" "spoor: 'frobnicate' is not a spoor verb; see 'spoor --help'"
}

@test "spoor refuses a verb that is a path" {
	run -64 --separate-stderr spoor ../../bin/sh
	[[ "$stderr" == "spoor: '../../bin/sh' is not a verb"* ]]
}

@test "every man page passes mandoc's lint" {
	run -0 "$REPO/scripts/lint-man" "$REPO"/man/*.[157]
}

@test "every command has a man page documenting exactly its --help options" {
	for t in spoor $TOOLS; do
		[ -f "$REPO/man/$t.1" ] || fail "no man/$t.1"
	done
	run -0 "$REPO/scripts/check-help-man" "$BUILD/bin" "$REPO/man"
}

@test "check-help-man catches an option missing from a man page" {
	tmp=$(mktemp -d)
	cp "$REPO"/man/*.1 "$tmp"/
	sed -i '/Fl \\-recursive/d; /Fl -recursive/d' "$tmp/spoor-ls.1"
	run -1 "$REPO/scripts/check-help-man" "$BUILD/bin" "$tmp"
	assert_output --partial -- "--recursive"
	rm -rf "$tmp"
}
