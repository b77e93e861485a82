#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-baseline create and diff: an unchanged tree, AIDE as the oracle
# of what changed in which class, ignore rules and their defaults, drift
# in a case, and bad input.

load helpers/common

setup() {
	tmp=$BATS_TEST_TMPDIR
}

# A small system tree in $tmp/t, every time set back to 2020.
make_tree() {
	local t=$tmp/t
	mkdir -p "$t/etc/cron.d" "$t/etc/sudoers.d" "$t/usr/bin" "$t/var/log" \
	    "$t/root/.ssh" "$t/etc/systemd/system" "$t/data"
	echo 'root:x:0:0:root:/root:/bin/bash' >"$t/etc/passwd"
	echo 'root:x:0:' >"$t/etc/group"
	printf '# comment\nroot ALL=(ALL) ALL\n' >"$t/etc/sudoers"
	printf 'SHELL=/bin/sh\n17 * * * * root cd / && run-parts /etc/cron.hourly\n' >"$t/etc/crontab"
	printf '#!/bin/sh\necho tool\n' >"$t/usr/bin/tool"
	chmod 755 "$t/usr/bin/tool"
	echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGood admin@host' >"$t/root/.ssh/authorized_keys"
	echo 'boot ok' >"$t/var/log/syslog"
	for f in content size perm owner type times xattr removed; do
		echo "$f data" >"$t/data/$f"
	done
	echo a >"$t/data/a"
	echo b >"$t/data/b"
	ln -s a "$t/data/link"
	find "$t" -exec touch -h -d '2020-01-01 00:00:00' {} +
}

@test "an unchanged tree has no differences: status 0, nothing printed" {
	make_tree
	run -0 --separate-stderr spoor-baseline create -o "$tmp/base.db" "$tmp/t"
	assert_output --partial "files"
	run -0 --separate-stderr spoor-baseline diff "$tmp/base.db" "$tmp/t"
	assert_output ""
	assert_equal "$stderr" ""
	run -0 --separate-stderr spoor-baseline diff --json "$tmp/base.db" "$tmp/t"
	assert_equal "$(jq -c 'select(.record == "summary") | [.added, .removed, .changed]' <<<"$output")" "[0,0,0]"
	# a second baseline of the same tree is not written over
	run -73 --separate-stderr spoor-baseline create -o "$tmp/base.db" "$tmp/t"
	[[ "$stderr" == *"exists"* ]]
}

@test "every change class agrees with AIDE's report on the same tree" {
	command -v aide >/dev/null || fail "aide is not installed (scripts/install-deps)"
	make_tree
	local t=$tmp/t xattrs=1
	# user extended attributes: not every file system has them
	if ! setfattr -n user.probe -v 1 "$t/data/a" 2>/dev/null; then
		xattrs=0
	else
		setfattr -x user.probe "$t/data/a"
		touch -h -d '2020-01-01 00:00:00' "$t/data/a"
	fi
	cat >"$tmp/aide.conf" <<-CONF
	database_in=file:$tmp/aide.db
	database_out=file:$tmp/aide.db.new
	report_url=stdout
	report_level=list_entries
	Rule = ftype+p+u+g+s+sha256+m+c+l+xattrs+caps
	$t/data Rule
	CONF
	run -0 --separate-stderr spoor-baseline create -o "$tmp/base.db" "$t"
	aide --init -c "$tmp/aide.conf" >/dev/null
	mv "$tmp/aide.db.new" "$tmp/aide.db"
	# AIDE keeps seconds: let every new time be another second
	sleep 1.1
	echo "CONTENT data" >"$t/data/content"		# same size
	echo more >>"$t/data/size"
	chmod 600 "$t/data/perm"
	chown 1234 "$t/data/owner"
	rm "$t/data/type" && mkdir "$t/data/type" && chmod 644 "$t/data/type"
	ln -sfn b "$t/data/link"
	touch -m "$t/data/times"
	[ "$xattrs" = 0 ] || setfattr -n user.tag -v drift "$t/data/xattr"
	rm "$t/data/removed"
	echo new >"$t/data/added"
	run -1 --separate-stderr spoor-baseline diff --no-default-ignores --json "$tmp/base.db" "$t"
	got=$(jq -r 'select(.record == "entry" and .kind == "file") |
	    "\(.status) \(.path | sub("^/data"; "")) \(.classes | sort | join(","))"' <<<"$output" |
	    grep -v '^changed  ' | sort)
	run -7 aide --check -c "$tmp/aide.conf"
	want=$(python3 "$REPO/tests/helpers/aide-report.py" "$t/data" <<<"$output" | sort)
	# a type change: AIDE's Perm compares the whole mode, type bits
	# and all; spoor's permissions are the permission bits alone, and
	# the type is its own class
	want=$(sed '/^changed \/type /s/permissions,//' <<<"$want")
	[ -n "$want" ] || fail "empty AIDE report"
	assert_equal "$got" "$want"
	# each class was exercised, xattrs only where the file system has them
	for c in content size permissions owner type link times; do
		grep -q "[ ,]$c" <<<"$got" || fail "class $c not seen"
	done
	if [ "$xattrs" = 1 ]; then
		grep -q '^changed /xattr .*xattrs' <<<"$got" || fail "xattrs not seen"
	else
		echo "# xattrs class not checked: no user xattrs on this file system" >&3
	fi
	grep -q '^added /added' <<<"$got"
	grep -q '^removed /removed' <<<"$got"
}

