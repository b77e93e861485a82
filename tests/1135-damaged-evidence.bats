#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Damaged evidence is always said: a missing or truncated E01 segment, a
# chunk whose checksum fails, a raw image shorter than its file system
# and a disk without any file system give the same verdict from every
# command (status 2 with the damage named, or 65), never a quiet status 0.
# Every input is built here from scratch; ewfinfo, ewfverify and fsstat
# are the oracles.

load helpers/common

# An ext4 file system of 6 MiB (1 KiB blocks, incompressible files) in
# $W/fs.raw and as an E01 of seven 1 MiB segments in $W/img.E01...
setup() {
	W=$BATS_TEST_TMPDIR
	mkdir -p "$W/tree/d"
	for i in 1 2 3 4 5 6; do
		head -c 600000 /dev/urandom > "$W/tree/d/f$i"
	done
	echo marker > "$W/tree/d/marker.txt"
	mke2fs -q -t ext4 -b 1024 -d "$W/tree" "$W/fs.raw" 6M
	ewfacquire -u -q -t "$W/img" -S 1MiB -c none -b 64 -C c -D d -E e \
	    -e x -N n -f encase6 "$W/fs.raw" >/dev/null 2>&1
	[ -e "$W/img.E07" ] || fail "ewfacquire made no 7 segments"
	printf 'rule nothing { strings: $a = "no such string anywhere" condition: $a }\n' \
	    > "$W/none.yar"
}

@test "E01 with a middle segment missing: status 2 from every command, info names it" {
	rm "$W/img.E03"
	run ewfinfo "$W/img.E01"
	assert_output --partial "Is corrupted:		yes"
	run -1 ewfverify -q "$W/img.E01"
	for t in spoor-ls spoor-info; do
		run -2 --separate-stderr "$t" "$W/img.E01"
	done
	run -2 --separate-stderr spoor-info "$W/img.E01"
	assert_output --partial "$W/img.E03: segment 3 missing"
	run -2 --separate-stderr spoor-info --json "$W/img.E01"
	run jq -r '.problems[0] | .subject + " " + .code' <<< "$output"
	assert_output "$W/img.E03 SP_E_CORRUPT"
	run -2 --separate-stderr spoor-timeline -c "$W/case.db" "$W/img.E01"
	run -2 --separate-stderr spoor-scan -r "$W/none.yar" "$W/img.E01"
}

@test "E01 with a truncated segment: status 2, the segment named" {
	truncate -s 600000 "$W/img.E03"
	run ewfinfo "$W/img.E01"
	assert_output --partial "Is corrupted:		yes"
	run -1 ewfverify -q "$W/img.E01"
	run -2 --separate-stderr spoor-ls -r "$W/img.E01"
	run -2 --separate-stderr spoor-info "$W/img.E01"
	assert_output --partial "$W/img.E03: segment 3 truncated: section 'sectors'"
	run -2 --separate-stderr spoor-timeline -c "$W/case.db" "$W/img.E01"
	run -2 --separate-stderr spoor-scan -r "$W/none.yar" "$W/img.E01"
}

@test "E01 with its last segment truncated: status 2" {
	truncate -s 100000 "$W/img.E07"
	run -2 --separate-stderr spoor-info --json "$W/img.E01"
	run jq -r '.problems[0].message' <<< "$output"
	assert_output --partial "segment 7 truncated"
}

@test "E01 with flipped bytes in a chunk: spoor-scan status 2 naming the sectors ewfverify names" {
	printf 'XXXXXXXXXXXXXXXX' | dd of="$W/img.E03" bs=1 seek=500000 conv=notrunc status=none
	run -1 ewfverify "$W/img.E01"
	sectors=$(grep -o 'at sector(s): [0-9]* - [0-9]*' <<< "$output" | awk '{print $3 "-" $5}')
	[ -n "$sectors" ] || fail "ewfverify named no sectors"
	run -2 --separate-stderr spoor-scan -r "$W/none.yar" "$W/img.E01"
	[[ "$stderr" == *"img.E01: sectors $sectors ("*"E01 chunk checksum error, data unreliable"* ]] ||
	    fail "no checksum problem for sectors $sectors: $stderr"
}

@test "an E01 whose segments cannot be opened at all: status 65" {
	head -c 5000 "$W/img.E01" > "$W/cut.E01"
	for t in spoor-ls spoor-info spoor-scan; do
		run -65 --separate-stderr "$t" "$W/cut.E01"
	done
	run -65 --separate-stderr spoor-timeline -c "$W/case.db" "$W/cut.E01"
}

