#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The licence: every source file says it is Apache-2.0 in an SPDX line
# near its top, and "make install" installs LICENSE with the
# documentation ("make uninstall" removes it).

load helpers/common

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

# The source files: code, scripts, tests, rules, man pages and the
# Makefile.  Left out: documents (*.md, LICENSE), dotfiles, and the data
# the tests read (scenario files, test rules, fuzz corpora and the
# images fuzzing found).
source_files() {
	if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$REPO" ls-files
	else
		(cd "$REPO" && find . -type f ! -path './build*' | sed 's|^\./||')
	fi | grep -v -e '\.md$' -e '^LICENSE$' -e '^\.' -e '/\.' \
		-e '^tests/fixtures/rules/' -e '^tests/fixtures/scenario/' \
		-e '^tests/fuzz/corpus/' -e '^tests/fuzz/regress/' \
		-e '^tests/fixtures/fuzz-found/'
}

@test "every source file carries the SPDX line of Apache-2.0" {
	n=0
	missing=
	while IFS= read -r f; do
		n=$((n + 1))
		head -n 3 "$REPO/$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' ||
			missing="$missing $f"
	done < <(source_files)
	[ -z "$missing" ] || fail "no SPDX line in:$missing"
	[ "$n" -ge 100 ]
}

@test "the LICENSE is Apache-2.0" {
	run -0 head -n 3 "$REPO/LICENSE"
	assert_output --partial "Apache License"
	assert_output --partial "Version 2.0"
}

@test "make install puts LICENSE in share/doc/spoor; make uninstall removes it" {
	run -0 make -C "$REPO" -s install BUILD="$BUILD" DESTDIR="$tmp" PREFIX=/usr
	cmp "$REPO/LICENSE" "$tmp/usr/share/doc/spoor/LICENSE"
	run -0 make -C "$REPO" -s uninstall BUILD="$BUILD" DESTDIR="$tmp" PREFIX=/usr
	[ ! -e "$tmp/usr/share/doc/spoor" ]
	[ -z "$(find "$tmp" -type f)" ]
}