@test "text output: one line per path with its classes" {
	make_tree
	spoor-baseline create -o "$tmp/base.db" "$tmp/t" >/dev/null
	echo "more" >>"$tmp/t/etc/passwd"
	run -1 --separate-stderr spoor-baseline diff "$tmp/base.db" "$tmp/t"
	assert_line --regexp '^changed +/etc/passwd  content,size,times$'
}

@test "a changed /var/log file is left out by default and shown without the defaults" {
	make_tree
	spoor-baseline create -o "$tmp/base.db" "$tmp/t" >/dev/null
	echo "later" >>"$tmp/t/var/log/syslog"
	run -0 --separate-stderr spoor-baseline diff "$tmp/base.db" "$tmp/t"
	assert_output ""
	run -1 --separate-stderr spoor-baseline diff --no-default-ignores "$tmp/base.db" "$tmp/t"
	assert_line --regexp '^changed +/var/log/syslog  content,size,times$'
	# the defaults are the man page's
	run -0 grep -c '^/var/log/\*\* /var/cache/\*\*' "$REPO/man/spoor-baseline.1"
}

@test "ignore rules: a whole path, or only some classes of it" {
	make_tree
	spoor-baseline create -o "$tmp/base.db" "$tmp/t" >/dev/null
	sleep 0.01
	echo x >>"$tmp/t/data/content"
	chmod 700 "$tmp/t/data/perm"
	touch "$tmp/t/data/times"
	printf '# what changes anyway\n/data/times\n/data/content   content,size\n' >"$tmp/ignore"
	run -1 --separate-stderr spoor-baseline diff --json --ignore "$tmp/ignore" "$tmp/base.db" "$tmp/t"
	got=$(jq -r 'select(.record == "entry" and .kind == "file") | "\(.path) \(.classes | join(","))"' <<<"$output" | grep -v '^/data ')
	assert_equal "$got" "/data/content times
/data/perm permissions,times"
	# '**' spans directories, '*' does not
	printf '/data/*\n' >"$tmp/ignore"
	run -0 --separate-stderr spoor-baseline diff --ignore "$tmp/ignore" "$tmp/base.db" "$tmp/t"
	[[ "$output" != *"/data/"* ]] || fail "$output"
}

@test "a malformed ignore line is an error naming its line (65)" {
	make_tree
	spoor-baseline create -o "$tmp/base.db" "$tmp/t" >/dev/null
	printf '/var/log/**\n\n/data/x contents\n' >"$tmp/ignore"
	run -65 --separate-stderr spoor-baseline diff --ignore "$tmp/ignore" "$tmp/base.db" "$tmp/t"
	assert_output ""
	[[ "$stderr" == *"$tmp/ignore: line 3: unknown class 'contents'"* ]] || fail "$stderr"
	printf 'relative/path\n' >"$tmp/ignore"
	run -65 --separate-stderr spoor-baseline diff --ignore "$tmp/ignore" "$tmp/base.db" "$tmp/t"
	[[ "$stderr" == *"line 1: 'relative/path': not an absolute path"* ]] || fail "$stderr"
}

