#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-ls --hash: MD5, SHA-1 and SHA-256 of file content in one pass,
# against fiwalk's published digests and icat piped into coreutils.

load helpers/common

@test "MD5s equal the ones fiwalk published for tsk_image.dd" {
	img=$IMAGES/ext2/tsk_image.dd
	need "$img.expected-fiwalk.xml"
	expected=$(awk -f "$REPO/tests/helpers/fiwalk-md5.awk" "$img.expected-fiwalk.xml" | sort)
	[ -n "$expected" ]
	run -0 spoor-ls -r --json --hash md5 "$img"
	got=$(echo "$output" | jq -r 'select(.md5) | "\(.path) \(.md5)"' | sort)
	assert_equal "$got" "$expected"
}

@test "all three digests equal md5sum, sha1sum and sha256sum of icat's output" {
	for img in "$IMAGES/ext4/hierarchy_64.ext4" "$IMAGES/fat/fat_very_small.dd" \
	    "$IMAGES/ntfs/test.ntfs.dd.E01"; do
		# the E01's \$BadClus:\$Bad has nothing on disk: no digest, no
		# problem (tests/4205)
		run -0 --separate-stderr spoor-ls -r -u --json --hash md5,sha1,sha256 "$img"
		n=0
		while read -r ref md5 sha1 sha256; do
			icat "$img" "$ref" > "$BATS_TEST_TMPDIR/c"
			assert_equal "$md5 $sha1 $sha256" \
			    "$(md5sum < "$BATS_TEST_TMPDIR/c" | cut -d' ' -f1) $(sha1sum < "$BATS_TEST_TMPDIR/c" | cut -d' ' -f1) $(sha256sum < "$BATS_TEST_TMPDIR/c" | cut -d' ' -f1)"
			n=$((n + 1))
		done < <(echo "$output" | jq -r 'select(.md5) | "\(.inode_ref) \(.md5) \(.sha1) \(.sha256)"')
		[ "$n" -gt 0 ] || fail "nothing hashed in $img"
	done
}

@test "the bodyfile's first column carries the MD5 and mactime still reads it" {
	img=$IMAGES/ext2/dfvfs_ext2.E01
	run -0 spoor-ls -r --bodyfile --hash md5 "$img"
	assert_line --partial "39cb097008d17660abd0539891a672af|/passwords.txt|14|"
	echo "$output" | mactime -b - -d > /dev/null
}

@test "a deleted file's content is hashed when recoverable" {
	d=$(dftt "$IMAGES/fat/6-undel-fat.zip")
	run -0 spoor-ls -r --json --hash md5 "$d/6-fat-undel.dd"
	assert_equal "$(echo "$output" | jq -r 'select(.inode == 6) | .md5')" 59b20779f69ff9f0ac5fcd2c38835a79
}

@test "directories are hashed by path" {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/a"
	printf 'hello world\n' > "$root/a/f"
	run -0 spoor-ls -r --json --hash sha256 "$root"
	assert_equal "$(echo "$output" | jq -r 'select(.path == "/a/f") | .sha256')" \
	    "$(sha256sum < "$root/a/f" | cut -d' ' -f1)"
}

@test "an unknown algorithm is a usage error" {
	run -64 --separate-stderr spoor-ls --hash md5,crc32 "$IMAGES/ext4/tiny.ext4"
	[[ "$stderr" == "spoor-ls: unknown hash algorithm 'crc32'"* ]]
}
