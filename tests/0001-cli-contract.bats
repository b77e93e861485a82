#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The command-line contract every command keeps (spoor(7)): --help on
# stdout with status 0, --version with library versions, usage errors on
# stderr with status 64, a missing input with status 66 naming it, JSON
# output that parses, man pages that document every option.  The commands
# are the ones built in $BUILD/bin, so a new command is covered as soon as
# it exists.

load helpers/common

setup() {
	tmp=$(mktemp -d)
	TOOLS=
	for cmd in "$BUILD"/bin/spoor-*; do
		TOOLS="$TOOLS ${cmd##*/}"
	done
}

teardown() {
	rm -rf "$tmp"
}

# The arguments that make command $1 read the missing file $2.  A command
# that takes one operand, its input, needs no entry here.
missing_input_args() {
	case $1 in
	spoor-acquire) echo "$2 $tmp/out.raw" ;;
	spoor-cat) echo "$2 /etc/passwd" ;;
	spoor-collect) echo "-q --root $2 $tmp/collection" ;;
	spoor-export) echo "-c $2 --jsonl" ;;
	spoor-rca) echo "-c $2" ;;
	spoor-hashset) echo "import --known-good $tmp/h.db $2" ;;
	spoor-timeline) echo "-c $tmp/case.db $2" ;;
	spoor-baseline) echo "diff $2 $tmp" ;;
	*) echo "$2" ;;
	esac
}

# Evidence for the JSON tests: a directory with one file.
make_evidence() {
	mkdir -p "$tmp/ev"
	echo hello >"$tmp/ev/a.txt"
}

# The arguments that make command $1 print JSON (its --json or --jsonl).
json_args() {
	case $1 in
	spoor-acquire) echo "--json $tmp/ev/a.txt $tmp/out.raw" ;;
	spoor-export) spoor-timeline -c "$tmp/x.db" "$tmp/ev" >/dev/null &&
		echo "-c $tmp/x.db --jsonl" ;;
	spoor-hashset) sha256sum "$tmp/ev/a.txt" | cut -c1-64 >"$tmp/l.txt" &&
		echo "import --known-good --json $tmp/h.db $tmp/l.txt" ;;
	spoor-rca) printf '%s\n' 'type=SYSCALL msg=audit(1773484982.705:10): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=4001 auid=4294967295 uid=0 gid=0 euid=0 comm="sh" exe="/usr/bin/dash" key="exec"' \
		    'type=EXECVE msg=audit(1773484982.705:10): argc=1 a0="sh"' >"$tmp/audit.log" &&
		spoor-timeline -c "$tmp/r.db" --artifact audit "$tmp/audit.log" >/dev/null &&
		echo "-c $tmp/r.db --json pid:4001" ;;
	spoor-scan) echo "--json -r $REPO/rules $tmp/ev" ;;
	spoor-collect) echo "--json --no-volatile --root $tmp/ev $tmp/collection" ;;
	spoor-timeline) echo "--json -c $tmp/case.db $tmp/ev" ;;
	spoor-baseline) echo "create --json -o $tmp/bl.db $tmp/ev" ;;
	*) echo "--json $tmp/ev" ;;
	esac
}

