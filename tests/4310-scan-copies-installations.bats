#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Copies and installations: a file with the content of a detected file
# elsewhere in the same evidence (copy-of-detected), and an ELF that no
# package lists installed under /usr/local, /usr/lib, /lib or /opt after
# the rest of its file system (unpackaged-recent-elf).  Every image is an
# ext4 file system the test builds with mke2fs -d from a tree holding a
# small dpkg database, with times set by debugfs.

load helpers/common

# "detector path" of the heuristic hits in $output.
hits() {
	echo "$output" | jq -r 'select(.type == "heuristic") |
	    "\(.name) \(.target.path)"' | sort
}

# An ext4 image of $1 (a directory) at $2.
mkext4() {
	truncate -s 16M "$2"
	mke2fs -q -F -t ext4 -I 256 -d "$1" "$2"
}

# Set inode field $3 of path $2 in image $1 to $4 (debugfs time syntax).
setfield() {
	debugfs -w -R "set_inode_field $2 $3 $4" "$1" 2>/dev/null
}

# A system tree at $1: N documentation files and a library that package
# libfoo lists with its md5sum, a dpkg database saying so.
mktree() {
	local root=$1 n=${2:-120} i
	mkdir -p "$root/usr/share/doc/base" "$root/usr/lib/x86_64-linux-gnu" \
	    "$root/var/lib/dpkg/info" "$root/usr/local/bin" "$root/usr/local/sbin" \
	    "$root/var/tmp" "$root/opt/tool"
	for i in $(seq "$n"); do
		printf 'documentation page %d\n' "$i" >"$root/usr/share/doc/base/page$i"
	done
	cp /bin/true "$root/usr/lib/x86_64-linux-gnu/libfoo.so.1"
	(cd "$root" && md5sum usr/lib/x86_64-linux-gnu/libfoo.so.1) \
	    >"$root/var/lib/dpkg/info/libfoo.md5sums"
	printf '/usr/lib/x86_64-linux-gnu/libfoo.so.1\n' \
	    >"$root/var/lib/dpkg/info/libfoo.list"
	printf 'Package: libfoo\nStatus: install ok installed\nVersion: 1.0\n\n' \
	    >"$root/var/lib/dpkg/status"
}

# An ELF program of $2 bytes or more at $1, unlike any other file here.
mkelf() {
	cp /bin/true "$1"
	printf 'implant build %s\n' "$RANDOM$RANDOM$1" >>"$1"
	chmod 0755 "$1"
}

@test "copy-of-detected: an implant copied from /var/tmp to /usr/local/sbin gets the detection of the original" {
	src=$BATS_TEST_TMPDIR/src
	mktree "$src" 10
	mkdir -p "$src/var/tmp/.x"
	mkelf "$src/var/tmp/.x/kswapd0"
	cp -p "$src/var/tmp/.x/kswapd0" "$src/usr/local/sbin/sysupdate"
	cp -p "$src/var/tmp/.x/kswapd0" "$src/opt/tool/helper"
	# the same program, another build: not a copy
	mkelf "$src/usr/local/bin/other"
	img=$BATS_TEST_TMPDIR/copy.img
	mkext4 "$src" "$img"
	run -1 --separate-stderr spoor-scan --json --no-yara "$img"
	assert_equal "$(hits | grep copy-of-detected)" \
	    "$(printf 'copy-of-detected /opt/tool/helper\ncopy-of-detected /usr/local/sbin/sysupdate')"
	# the strongest detection of the original, its severity and score
	r=$(echo "$output" | jq -r 'select(.name == "copy-of-detected" and
	    .target.path == "/usr/local/sbin/sysupdate") | "\(.severity) \(.score) \(.reason)"')
	sha=$(sha256sum "$src/var/tmp/.x/kswapd0" | cut -d' ' -f1)
	assert_equal "$r" "high 80 same content (SHA-256 $sha) as 0:/var/tmp/.x/kswapd0, which has the detection heuristic:exec-in-tmp"
	# the original keeps its own detections and is no copy
	assert_equal "$(echo "$output" | jq -r 'select(.name == "copy-of-detected" and .target.path == "/var/tmp/.x/kswapd0") | .name')" ""
}