@test "a raw image shorter than its file system: status 2 naming the blocks lost" {
	truncate -s 3M "$W/fs.raw"
	run fsstat "$W/fs.raw"
	assert_output --partial "Block Range: 0 - 6143"
	run -2 --separate-stderr spoor-ls -r "$W/fs.raw"
	run -2 --separate-stderr spoor-info "$W/fs.raw"
	assert_output --partial "$W/fs.raw: fs 0 (ext4 at offset 0): blocks 3072-6143 beyond the end of the image"
	run -2 --separate-stderr spoor-timeline -c "$W/case.db" "$W/fs.raw"
	run -2 --separate-stderr spoor-scan -r "$W/none.yar" "$W/fs.raw"
}

@test "a partition table without a file system: status 65 from ls, timeline and scan alike" {
	truncate -s 8M "$W/vs.raw"
	printf 'o\nn\np\n1\n2048\n\nw\n' | fdisk "$W/vs.raw" >/dev/null 2>&1
	run mmls "$W/vs.raw"
	assert_output --partial "Linux (0x83)"
	msg="'$W/vs.raw': no file system found (volume system dos, 3 volumes)"
	run -65 --separate-stderr spoor-ls "$W/vs.raw"
	assert_equal "$stderr" "spoor-ls: $msg"
	run -65 --separate-stderr spoor-timeline -c "$W/case.db" "$W/vs.raw"
	assert_equal "$stderr" "spoor-timeline: $msg"
	run -0 sqlite3 "$W/case.db" "select count(*) from sources"
	assert_output 0
	run -65 --separate-stderr spoor-scan -r "$W/none.yar" "$W/vs.raw"
	[[ "$stderr" == "spoor-scan: $msg"$'\n'* ]] || fail "$stderr"
}

# A sanitizer build reserves terabytes of shadow memory, so its commands
# set no bound (spoor(7)): there a 1 MiB bound must change nothing.
no_bound_in_sanitizer_build() {
	[ -n "$(sanitizers)" ] || return 1
	run -0 --separate-stderr env SPOOR_MAX_MEMORY=1M spoor-ls -r "$W/fs.raw"
	[ -n "$output" ] || fail "no listing"
	run -0 --separate-stderr spoor-ls --max-memory 1M -r "$W/fs.raw"
	[ -n "$output" ] || fail "no listing"
}

@test "SPOOR_MAX_MEMORY bounds what libtsk may allocate: a refusal, never a quiet success" {
	run -0 --separate-stderr env SPOOR_MAX_MEMORY=512M spoor-ls -r "$W/fs.raw"
	no_bound_in_sanitizer_build && return 0
	run --separate-stderr env SPOOR_MAX_MEMORY=1M spoor-ls -r "$W/fs.raw"
	[ "$status" -ne 0 ] || fail "status 0 under a 1 MiB bound"
	assert_equal "$output" ""
	[[ "$stderr" == *"Insufficient memory"* ]] || fail "$stderr"
}

@test "--max-memory bounds what libtsk may allocate and wins over SPOOR_MAX_MEMORY" {
	run -0 --separate-stderr spoor-ls --max-memory 512M -r "$W/fs.raw"
	[ -n "$output" ] || fail "no listing under a 512 MiB bound"
	no_bound_in_sanitizer_build && return 0
	run --separate-stderr spoor-ls --max-memory 1M -r "$W/fs.raw"
	[ "$status" -ne 0 ] || fail "status 0 under a 1 MiB bound"
	assert_equal "$output" ""
	[[ "$stderr" == *"memory"* ]] || fail "$stderr"
	# the option wins over the variable, both ways
	run -0 --separate-stderr env SPOOR_MAX_MEMORY=1M \
	    spoor-ls --max-memory 512M -r "$W/fs.raw"
	[ -n "$output" ] || fail "no listing: the variable won"
	run --separate-stderr env SPOOR_MAX_MEMORY=512M \
	    spoor-ls --max-memory 1M -r "$W/fs.raw"
	[ "$status" -ne 0 ] || fail "status 0: the variable won"
	[[ "$stderr" == *"memory"* ]] || fail "$stderr"
	run -0 --separate-stderr env SPOOR_MAX_MEMORY=1M \
	    spoor-ls --max-memory none -r "$W/fs.raw"
}

@test "--max-memory with a bad size is a usage error in every command" {
	run -64 --separate-stderr spoor-ls --max-memory bogus "$W/fs.raw"
	[[ "$stderr" == "spoor-ls: bad size 'bogus' for --max-memory"$'\n'* ]] ||
	    fail "$stderr"
	for c in info ls cat timeline export scan hashset acquire; do
		run -64 --separate-stderr "spoor-$c" --max-memory 0 x y
		[[ "$stderr" == *"--max-memory"* ]] || fail "spoor-$c: $stderr"
	done
}