@test "configuration drift: packages, users, cron, sudoers, keys and units" {
	make_tree
	local t=$tmp/t
	mkdir -p "$t/var/lib/dpkg"
	printf 'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2-1\n\n' >"$t/var/lib/dpkg/status"
	spoor-baseline create -o "$tmp/base.db" "$t" >/dev/null
	printf 'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2-2\n\n' >"$t/var/lib/dpkg/status"
	echo 'eve:x:0:0::/root:/bin/sh' >>"$t/etc/passwd"
	echo '@reboot root /tmp/.x/run' >>"$t/etc/crontab"
	echo 'www-data ALL=(ALL) NOPASSWD: /usr/bin/tee' >"$t/etc/sudoers.d/www"
	echo 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQEvil evil@x' >>"$t/root/.ssh/authorized_keys"
	printf '[Service]\nExecStart=/tmp/.x/run\n' >"$t/etc/systemd/system/evil.service"
	run -1 --separate-stderr spoor-baseline diff --json "$tmp/base.db" "$t"
	items=$(jq -r 'select(.record == "entry" and .kind != "file") | "\(.status) \(.kind) \(.important)"' <<<"$output" | sort)
	assert_equal "$items" "added cron true
added key true
added sudoers true
added unit true
added user false
changed package false"
	run -1 --separate-stderr spoor-baseline diff "$tmp/base.db" "$t"
	assert_line 'changed  package:bash:amd64  5.2-1 -> 5.2-2'
	assert_line 'added    cron:/etc/crontab: @reboot root /tmp/.x/run'
}

@test "listening services: socket units, sshd, nginx and Apache lines; a schema 1 baseline does not compare them" {
	make_tree
	local t=$tmp/t
	mkdir -p "$t/etc/ssh" "$t/etc/nginx/sites-enabled" "$t/etc/apache2"
	printf '# Port 2200\nPort 22\nPermitRootLogin no\n' >"$t/etc/ssh/sshd_config"
	printf 'server {\n    listen 80;\n    root /var/www/html;\n}\n' >"$t/etc/nginx/sites-enabled/default"
	spoor-baseline create -o "$tmp/base.db" "$t" >/dev/null
	run -0 sqlite3 "$tmp/base.db" "select key from items where kind = 'listen' order by key"
	assert_output - <<'ITEMS'
/etc/nginx/sites-enabled/default: listen 80;
/etc/ssh/sshd_config: Port 22
ITEMS
	# a second sshd port, a bind shell as a socket unit, Apache on 8443
	printf 'Port 22\nport 2222\nListenAddress 0.0.0.0\n' >"$t/etc/ssh/sshd_config"
	printf '[Socket]\nListenStream=0.0.0.0:31337\nAccept=yes\n' >"$t/etc/systemd/system/update.socket"
	printf 'Listen 8443\n' >"$t/etc/apache2/ports.conf"
	run -1 --separate-stderr spoor-baseline diff --json "$tmp/base.db" "$t"
	got=$(jq -r 'select(.record == "entry" and .kind == "listen") | "\(.status)|\(.key)|\(.important)"' <<<"$output" | sort)
	assert_equal "$got" "added|/etc/apache2/ports.conf: Listen 8443|true
added|/etc/ssh/sshd_config: ListenAddress 0.0.0.0|true
added|/etc/ssh/sshd_config: port 2222|true
added|/etc/systemd/system/update.socket: ListenStream=0.0.0.0:31337|true"
	# the same base as a schema 1 file, which kept no listening lines
	cp "$tmp/base.db" "$tmp/old.db"
	sqlite3 "$tmp/old.db" "delete from items where kind = 'listen'; pragma user_version = 1"
	run -1 --separate-stderr spoor-baseline diff --json "$tmp/old.db" "$t"
	run -0 jq -c 'select(.record == "entry" and .kind == "listen")' <<<"$output"
	assert_output ''
}

