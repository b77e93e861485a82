#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-info against mmls, fsstat and ewfinfo, and the upstream figures.

load helpers/common

@test "volumes agree with mmls on plaso's volume-system image" {
	img=$IMAGES/volume_systems/tsk_volume_system.raw
	need "$img"
	expected=$(mmls "$img" | awk '/^[0-9]+:/ {printf "%d %s %d %d %d\n", $1, $2, $3, $4, $5}')
	run -0 spoor-info --json "$img"
	got=$(echo "$output" | jq -r '.volumes[] | "\(.index) \(.slot) \(.start) \(.end) \(.length)"')
	assert_equal "$got" "$expected"
}

@test "plaso's two partitions: offsets 512 and 180224, sizes 179200 and 1294336" {
	run -0 spoor-info --json "$IMAGES/volume_systems/tsk_volume_system.raw"
	got=$(echo "$output" | jq -r '.volumes[] | select(.allocated) | "\(.offset) \(.length * 512)"')
	assert_equal "$got" "512 179200
180224 1294336"
	assert_equal "$(echo "$output" | jq -r '.file_systems[] | "\(.type) \(.offset)"')" "ext2 180224"
}

@test "file system type, id, block size and inode range agree with fsstat" {
	while read -r img; do
		run -0 spoor-info --json "$img"
		fs=$(fsstat "$img")
		type=$(echo "$output" | jq -r '.file_systems[0].type')
		id=$(echo "$output" | jq -r '.file_systems[0].id')
		first=$(echo "$output" | jq -r '.file_systems[0].first_inode')
		last=$(echo "$output" | jq -r '.file_systems[0].last_inode')
		tsktype=$(echo "$fs" | sed -n 's/^File System Type: //p' | tr 'A-Z' 'a-z')
		[ "$tsktype" = "$type" ] ||
			fail "$img: type $type, fsstat says $tsktype"
		echo "$fs" | grep -qi -- "$(echo "$id" | sed 's/^0*//')" || fail "$img: id $id not in fsstat"
		echo "$fs" | grep -Eq "^(Inode )?Range: $first - $last\$" ||
			fail "$img: range $first-$last not in fsstat"
	done < <(all_images)
}

@test "labels: ext4 tinyimage, ext3 KW_SEARCH, ext2 ext2_test, NTFS Test Volume" {
	for pair in "ext4/tiny.ext4=tinyimage" "ext3/ext3-img-kw-1.dd=KW_SEARCH" \
	    "ext2/dfvfs_ext2.E01=ext2_test" "ntfs/test.ntfs.dd.E01=Test Volume"; do
		run -0 spoor-info --json "$IMAGES/${pair%%=*}"
		assert_equal "$(echo "$output" | jq -r '.file_systems[0].label')" "${pair#*=}"
	done
}

@test "E01 stored hashes and metadata agree with ewfinfo" {
	for img in "$IMAGES/ntfs/test.ntfs.dd.E01" "$IMAGES/ext2/tsk_image.E01" \
	    "$IMAGES/ext2/dfvfs_ext2.E01"; do
		run -0 spoor-info --json "$img"
		info=$(ewfinfo "$img")
		md5=$(echo "$info" | sed -n 's/^[[:space:]]*MD5:[[:space:]]*//p')
		assert_equal "$(echo "$output" | jq -r '.ewf.md5')" "$md5"
		size=$(echo "$info" | sed -n 's/^[[:space:]]*Media size:.*(\([0-9]*\) bytes)/\1/p')
		assert_equal "$(echo "$output" | jq -r '.size')" "$size"
	done
	run -0 spoor-info --json "$IMAGES/ntfs/test.ntfs.dd.E01"
	assert_equal "$(echo "$output" | jq -r '.ewf | "\(.case_number)|\(.examiner)|\(.description)"')" \
	    "12|foobar|Sample EWF file"
}

@test "the upstream stored MD5s: dfvfs ext2 and tsk image.E01" {
	run -0 spoor-info --json "$IMAGES/ext2/dfvfs_ext2.E01"
	assert_equal "$(echo "$output" | jq -r .ewf.md5)" 196066add11fb71c4c49cf1bb50d6d24
	run -0 spoor-info --json "$IMAGES/ext2/tsk_image.E01"
	assert_equal "$(echo "$output" | jq -r .ewf.md5)" 3ebb0b7dcd6b5fcd59a0020625d70994
	run -0 spoor-info --json "$IMAGES/ntfs/test.ntfs.dd.E01"
	assert_equal "$(echo "$output" | jq -r .ewf.md5)" 8b4382280340597b7930b4b34742afba
}

@test "split raw: the .000 segment brings in .001" {
	run -0 spoor-info --json "$IMAGES/ext2/dfvfs_ext2.splitraw.000"
	assert_equal "$(echo "$output" | jq -r '"\(.kind) \(.segments | length) \(.size)"')" "split 2 4194304"
}

@test "split raw named .aa/.ab/.ac is read as one image" {
	tmp=$BATS_TEST_TMPDIR
	split -b 400000 -a 2 "$IMAGES/fat/daylight.dd" "$tmp/day."
	run -0 spoor-info --json "$tmp/day.aa"
	assert_equal "$(echo "$output" | jq -r '"\(.kind) \(.segments | length) \(.size)"')" "split 4 1474560"
	assert_equal "$(spoor-ls -r "$tmp/day.aa")" "$(fls -r -p "$IMAGES/fat/daylight.dd")"
}

@test "split raw named .001/.002 is read as one image" {
	tmp=$BATS_TEST_TMPDIR
	split -b 1000000 -d -a 3 --numeric-suffixes=1 "$IMAGES/ext3/ext3-img-kw-1.dd" "$tmp/kw."
	run -0 spoor-info --json "$tmp/kw.001"
	assert_equal "$(echo "$output" | jq -r '"\(.kind) \(.segments | length)"')" "split 6"
	assert_equal "$(spoor-ls -r "$tmp/kw.001")" "$(fls -r -p "$IMAGES/ext3/ext3-img-kw-1.dd")"
}

@test "text output names format, volumes and file systems" {
	run -0 spoor-info "$IMAGES/ntfs/test.ntfs.dd.E01"
	assert_line "format: e01 (EnCase 6)"
	assert_line --regexp '^  fs 0: ntfs at offset 0'
	assert_line --regexp '^  md5 +8b4382280340597b7930b4b34742afba$'
}
