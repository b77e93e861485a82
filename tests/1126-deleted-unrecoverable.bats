#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Deleted ext4 files whose inode no longer says where their content was:
# no digest (null in JSON), a problem of the run, and spoor-cat saying
# the content is not recoverable with its own status (3), never the
# digest of empty content or of zeros.  The image is made here with
# mke2fs -d, then debugfs deletes files (rm) and clears inode fields as
# Linux does when it frees an inode (size 0, no extent); istat, icat and
# sha256sum are the oracles.

load helpers/common

setup_file() {
	local d=$BATS_FILE_TMPDIR
	mkdir -p "$d/tree/d"
	head -c 5000 /dev/urandom > "$d/tree/d/kept.bin"
	head -c 6000 /dev/urandom > "$d/tree/d/wiped.bin"
	head -c 7000 /dev/urandom > "$d/tree/d/unmapped.bin"
	: > "$d/tree/d/empty"
	mke2fs -q -t ext4 -b 1024 -d "$d/tree" "$d/ext4.img" 4M
	for f in kept wiped unmapped; do
		debugfs -w -R "rm /d/$f.bin" "$d/ext4.img" 2>/dev/null
	done
	wiped=$(fls -r -p "$d/ext4.img" | awk -F'\t' '$2 == "d/wiped.bin" { sub(/:$/, "", $1); sub(/.* /, "", $1); print $1 }')
	unmapped=$(fls -r -p "$d/ext4.img" | awk -F'\t' '$2 == "d/unmapped.bin" { sub(/:$/, "", $1); sub(/.* /, "", $1); print $1 }')
	# wiped as Linux frees an inode: no size, an extent header without
	# extents; unmapped keeps its size but loses its extents
	debugfs -w -f - "$d/ext4.img" >/dev/null 2>&1 <<-EOF
	sif <$wiped> size 0
	sif <$wiped> blocks 0
	sif <$wiped> block[0] 0xF30A
	sif <$unmapped> block[0] 0xF30A
	EOF
	echo "$wiped" > "$d/wiped.ino"
	echo "$unmapped" > "$d/unmapped.ino"
}

setup() {
	IMG=$BATS_FILE_TMPDIR/ext4.img
	need "$IMG"
	WIPED=$(cat "$BATS_FILE_TMPDIR/wiped.ino")
	UNMAPPED=$(cat "$BATS_FILE_TMPDIR/unmapped.ino")
}

@test "deleted ext4 file whose inode lost its size and extents: spoor-cat says not recoverable, status 3" {
	run -0 istat "$IMG" "$WIPED"
	assert_line "Not Allocated"
	assert_line "size: 0"
	run -3 --separate-stderr spoor-cat "$IMG" "$WIPED"
	assert_output ""
	assert_equal "$stderr" "spoor-cat: '$IMG': '$WIPED': content not recoverable: the file is deleted and its inode no longer records its size"
	run -3 --separate-stderr spoor-cat "$IMG" /d/wiped.bin
	assert_equal "$stderr" "spoor-cat: '$IMG': '/d/wiped.bin': content not recoverable: the file is deleted and its inode no longer records its size"
}

@test "deleted ext4 file that kept its size but lost its extents: not recoverable, not zeros" {
	run -0 istat "$IMG" "$UNMAPPED"
	assert_line "Not Allocated"
	assert_line "size: 7000"
	# icat writes 7000 zero bytes: nothing of the file
	assert_equal "$(icat "$IMG" "$UNMAPPED" | sha256sum)" "$(head -c 7000 /dev/zero | sha256sum)"
	run -3 --separate-stderr spoor-cat "$IMG" "$UNMAPPED"
	assert_output ""
	assert_equal "$stderr" "spoor-cat: '$IMG': '$UNMAPPED': content not recoverable: the file is deleted and its inode no longer maps any block of its content"
}

@test "deleted ext4 file whose inode is intact is still read and hashed like icat" {
	want=$(sha256sum < "$BATS_FILE_TMPDIR/tree/d/kept.bin")
	run -0 bash -c "icat '$IMG' \$(fls -r -p '$IMG' | awk -F'\t' '\$2 == \"d/kept.bin\" { sub(/:\$/, \"\", \$1); sub(/.* /, \"\", \$1); print \$1 }') | sha256sum"
	assert_output "$want"
	run -0 bash -c "spoor-cat '$IMG' /d/kept.bin | sha256sum"
	assert_output "$want"
	run -2 --separate-stderr spoor-ls -r --json --hash sha256 "$IMG"
	assert_equal "$(echo "$output" | jq -r 'select(.path == "/d/kept.bin") | .sha256')" "${want%% *}"
}

@test "spoor-ls --hash: lost content has null digests and is a problem of the run, status 2" {
	run -2 --separate-stderr spoor-ls -r --json --hash md5,sha256 -c "$BATS_TEST_TMPDIR/case.db" "$IMG"
	assert_equal "$stderr" "spoor-ls: 2 problems skipped (partial results); see the case's problems table"
	for p in /d/wiped.bin /d/unmapped.bin; do
		assert_equal "$(echo "$output" | jq -c --arg p "$p" 'select(.path == $p) | [.deleted, has("sha256"), .sha256, .md5]')" \
		    "[true,true,null,null]"
	done
	run -0 sqlite3 "$BATS_TEST_TMPDIR/case.db" "SELECT subject, code FROM problems ORDER BY subject"
	assert_output "/d/unmapped.bin|SP_E_UNRECOVERABLE
/d/wiped.bin|SP_E_UNRECOVERABLE"
}

@test "a live empty file still has the digest of empty content" {
	run -2 --separate-stderr spoor-ls -r --json --hash sha256 "$IMG"
	assert_equal "$(echo "$output" | jq -r 'select(.path == "/d/empty") | .sha256')" \
	    "$(sha256sum < /dev/null | cut -d' ' -f1)"
}

@test "spoor-scan counts lost content as deleted and unrecoverable, not as a problem" {
	run -0 --separate-stderr spoor-scan --json "$IMG"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | .skipped.unrecoverable')" 2
}
