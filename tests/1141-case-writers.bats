#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Many commands writing one case at once: creating and migrating a case is
# one exclusive transaction that reads the schema version inside it, so
# concurrent writers on a new case all succeed and each records its run.
# And what a case path may be: a symlink is refused (the case is opened
# without following links).

load helpers/common

@test "20 writers creating one new case at once all succeed: 20 runs, schema 7, integrity ok" {
	db=$BATS_TEST_TMPDIR/case.db
	ev=$BATS_TEST_TMPDIR/ev
	mkdir -p "$ev"
	printf 'a\n' > "$ev/a"
	pids=()
	for i in $(seq 1 20); do
		case $((i % 3)) in
		0) spoor-info -c "$db" "$ev" ;;
		1) spoor-ls -c "$db" "$ev" ;;
		2) # a log of its own: the same bytes twice are refused
		   printf 'Jan  1 00:00:%02d host sshd[%d]: hello\n' "$i" "$i" > "$BATS_TEST_TMPDIR/syslog.$i"
		   spoor-timeline -c "$db" --artifact syslog "$BATS_TEST_TMPDIR/syslog.$i" ;;
		esac >"$BATS_TEST_TMPDIR/out.$i" 2>"$BATS_TEST_TMPDIR/err.$i" &
		pids+=($!)
	done
	failed=0
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			echo "writer $((i + 1)) failed: $(cat "$BATS_TEST_TMPDIR/err.$((i + 1))")" >&3
			failed=$((failed + 1))
		fi
	done
	assert_equal "$failed" 0
	assert_equal "$(sqlite3 "$db" 'SELECT count(*) FROM runs')" 20
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM runs WHERE state = 'done' AND exit_status = 0")" 20
	assert_equal "$(sqlite3 "$db" 'PRAGMA user_version')" 7
	assert_equal "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok
}

@test "a case path that is a symlink is refused with status 65 and the link left alone" {
	ev=$BATS_TEST_TMPDIR/ev
	mkdir -p "$ev"
	spoor-info -c "$BATS_TEST_TMPDIR/real.db" "$ev" >/dev/null
	ln -s real.db "$BATS_TEST_TMPDIR/link.db"
	run -65 --separate-stderr spoor-info -c "$BATS_TEST_TMPDIR/link.db" "$ev"
	assert_equal "$stderr" "spoor-info: case '$BATS_TEST_TMPDIR/link.db': a symbolic link; name the case itself"
	assert_equal "$(sqlite3 "$BATS_TEST_TMPDIR/real.db" 'SELECT count(*) FROM runs')" 1
	# a dangling link is not followed to create a case either
	ln -s nowhere.db "$BATS_TEST_TMPDIR/dangling.db"
	run -65 --separate-stderr spoor-info -c "$BATS_TEST_TMPDIR/dangling.db" "$ev"
	assert_equal "$stderr" "spoor-info: case '$BATS_TEST_TMPDIR/dangling.db': a symbolic link; name the case itself"
	[ ! -e "$BATS_TEST_TMPDIR/nowhere.db" ]
}
