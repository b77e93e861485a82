#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The static spoor-collect (make static): one executable that needs no
# shared library, and runs in a chroot that holds nothing but itself and
# a /proc, collecting the processes of this machine as the dynamic one
# does.

load helpers/common

STATIC=$BUILD/static/spoor-collect

teardown() {
	[ -z "${chr:-}" ] || umount "$chr/proc" 2>/dev/null || true
}

@test "make static gives one statically linked executable" {
	need "$STATIC"
	run -0 file "$STATIC"
	assert_output --partial "statically linked"
	run -1 ldd "$STATIC"
	run -0 "$STATIC" --version
	assert_line --partial "(static)"
}

@test "the static collector runs in an empty chroot and sees this machine's processes" {
	need "$STATIC"
	chr=$BATS_TEST_TMPDIR/chroot
	mkdir -p "$chr/proc"
	cp "$STATIC" "$chr/spoor-collect"
	mount -t proc proc "$chr/proc"
	sleep 300 &
	sleeper=$!
	status=0
	chroot "$chr" /spoor-collect -q --no-walk /out || status=$?
	kill "$sleeper"
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
	# nothing in the chroot but the binary, /proc and the output
	assert_equal "$(ls "$chr" | tr '\n' ' ')" "out proc spoor-collect "
	jq -s -e --argjson p "$sleeper" 'any(.[]; .pid == $p and .cmdline == ["sleep", "300"])' \
	    "$chr/out/volatile/processes.jsonl" >/dev/null
	head -1 "$chr/out/manifest.jsonl" | jq -e '.kind == "collection" and .tool == "spoor-collect"' >/dev/null
	tail -1 "$chr/out/manifest.jsonl" | jq -e '.kind == "end"' >/dev/null
}
