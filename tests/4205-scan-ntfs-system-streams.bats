#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# A clean NTFS volume scans clean: $BadClus:$Bad, as long as the volume
# has no bad cluster, is a stream the size of the volume with nothing on
# disk (istat: non-resident, init_size 0), which libtsk reads as nothing
# at all.  It is no problem: not scanned, not hashed, and spoor-cat writes
# its zeros.  On an image made here (mkntfs, tests/helpers/ntfs.bash) and
# on the shared test.ntfs.dd.E01.

load helpers/common
load helpers/ntfs

setup_file() {
	mk_ntfs_streams "$BATS_FILE_TMPDIR"
}

setup() {
	IMG=$BATS_FILE_TMPDIR/ntfs.img
	need "$IMG"
}

# istat's "size: N  init_size: M" of the $Bad stream of $BadClus (inode 8).
bad_stream() {
	istat "$1" 8 | sed -nE 's/.*Name: \$Bad +Non-Resident +size: ([0-9]+) +init_size: ([0-9]+).*/\1 \2/p'
}

@test "clean NTFS made by mkntfs: spoor-scan exits 0 and reads nothing as unreadable" {
	run -0 bad_stream "$IMG"
	[[ $output == *" 0" ]] || fail "\$Bad is written: $output"
	run -0 --separate-stderr spoor-scan --json "$IMG"
	assert_equal "$(echo "$output" | jq -c 'select(.type == "summary") | [.detections, .skipped.unreadable]')" "[0,0]"
	[[ $stderr != *BadClus* ]] || fail "$stderr"
}

@test "clean NTFS test.ntfs.dd.E01: spoor-scan exits 0" {
	img=$IMAGES/ntfs/test.ntfs.dd.E01
	need "$img"
	run -0 bad_stream "$img"
	[[ $output == *" 0" ]] || fail "\$Bad is written: $output"
	run -0 --separate-stderr spoor-scan --json "$img"
	assert_equal "$(echo "$output" | jq -c 'select(.type == "summary") | .skipped.unreadable')" 0
}

@test "clean NTFS: spoor-ls --hash exits 0, \$BadClus:\$Bad has no digest, every digest is icat's" {
	for img in "$IMG" "$IMAGES/ntfs/test.ntfs.dd.E01"; do
		run -0 --separate-stderr spoor-ls -r --json --hash sha256 "$img"
		assert_equal "$(echo "$output" | jq -c 'select(.path == "/$BadClus" and .stream == "$Bad") | has("sha256")')" false
		n=0
		while read -r ref sha; do
			assert_equal "$sha" "$(icat "$img" "$ref" | sha256sum | cut -d' ' -f1)"
			n=$((n + 1))
		done < <(echo "$output" | jq -r 'select(.sha256) | "\(.inode_ref) \(.sha256)"')
		[ "$n" -gt 10 ] || fail "only $n digests in $img"
	done
}

@test "spoor-cat \$BadClus:\$Bad writes istat's size in zeros (icat writes nothing)" {
	read -r size init < <(bad_stream "$IMG")
	[ "$size" -gt 0 ] && [ "$init" -eq 0 ]
	assert_equal "$(icat "$IMG" 8-128-1 | wc -c)" 0
	run -0 bash -c "spoor-cat '$IMG' '/\$BadClus:\$Bad' | sha256sum"
	assert_output "$(head -c "$size" /dev/zero | sha256sum)"
}

@test "an NTFS attribute the file does not have is status 66, by inode too" {
	run -66 --separate-stderr spoor-cat "$IMG" 8-128-9
	assert_equal "$stderr" "spoor-cat: '$IMG': '8-128-9': no such attribute"
}
