#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The layering of the source tree (lib/LAYERS, ARCHITECTURE.md): every
# #include of lib/ and tools/ keeps to the layers, the case's SQLite stays
# in lib/case/, no two files include or call each other in a loop; and
# scripts/check-layers, which checks it, does notice each kind of
# violation in a copy of the tree.

load helpers/common

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

# A copy of lib/ and tools/ to break.
copy_tree() {
	cp -r "$REPO/lib" "$REPO/tools" "$tmp/"
}

@test "the tree keeps to lib/LAYERS: includes, private headers, no loops" {
	run -0 --separate-stderr "$REPO/scripts/check-layers" -o "$BUILD"
	assert_output ""
	[ -z "$stderr" ]
}

@test "every folder of lib/ and every public header has a layer" {
	for d in "$REPO"/lib/*/; do
		d=${d%/}
		[ "${d##*/}" = include ] && continue
		grep -q "^layer ${d##*/}:" "$REPO/lib/LAYERS" ||
			fail "lib/${d##*/} has no layer"
	done
	for h in "$REPO"/lib/include/spoor/*.h; do
		grep -q "^header ${h##*/} " "$REPO/lib/LAYERS" ||
			fail "${h##*/} has no layer"
	done
}

@test "check-layers reports a lower layer including a higher one" {
	copy_tree
	sed -i 's|#include "spoor/json.h"|#include "spoor/scan.h"|' \
		"$tmp/lib/base/run.c"
	run -1 "$REPO/scripts/check-layers" -r "$tmp"
	assert_output --partial 'lib/base/run.c:'
	assert_output --partial '"spoor/scan.h" (scan), but base may include only base'
}

@test "check-layers reports a command including an internal header" {
	copy_tree
	sed -i 's|#include "common/tool.h"|#include "common/tool.h"\n#include "base/util.h"|' \
		"$tmp/tools/spoor-cat.c"
	run -1 "$REPO/scripts/check-layers" -r "$tmp"
	assert_line --regexp '^tools/spoor-cat.c:[0-9]+: includes "base/util.h" \(base\), but tools may include only tools, public$'
}

@test "check-layers reports SQLite and the case's internals outside lib/case" {
	copy_tree
	printf '#include <sqlite3.h>\n#include "case/case-internal.h"\n' \
		>>"$tmp/lib/acquire/acquire-internal.h"
	run -1 "$REPO/scripts/check-layers" -r "$tmp"
	assert_line --regexp '^lib/acquire/acquire-internal.h:[0-9]+: includes <sqlite3.h>, private to case'
	assert_line --regexp '^lib/acquire/acquire-internal.h:[0-9]+: includes "case/case-internal.h", private to case'
}

@test "check-layers reports files that include each other" {
	copy_tree
	printf '#include "live/b.h"\n' >"$tmp/lib/live/a.h"
	printf '#include "live/a.h"\n' >"$tmp/lib/live/b.h"
	run -1 "$REPO/scripts/check-layers" -r "$tmp"
	assert_line "lib/live/a.h lib/live/b.h: include loop between these 2 files"
}

@test "check-layers reports files that call each other" {
	mkdir -p "$tmp/build/lib/live"
	cp -r "$REPO/lib" "$REPO/tools" "$tmp/"
	printf 'int b(void);\nint a(void);\nint a(void) { return b(); }\n' \
		>"$tmp/a.c"
	printf 'int a(void);\nint b(void);\nint b(void) { return a() + 1; }\n' \
		>"$tmp/b.c"
	${CC:-cc} -c -o "$tmp/build/lib/live/one.o" "$tmp/a.c"
	${CC:-cc} -c -o "$tmp/build/lib/live/two.o" "$tmp/b.c"
	run -1 "$REPO/scripts/check-layers" -r "$tmp" -o "$tmp/build"
	assert_line "lib/live/one.c lib/live/two.c: call loop between these 2 files"
}

@test "check-layers reports a new folder or public header without a layer" {
	copy_tree
	mkdir "$tmp/lib/collect"
	echo '/* x */' >"$tmp/lib/collect/collect.c"
	echo '/* x */' >"$tmp/lib/include/spoor/unlayered.h"
	run -1 "$REPO/scripts/check-layers" -r "$tmp"
	assert_line "lib/collect: folder without a layer in lib/LAYERS"
	assert_line "lib/include/spoor/unlayered.h: public header without a layer in lib/LAYERS"
}

@test "check-layers refuses a usage error and a tree without LAYERS" {
	run -64 --separate-stderr "$REPO/scripts/check-layers" extra
	[[ "$stderr" == "usage: scripts/check-layers"* ]]
	mkdir -p "$tmp/lib"
	run -66 --separate-stderr "$REPO/scripts/check-layers" -r "$tmp"
	[[ "$stderr" == *"LAYERS': No such file or directory" ]]
}

@test "a command made of several files in tools/spoor-VERB/ is linked from all of them and tools/common" {
	copy_tree
	cp "$REPO/Makefile" "$tmp/"
	mkdir "$tmp/tools/spoor-zz"
	printf 'int zz_part(void);\nint main(void) { return zz_part(); }\n' \
		>"$tmp/tools/spoor-zz/main.c"
	printf 'int zz_part(void);\nint zz_part(void) { return 0; }\n' \
		>"$tmp/tools/spoor-zz/part.c"
	run -0 make -C "$tmp" -n BUILD=b b/bin/spoor-zz
	link=$(echo "$output" | grep -e ' -o b/bin/spoor-zz ')
	[[ $link == *b/tools/spoor-zz/main.o* ]]
	[[ $link == *b/tools/spoor-zz/part.o* ]]
	[[ $link == *b/tools/common/tool.o* ]]
	[[ $link == *b/libspoor.a* ]]
	# and the single-file commands still link from their one file
	run -0 make -C "$tmp" -n BUILD=b b/bin/spoor-ls
	[[ $(echo "$output" | grep -e ' -o b/bin/spoor-ls ') == *b/tools/spoor-ls.o* ]]
}
