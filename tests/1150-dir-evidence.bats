#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# A plain directory as evidence: every entry with its metadata, compared
# with find(1) and stat(1); symbolic links listed, never followed.

load helpers/common

setup() {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/etc" "$root/var/log" "$root/tmp/.hidden"
	printf 'web01\n' > "$root/etc/hostname"
	printf 'line\n' > "$root/var/log/syslog"
	printf '\177ELF' > "$root/tmp/.hidden/kswapd0"
	chmod 4755 "$root/tmp/.hidden/kswapd0"
	ln -s /etc "$root/etc-link"
	ln -s ../../.. "$root/var/log/up"
	mkfifo "$root/tmp/fifo"
	touch -d '2026-03-14 10:42:17.123456789 UTC' "$root/var/log/syslog"
}

@test "every entry is listed, with the paths find gives" {
	run -0 spoor-ls -r --json "$root"
	got=$(echo "$output" | jq -r .path | sort)
	expected=$(cd "$root" && find . -mindepth 1 | sed 's|^\.||' | sort)
	assert_equal "$got" "$expected"
}

@test "sizes, modes, owners, inodes and nanosecond times match stat" {
	run -0 spoor-ls -r --json "$root"
	while IFS=' ' read -r path ino size mode uid mtime; do
		f=$root$path
		assert_equal "$ino $size $mode $uid" "$(stat -c '%i %s %04a %u' "$f")"
		assert_equal "$mtime" "$(date -u -d "@$(stat -c '%.9Y' "$f")" +%Y-%m-%dT%H:%M:%S.%NZ)"
	done < <(echo "$output" | jq -r '"\(.path) \(.inode) \(.size) \(.mode) \(.uid) \(.mtime)"')
	assert_equal "$(echo "$output" | jq -r 'select(.path == "/var/log/syslog") | .mtime')" \
	    "2026-03-14T10:42:17.123456789Z"
}

@test "symbolic links are listed with their target and never followed" {
	run -0 spoor-ls -r --json "$root"
	assert_equal "$(echo "$output" | jq -r 'select(.path == "/etc-link") | "\(.meta_type) \(.link)"')" "l /etc"
	refute_line --partial '"/etc-link/'
	refute_line --partial '"/var/log/up/'
}

@test "a bodyfile of a directory is readable by mactime" {
	run -0 spoor-ls -r --bodyfile "$root"
	echo "$output" | mactime -b - -d -y -z UTC > "$BATS_TEST_TMPDIR/timeline.csv"
	grep -q '2026-03-14T10:42:17Z,5,m...,r/rrw-r--r--,0,0,[0-9]*,"/var/log/syslog"' \
	    "$BATS_TEST_TMPDIR/timeline.csv" || fail "$(cat "$BATS_TEST_TMPDIR/timeline.csv")"
}

@test "spoor-cat reads a file under the root and refuses to leave it" {
	run -0 spoor-cat "$root" /etc/hostname
	assert_output web01
	run -64 --separate-stderr spoor-cat "$root" /etc/../../etc/passwd
	[[ "$stderr" == *"'..' not allowed" ]]
	run --separate-stderr spoor-cat "$root" /etc-link/passwd
	[ "$status" -ne 0 ]
	refute_output --partial root:
}

@test "spoor-info describes a directory" {
	run -0 spoor-info --json "$root"
	assert_equal "$(echo "$output" | jq -r '"\(.kind) \(.file_systems[0].type)"')" "dir dir"
}

@test "--progress=json reports on stderr as JSON lines ending with a final one" {
	run -0 --separate-stderr spoor-ls -r --progress=json "$root"
	echo "$stderr" | jq -e . >/dev/null
	assert_equal "$(echo "$stderr" | tail -1 | jq -c '[.progress, .done, .final]')" \
	    "[\"entries\",$(echo "$output" | wc -l),true]"
}

@test "no progress output when stderr is not a terminal" {
	run -0 --separate-stderr spoor-ls -r "$root"
	assert_equal "$stderr" ""
}
