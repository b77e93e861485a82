#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-acquire on a real block device: a read-only loop device over a
# file, so the size and sector size come from the kernel's ioctls.  Needs
# root and /dev/loop-control, as the acquisition of a disk does.

load helpers/common
load helpers/acquire

setup() {
	W=$BATS_TEST_TMPDIR
	SRC=$W/disk.bin
	mksource "$SRC" 4194304
	LOOP=
}

teardown() {
	[ -z "$LOOP" ] || losetup -d "$LOOP"
}

attach() {
	LOOP=$(losetup -f --show -r "$@" "$SRC") || fail "losetup failed"
	[ -b "$LOOP" ] || fail "no loop device"
}

@test "a block device: the kernel's size and sector size, the image is its content" {
	attach
	run -0 --separate-stderr spoor-acquire --json "$LOOP" "$W/img.raw"
	assert_equal "$(jq -c '[.source_kind, .size, .sector_size, .physical_sector_size]' <<<"$output")" \
	    '["block device",4194304,512,512]'
	cmp "$SRC" "$W/img.raw"
	assert_equal "$(jq -r .sha256 <<<"$output")" "$(sha256sum < "$SRC" | cut -d' ' -f1)"
}

@test "a device with 4096-byte sectors gives an E01 of 4096-byte sectors" {
	attach --sector-size 4096
	run -0 --separate-stderr spoor-acquire --json --sectors-per-chunk 16 "$LOOP" "$W/img.E01"
	assert_equal "$(jq -r .sector_size <<<"$output")" 4096
	run -0 ewfinfo "$W/img.E01"
	assert_line --partial "Bytes per sector:	4096"
	assert_line --partial "Number of sectors:	1024"
	run -0 ewfverify -q "$W/img.E01"
	assert_output --partial "ewfverify: SUCCESS"
	ewfexport -q -t "$W/exp" -f raw -u "$W/img.E01" > /dev/null
	cmp "$W/exp.raw" "$SRC"
}

@test "a read error on a 4096-byte-sector device costs the whole sector" {
	attach --sector-size 4096
	# only the first 512 bytes of the device's third sector fail
	run -2 --separate-stderr with_faults "$LOOP" "8192+512" spoor-acquire --json "$LOOP" "$W/img.raw"
	assert_equal "$(jq -c .bad_ranges <<<"$output")" \
	    '[{"offset":8192,"length":4096,"first_sector":2,"sectors":1}]'
	cmp -n 8192 "$SRC" "$W/img.raw"
	cmp -i 12288 "$SRC" "$W/img.raw"
	cmp <(dd if="$W/img.raw" bs=4096 skip=2 count=1 status=none) <(head -c 4096 /dev/zero)
}

@test "the device itself is never the output, even with --force (status 64)" {
	attach
	run -64 --separate-stderr spoor-acquire --force "$LOOP" "$LOOP"
	assert_equal "$stderr" "spoor-acquire: output '$LOOP' is the source"
}
