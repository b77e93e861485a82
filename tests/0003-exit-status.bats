#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# One table of exit statuses: lib/base/errors.def (SP_ERROR lines for the
# error codes, SP_EXIT lines for the outcomes and signals) is the source,
# spoor(7)'s EXIT STATUS list documents exactly its statuses, and no
# command writes a status as a number.

load helpers/common

# The distinct statuses of errors.def, one a line, sorted.
def_statuses() {
	sed -nE 's/^SP_(ERROR|EXIT)\([A-Z_]+, *([0-9]+),.*/\2/p' \
		"$REPO/lib/base/errors.def" | sort -un
}

# The statuses listed in spoor(7)'s EXIT STATUS section (its first list).
man_statuses() {
	awk '/^\.Sh EXIT STATUS/ { on = 1; next }
	     on && /^\.Sh/ { exit }
	     on && /^\.El/ { exit }
	     on && /^\.It [0-9]+$/ { print $2 }' "$REPO/man/spoor.7" | sort -un
}

@test "errors.def has the non-error statuses 0, 1, 2, 130 and 143" {
	run -0 def_statuses
	for s in 0 1 2 130 143; do
		assert_line "$s"
	done
}

@test "spoor(7)'s EXIT STATUS table lists exactly the statuses of errors.def" {
	local def man
	def=$(def_statuses)
	man=$(man_statuses)
	[ -n "$man" ] || fail "no EXIT STATUS list in spoor(7)"
	assert_equal "$man" "$def"
}

@test "no command writes an exit status as a number" {
	# return/exit with a number other than 0 (a success or a helper's
	# "no"), comparisons and assignments of a status, and ?: of numbers
	run -1 grep -nE \
		'\b(return|exit|_exit)\b *\(? *[1-9][0-9]* *\)? *;|\bstatus\b *([!=<>]=?|>=|<=) *[0-9]|\? *[0-9]+ *: *[0-9]+' \
		-r "$REPO/tools" --include='*.c' --include='*.h'
	assert_output ""
}

@test "the library writes nothing to the terminal" {
	# no stdout/stderr, printf/puts/perror or write(1|2, ...) outside
	# comments: the library reports through sinks and callbacks
	run -1 sh -c "grep -rnE '\\b(stderr|stdout)\\b|(^|[^a-z_])(printf|vprintf|puts|putchar|perror) *\\(|\\bwrite *\\( *[12] *,' \"\$1\" |
		grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\\*|//)'" sh "$REPO/lib"
	assert_output ""
}

@test "a command's usage error is the table's status for SP_E_USAGE" {
	local s
	s=$(sed -nE 's/^SP_ERROR\(SP_E_USAGE, *([0-9]+),.*/\1/p' "$REPO/lib/base/errors.def")
	run -"$s" --separate-stderr spoor-ls --no-such-option
}
