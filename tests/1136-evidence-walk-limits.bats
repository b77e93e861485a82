#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The evidence walk never hides what it cannot reach: files deeper than
# libtsk's 128 levels or under a path longer than its 4096 bytes are
# listed, timelined and scanned; an unreadable root directory and a
# scrambled inode table are problems (status 2) from every command; a
# file system whose time budget is spent is a problem; an E01 header that
# claims an absurd chunk size is refused before anything is read.  Every
# image is built here with mke2fs -d, debugfs -w, dd and ewfacquire; find(1)
# over the source tree, fls, istat and ewfinfo are the oracles.

load helpers/common

setup() {
	W=$BATS_TEST_TMPDIR
	printf 'rule deep_marker { strings: $a = "SPOOR_DEEP_MARKER" condition: $a }\nrule long_marker { strings: $a = "SPOOR_LONG_MARKER" condition: $a }\n' \
	    > "$W/markers.yar"
	printf 'rule nothing { strings: $a = "no such string anywhere" condition: $a }\n' \
	    > "$W/none.yar"
}

# $W/tree: a chain of 200 directories with a marker at the bottom, and a
# path of 22 directories of 200 bytes each (4.4 KB) ending in a web shell;
# $W/deep.raw: ext4 made from it.
deep_image() {
	local p=$W/tree i long
	mkdir -p "$p"
	for i in $(seq 200); do p=$p/d; done
	mkdir -p "$p"
	echo SPOOR_DEEP_MARKER > "$p/marker.txt"
	long=$(printf 'x%.0s' $(seq 200))
	(
		cd "$W/tree" && mkdir long && cd long || exit 1
		for i in $(seq 22); do mkdir "$long" && cd "$long" || exit 1; done
		echo SPOOR_LONG_MARKER > shell.php
	)
	mke2fs -q -t ext4 -d "$W/tree" "$W/deep.raw" 8M
}

# What find(1) lists under $W/tree, as fls -p paths, sorted.
find_list() {
	(cd "$W/tree" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort)
}

@test "a file 200 directories deep: spoor-ls -r lists what find lists (fls stops at 128 levels)" {
	deep_image
	run -0 fls -r -p "$W/deep.raw"
	refute_output --partial "marker.txt"	# libtsk's own walk gives up
	run -0 --separate-stderr spoor-ls -r "$W/deep.raw"
	got=$(cut -f2 <<< "$output" | grep -v -e '^lost+found$' -e '^\$OrphanFiles$' | LC_ALL=C sort)
	assert_equal "$got" "$(find_list)"
	assert_output --partial "$(printf 'd/%.0s' $(seq 200))marker.txt"
}

@test "a path longer than 4096 bytes: spoor-ls -r lists the file at its end" {
	deep_image
	path=$(cd "$W/tree" && find long -name shell.php)
	[ "${#path}" -gt 4096 ] || fail "path only ${#path} bytes"
	run -0 --separate-stderr spoor-ls -r "$W/deep.raw"
	assert_line --partial "	$path"
}

@test "spoor-timeline stores the deep and the long path" {
	deep_image
	run -0 --separate-stderr spoor-timeline -c "$W/case.db" "$W/deep.raw"
	run -0 sqlite3 "$W/case.db" "SELECT length(path) > 4096, path LIKE '%/d/marker.txt' FROM files WHERE name IN ('marker.txt', 'shell.php') ORDER BY name"
	assert_output $'0|1\n1|0'
	run -0 sqlite3 "$W/case.db" "SELECT count(*) FROM files"
	assert_output "$(( $(find_list | wc -l) + 2 ))"
}

@test "spoor-scan finds the YARA markers at the bottom of both trees" {
	deep_image
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r "$W/markers.yar" "$W/deep.raw"
	got=$(jq -r 'select(.type == "yara") | "\(.rule) \(.target.path | length > 4096) \(.target.path | endswith("/d/marker.txt"))"' <<< "$output" | sort)
	assert_equal "$got" $'deep_marker false true\nlong_marker true false'
}

# $W/fs.raw: a small ext4 with nested directories and a marker.
small_image() {
	local i
	mkdir -p "$W/t/etc" "$W/t/home/u"
	for i in $(seq 30); do
		mkdir -p "$W/t/var/www/d$i"
		echo x > "$W/t/var/www/d$i/f"
	done
	echo SPOOR_DEEP_MARKER > "$W/t/home/u/m"
	mke2fs -q -t ext4 -b 1024 -d "$W/t" "$W/fs.raw" 4M
}

