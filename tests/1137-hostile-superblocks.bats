#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Hostile ext2 superblocks, built here from a 110 KB mke2fs image by
# patching one or two fields to extremes (a block count of four billion
# in groups of 24 blocks: a descriptor table of 5.7 GB; billions of
# inodes; a 64 KB inode size; absurd block sizes; a first data block past
# the end): every command finishes quickly, inside the memory it is given,
# with the same verdict as the others — 65 when no file system can be
# read (spoor-scan then scans the bytes as the file they are), 2 when
# part of it is lost, 0 only when the listing is fls's.

load helpers/common

setup_file() {
	export H=$BATS_FILE_TMPDIR
	dd if=/dev/zero of="$H/base.raw" bs=1k count=110 2>/dev/null
	mke2fs -q -t ext2 -F "$H/base.raw"
	python3 - "$H" <<-'EOF'
	import struct, sys
	d = sys.argv[1]
	b = bytearray(open(d + '/base.raw', 'rb').read())
	offs = dict(inodes=0, blocks=4, first=20, log=24, bpg=32, ipg=40, isize=88)
	def var(name, **kw):
	    c = bytearray(b)
	    for k, v in kw.items():
	        struct.pack_into('<H' if k == 'isize' else '<I', c, 1024 + offs[k], v)
	    open('%s/%s.raw' % (d, name), 'wb').write(c)
	var('groups', blocks=0xFFFFFFF0, bpg=24)
	var('inodes', inodes=0xFFFFFFF0, ipg=0xFFFFFFF0)
	var('isize', isize=0xFFFF)
	var('blocksize', log=30)
	var('blocksize6', log=6, blocks=0x7FFFFFFF)
	var('ipg', ipg=0x10000000, inodes=0x10000000)
	var('first', first=0xFFFFFFF0)
	var('allmax', blocks=0xFFFFFFFF, bpg=1, ipg=1, inodes=0xFFFFFFFF)
	EOF
}

# run_bounded CMD...: status in $st, seconds in $secs, peak RSS (KB) in $kb
run_bounded() {
	st=0
	/usr/bin/time -f '%e %M' -o "$BATS_TEST_TMPDIR/time" timeout 60 "$@" \
	    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
	read -r secs kb < <(tail -1 "$BATS_TEST_TMPDIR/time")
}

@test "each hostile superblock: quick, inside --max-memory, and one verdict from ls, timeline and scan" {
	printf 'rule nothing { strings: $a = "no such string anywhere" condition: $a }\n' >"$BATS_TEST_TMPDIR/none.yar"
	for v in groups inodes isize blocksize blocksize6 ipg first allmax; do
		img=$H/$v.raw
		run_bounded spoor-ls --max-memory 256M -r "$img"
		ls_st=$st
		[ "$st" -eq 0 ] || [ "$st" -eq 2 ] || [ "$st" -eq 65 ] || fail "$v: spoor-ls status $st: $(cat "$BATS_TEST_TMPDIR/err")"
		awk -v s="$secs" 'BEGIN { exit !(s < 20) }' || fail "$v: $secs s"
		[ "$kb" -lt $((256 * 1024)) ] || fail "$v: $kb KB"
		if [ "$st" -eq 0 ]; then
			# nothing lost: the listing is fls's
			fls -r -p "$img" >"$BATS_TEST_TMPDIR/fls" 2>/dev/null
			diff "$BATS_TEST_TMPDIR/fls" "$BATS_TEST_TMPDIR/out" || fail "$v: status 0 but not fls's listing"
		fi
		rm -f "$BATS_TEST_TMPDIR/case.db"
		run_bounded spoor-timeline --max-memory 256M -c "$BATS_TEST_TMPDIR/case.db" "$img"
		assert_equal "$v timeline $st" "$v timeline $ls_st"
		[ "$kb" -lt $((256 * 1024)) ] || fail "$v: timeline $kb KB"
		run_bounded spoor-scan --max-memory 256M -r "$BATS_TEST_TMPDIR/none.yar" "$img"
		if [ "$ls_st" -eq 65 ]; then
			# no file system: spoor-scan reads it as the file it is
			assert_equal "$v scan $st" "$v scan 0"
		else
			assert_equal "$v scan $st" "$v scan $ls_st"
		fi
	done
}

@test "a descriptor table of 5.7 GB is a problem that names what was lost, not an allocation" {
	rm -f "$BATS_TEST_TMPDIR/case.db"
	run -2 --separate-stderr spoor-ls --max-memory 256M -c "$BATS_TEST_TMPDIR/case.db" -r "$H/groups.raw"
	run -0 sqlite3 "$BATS_TEST_TMPDIR/case.db" "SELECT message FROM problems"
	assert_output --partial "beyond the end of the image"
}

@test "billions of inodes: the failed orphan search is a problem, not silence" {
	rm -f "$BATS_TEST_TMPDIR/case.db"
	run -2 --separate-stderr spoor-ls --max-memory 256M -c "$BATS_TEST_TMPDIR/case.db" -r "$H/inodes.raw"
	run -0 sqlite3 "$BATS_TEST_TMPDIR/case.db" "SELECT message FROM problems"
	assert_output --partial "orphan file search failed"
}