@test "copy-of-detected: a web shell copied out of the uploads under another name is flagged, and stored once in a case" {
	src=$BATS_TEST_TMPDIR/src
	mktree "$src" 10
	mkdir -p "$src/var/www/html/uploads"
	printf '<?php /* thumbnail helper */ @eval(base64_decode($_POST["c"])); /* end */ ?>\n' \
	    >"$src/var/www/html/uploads/thumb.php"
	cp "$src/var/www/html/uploads/thumb.php" "$src/var/tmp/notes.txt"
	rule=$BATS_TEST_TMPDIR/r.yar
	printf 'rule php_eval_b64 { strings: $a = "@eval(base64_decode(" condition: $a and filepath contains "uploads" }\n' >"$rule"
	img=$BATS_TEST_TMPDIR/web.img
	mkext4 "$src" "$img"
	db=$BATS_TEST_TMPDIR/c.db
	run -1 --separate-stderr spoor-scan --json -c "$db" -r "$rule" "$img"
	assert_equal "$(echo "$output" | jq -r 'select(.name == "copy-of-detected") | "\(.target.path) \(.severity)"')" \
	    "/var/tmp/notes.txt high"
	run -1 --separate-stderr spoor-scan --json -c "$db" -r "$rule" "$img"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE name = 'copy-of-detected'")" 1
}

@test "unpackaged-recent-elf: an unlisted ELF in /usr/local/bin born after the rest of the file system hits; born with it, listed, or outside those directories it does not" {
	src=$BATS_TEST_TMPDIR/src
	mktree "$src" 120
	mkelf "$src/usr/local/bin/dbus-helper"
	mkelf "$src/usr/local/sbin/old-tool"
	mkelf "$src/usr/share/doc/base/new-elf"
	img=$BATS_TEST_TMPDIR/inst.img
	mkext4 "$src" "$img"
	# the whole file system was born on one day; three files a week later
	for p in $(cd "$src" && find . -type f | sed 's|^\.||'); do
		setfield "$img" "$p" crtime 20260301090000
	done
	setfield "$img" /usr/local/bin/dbus-helper crtime 20260308104302
	setfield "$img" /usr/share/doc/base/new-elf crtime 20260308104302
	setfield "$img" /usr/lib/x86_64-linux-gnu/libfoo.so.1 crtime 20260308104302
	run -1 --separate-stderr spoor-scan --json --no-yara "$img"
	assert_equal "$(hits | grep unpackaged-recent-elf)" "unpackaged-recent-elf /usr/local/bin/dbus-helper"
	assert_equal "$(echo "$output" | jq -r 'select(.name == "unpackaged-recent-elf") | "\(.severity) \(.score) \(.technique) \(.reason)"')" \
	    "medium 60 T1105 ELF file under /usr/local/bin that no installed package lists, born 2026-03-08T10:43:02Z (crtime), among the newest of its file system (from 2026-03-01T10:00:00Z)"
}

@test "unpackaged-recent-elf: nothing on a file system born at once, nor without package data" {
	src=$BATS_TEST_TMPDIR/src
	mktree "$src" 120
	mkelf "$src/usr/local/bin/dbus-helper"
	img=$BATS_TEST_TMPDIR/once.img
	mkext4 "$src" "$img"
	for p in $(cd "$src" && find . -type f | sed 's|^\.||'); do
		setfield "$img" "$p" crtime 20260301090000
	done
	# within the hour of the install: not after it
	setfield "$img" /usr/local/bin/dbus-helper crtime 20260301093000
	run --separate-stderr spoor-scan --json --no-yara "$img"
	assert_equal "$(hits | grep -c unpackaged-recent-elf)" 0
	# a week later but no dpkg database: no verdict on packages
	rm -r "$src/var/lib/dpkg"
	mkext4 "$src" "$img"
	for p in $(cd "$src" && find . -type f | sed 's|^\.||'); do
		setfield "$img" "$p" crtime 20260301090000
	done
	setfield "$img" /usr/local/bin/dbus-helper crtime 20260308104302
	run --separate-stderr spoor-scan --json --no-yara "$img"
	assert_equal "$(hits | grep -c unpackaged-recent-elf)" 0
}
