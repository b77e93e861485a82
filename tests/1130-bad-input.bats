#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Hostile and broken evidence: each gives one line on stderr naming the
# file and the documented exit status, never a crash; corrupt entries are
# skipped, recorded, and end the run with status 2.

load helpers/common

@test "a missing file: status 66, one line naming it" {
	for t in spoor-ls spoor-info; do
		run -66 --separate-stderr "$t" "$BATS_TEST_TMPDIR/nope.img"
		assert_equal "$stderr" "$t: '$BATS_TEST_TMPDIR/nope.img': No such file or directory"
	done
	run -66 --separate-stderr spoor-cat "$BATS_TEST_TMPDIR/nope.img" /x
	assert_equal "$stderr" "spoor-cat: '$BATS_TEST_TMPDIR/nope.img': No such file or directory"
}

@test "an empty file: status 65" {
	: > "$BATS_TEST_TMPDIR/empty.img"
	run -65 --separate-stderr spoor-ls "$BATS_TEST_TMPDIR/empty.img"
	assert_equal "$stderr" "spoor-ls: '$BATS_TEST_TMPDIR/empty.img': empty file"
}

@test "random bytes: status 65, no file system found" {
	head -c 2000000 /dev/urandom > "$BATS_TEST_TMPDIR/rand.img"
	run -65 --separate-stderr spoor-info "$BATS_TEST_TMPDIR/rand.img"
	[[ "$stderr" == "spoor-info: '$BATS_TEST_TMPDIR/rand.img': no volume system or file system found"* ]]
	assert_equal "$(echo "$stderr" | wc -l)" 1
}

@test "a truncated E01: status 65 naming it, the unreadable chunks counted" {
	head -c 50000 "$IMAGES/ntfs/test.ntfs.dd.E01" > "$BATS_TEST_TMPDIR/trunc.E01"
	for t in spoor-ls spoor-info; do
		run -65 --separate-stderr "$t" "$BATS_TEST_TMPDIR/trunc.E01"
		[[ "$stderr" == "$t: '$BATS_TEST_TMPDIR/trunc.E01': "* ]]
		assert_equal "$(echo "$stderr" | wc -l)" 2
		[[ "$stderr" == *$'\n'"$t: "*" problems skipped (partial results)" ]]
	done
}

@test "an image with a zeroed superblock: status 65" {
	cp "$IMAGES/ext4/tiny.ext4" "$BATS_TEST_TMPDIR/zsb.img"
	dd if=/dev/zero of="$BATS_TEST_TMPDIR/zsb.img" bs=1024 seek=1 count=1 conv=notrunc status=none
	run -65 --separate-stderr spoor-ls "$BATS_TEST_TMPDIR/zsb.img"
	[[ "$stderr" == "spoor-ls: '$BATS_TEST_TMPDIR/zsb.img': no volume system or file system found"* ]]
}

@test "a directory the user cannot read: status 77" {
	mkdir -p "$BATS_TEST_TMPDIR/locked"
	chmod 700 "$BATS_TEST_TMPDIR"
	chmod 000 "$BATS_TEST_TMPDIR/locked"
	chmod 755 "$BATS_TEST_TMPDIR"
	run -77 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$BUILD/bin/spoor-ls" "$BATS_TEST_TMPDIR/locked"
	assert_equal "$stderr" "spoor-ls: '$BATS_TEST_TMPDIR/locked': Permission denied"
}

@test "an image the user cannot read: status 77" {
	cp "$IMAGES/ext4/tiny.ext4" "$BATS_TEST_TMPDIR/secret.img"
	chmod 600 "$BATS_TEST_TMPDIR/secret.img"
	chmod 755 "$BATS_TEST_TMPDIR"
	run -77 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$BUILD/bin/spoor-info" "$BATS_TEST_TMPDIR/secret.img"
	assert_equal "$stderr" "spoor-info: '$BATS_TEST_TMPDIR/secret.img': Permission denied"
}

@test "an unreadable directory inside an image is a recorded problem, status 2" {
	img=$BATS_TEST_TMPDIR/corrupt.ext4
	cp "$IMAGES/ext4/hierarchy_64.ext4" "$img"
	# break the extent header of directory1/subdirectory1 (inode 14)
	debugfs -w -R "sif <14> block[0] 0x0" "$img" 2>/dev/null
	run -2 --separate-stderr spoor-ls -r -c "$BATS_TEST_TMPDIR/case.db" "$img"
	assert_equal "$stderr" "spoor-ls: 1 problem skipped (partial results); see the case's problems table"
	# everything else is still listed
	assert_line --partial "directory2/fortune10"
	run -0 sqlite3 "$BATS_TEST_TMPDIR/case.db" \
	    "SELECT r.state, r.exit_status, r.problem_count, p.subject, p.code FROM runs r JOIN problems p ON p.run_id = r.id"
	assert_output "partial|2|1|/directory1/subdirectory1|SP_E_CORRUPT"
}

@test "truncated images keep what they can and end with status 2 or a clear error" {
	for img in "$IMAGES/ext3/ext3-img-kw-1.dd" "$IMAGES/ext4/hierarchy_64.ext4"; do
		size=$(stat -c %s "$img")
		head -c $((size / 3)) "$img" > "$BATS_TEST_TMPDIR/cut.img"
		run --separate-stderr spoor-ls -r "$BATS_TEST_TMPDIR/cut.img"
		case $status in
		0|2|65) ;;
		*) fail "status $status on truncated $img: $stderr" ;;
		esac
	done
}

@test "hostile file names in an image stay on one line and valid JSON" {
	tree=$BATS_TEST_TMPDIR/tree
	mkdir -p "$tree"
	printf x > "$tree/$(printf 'new\nline')"
	printf x > "$tree/$(printf 'esc\033[31mred')"
	printf x > "$tree/$(printf 'bad\377\376utf8')"
	printf x > "$tree/pipe|name"
	mke2fs -q -t ext4 -d "$tree" "$BATS_TEST_TMPDIR/names.img" 4M
	run -0 spoor-ls -r --json "$BATS_TEST_TMPDIR/names.img"
	echo "$output" | jq -e . >/dev/null
	assert_equal "$(echo "$output" | jq -r 'select(.name | startswith("new")) | .name')" "new
line"
	assert_equal "$(echo "$output" | jq -r 'select(.name | startswith("bad")) | .name')" "bad��utf8"
	run -0 spoor-ls -r "$BATS_TEST_TMPDIR/names.img"
	refute_output --partial $'\033'
	assert_line --partial "new^line"
	run -0 spoor-ls -r --bodyfile "$BATS_TEST_TMPDIR/names.img"
	assert_equal "$(echo "$output" | sort)" "$(fls -r -m / "$BATS_TEST_TMPDIR/names.img" | sort)"
}
