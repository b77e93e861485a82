#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Volume systems built here with sfdisk: GPT and MBR disks with several
# file systems, compared with mmls and with fls at each partition offset.

load helpers/common

# A 16 MiB disk with label type $1: an ext4 and a FAT16 partition.
mkdisk() {
	local disk=$BATS_TEST_TMPDIR/disk.img tree=$BATS_TEST_TMPDIR/tree
	mkdir -p "$tree/etc"
	printf 'web01\n' > "$tree/etc/hostname"
	truncate -s 16M "$disk"
	printf 'label: %s\nstart=2048, size=12288, type=%s\nstart=14336, size=16384, type=%s\n' \
	    "$1" "$2" "$3" | sfdisk -q "$disk"
	mke2fs -q -t ext4 -d "$tree" -E offset=$((2048 * 512)) "$disk" 6M
	truncate -s 8M "$BATS_TEST_TMPDIR/fat.img"
	mkfs.fat -F 16 -s 1 -n SPOORFAT "$BATS_TEST_TMPDIR/fat.img" >/dev/null
	mcopy -i "$BATS_TEST_TMPDIR/fat.img" "$tree/etc/hostname" ::HOST.TXT 2>/dev/null ||
		fail "mcopy (mtools) is needed"
	dd if="$BATS_TEST_TMPDIR/fat.img" of="$disk" bs=512 seek=14336 conv=notrunc status=none
	echo "$disk"
}

@test "GPT: volumes agree with mmls, both file systems are found" {
	disk=$(mkdisk gpt 0FC63DAF-8483-4772-8E79-3D69D8477DE4 EBD0A0A2-B9E5-4433-87C0-68B6B72699C7)
	run -0 spoor-info --json "$disk"
	assert_equal "$(echo "$output" | jq -r .volume_system)" gpt
	expected=$(mmls "$disk" | awk '/^[0-9]+:/ {printf "%d %s %d %d %d\n", $1, $2, $3, $4, $5}')
	assert_equal "$(echo "$output" | jq -r '.volumes[] | "\(.index) \(.slot) \(.start) \(.end) \(.length)"')" "$expected"
	assert_equal "$(echo "$output" | jq -r '.file_systems[] | "\(.type) \(.offset) \(.label)"')" \
	    "ext4 1048576 
fat16 7340032 SPOORFAT"
}

@test "GPT: each file system lists as fls lists it at its offset" {
	disk=$(mkdisk gpt 0FC63DAF-8483-4772-8E79-3D69D8477DE4 EBD0A0A2-B9E5-4433-87C0-68B6B72699C7)
	run -0 spoor-ls -r -f 0 "$disk"
	assert_equal "$output" "$(fls -r -p -o 2048 "$disk")"
	run -0 spoor-ls -r -f 1 "$disk"
	assert_equal "$output" "$(fls -r -p -o 14336 "$disk")"
	run -0 spoor-cat -f 1 "$disk" /HOST.TXT
	assert_output web01
}

@test "MBR with two file systems: text output heads each with its file system" {
	disk=$(mkdisk dos 83 6)
	run -0 spoor-ls "$disk"
	assert_line "# fs 0: ext4 at offset 1048576"
	assert_line "# fs 1: fat16 at offset 7340032"
	run -0 spoor-info --json "$disk"
	assert_equal "$(echo "$output" | jq -r .volume_system)" dos
}

@test "a file system number that does not exist is a usage error" {
	disk=$(mkdisk dos 83 6)
	run -64 --separate-stderr spoor-ls -f 7 "$disk"
	assert_equal "$stderr" "spoor-ls: '$disk': no file system 7 (it has 2)"
}
