#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# SIGINT and SIGTERM: the current record is finished, the case is closed
# cleanly with the run marked interrupted, and the status is 130 or 143.

load helpers/common

# Start spoor-ls on a large tree writing into a pipe nobody reads, so it
# blocks mid-walk; send the signal; then drain the pipe.  Prints the status.
interrupt() {
	local sig=$1 db=$2 fifo=$BATS_TEST_TMPDIR/fifo pid st
	mkfifo "$fifo"
	spoor-ls -r --json -c "$db" /usr > "$fifo" 2> "$BATS_TEST_TMPDIR/stderr" &
	pid=$!
	exec 5< "$fifo"
	sleep 1
	kill -"$sig" "$pid"
	cat <&5 > /dev/null &
	wait "$pid" && st=0 || st=$?
	exec 5<&-
	echo "$st"
}

@test "SIGINT: status 130 and the run recorded as interrupted" {
	db=$BATS_TEST_TMPDIR/case.db
	run -0 interrupt INT "$db"
	assert_output 130
	assert_equal "$(cat "$BATS_TEST_TMPDIR/stderr")" "spoor-ls: interrupted by signal 2"
	assert_equal "$(sqlite3 "$db" 'SELECT state, exit_status, ended_ns IS NOT NULL FROM runs')" \
	    "interrupted|130|1"
	assert_equal "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok
}

@test "SIGTERM: status 143 and the run recorded as interrupted" {
	db=$BATS_TEST_TMPDIR/case.db
	run -0 interrupt TERM "$db"
	assert_output 143
	assert_equal "$(sqlite3 "$db" 'SELECT state, exit_status FROM runs')" "interrupted|143"
}