@test "an unreadable root directory: status 2 from ls, timeline and scan" {
	small_image
	debugfs -w -R "sif <2> block[0] 0" "$W/fs.raw" 2>/dev/null
	run fls "$W/fs.raw"
	assert_output --partial "Error reading directory contents"
	run -2 --separate-stderr spoor-ls -r "$W/fs.raw"
	run -2 --separate-stderr spoor-ls --json -r "$W/fs.raw"
	run -2 --separate-stderr spoor-timeline -c "$W/case.db" "$W/fs.raw"
	run -0 sqlite3 "$W/case.db" "SELECT subject, message FROM problems"
	assert_output --partial "/|inode 2: directory cannot be read"
	run -2 --separate-stderr spoor-scan -r "$W/none.yar" "$W/fs.raw"
}

@test "a scrambled inode table: status 2 from ls, timeline and scan, the directories named" {
	small_image
	blk=$(debugfs -R "imap <12>" "$W/fs.raw" 2>/dev/null | awk '/located at block/ { sub(",", "", $4); print $4 }')
	[ -n "$blk" ] || fail "no inode table block"
	# the same bytes every run: a seeded generator
	python3 -c 'import random, sys; random.seed(1136); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(6144)))' |
	    dd of="$W/fs.raw" bs=1024 seek="$blk" conv=notrunc status=none
	run -0 istat "$W/fs.raw" 12
	refute_output --partial "Type: Directory"
	run -2 --separate-stderr spoor-ls -r "$W/fs.raw"
	run -2 --separate-stderr spoor-timeline -c "$W/case.db" "$W/fs.raw"
	run -0 sqlite3 "$W/case.db" "SELECT subject || ': ' || message FROM problems ORDER BY subject"
	assert_line --partial "/etc: inode 12: named as a directory but the inode is of type"
	run -2 --separate-stderr spoor-scan -r "$W/none.yar" "$W/fs.raw"
}

@test "a file system time budget spent (SPOOR_FS_TIME_LIMIT): a problem and status 2" {
	small_image
	run -0 --separate-stderr env SPOOR_FS_TIME_LIMIT=0 spoor-ls -r "$W/fs.raw"
	run -2 --separate-stderr env SPOOR_FS_TIME_LIMIT=0.000001 spoor-ls -r "$W/fs.raw"
	[[ "$stderr" == *"problem"* ]] || fail "$stderr"
	run -2 --separate-stderr env SPOOR_FS_TIME_LIMIT=0.000001 spoor-timeline -c "$W/case.db" "$W/fs.raw"
	run -0 sqlite3 "$W/case.db" "SELECT message FROM problems"
	assert_output --partial "time limit of 1e-06 s spent (SPOOR_FS_TIME_LIMIT)"
	run -2 --separate-stderr env SPOOR_FS_TIME_LIMIT=0.000001 spoor-scan -r "$W/none.yar" "$W/fs.raw"
}

@test "an E01 whose header claims a 4 GiB chunk is refused with 65, not read" {
	small_image
	ewfacquire -u -q -t "$W/img" -c none -b 64 -C c -D d -E e -e x -N n \
	    -f encase6 "$W/fs.raw" >/dev/null 2>&1
	# sectors per chunk in the volume and data sections, their Adler-32
	# made good again
	python3 - "$W/img.E01" <<-'EOF'
	import struct, sys, zlib
	p = sys.argv[1]
	b = bytearray(open(p, 'rb').read())
	n = 0
	for t in (b'volume', b'data', b'disk'):
	    h = b.find(t.ljust(16, b'\0'))
	    while h >= 0:
	        d = h + 76
	        struct.pack_into('<I', b, d + 8, 0x800000)
	        struct.pack_into('<I', b, d + 1048,
	            zlib.adler32(bytes(b[d:d + 1048])))
	        n += 1
	        h = b.find(t.ljust(16, b'\0'), h + 16)
	assert n > 0, 'no volume section'
	open(p, 'wb').write(b)
	EOF
	run ewfinfo "$W/img.E01"
	assert_output --partial "Sectors per chunk:	8388608"
	for t in spoor-ls spoor-info spoor-scan; do
		run -65 --separate-stderr "$t" "$W/img.E01"
		[[ "$stderr" == *"8388608 sectors of 512 bytes per chunk"*"refused"* ]] || fail "$t: $stderr"
	done
	run -65 --separate-stderr spoor-timeline -c "$W/case.db" "$W/img.E01"
}
