#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Special files given as evidence or as an acquisition source: a FIFO, a
# UNIX socket and a character device (/dev/null, /dev/zero) are refused
# with status 66 naming the file and its type, never read (a read would
# block forever or never end); spoor-scan skips such a target (status 2).
# And standard output closed early (| head) ends a command quietly.

load helpers/common

setup() {
	cd "$BATS_TEST_TMPDIR"
	mkfifo fifo
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' sock
}

# Each special file with the name of its type.
specials() {
	printf '%s\n' "fifo FIFO" "sock socket" "/dev/null character device" \
	    "/dev/zero character device"
}

# Run "$@ FILE" (or with FILE where @ stands) for each special file, under
# timeout so a hang fails; each must exit 66 and say FILE is a TYPE.
refuses_specials() {
	local tool=$1 f type
	shift
	while read -r f type; do
		run -66 --separate-stderr timeout 10 "$tool" "${@//@/$f}"
		assert_equal "$stderr" "$tool: '$f': a $type, not a regular file, block device or directory"
		assert_equal "$output" ""
	done < <(specials)
}

@test "spoor-info refuses a FIFO, a socket, /dev/null and /dev/zero with status 66 and their type" {
	refuses_specials spoor-info @
}

@test "spoor-ls refuses a FIFO, a socket, /dev/null and /dev/zero with status 66 and their type" {
	refuses_specials spoor-ls -r @
}

@test "spoor-cat refuses a FIFO, a socket, /dev/null and /dev/zero with status 66 and their type" {
	refuses_specials spoor-cat @ /x
}

@test "spoor-timeline refuses a FIFO, a socket, /dev/null and /dev/zero with status 66 and their type" {
	refuses_specials spoor-timeline -c case.db @
	assert_equal "$(sqlite3 case.db "SELECT count(*) FROM runs WHERE exit_status = 66")" 4
}

@test "spoor-acquire refuses a FIFO, a socket, /dev/null and /dev/zero as its source with status 66" {
	while read -r f type; do
		run -66 --separate-stderr timeout 10 spoor-acquire "$f" out.raw
		assert_equal "$stderr" "spoor-acquire: source '$f': a $type, not a block device or a regular file"
		[ ! -e out.raw ]
	done < <(specials)
}

@test "a regular file and a directory stay valid evidence" {
	mkdir dir
	printf 'x\n' > dir/a
	run -0 timeout 10 spoor-ls dir
	assert_output "r/r $(stat -c %i dir/a):	a"
}

@test "spoor-scan skips a FIFO, a socket and /dev/zero as targets: status 2, the reason said" {
	printf 'clean\n' > clean
	run -2 --separate-stderr timeout 20 spoor-scan --no-heuristics fifo sock /dev/zero clean
	[[ "$stderr" == *"spoor-scan: skipped fifo: a FIFO, not a regular file, block device or directory"* ]]
	[[ "$stderr" == *"spoor-scan: skipped sock: a socket, not a regular file, block device or directory"* ]]
	[[ "$stderr" == *"spoor-scan: skipped /dev/zero: a character device, not a regular file, block device or directory"* ]]
	[[ "$stderr" == *"1 of 1 files scanned"*"3 targets skipped"* ]]
}

@test "spoor-ls | head -1 ends quietly: nothing on stderr, status 141" {
	mkdir many
	# more than the pipe and the output buffer hold
	(cd many && seq -f 'a-long-enough-file-name-to-fill-the-pipe-%06g' 1 25000 | xargs touch)
	run -0 bash -c 'set -o pipefail; spoor-ls many 2>err | head -1 >/dev/null; echo "${PIPESTATUS[0]}"'
	assert_output 141
	assert_equal "$(cat err)" ""
	# the run is recorded as interrupted, with its status
	run -0 bash -c 'spoor-ls -c case.db many 2>err | head -1 >/dev/null; echo "${PIPESTATUS[0]}"'
	assert_output 141
	assert_equal "$(cat err)" ""
	assert_equal "$(sqlite3 case.db 'SELECT state, exit_status FROM runs')" "interrupted|141"
}

@test "spoor-cat | head -c 10 ends quietly: nothing on stderr, status 141" {
	mkdir ev
	head -c 3M /dev/urandom > ev/big
	run -0 bash -c 'spoor-cat ev /big 2>err | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}"'
	assert_output 141
	assert_equal "$(cat err)" ""
}
