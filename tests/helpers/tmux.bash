# SPDX-License-Identifier: Apache-2.0
# Drive a full-screen terminal program in tmux, for the bats tests of
# spoor-view and for bench/view: start it in a detached tmux session of a
# given size, send it keys, read the screen back as text, wait for text to
# appear, go away or settle, and check the terminal state it leaves
# (alternate screen, echo).  Nothing here is spoor-specific.
#
# Each test talks to its own tmux server on a private socket
# (`tmux -L spoor-test-PID-TESTNUMBER`, no configuration file read), so
# tests running in parallel never see each other's sessions and a user's
# ~/.tmux.conf changes nothing.  One program per test: tui_start stops a
# server left from before.  Call the functions directly, not through bats'
# `run` (which would lose the socket name in a subshell), except to check
# that one fails.  Every bats file that loads this should have
#
#	teardown() { tui_stop; }
#
# so that the server and the program go away whatever the test did.
#
# The program runs under `bash -c` with TERM=xterm-256color and LANG=C.UTF-8
# (LC_ALL unset), in the current directory, with the variables exported
# when tui_start was called.  When it exits, its exit status is kept
# (tui_wait_exit) and an interactive shell without line editing takes the
# pane over: the screen stays as the program left it, the tty keeps the
# modes the program left (tui_stty, tui_tty_echo), and commands can be
# typed into it (`tui_keys -l 'stty -echo' Enter`).
#
# Functions (each returns 0 on success; on failure it says why on stderr):
#
#   tui_start [-x COLS] [-y ROWS] CMD [ARG...]
#	Start CMD ARG... in a new session, COLS x ROWS (default 80 x 24), no
#	status line.  Returns at once; use tui_wait_for to wait for its screen.
#   tui_keys KEY... [-l TEXT]...
#	Send keys in order: each KEY is a tmux key name (j, Enter, Escape,
#	Space, PageDown, PageUp, Up, Down, Tab, BTab, C-c, F1, ...), and
#	-l TEXT types TEXT literally (a `:` command, a search).
#   tui_screen
#	Print the screen as plain text, one line per row, trailing blanks cut.
#   tui_screen_esc
#	The same with the escape sequences of colours and attributes (-e).
#   tui_wait_for REGEX [TIMEOUT_S]
#	Wait until a line of the screen matches the extended regular
#	expression (grep -E), polling every 10 ms, at most TIMEOUT_S seconds
#	(default $TUI_TIMEOUT, 10).  On a timeout, print the screen to stderr
#	and return 1.
#   tui_wait_gone REGEX [TIMEOUT_S]
#	Wait until no line of the screen matches REGEX; as tui_wait_for.
#   tui_wait_stable [MS] [TIMEOUT_S]
#	Wait until the screen has not changed for MS milliseconds (default
#	200); return 1 (and print the screen) if it keeps changing for
#	TIMEOUT_S seconds.
#   tui_alternate_on
#	Print 1 when the program has switched to the alternate screen
#	(smcup), 0 when the normal screen shows.
#   tui_pane_pid
#	Print the pid of the pane's first process (the shell that runs the
#	program; its session id is this pid too).
#   tui_program_pid NAME [TIMEOUT_S]
#	Print the pid of the oldest process called NAME (as in ps -o comm,
#	at most 15 characters) in the pane's session, waiting up to
#	TIMEOUT_S seconds (default 5) for it to start.  The oldest, so
#	that a child it forks (a script's subshells) is not taken for it.
#   tui_resize COLS ROWS
#	Resize the window; the program gets SIGWINCH.
#   tui_size
#	Print the pane's size as COLSxROWS.
#   tui_stty
#	Print `stty -a` of the pane's terminal, read from outside (the screen
#	is not touched).
#   tui_tty_echo
#	Print 1 when the pane's terminal echoes input, 0 when echo is off.
#   tui_wait_exit [TIMEOUT_S]
#	Wait until the program has exited and print its exit status (128+N
#	when signal N ended it).
#   tui_stop
#	Kill the tmux server, and with it the program; does nothing when none
#	runs, so teardown can always call it.
#
# Variables: TUI_SOCKET (the socket name; set by tui_start unless already
# set), TUI_TIMEOUT (default timeout in seconds), TUI_DIR (a directory of
# this run's files, under $BATS_TEST_TMPDIR when there is one).