@test "the commands built are the ones in tools/" {
	n=0
	for src in "$REPO"/tools/spoor-*; do
		t=${src##*/}
		t=${t%.c}
		[ -x "$BUILD/bin/$t" ] || fail "$t is not built"
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
	assert_equal "$(echo $TOOLS | wc -w)" "$n"
}

@test "every command prints help on stdout and exits 0" {
	for t in spoor $TOOLS; do
		run -0 --separate-stderr "$t" --help
		assert_output --partial "usage: $t"
		[ -z "$stderr" ]
	done
}

@test "every command prints its version on stdout" {
	for t in spoor $TOOLS; do
		run -0 --separate-stderr "$t" --version
		assert_line --regexp "^$t( |$)"
		[ -z "$stderr" ]
	done
}

@test "every command prints its version and the linked library versions" {
	for t in spoor $TOOLS; do
		run -0 "$t" --version
		assert_line --partial "libtsk 4."
		assert_line --partial "libewf "
		assert_line --partial "libyara 4."
		assert_line --partial "sqlite 3."
		assert_line --partial "ncurses"
		assert_line --partial "OpenSSL"
	done
}

@test "an unknown option is a usage error with status 64 on stderr" {
	for t in $TOOLS; do
		run -64 --separate-stderr "$t" --no-such-option
		assert_equal "$output" ""
		[[ "$stderr" == *"usage: $t"* ]]
	done
}

@test "a missing input file is status 66, named on stderr" {
	for t in $TOOLS; do
		run -66 --separate-stderr "$t" $(missing_input_args "$t" "$tmp/no-such-file")
		assert_equal "$output" ""
		[[ "$stderr" == "$t: "*"'$tmp/no-such-file'"* ]] ||
			fail "$t: $stderr"
	done
}

@test "spoor itself reads no input file: it runs a verb" {
	run -64 --separate-stderr spoor
	[[ "$stderr" == "usage: spoor"* ]]
}

@test "--json output is JSON: one object a line" {
	make_evidence
	for t in $TOOLS; do
		spoor_help=$("$t" --help)
		grep -qE -- '--json' <<<"$spoor_help" || continue
		run --separate-stderr "$t" $(json_args "$t")
		[ "$status" -eq 0 ] || [ "$status" -eq 1 -a "$t" = spoor-scan ] ||
			fail "$t: status $status: $stderr"
		[ -n "$output" ] || fail "$t: no output"
		while IFS= read -r line; do
			jq -e 'type == "object"' <<<"$line" >/dev/null ||
				fail "$t: not a JSON object: $line"
		done <<<"$output"
	done
}

@test "a missing operand is a usage error with status 64" {
	for t in $TOOLS; do
		run -64 --separate-stderr "$t"
		[[ "$stderr" == *"usage: $t"* ]]
	done
}

@test "spoor lists its verbs: every spoor-VERB command built" {
	run -0 spoor --help
	n=0
	for cmd in "$BUILD"/bin/spoor-*; do
		verb=${cmd##*/spoor-}
		assert_line --regexp "^  $verb "
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
}

@test "spoor VERB runs spoor-VERB with the remaining arguments" {
	need "$IMAGES/ext2/tsk_image.dd"
	run -0 spoor ls "$IMAGES/ext2/tsk_image.dd"
	expected=$(spoor-ls "$IMAGES/ext2/tsk_image.dd")
	assert_equal "$output" "$expected"
}

@test "spoor with an unknown verb exits 64 and says so" {
	run -64 --separate-stderr spoor frobnicate
	assert_equal "$stderr" "spoor: 'frobnicate' is not a spoor verb; see 'spoor --help'"
}

@test "spoor refuses a verb that is a path" {
	run -64 --separate-stderr spoor ../../bin/sh
	[[ "$stderr" == "spoor: '../../bin/sh' is not a verb"* ]]
}

@test "every man page passes mandoc's lint" {
	run -0 "$REPO/scripts/lint-man" "$REPO"/man/*.[157]
}

@test "every command has a man page documenting exactly its --help options" {
	for t in spoor $TOOLS; do
		[ -f "$REPO/man/$t.1" ] || fail "no man/$t.1"
	done
	run -0 "$REPO/scripts/check-help-man" "$BUILD/bin" "$REPO/man"
}

@test "check-help-man catches an option missing from a man page" {
	tmp=$(mktemp -d)
	cp "$REPO"/man/*.1 "$tmp"/
	sed -i '/Fl \\-recursive/d; /Fl -recursive/d' "$tmp/spoor-ls.1"
	run -1 "$REPO/scripts/check-help-man" "$BUILD/bin" "$tmp"
	assert_output --partial -- "--recursive"
	rm -rf "$tmp"
}
