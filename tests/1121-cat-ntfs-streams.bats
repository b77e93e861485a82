#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-cat and a path naming an NTFS data stream the way fls names it
# (name:stream): exactly that stream, checked against icat of the
# stream's inode-type-id as fls lists it and sha256sum of what was
# written, or status 66; a file whose name holds a colon stays readable
# by its path.  The NTFS image is made here with mkntfs and ntfscp
# (ntfs-3g), without mounting anything.

load helpers/common
load helpers/ntfs

setup_file() {
	mk_ntfs_streams "$BATS_FILE_TMPDIR"
}

setup() {
	IMG=$BATS_FILE_TMPDIR/ntfs.img
	need "$IMG"
}

@test "NTFS 'report.txt:hidden' writes the named stream, not the main one (icat, sha256sum)" {
	ref=$(fls_ref "$IMG" report.txt:hidden)
	[ -n "$ref" ] || fail "fls does not list report.txt:hidden"
	[[ $ref == *-128-* ]] || fail "not a data stream: $ref"
	want=$(sha256sum < "$BATS_FILE_TMPDIR/hidden")
	assert_equal "$(icat "$IMG" "$ref" | sha256sum)" "$want"
	run -0 bash -c "spoor-cat '$IMG' /report.txt:hidden | sha256sum"
	assert_output "$want"
	# the path without a stream is still the main stream
	run -0 bash -c "spoor-cat '$IMG' /report.txt | sha256sum"
	assert_output "$(sha256sum < "$BATS_FILE_TMPDIR/main")"
}

@test "NTFS stream names match without case, and with Windows' ':\$DATA' suffix" {
	want=$(icat "$IMG" "$(fls_ref "$IMG" report.txt:Second)" | sha256sum)
	assert_equal "$want" "$(sha256sum < "$BATS_FILE_TMPDIR/second")"
	for p in /report.txt:second /REPORT.TXT:SECOND '/report.txt:Second:$DATA'; do
		run -0 bash -c "spoor-cat '$IMG' '$p' | sha256sum"
		assert_output "$want"
	done
	run -0 bash -c "spoor-cat '$IMG' '/report.txt::\$DATA' | sha256sum"
	assert_output "$(sha256sum < "$BATS_FILE_TMPDIR/main")"
}

@test "NTFS stream that the file does not have: status 66 naming the file and the stream" {
	run -66 --separate-stderr spoor-cat "$IMG" /report.txt:nothere
	assert_output ""
	assert_equal "$stderr" "spoor-cat: '$IMG': '/report.txt:nothere': '/report.txt' has no data stream 'nothere'"
	run -66 --separate-stderr spoor-cat "$IMG" /nofile.txt:hidden
	assert_equal "$stderr" "spoor-cat: '$IMG': '/nofile.txt:hidden': 'nofile.txt:hidden' not found in '/'"
}

@test "NTFS file literally named 'notes.txt:ads' wins over the stream 'ads' of notes.txt, which stays readable by inode" {
	# fls lists both under the same name: the file and the stream
	run -0 bash -c "fls -r -p '$IMG' | grep -c \$'\tnotes.txt:ads\$'"
	assert_output 2
	run -0 spoor-cat "$IMG" /notes.txt:ads
	assert_output "$(cat "$BATS_FILE_TMPDIR/literal")"
	stream=$(spoor-ls --json "$IMG" /notes.txt | jq -r 'select(.stream == "ads") | .inode_ref')
	[[ $stream == *-128-* ]] || fail "no stream ads: $stream"
	literal=$(fls -r -p "$IMG" | awk -F'\t' -v s="$stream" '$2 == "notes.txt:ads" { sub(/:$/, "", $1); sub(/.* /, "", $1); if ($1 != s) print $1 }')
	[[ $literal == *-128-* && ${literal%%-*} != "${stream%%-*}" ]] || fail "no literal file: $literal"
	assert_equal "$(spoor-cat "$IMG" "$stream")" "$(icat "$IMG" "$stream")"
	assert_equal "$(spoor-cat "$IMG" "$stream")" "$(cat "$BATS_FILE_TMPDIR/ads")"
	assert_equal "$(icat "$IMG" "$literal")" "$(cat "$BATS_FILE_TMPDIR/literal")"
}

@test "NTFS directory stream by 'dir:stream' and by fls's 'dir/.:stream'" {
	run -0 bash -c "fls -r -p '$IMG' | grep -c '\\\$Extend.*:dirstream\$'"
	assert_output 2
	want=$(sha256sum < "$BATS_FILE_TMPDIR/dirstream")
	assert_equal "$(icat "$IMG" "$(fls_ref "$IMG" '$Extend:dirstream')" | sha256sum)" "$want"
	run -0 bash -c "spoor-cat '$IMG' '/\$Extend:dirstream' | sha256sum"
	assert_output "$want"
	run -0 bash -c "spoor-cat '$IMG' '/\$Extend/.:dirstream' | sha256sum"
	assert_output "$want"
	run -0 bash -c "spoor-cat '$IMG' '/.:rootstream' | sha256sum"
	assert_output "$(sha256sum < "$BATS_FILE_TMPDIR/rootstream")"
	# the directory itself is still not a file
	run -64 --separate-stderr spoor-cat "$IMG" '/$Extend'
}

@test "NTFS 'file:stream' given to spoor-ls lists that one stream as fls names it" {
	ref=$(fls_ref "$IMG" report.txt:hidden)
	run -0 spoor-ls "$IMG" /report.txt:hidden
	assert_output "r/r $ref:	report.txt:hidden"
	run -0 spoor-ls "$IMG" /report.txt
	assert_output "$(fls -r -p "$IMG" | grep -E $'\treport\\.txt(:|$)')"
}

@test "ext4 file named with a colon is read by its path, beside the file named before the colon" {
	tree=$BATS_TEST_TMPDIR/tree
	mkdir -p "$tree"
	printf 'plain\n' > "$tree/notes.txt"
	printf 'colon\n' > "$tree/notes.txt:ads"
	mke2fs -q -t ext4 -d "$tree" "$BATS_TEST_TMPDIR/e.img" 4M
	ino=$(fls -p "$BATS_TEST_TMPDIR/e.img" | awk -F'\t' '$2 == "notes.txt:ads" { sub(/:$/, "", $1); sub(/.* /, "", $1); print $1 }')
	[ -n "$ino" ] || fail "fls does not list notes.txt:ads"
	run -0 spoor-cat "$BATS_TEST_TMPDIR/e.img" /notes.txt:ads
	assert_output "$(icat "$BATS_TEST_TMPDIR/e.img" "$ino")"
	assert_output colon
	run -66 --separate-stderr spoor-cat "$BATS_TEST_TMPDIR/e.img" /notes.txt:other
	assert_equal "$stderr" "spoor-cat: '$BATS_TEST_TMPDIR/e.img': '/notes.txt:other': 'notes.txt:other' not found in '/'"
}
