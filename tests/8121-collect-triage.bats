#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The triage walk of a live host (lib/live/triage.c), driven by
# tests/helpers/collect-triage.c over a hostile tree built here as the
# host's root: symbolic link loops, a FIFO, a 10 GB sparse file, a file
# that grows while read, names with a newline, ESC, '|', '%' and invalid
# UTF-8.  The bodyfile is checked against find(1) and mactime(1), the
# mirror against the tree, and the tree against itself before and after
# (no size, mtime or atime changed).

load helpers/common

setup() {
	prog=$BUILD/tests/collect-triage
	need "$prog"
	cd "$BATS_TEST_TMPDIR"
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root"/{etc/ssh,etc/cron.d,etc/sudoers.d,etc/systemd/system,var/log/nginx,var/tmp,tmp,dev/shm,home/alice/.ssh,root,var/www/html,usr/lib/systemd/system,srv,proc}
	mkdir -p "$root"/var/lib/docker/containers/abc123
	mkdir -p "$root"/var/lib/containerd/io.containerd.metadata.v1.bolt \
	    "$root"/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs \
	    "$root"/var/lib/containers/storage/libpod \
	    "$root"/var/lib/containers/storage/overlay-containers/p1/userdata
	cd "$root"
	printf 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nbob:x:1001:1001::/srv/bob/:/bin/sh\nevil:x:1002:1002::/../../etc:/bin/sh\n' >etc/passwd
	printf 'root:x:0:\n' >etc/group
	printf 'root:$6$secret:19000::::::\n' >etc/shadow
	echo 'root ALL=(ALL) ALL' >etc/sudoers
	echo 'alice ALL=(ALL) NOPASSWD: ALL' >etc/sudoers.d/alice
	echo 'PermitRootLogin yes' >etc/ssh/sshd_config
	echo '* * * * * root /tmp/.x' >etc/cron.d/evil
	echo /tmp/evil.so >etc/ld.so.preload
	echo '127.0.0.1 localhost' >etc/hosts
	echo '[Service]' >etc/systemd/system/evil.service
	echo 'not copied' >etc/motd
	echo '[Service]' >usr/lib/systemd/system/new.service
	# timestomped: an old mtime, but the ctime says it changed now
	echo '[Service]' >usr/lib/systemd/system/stomped.service
	touch -d '2001-01-01' usr/lib/systemd/system/stomped.service
	echo '<?php system($_GET[c]);' >var/www/html/shell.php
	echo '<?php eval($_POST[x]);' >var/www/html/stomped.php
	touch -d '2001-01-01' var/www/html/stomped.php
	echo 'Jan 1 sshd: Accepted' >var/log/auth.log
	echo 'rotated' | gzip >var/log/auth.log.2.gz
	echo 'GET /' >var/log/nginx/access.log
	echo '{"ID":"abc123"}' >var/lib/docker/containers/abc123/config.v2.json
	echo '{"log":"hi"}' >var/lib/docker/containers/abc123/abc123-json.log
	echo 'other' >var/lib/docker/containers/abc123/resolv.conf
	echo 'bolt' >var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db
	echo 'bolt' >var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/metadata.db
	echo 'layer file' >var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs/x
	echo 'bolt' >var/lib/containers/storage/libpod/bolt_state.db
	echo 'sqlite' >var/lib/containers/storage/db.sql
	echo '[]' >var/lib/containers/storage/overlay-containers/containers.json
	echo '{}' >var/lib/containers/storage/overlay-containers/p1/userdata/config.json
	echo '2024-01-01T00:00:00Z stdout F hi' >var/lib/containers/storage/overlay-containers/p1/userdata/ctr.log
	echo 'run' >var/lib/containers/storage/overlay-containers/p1/userdata/pidfile
	echo 'ls -la' >root/.bash_history
	echo 'curl x | sh' >home/alice/.bash_history
	echo 'ssh-ed25519 AAAA attacker' >home/alice/.ssh/authorized_keys
	echo 'alias ls=x' >home/alice/.bashrc
	echo 'secret doc' >home/alice/notes.txt
	mkdir -p srv/bob
	echo 'bob history' >srv/bob/.bash_history
	echo 'payload' >tmp/.x
	echo 'shm payload' >dev/shm/.hidden
	echo 'var tmp' >var/tmp/drop
	echo 'in proc' >proc/not-a-proc
	# hostile names
	echo nl >tmp/$'new\nline'
	echo esc >tmp/$'esc\e]0;title\a\e[31m'
	echo bad >tmp/$'bad\xff\xfe\xc3'
	echo pipe >tmp/'pi|pe%41'
	echo c1 >tmp/$'c1-\xc2\x9b31m'
	mkdir tmp/$'dir\nname'
	echo inner >tmp/$'dir\nname'/$'inner\x01'
	ln -s $'target\nwith|bar' tmp/$'link -> arrow'
	# symbolic link loops and links out of the tree
	ln -s loop2 tmp/loop1
	ln -s loop1 tmp/loop2
	ln -s .. tmp/up
	ln -s / tmp/slash
	ln -s /etc/shadow tmp/shadow-link
	ln -s "$root" home/alice/back
	# things that must never be opened
	mkfifo tmp/fifo
	mkfifo var/log/fifo.log
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' tmp/sock
	# a 10 GB sparse file
	truncate -s 10G tmp/big
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	if [ -n "${writer:-}" ]; then
		kill "$writer" 2>/dev/null || true
		wait "$writer" 2>/dev/null || true
	fi
}

