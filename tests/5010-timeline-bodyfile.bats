#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline --bodyfile: bodyfiles from fls -m, UAC-style collectors
# or spoor itself imported into the case, and written back unchanged.

load helpers/common

@test "fls -m output imports and exports back line for line" {
	for img in "$IMAGES/ext2/tsk_image.dd" "$IMAGES/ntfs/test.ntfs.dd.E01" \
	    "$IMAGES/ext4/hierarchy_64.ext4" "$IMAGES/fat/daylight.dd"; do
		db=$BATS_TEST_TMPDIR/case.db
		rm -f "$db" "$db"-*
		fls -r -m / "$img" > "$BATS_TEST_TMPDIR/body"
		run -0 spoor-timeline -c "$db" --bodyfile "$BATS_TEST_TMPDIR/body"
		assert_equal "$(spoor-export -c "$db" --bodyfile)" "$(cat "$BATS_TEST_TMPDIR/body")"
		assert_equal "$(spoor-export -c "$db" --mactime --csv -y)" \
		    "$(mactime -b "$BATS_TEST_TMPDIR/body" -d -y)"
	done
}

@test "a name holding '|' is kept whole" {
	db=$BATS_TEST_TMPDIR/case.db
	printf '0|/srv/a|b c.txt|12|r/rrw-r--r--|0|0|5|1700000001|1700000002|1700000003|0\n' > "$BATS_TEST_TMPDIR/body"
	run -0 spoor-timeline -c "$db" --bodyfile "$BATS_TEST_TMPDIR/body"
	assert_equal "$(sqlite3 "$db" 'SELECT path, name, inode, size FROM files')" "/srv/a|b c.txt|a|b c.txt|12|5"
	assert_equal "$(spoor-export -c "$db" --bodyfile)" "$(cat "$BATS_TEST_TMPDIR/body")"
}

@test "fractional seconds are kept as nanoseconds and written back with --ns" {
	db=$BATS_TEST_TMPDIR/case.db
	printf '0|/x|7|r/rrw-r--r--|0|0|5|1700000000.5|1700000001.123456789|1700000002|0\n' > "$BATS_TEST_TMPDIR/body"
	run -0 spoor-timeline -c "$db" --bodyfile "$BATS_TEST_TMPDIR/body"
	assert_equal "$(sqlite3 "$db" 'SELECT atime_ns, mtime_ns, ctime_ns, crtime_ns IS NULL FROM files')" \
	    "1700000000500000000|1700000001123456789|1700000002000000000|1"
	assert_equal "$(spoor-export -c "$db" --bodyfile --ns)" \
	    "0|/x|7|r/rrw-r--r--|0|0|5|1700000000.500000000|1700000001.123456789|1700000002|0"
	assert_equal "$(spoor-export -c "$db" --bodyfile)" \
	    "0|/x|7|r/rrw-r--r--|0|0|5|1700000000|1700000001|1700000002|0"
}

@test "MD5s, symlinks, deleted and reallocated names are understood" {
	db=$BATS_TEST_TMPDIR/case.db
	cat > "$BATS_TEST_TMPDIR/body" <<'BODY'
d41d8cd98f00b204e9800998ecf8427e|/etc/empty|40|r/rrw-r--r--|0|0|0|1700000000|1700000000|1700000000|1700000000
0|/bin -> usr/bin|12|l/lrwxrwxrwx|0|0|7|1700000000|1700000000|1700000000|1700000000
0|/tmp/x (deleted)|99|r/rrwxr-xr-x|33|33|100|1700000000|1700000000|1700000000|0
0|/tmp/y (deleted-realloc)|98|r/rrw-r--r--|0|0|1|1700000000|1700000000|1700000000|0
0|/usr/bin/su|50|r/rrwsr-xr-x|0|0|10|1700000000|1700000000|1700000000|0
BODY
	run -0 spoor-timeline -c "$db" --bodyfile "$BATS_TEST_TMPDIR/body"
	run -0 sqlite3 "$db" "SELECT path, link, allocated, md5, printf('%o', mode) FROM files ORDER BY id"
	assert_output "/etc/empty||1|d41d8cd98f00b204e9800998ecf8427e|644
/bin|usr/bin|1||777
/tmp/x||0||755
/tmp/y||0||644
/usr/bin/su||1||4755"
	assert_equal "$(spoor-export -c "$db" --bodyfile)" "$(cat "$BATS_TEST_TMPDIR/body")"
}

@test "malformed lines are recorded with their line number and skipped: status 2" {
	db=$BATS_TEST_TMPDIR/case.db
	{
		echo '# a comment'
		echo '0|/good|1|r/rrw-r--r--|0|0|5|1|1|1|1'
		echo 'not a bodyfile line'
		echo '0|/bad-time|2|r/rrw-r--r--|0|0|5|yesterday|1|1|1'
		echo '0|/v2|1|2|33188|-/-rw-r--r--|1|0|0|0|5|1|1|1|1024|1'
		printf '0|/bin\001ary|3|r/rrw-r--r--|0|0|5|1|1|1|1\n'
		head -c 3000 /dev/urandom | tr -d '\n'; echo
	} > "$BATS_TEST_TMPDIR/body"
	run -2 --separate-stderr spoor-timeline -c "$db" --bodyfile "$BATS_TEST_TMPDIR/body"
	run -0 sqlite3 "$db" "SELECT message FROM problems ORDER BY id"
	assert_line --index 0 "line 3: not a bodyfile line"
	assert_line --index 1 "line 4: bad time"
	assert_line --index 2 --partial "line 5: bodyfile v2 lines are not supported"
	assert_line --regexp "^line 7: "
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(path, ' ') FROM (SELECT path FROM files ORDER BY id)")" "/good /bin"$'\001'"ary"
	assert_equal "$(sqlite3 "$db" "SELECT state FROM runs")" partial
}

@test "a bodyfile from stdin, and the same one again refused with status 73" {
	db=$BATS_TEST_TMPDIR/case.db
	fls -r -m / "$IMAGES/ext2/tsk_image.dd" > "$BATS_TEST_TMPDIR/body"
	run -0 spoor-timeline -c "$db" --bodyfile - < "$BATS_TEST_TMPDIR/body"
	assert_output --partial "source 1, 9 files"
	run -73 --separate-stderr spoor-timeline -c "$db" --bodyfile "$BATS_TEST_TMPDIR/body"
	[[ "$stderr" == *"a bodyfile with the same SHA-256 is already in the case as source 1"* ]]
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM files')" 9
	run -0 spoor-timeline -c "$db" --replace --bodyfile "$BATS_TEST_TMPDIR/body"
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM files')" 9
}

@test "a missing bodyfile: status 66 naming it" {
	run -66 --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/case.db" --bodyfile "$BATS_TEST_TMPDIR/nope"
	assert_equal "$stderr" "spoor-timeline: '$BATS_TEST_TMPDIR/nope': No such file or directory"
}