@test "-c: differences are drift events, the important ones detections" {
	make_tree
	local t=$tmp/t
	spoor-baseline create -c "$tmp/case.db" -o "$tmp/base.db" "$t" >/dev/null
	# the baseline is a source of the case, by its SHA-256
	run -0 sqlite3 "$tmp/case.db" "SELECT kind, sha256 FROM sources"
	assert_output "baseline|$(sha256sum <"$tmp/base.db" | cut -c1-64)"
	printf '\177ELF\002\001\001' >"$t/usr/bin/implant"
	chmod 4755 "$t/usr/bin/implant"
	touch -d '2026-03-14 10:44:30' "$t/usr/bin/implant"
	echo '* * * * * root /usr/bin/implant' >"$t/etc/cron.d/implant"
	echo 'notes' >"$t/data/notes.txt"
	run -1 --separate-stderr spoor-baseline diff -c "$tmp/case.db" "$tmp/base.db" "$t"
	n=$(wc -l <<<"$output")
	# one drift event per difference
	run -0 sqlite3 "$tmp/case.db" "SELECT count(*) FROM events WHERE artifact = 'drift'"
	assert_output "$n"
	# the event sits at the file's new mtime, with typed fields
	run -0 sqlite3 "$tmp/case.db" "SELECT time_ns, json_extract(extra, '$.status'), json_extract(extra, '$.new.mode') FROM events WHERE artifact = 'drift' AND message LIKE 'added /usr/bin/implant%'"
	assert_output "$(date -u -d '2026-03-14 10:44:30' +%s)000000000|added|4755"
	run -0 sqlite3 "$tmp/case.db" "SELECT type, namespace, path, reason FROM detections ORDER BY path"
	assert_output "heuristic|drift|/etc/cron.d/implant|new cron entry
heuristic|drift|/usr/bin/implant|new setuid file"
	run -0 --separate-stderr spoor-export -c "$tmp/case.db" --jsonl --artifact drift
	[ "$(wc -l <<<"$output")" -eq "$n" ]
	jq -s -e 'any(.[]; .message | startswith("added /data/notes.txt"))' <<<"$output" >/dev/null
}

@test "bad baselines: missing 66, not a baseline 65, truncated 65" {
	make_tree
	run -66 --separate-stderr spoor-baseline diff "$tmp/none.db" "$tmp/t"
	[[ "$stderr" == "spoor-baseline: "*"'$tmp/none.db'"*"No such file"* ]] || fail "$stderr"
	echo "just text" >"$tmp/text.db"
	run -65 --separate-stderr spoor-baseline diff "$tmp/text.db" "$tmp/t"
	[[ "$stderr" == *"'$tmp/text.db'"* ]] || fail "$stderr"
	sqlite3 "$tmp/other.db" "CREATE TABLE x(y); INSERT INTO x VALUES (1)"
	run -65 --separate-stderr spoor-baseline diff "$tmp/other.db" "$tmp/t"
	[[ "$stderr" == *"not a spoor baseline"* ]] || fail "$stderr"
	for i in $(seq 1 300); do echo "f$i" >"$tmp/t/data/f$i"; done
	spoor-baseline create -o "$tmp/base.db" "$tmp/t" >/dev/null
	size=$(stat -c %s "$tmp/base.db")
	head -c $((size / 2)) "$tmp/base.db" >"$tmp/half.db"
	run -65 --separate-stderr spoor-baseline diff "$tmp/half.db" "$tmp/t"
	[[ "$stderr" == "spoor-baseline: baseline '$tmp/half.db'"* ]] || fail "$stderr"
	# the file read is not modified, and no journal is left beside it
	[ "$(stat -c %s "$tmp/half.db")" -eq $((size / 2)) ]
	[ ! -e "$tmp/half.db-journal" ]
}

@test "hostile file names are escaped in text and JSON" {
	make_tree
	spoor-baseline create -o "$tmp/base.db" "$tmp/t" >/dev/null
	touch "$tmp/t/data/$(printf 'evil\033[2Jname\nline')"
	run -1 --separate-stderr spoor-baseline diff "$tmp/base.db" "$tmp/t"
	[[ "$output" != *$'\033'* ]] || fail "raw escape in output"
	assert_line --partial 'added    /data/evil\u001b[2Jname\nline'
	run -1 --separate-stderr spoor-baseline diff --json "$tmp/base.db" "$tmp/t"
	jq -s -e 'any(.[]; .path == "/data/evil\u001b[2Jname\nline")' <<<"$output" >/dev/null
}

@test "usage errors: an option of another subcommand, a missing -o" {
	run -64 --separate-stderr spoor-baseline create "$tmp"
	[[ "$stderr" == *"create needs -o"* ]]
	run -64 --separate-stderr spoor-baseline diff --allow x a b
	[[ "$stderr" == *"options of 'allowlist'"* ]]
	run -64 --separate-stderr spoor-baseline frobnicate x
}