# The tree as find(1) sees it, for the before/after comparison.
snapshot() {
	find "$root" -printf '%p %s %T@ %A@ %C@\n' | sort
}

# Decode the bodyfile OUT/bodyfile.txt into "hexname size mtime type"
# lines, sorted (names %XX-decoded the way mactime decodes them).
bodyfile_set() {
	python3 - "$1" <<-'EOF'
	import re, sys
	out = []
	for raw in open(sys.argv[1], "rb").read().split(b"\n"):
	    if not raw:
	        continue
	    f = raw.split(b"|")
	    if len(f) != 11:
	        print("fields", len(f), raw)
	        continue
	    name, mode = f[1], f[3]
	    if mode[0:1] == b"l":
	        name = name.split(b" -> ", 1)[0]
	    name = re.sub(rb"%([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
	    out.append("%s %s %s %s" % (name.hex(), f[6].decode(), f[8].decode(), mode[0:1].decode()))
	print("\n".join(sorted(out)))
	EOF
}

# The same from find(1) over the tree.
find_set() {
	find "$root" -printf '%p\0%s\0%T@\0%y\0' >"$BATS_TEST_TMPDIR/find.out"
	python3 - "$root" "$BATS_TEST_TMPDIR/find.out" <<-'EOF'
	import sys
	root = sys.argv[1].encode()
	f = open(sys.argv[2], "rb").read().split(b"\0")
	kind = {b"f": "r", b"d": "d", b"l": "l", b"p": "p", b"s": "h", b"c": "c", b"b": "b"}
	out = []
	for i in range(0, len(f) - 1, 4):
	    p, size, mtime, t = f[i:i + 4]
	    name = b"/" if p == root else p[len(root):]
	    out.append("%s %s %d %s" % (name.hex(), size.decode(), int(float(mtime)), kind[t]))
	print("\n".join(sorted(out)))
	EOF
}

@test "the walk of a tree with a FIFO, a socket and link loops ends" {
	run -0 --separate-stderr timeout 20 "$prog" --max-file 1M "$root" out
	[ -z "$stderr" ]
	[ "$(tail -n1 out/manifest.jsonl | jq -r .status)" = complete ]
	[ ! -e out/files/tmp/fifo ]
	[ ! -e out/files/var/log/fifo.log ]
	[ ! -e out/files/tmp/sock ]
	# links are listed, never followed
	[ ! -e out/files/tmp/up ]
	[ ! -e out/files/tmp/shadow-link ]
	[ ! -e out/files/etc/shadow ]
	grep -q '^0|/tmp/loop1 -> loop2|' out/bodyfile.txt
	grep -q '^0|/tmp/fifo|[0-9]*|p/prw' out/bodyfile.txt
	grep -q '^0|/tmp/sock|[0-9]*|h/h' out/bodyfile.txt
}

@test "the bodyfile lists exactly what find lists: names, sizes, mtimes, types" {
	run -0 timeout 20 "$prog" --max-file 1M "$root" out
	run -0 bodyfile_set out/bodyfile.txt
	body=$output
	run -0 find_set
	[ "$body" = "$output" ] || { diff <(echo "$body") <(echo "$output"); false; }
	# and in tar, the same bodyfile
	run -0 timeout 20 "$prog" --tar --max-file 1M "$root" out.tar
	mkdir x
	tar -xf out.tar -C x
	run -0 bodyfile_set x/bodyfile.txt
	[ "$body" = "$output" ]
}

@test "the bodyfile escapes names the way mactime reads them" {
	run -0 timeout 20 "$prog" --max-file 1M "$root" out
	# one line per entry: no raw newline, control byte or '|' in a name
	[ "$(wc -l <out/bodyfile.txt)" -eq "$(find "$root" -printf x | wc -c)" ]
	run -0 awk -F'|' 'NF != 11' out/bodyfile.txt
	assert_output ""
	! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' out/bodyfile.txt
	grep -qF '0|/tmp/new%0Aline|' out/bodyfile.txt
	grep -qF '0|/tmp/pi%7Cpe%2541|' out/bodyfile.txt
	grep -qF '0|/tmp/bad%FF%FE%C3|' out/bodyfile.txt
	grep -qF '0|/tmp/c1-%C2%9B31m|' out/bodyfile.txt
	grep -qF '0|/tmp/link -%3E arrow -> target%0Awith%7Cbar|' out/bodyfile.txt
	grep -qE '^0\|/etc/passwd\|[0-9]+\|r/rrw-r--r--\|0\|0\|[0-9]+\|' out/bodyfile.txt
	# mactime takes it without a word and decodes the names back
	run -0 --separate-stderr mactime -b out/bodyfile.txt -d
	[ -z "$stderr" ]
	[ "${#lines[@]}" -gt 50 ]
	run -0 --separate-stderr mactime -b out/bodyfile.txt
	[ -z "$stderr" ]
	[[ $output == *"/tmp/pi|pe%41"* ]]
	[[ $output == *"/tmp/bad"$'\xff\xfe\xc3'* ]]
	[[ $output == *"/tmp/loop1 -> loop2"* ]]
}

@test "the triage files are mirrored byte for byte, the rest is not" {
	run -0 timeout 20 "$prog" --max-file 1M "$root" out
	for f in etc/passwd etc/group etc/sudoers etc/sudoers.d/alice \
	    etc/ssh/sshd_config etc/cron.d/evil etc/ld.so.preload etc/hosts \
	    etc/systemd/system/evil.service usr/lib/systemd/system/new.service \
	    usr/lib/systemd/system/stomped.service var/www/html/stomped.php \
	    var/www/html/shell.php var/log/auth.log var/log/auth.log.2.gz \
	    var/log/nginx/access.log \
	    var/lib/docker/containers/abc123/config.v2.json \
	    var/lib/docker/containers/abc123/abc123-json.log \
	    var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db \
	    var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/metadata.db \
	    var/lib/containers/storage/libpod/bolt_state.db \
	    var/lib/containers/storage/db.sql \
	    var/lib/containers/storage/overlay-containers/containers.json \
	    var/lib/containers/storage/overlay-containers/p1/userdata/config.json \
	    var/lib/containers/storage/overlay-containers/p1/userdata/ctr.log \
	    root/.bash_history home/alice/.bash_history \
	    home/alice/.ssh/authorized_keys home/alice/.bashrc \
	    srv/bob/.bash_history tmp/.x dev/shm/.hidden var/tmp/drop \
	    tmp/$'new\nline' tmp/$'esc\e]0;title\a\e[31m' \
	    tmp/$'bad\xff\xfe\xc3' tmp/'pi|pe%41' tmp/$'dir\nname'/$'inner\x01'; do
		cmp "$root/$f" "out/files/$f" || fail "'$f' not mirrored"
	done
	for f in etc/shadow etc/motd home/alice/notes.txt \
	    var/lib/docker/containers/abc123/resolv.conf proc/not-a-proc \
	    var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs/x \
	    var/lib/containers/storage/overlay-containers/p1/userdata/pidfile; do
		[ ! -e "out/files/$f" ] || fail "'$f' copied"
	done
	# the manifest says where each came from
	[ "$(jq -r 'select(.path == "files/etc/passwd") | .source' out/manifest.jsonl)" = /etc/passwd ]
	[ "$(jq -r 'select(.path == "files/etc/passwd") | .mode' out/manifest.jsonl)" = 33188 ]
	# and in tar the same bytes under the same names
	run -0 timeout 20 "$prog" --tar --max-file 1M "$root" out.tar
	mkdir x
	tar -xf out.tar -C x
	diff -r out/files x/files
}

@test "web roots and vendor units are copied only when changed within the recent days" {
	sleep 1.1
	run -0 timeout 20 "$prog" --recent-days 0 --max-file 1M "$root" out
	[ ! -e out/files/var/www ]
	[ ! -e out/files/usr/lib/systemd ]
	# /etc/systemd whatever its age
	cmp "$root/etc/systemd/system/evil.service" out/files/etc/systemd/system/evil.service
	grep -q '^0|/var/www/html/shell.php|' out/bodyfile.txt
}

@test "shadow is listed only, unless asked for" {
	run -0 timeout 20 "$prog" --max-file 1M "$root" out
	grep -q '^0|/etc/shadow|' out/bodyfile.txt
	[ ! -e out/files/etc/shadow ]
	run -0 timeout 20 "$prog" --shadow --max-file 1M "$root" out2
	cmp "$root/etc/shadow" out2/files/etc/shadow
}

@test "the 10 GB sparse file is cut at the cap and flagged truncated" {
	run -0 timeout 20 "$prog" --max-file 1M "$root" out
	[ "$(stat -c %s out/files/tmp/big)" -eq 1048576 ]
	run -0 jq -c 'select(.path == "files/tmp/big") | [.size, .truncated, .changed]' out/manifest.jsonl
	assert_output '[1048576,true,false]'
	# everything written is bounded by the caps
	[ "$(du -sb out | cut -f1)" -lt $((4 * 1048576)) ]
	[ "$(tail -n1 out/manifest.jsonl | jq .bytes)" -lt $((2 * 1048576)) ]
}

@test "the total cap stops the copies and says so" {
	head -c 300000 /dev/urandom >"$root/tmp/r1"
	head -c 300000 /dev/urandom >"$root/tmp/r2"
	head -c 300000 /dev/urandom >"$root/tmp/r3"
	run -2 timeout 20 "$prog" --max-file 1M --max-total 500K "$root" out
	total=$(jq -s '[.[] | select(.type == "file") | .size] | add' out/manifest.jsonl)
	[ "$total" -le 512000 ]
	grep -q 'WARN triage: total cap of 512000 bytes reached' out/collection.log
	[ "$(tail -n1 out/manifest.jsonl | jq -r .status)" = partial ]
	# the bodyfile still lists every entry
	[ "$(wc -l <out/bodyfile.txt)" -eq "$(find "$root" -printf x | wc -c)" ]
}

@test "a file that grows while read is cut at its first size and flagged changed" {
	head -c 64M /dev/zero >"$root/var/log/grow.log"
	( while :; do printf 'appended line\n' >>"$root/var/log/grow.log"; done ) &
	writer=$!
	sleep 0.2
	run timeout 20 "$prog" --max-file 128M "$root" out
	kill "$writer"
	wait "$writer" 2>/dev/null || true
	writer=
	[ "$status" -le 2 ]
	run -0 jq -c 'select(.path == "files/var/log/grow.log") | [.truncated, .changed]' out/manifest.jsonl
	assert_output '[false,true]'
	size=$(jq 'select(.path == "files/var/log/grow.log") | .size' out/manifest.jsonl)
	[ "$(stat -c %s out/files/var/log/grow.log)" -eq "$size" ]
	[ "$size" -ge $((64 * 1048576)) ]
	grep -qE "WARN copy: '/var/log/grow.log': (grew|changed) while read" out/collection.log
}

@test "nothing in the tree changes: no size, mtime, ctime or atime" {
	snapshot >/dev/null	# find itself sets the directories' atimes once
	snapshot >before
	run -0 timeout 20 "$prog" --max-file 1M "$root" out
	run -0 timeout 20 "$prog" --tar --max-file 1M "$root" out.tar
	snapshot >after
	diff before after
	# and nothing new appeared in the tree
	[ ! -e "$root/out" ]
}

@test "a tree that does not exist is an error" {
	run -66 --separate-stderr "$prog" "$BATS_TEST_TMPDIR/none" out
	[[ $stderr == *"none': No such file or directory" ]]
}
