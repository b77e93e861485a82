#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-cat against the content hashes stated upstream and icat.

load helpers/common

@test "dfvfs ext2: passwords.txt by path and by inode 14 (MD5 from upstream)" {
	for img in "$IMAGES/ext2/dfvfs_ext2.E01" "$IMAGES/ext2/dfvfs_ext2.splitraw.000"; do
		run -0 bash -c "spoor-cat '$img' /passwords.txt | md5sum"
		assert_output "39cb097008d17660abd0539891a672af  -"
		run -0 bash -c "spoor-cat '$img' 14 | md5sum"
		assert_output "39cb097008d17660abd0539891a672af  -"
	done
}

@test "dfvfs ext2: another_file is 22 bytes with 'other' at offset 10" {
	run -0 bash -c "spoor-cat '$IMAGES/ext2/dfvfs_ext2.E01' /a_directory/another_file | wc -c"
	assert_output 22
	run -0 bash -c "spoor-cat '$IMAGES/ext2/dfvfs_ext2.E01' 15 | dd bs=1 skip=10 count=5 status=none"
	assert_output other
}

@test "go-ext4: thejungle.txt equals the upstream content in both images" {
	need "$IMAGES/ext4/thejungle.txt.expected-content"
	want=$(sha256sum < "$IMAGES/ext4/thejungle.txt.expected-content")
	assert_equal "$want" "a6f532cdd131642560ef7c299c7f75f8206f03cdace072358c9dd65bc8a9b652  -"
	run -0 bash -c "spoor-cat '$IMAGES/ext4/hierarchy_64.ext4' /thejungle.txt | sha256sum"
	assert_output "$want"
	run -0 bash -c "spoor-cat '$IMAGES/ext4/tiny.ext4' 12 | sha256sum"
	assert_output "$want"
}

@test "DFTT FAT undelete: deleted sing.dat (inode 6) has the upstream MD5" {
	d=$(dftt "$IMAGES/fat/6-undel-fat.zip")
	run -0 bash -c "spoor-cat '$d/6-fat-undel.dd' 6 | md5sum"
	assert_output "59b20779f69ff9f0ac5fcd2c38835a79  -"
}

@test "DFTT NTFS undelete: resident res1.dat and the mult1.dat:ADS stream" {
	d=$(dftt "$IMAGES/ntfs/7-undel-ntfs.zip")
	run -0 bash -c "spoor-cat '$d/7-ntfs-undel.dd' 37 | md5sum"
	assert_output "9036637712b491904cd0bfbdbe648453  -"
	run -0 bash -c "spoor-cat '$d/7-ntfs-undel.dd' 32-128-6 | md5sum"
	assert_output "ba1b9eedb1c091ddca253d35dde8f616  -"
}

@test "NTFS E01: the alternate stream goodbye.txt and the small text files" {
	img=$IMAGES/ntfs/test.ntfs.dd.E01
	run -0 spoor-cat "$img" 46-128-5
	assert_output "Goodbye cruel world."
	run -0 bash -c "spoor-cat '$img' /another_file.txt | wc -c"
	assert_output 14
}

@test "FAT: a/b/hello.txt reads 'hello world'" {
	run -0 spoor-cat "$IMAGES/fat/fat_very_small.dd" /a/b/hello.txt
	assert_output "hello world"
}

@test "every allocated regular file equals icat's output on the ext3 and FAT images" {
	for img in "$IMAGES/ext3/ext3-img-kw-1.dd" "$IMAGES/fat/daylight.dd" "$IMAGES/ext4/hierarchy_64.ext4"; do
		for ino in $(spoor-ls -r -u --json "$img" | jq -r 'select(.meta_type == "r" and .name_type == "r") | .inode'); do
			a=$(spoor-cat "$img" "$ino" | sha256sum)
			b=$(icat "$img" "$ino" | sha256sum)
			[ "$a" = "$b" ] || fail "$img inode $ino differs from icat"
		done
	done
}

@test "a directory is not a file: status 64 naming it" {
	run -64 --separate-stderr spoor-cat "$IMAGES/ext4/hierarchy_64.ext4" /directory1
	assert_equal "$stderr" "spoor-cat: '$IMAGES/ext4/hierarchy_64.ext4': '/directory1': is a directory"
}

@test "a missing path is status 66 naming it" {
	run -66 --separate-stderr spoor-cat "$IMAGES/ext4/tiny.ext4" /nope.txt
	[[ "$stderr" == "spoor-cat: '$IMAGES/ext4/tiny.ext4': '/nope.txt'"* ]]
}

@test "an inode out of range is status 66 naming the range" {
	run -66 --separate-stderr spoor-cat "$IMAGES/ext4/tiny.ext4" 99999
	[[ "$stderr" == *"inode 99999: out of range 1-129" ]]
}