TUI_TIMEOUT=${TUI_TIMEOUT:-10}
TUI_SESSION=tui

# The time in microseconds: bash's clock when it has one (no fork).
_tui_now_us() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		local t=${EPOCHREALTIME/[.,]/}
		echo "$t"
	else
		echo $(($(date +%s%N) / 1000))
	fi
}

_tui_tmux() {
	[ -n "${TUI_SOCKET:-}" ] || { echo "tui: no session (tui_start first)" >&2; return 1; }
	TMUX='' tmux -L "$TUI_SOCKET" -f /dev/null "$@"
}

# _tui_deadline S: the time, in µs, S seconds (a decimal) from now.
_tui_deadline() {
	local s=$1 whole frac
	whole=${s%%.*}
	frac=
	[ "$whole" = "$s" ] || frac=${s#*.}
	frac=${frac}000000
	frac=${frac:0:6}
	echo $(($(_tui_now_us) + ${whole:-0} * 1000000 + 10#$frac))
}

_tui_dump() {
	{
		echo "--- $1; the screen ($(tui_size 2>/dev/null)):"
		tui_screen 2>/dev/null || echo "(no screen: the tmux server is gone)"
		echo "---"
	} >&2
}

tui_start() {
	local cols=80 rows=24 opt OPTIND=1
	while getopts x:y: opt; do
		case $opt in
		x) cols=$OPTARG ;;
		y) rows=$OPTARG ;;
		*) echo "usage: tui_start [-x COLS] [-y ROWS] CMD [ARG...]" >&2; return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	if [ $# -eq 0 ]; then
		echo "usage: tui_start [-x COLS] [-y ROWS] CMD [ARG...]" >&2
		return 2
	fi
	tui_stop
	TUI_SOCKET=${TUI_SOCKET:-spoor-test-$$-${BATS_TEST_NUMBER:-0}}
	if [ -z "${TUI_DIR:-}" ]; then
		TUI_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/tui.XXXXXX") ||
			return 1
	fi
	rm -f "$TUI_DIR/status"
	# The program, then its status into a file, then a shell that leaves
	# the tty as it is (no readline) so the pane outlives the program.
	# status off: all ROWS rows are the program's.
	# shellcheck disable=SC2016
	_tui_tmux new-session -d -s "$TUI_SESSION" -x "$cols" -y "$rows" \
		-c "$PWD" -- env -u TMUX -u TMUX_PANE -u LC_ALL -u LC_CTYPE \
		TERM=xterm-256color LANG=C.UTF-8 \
		bash --norc --noprofile -c \
		'"${@:2}"; echo $? > "$1"; PS1="\$ " exec bash --norc --noprofile --noediting -i' \
		tui "$TUI_DIR/status" "$@" \; \
		set-option -g status off \; \
		set-option -g remain-on-exit on \; \
		set-option -g history-limit 0
}

tui_keys() {
	local k
	while [ $# -gt 0 ]; do
		if [ "$1" = -l ]; then
			[ $# -ge 2 ] || { echo "tui_keys: -l wants TEXT" >&2; return 2; }
			k=$2
			# a trailing ';' would end the tmux command
			case $k in *';') k=${k%;}'\;' ;; esac
			_tui_tmux send-keys -t "$TUI_SESSION" -l -- "$k" || return
			shift 2
		else
			k=$1
			[ "$k" != ';' ] || k='\;'
			_tui_tmux send-keys -t "$TUI_SESSION" -- "$k" || return
			shift
		fi
	done
}

tui_screen() {
	_tui_tmux capture-pane -p -t "$TUI_SESSION"
}

tui_screen_esc() {
	_tui_tmux capture-pane -p -e -t "$TUI_SESSION"
}

# _tui_poll WANT REGEX TIMEOUT: WANT 1 waits for a match, 0 for none.
_tui_poll() {
	local want=$1 re=$2 end screen got
	end=$(_tui_deadline "$3")
	while :; do
		screen=$(tui_screen) || { _tui_dump "the screen cannot be read"; return 1; }
		got=0
		grep -Eq -- "$re" <<<"$screen" && got=1
		[ "$got" != "$want" ] || return 0
		if [ "$(_tui_now_us)" -ge "$end" ]; then
			if [ "$want" = 1 ]; then
				_tui_dump "tui_wait_for: /$re/ not on the screen after $3 s"
			else
				_tui_dump "tui_wait_gone: /$re/ still on the screen after $3 s"
			fi
			return 1
		fi
		sleep 0.01
	done
}

tui_wait_for() {
	_tui_poll 1 "$1" "${2:-$TUI_TIMEOUT}"
}

tui_wait_gone() {
	_tui_poll 0 "$1" "${2:-$TUI_TIMEOUT}"
}

tui_wait_stable() {
	local ms=${1:-200} end now since screen last=
	end=$(_tui_deadline "${2:-$TUI_TIMEOUT}")
	since=$(_tui_now_us)
	while :; do
		screen=$(tui_screen) || { _tui_dump "the screen cannot be read"; return 1; }
		now=$(_tui_now_us)
		if [ "$screen" != "$last" ]; then
			last=$screen
			since=$now
		elif [ $((now - since)) -ge $((ms * 1000)) ]; then
			return 0
		fi
		if [ "$now" -ge "$end" ]; then
			_tui_dump "tui_wait_stable: the screen still changes after ${2:-$TUI_TIMEOUT} s"
			return 1
		fi
		sleep 0.01
	done
}

tui_alternate_on() {
	_tui_tmux display-message -p -t "$TUI_SESSION" '#{alternate_on}'
}

tui_pane_pid() {
	_tui_tmux display-message -p -t "$TUI_SESSION" '#{pane_pid}'
}

tui_program_pid() {
	local name=$1 sid pid end
	sid=$(tui_pane_pid) || return 1
	end=$(_tui_deadline "${2:-5}")
	while :; do
		if pid=$(pgrep -o -x -s "$sid" -- "$name"); then
			echo "$pid"
			return 0
		fi
		if [ "$(_tui_now_us)" -ge "$end" ]; then
			echo "tui_program_pid: no process '$name' in the pane" >&2
			return 1
		fi
		sleep 0.01
	done
}

tui_resize() {
	_tui_tmux resize-window -t "$TUI_SESSION" -x "$1" -y "$2"
}

tui_size() {
	_tui_tmux display-message -p -t "$TUI_SESSION" '#{pane_width}x#{pane_height}'
}

tui_stty() {
	local tty
	tty=$(_tui_tmux display-message -p -t "$TUI_SESSION" '#{pane_tty}') || return 1
	stty -a -F "$tty"
}

tui_tty_echo() {
	local modes
	modes=$(tui_stty) || return 1
	if tr ' ;' '\n' <<<"$modes" | grep -qx -- -echo; then
		echo 0
	else
		echo 1
	fi
}

tui_wait_exit() {
	local end
	end=$(_tui_deadline "${1:-$TUI_TIMEOUT}")
	while [ ! -s "$TUI_DIR/status" ]; do
		if [ "$(_tui_now_us)" -ge "$end" ]; then
			_tui_dump "tui_wait_exit: the program still runs after ${1:-$TUI_TIMEOUT} s"
			return 1
		fi
		sleep 0.01
	done
	cat "$TUI_DIR/status"
}

tui_stop() {
	[ -n "${TUI_SOCKET:-}" ] || return 0
	TMUX='' tmux -L "$TUI_SOCKET" kill-server 2>/dev/null || true
}
