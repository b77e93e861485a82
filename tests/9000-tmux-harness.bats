#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The tmux harness of tests/helpers/tmux.bash, on programs that are not
# spoor's: a script that switches to the alternate screen, echoes the keys
# it reads and restores the screen on SIGTERM; the pane's shell; less.
# The tests of spoor-view rely on every function checked here.

load helpers/common
load helpers/tmux

teardown() { tui_stop; }

# A full-screen program in a few lines of bash: alternate screen, a
# marker, one line per key read ("key:X"), its size on 's', and on
# SIGTERM the normal screen back and status 143.
fullscreen_script() {
	local f=$BATS_TEST_TMPDIR/fullscreen
	cat >"$f" <<'EOF'
#!/bin/bash
trap 'tput rmcup; exit 143' TERM
tput smcup
tput clear
echo "HARNESS-MARKER"
while :; do
	if read -rsn1 -t 0.05 k; then
		case $k in
		s) echo "size=$(tput cols)x$(tput lines)" ;;
		*) echo "key:$k" ;;
		esac
	fi
done
EOF
	chmod +x "$f"
	echo "$f"
}

@test "tui_start: the program runs in a pane of the size asked, TERM and LANG set" {
	tui_start -x 100 -y 30 bash -c 'echo "term=$TERM lang=$LANG lc_all=${LC_ALL-unset}"; echo "size=$(tput cols)x$(tput lines)"; sleep 60'
	tui_wait_for '^size='
	assert_equal "$(tui_size)" 100x30
	run -0 tui_screen
	assert_line "term=xterm-256color lang=C.UTF-8 lc_all=unset"
	assert_line "size=100x30"
}

@test "tui_wait_for: sees the marker of a program on the alternate screen" {
	tui_start "$(fullscreen_script)"
	tui_wait_for '^HARNESS-MARKER$'
	assert_equal "$(tui_alternate_on)" 1
}

@test "tui_wait_for: a timeout fails and shows the screen on stderr" {
	tui_start "$(fullscreen_script)"
	tui_wait_for '^HARNESS-MARKER$'
	run -1 --separate-stderr tui_wait_for 'NOT-ON-THE-SCREEN' 0.3
	assert_output ""
	[[ $stderr == *"/NOT-ON-THE-SCREEN/ not on the screen after 0.3 s"* ]]
	[[ $stderr == *HARNESS-MARKER* ]]
}

@test "tui_keys: keys and literal text reach the program in order" {
	tui_start "$(fullscreen_script)"
	tui_wait_for '^HARNESS-MARKER$'
	tui_keys j -l ':x;' k
	tui_wait_for '^key:k$'
	run -0 tui_screen
	assert_equal "$(grep '^key:' <<<"$output" | tr '\n' ' ')" \
	    "key:j key:: key:x key:; key:k "
}

@test "tui_wait_gone and tui_wait_stable: the screen cleared and settled" {
	tui_start bash -c 'echo BUSY; sleep 0.3; clear; echo DONE; sleep 60'
	tui_wait_for '^BUSY$'
	tui_wait_gone '^BUSY$' 5
	tui_wait_stable 200 5
	run -0 tui_screen
	assert_line --index 0 DONE
	refute_line BUSY
}

@test "tui_wait_stable: a screen that keeps changing is a failure" {
	tui_start bash -c 'i=0; while :; do echo "tick $((i++))"; sleep 0.02; done'
	tui_wait_for '^tick'
	run -1 tui_wait_stable 200 0.5
}

@test "SIGTERM: the trap restores the normal screen; the status is kept" {
	tui_start "$(fullscreen_script)"
	tui_wait_for '^HARNESS-MARKER$'
	assert_equal "$(tui_alternate_on)" 1
	pid=$(tui_program_pid fullscreen)
	assert_equal "$(ps -o comm= -p "$pid")" fullscreen
	kill -TERM "$pid"
	assert_equal "$(tui_wait_exit 5)" 143
	assert_equal "$(tui_alternate_on)" 0
	run -0 tui_screen
	refute_line HARNESS-MARKER
}

@test "tui_program_pid: a process not in the pane is not found" {
	tui_start "$(fullscreen_script)"
	tui_wait_for '^HARNESS-MARKER$'
	sleep 60 &
	outside=$!
	run -1 tui_program_pid sleep 0.2
	kill "$outside"
	tui_pane_pid >/dev/null
	assert_equal "$(ps -o sid= -p "$(tui_program_pid fullscreen)" | tr -d ' ')" \
	    "$(tui_pane_pid)"
}

@test "tui_resize: the program sees the new size" {
	tui_start -x 80 -y 24 "$(fullscreen_script)"
	tui_wait_for '^HARNESS-MARKER$'
	# a key sent before the script's first read may be lost: send it
	# until the program answers, for at most 10 s
	for _ in $(seq 100); do
		tui_keys s
		tui_screen | grep -qx 'size=80x24' && break
		sleep 0.1
	done
	tui_wait_for '^size=80x24$'
	tui_resize 132 43
	assert_equal "$(tui_size)" 132x43
	# the pty takes the new size a moment after tmux says it: ask again
	# until the program sees it, for at most 5 s
	for _ in $(seq 50); do
		tui_keys s
		tui_screen | grep -qx 'size=132x43' && break
		sleep 0.1
	done
	tui_wait_for '^size=132x43$'
}

@test "tui_tty_echo: stty -echo and stty echo in the pane's shell" {
	tui_start true
	assert_equal "$(tui_wait_exit)" 0
	tui_wait_for '^\$'
	assert_equal "$(tui_tty_echo)" 1
	tui_keys -l 'stty -echo' Enter
	for _ in $(seq 100); do
		[ "$(tui_tty_echo)" = 0 ] && break
		sleep 0.02
	done
	assert_equal "$(tui_tty_echo)" 0
	run -0 tui_stty
	assert_output --regexp '(^|[ ;])-echo( |;|$)'
	tui_keys -l 'stty echo' Enter
	for _ in $(seq 100); do
		[ "$(tui_tty_echo)" = 1 ] && break
		sleep 0.02
	done
	assert_equal "$(tui_tty_echo)" 1
}

@test "tui_tty_echo: a program that exits with echo off leaves it off" {
	tui_start bash -c 'stty -echo; exit 3'
	assert_equal "$(tui_wait_exit)" 3
	assert_equal "$(tui_tty_echo)" 0
}

@test "less: alternate screen and echo off while it runs, both restored on q" {
	printf 'line %d\n' $(seq 1000) >"$BATS_TEST_TMPDIR/lines"
	tui_start -x 100 -y 30 less "$BATS_TEST_TMPDIR/lines"
	tui_wait_for '^line 1$'
	assert_equal "$(tui_alternate_on)" 1
	assert_equal "$(tui_tty_echo)" 0
	tui_keys Space
	tui_wait_for '^line 30$'
	tui_keys -l '/line 500$' Enter
	tui_wait_for '^line 500$'
	tui_keys G
	tui_wait_for '^line 1000$'
	tui_keys q
	assert_equal "$(tui_wait_exit)" 0
	assert_equal "$(tui_alternate_on)" 0
	assert_equal "$(tui_tty_echo)" 1
}

@test "tui_stop: the server and the program are gone; a second stop is harmless" {
	tui_start "$(fullscreen_script)"
	tui_wait_for '^HARNESS-MARKER$'
	pid=$(tui_program_pid fullscreen)
	tui_stop
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	run -1 kill -0 "$pid"
	run -1 tui_screen
	tui_stop
}
