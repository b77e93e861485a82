#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The rules for what intruders leave on Linux servers (compiled reverse
# shells, LD_PRELOAD hiders, SSH key and PAM backdoors, database dumps
# sent off the host, log and history wipers) beyond their one .pos and
# .neg in tests/4000-rules.bats: the further cases of each rule, stored
# in tests/fixtures/rules/cases or compiled by mkelf.sh, and the
# scenario's files they must leave alone.

load helpers/common

RULES=$REPO/rules
FIX=$REPO/tests/fixtures/rules

setup_file() {
	"$BATS_TEST_DIRNAME/fixtures/rules/mkelf.sh" "$BATS_FILE_TMPDIR/elf" "$BATS_FILE_TMPDIR/cases" >&2
}

# Every further case: <rule>.<case>.pos or .neg, stored or compiled.
cases() {
	ls "$FIX"/cases/*.pos "$FIX"/cases/*.neg "$BATS_FILE_TMPDIR"/cases/*
}

# The rule a case file is for.
rule_of() {
	local r
	r=$(basename "$1")
	echo "${r%%.*}"
}

# The rule names in yara's output ($output), one a line, sorted.
hits() {
	echo "$output" | grep -v '^0x' | awk 'NF { print $1 }' | sort -u
}

@test "every case is named <rule>.<case>.pos or .neg after a rule of the set" {
	local f r n=0
	for f in $(cases); do
		[[ $(basename "$f") =~ ^[a-z0-9_]+\.[a-z0-9-]+\.(pos|neg)$ ]] || fail "bad case name $f"
		r=$(rule_of "$f")
		grep -qx "rule $r" "$RULES"/*/*.yar || fail "case $f has no rule"
		n=$((n + 1))
	done
	[ "$n" -ge 18 ]
}

@test "yara -s on each .pos case reports exactly its rule" {
	local f
	for f in $(cases | grep '\.pos$'); do
		run -0 --separate-stderr yara -s "$RULES/index.yar" "$f"
		assert_equal "$(hits)" "$(rule_of "$f")"
	done
}

@test "yara -s on each .neg case reports nothing" {
	local f
	for f in $(cases | grep '\.neg$'); do
		run -0 --separate-stderr yara -s "$RULES/index.yar" "$f"
		[ -z "$output" ] || fail "$f hit: $output"
	done
}

@test "the compiled reverse shell imports socket, connect, dup2 and execve; its near miss the same without a shell" {
	local f
	for f in "$BATS_FILE_TMPDIR"/elf/revshell_elf_connect_dup2_shell.{pos,neg}; do
		for s in socket connect dup2 execve; do
			objdump -T "$f" | grep -q "UND.*[[:space:]]$s\$" || fail "$f does not import $s"
		done
	done
	run -0 strings -a "$BATS_FILE_TMPDIR/elf/revshell_elf_connect_dup2_shell.pos"
	assert_line /bin/sh
	run -0 strings -a "$BATS_FILE_TMPDIR/elf/revshell_elf_connect_dup2_shell.neg"
	refute_line /bin/sh
}

@test "the compiled fixtures only print a line when run" {
	local f
	for f in "$BATS_FILE_TMPDIR"/elf/{revshell_elf_connect_dup2_shell,log_wiper_utmp_editor}.{pos,neg}; do
		run -0 --separate-stderr "$f"
		assert_output "spoor rule fixture: does nothing"
	done
}

@test "the PAM fixtures define pam_sm_authenticate, as a module does" {
	local f
	for f in "$BATS_FILE_TMPDIR"/elf/ssh_pam_*.{pos,neg}; do
		objdump -T "$f" | grep -q '\.text.*[[:space:]]pam_sm_authenticate$' || fail "$f does not define pam_sm_authenticate"
	done
}

@test "scenario: root's history, whose plain rm of access.log.1 is left to the file system, hits nothing" {
	# rca dates a detection by its file: a hit on the history would make
	# the logout's write of it the last act of the intrusion
	need "$SCENARIO/web01.E01"
	spoor-cat "$SCENARIO/web01.E01" /root/.bash_history > "$BATS_TEST_TMPDIR/file"
	grep -qx 'rm /var/log/apache2/access.log.1' "$BATS_TEST_TMPDIR/file"
	run -0 --separate-stderr yara -s "$RULES/index.yar" "$BATS_TEST_TMPDIR/file"
	assert_output ""
}

@test "scenario: deploy's history, the authorized_keys and logrotate's apache2 hit nothing" {
	local p
	need "$SCENARIO/web01.E01"
	for p in /home/deploy/.bash_history /root/.ssh/authorized_keys /etc/logrotate.d/apache2 /etc/ssh/sshd_config; do
		spoor-cat "$SCENARIO/web01.E01" "$p" > "$BATS_TEST_TMPDIR/file"
		run -0 --separate-stderr yara -s "$RULES/index.yar" "$BATS_TEST_TMPDIR/file"
		[ -z "$output" ] || fail "$p hit: $output"
	done
}
