#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-scan's heuristics (lib/scan/heur.c, spoor-heuristics(7)) end to end:
# a directory tree taken as a root with a positive and a negative case for
# each detector, ext4 images whose crtime and mtime debugfs sets, and the
# reference scenario's miner, web shell and SSH key.

load helpers/common

# The heuristic detections of the last run, one "detector path" a line,
# sorted, each pair once.
hits() {
	echo "$output" | jq -r 'select(.type == "heuristic") | "\(.detector) \(.target.path)"' | sort -u
}

# The detection of detector $1 on path $2 as one JSON object.
hit() {
	echo "$output" | jq -c --arg d "$1" --arg p "$2" \
	    'select(.type == "heuristic" and .detector == $d and .target.path == $p)'
}

# Field $3 of the detection of detector $1 on path $2.
hit_field() {
	hit "$1" "$2" | jq -r ".$3"
}

setup() {
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/tmp/.X11-unix/.x" "$root/var/tmp" "$root/dev/shm" \
	    "$root/var/www/html/uploads" "$root/var/www/html/app" \
	    "$root/var/www/html/bin" "$root/opt/tool" "$root/usr/bin" \
	    "$root/usr/sbin" "$root/home/alice/.cache/bin" \
	    "$root/home/alice/.hid" "$root/home/alice/.ssh" "$root/etc"
	elf=$'\177ELF\002\001\001\000'
	# positives
	printf '%s' "$elf" > "$root/tmp/.X11-unix/.x/kswapd0"
	chmod 755 "$root/tmp/.X11-unix/.x/kswapd0"
	printf '#!/bin/sh\necho hi\n' > "$root/var/tmp/dropper"
	printf '%s' "$elf" > "$root/dev/shm/noexec-bit-but-elf"
	printf '%s' "$elf" > "$root/home/alice/.hid/run"
	chmod 755 "$root/home/alice/.hid/run"
	printf '%s' "$elf" > "$root/var/www/html/bin/helper"
	printf '<?php system($_GET["c"]); ?>\n' > "$root/var/www/html/uploads/x.php"
	printf 'GIF89a\001\000<?php eval($_POST[1]); ?>' > "$root/var/www/html/uploads/poly.gif"
	printf 'GIF89a' > "$root/var/www/html/uploads/y.php.gif"
	printf '%s' "$elf" > "$root/opt/tool/suid"
	chmod 4755 "$root/opt/tool/suid"
	printf '%s\001\002UPX!' "$elf" > "$root/opt/tool/packed"
	printf 'x' > "$root/opt/kworker"
	# negatives
	printf 'notes\n' > "$root/tmp/notes.txt"
	printf '%s' "$elf" > "$root/home/alice/.cache/bin/tool"
	chmod 755 "$root/home/alice/.cache/bin/tool"
	printf '<html></html>\n' > "$root/var/www/html/index.html"
	printf '<?php echo 1; ?>\n' > "$root/var/www/html/app/index.php"
	printf '\377\330\377\340JFIF' > "$root/var/www/html/uploads/cat.jpg"
	printf '%s' "$elf" > "$root/usr/bin/passwd2"
	chmod 4755 "$root/usr/bin/passwd2"
	printf 'x' > "$root/opt/tool/suid-noexec"
	chmod 4644 "$root/opt/tool/suid-noexec"
	printf '%s' "$elf" > "$root/usr/sbin/watchdog"
	chmod 755 "$root/usr/sbin/watchdog"
	printf '%s' "$elf" > "$root/opt/tool/plain-elf"
	chmod 755 "$root/opt/tool/plain-elf"
}

@test "each detector hits its positive case in a directory tree and nothing else" {
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	assert_equal "$(hits)" "$(sort <<'EOF'
exec-in-tmp /tmp/.X11-unix/.x/kswapd0
kernel-thread-name /tmp/.X11-unix/.x/kswapd0
exec-in-tmp /var/tmp/dropper
exec-in-tmp /dev/shm/noexec-bit-but-elf
exec-in-tmp /home/alice/.hid/run
elf-in-webroot /var/www/html/bin/helper
script-in-uploads /var/www/html/uploads/x.php
script-in-uploads /var/www/html/uploads/poly.gif
script-in-uploads /var/www/html/uploads/y.php.gif
setuid-unpackaged /opt/tool/suid
packed-elf /opt/tool/packed
kernel-thread-name /opt/kworker
EOF
)"
	assert_equal "$(echo "$output" | tail -n 1 | jq -r .type)" summary
}

@test "every heuristic line has severity, score, technique, reason and a file target" {
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	bad=$(echo "$output" | jq -c 'select(.type == "heuristic") |
	    select((.severity | IN("info", "low", "medium", "high", "critical") | not)
	    or (.score | type) != "number" or .score < 0 or .score > 100
	    or (.technique | test("^T[0-9]{4}(\\.[0-9]{3})?$") | not)
	    or (.reason | type) != "string" or (.reason | length) == 0
	    or .target.kind != "file" or (.target.inode | type) != "number")')
	assert_equal "$bad" ""
}

@test "exec-in-tmp: the miner in a hidden directory under /tmp is high, 80, T1564.001, naming .x" {
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	p=/tmp/.X11-unix/.x/kswapd0
	assert_equal "$(hit_field exec-in-tmp "$p" severity) $(hit_field exec-in-tmp "$p" score) $(hit_field exec-in-tmp "$p" technique)" \
	    "high 80 T1564.001"
	assert_equal "$(hit_field exec-in-tmp "$p" reason)" \
	    "executable (mode 0755, ELF) under /tmp in hidden directory '.x'"
	assert_equal "$(hit_field exec-in-tmp /var/tmp/dropper score)" 70
	assert_equal "$(hit_field exec-in-tmp /home/alice/.hid/run severity)" medium
}

@test "script-in-uploads: by extension, by PHP behind an image header, by a double extension" {
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	assert_equal "$(hit_field script-in-uploads /var/www/html/uploads/x.php score)" 80
	assert_output --partial "PHP code ('<?php' at byte 8)"
	assert_equal "$(hit_field script-in-uploads /var/www/html/uploads/y.php.gif score)" 75
	assert_equal "$(hit_field script-in-uploads /var/www/html/uploads/y.php.gif technique)" T1505.003
}

@test "setuid-unpackaged: without package data, only outside the system directories, medium" {
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	assert_equal "$(hit_field setuid-unpackaged /opt/tool/suid severity) $(hit_field setuid-unpackaged /opt/tool/suid score)" "medium 50"
	assert_equal "$(hit setuid-unpackaged /usr/bin/passwd2)" ""
}

@test "setuid-unpackaged: with dpkg data, an unlisted setuid file is high and a listed one is not" {
	mkdir -p "$root/var/lib/dpkg/info"
	( cd "$root" && md5sum usr/bin/passwd2 ) > "$root/var/lib/dpkg/info/passwd2.md5sums"
	printf '/.\n/usr\n/usr/bin\n/usr/bin/passwd2\n' > "$root/var/lib/dpkg/info/passwd2.list"
	printf '%s' "$elf" > "$root/usr/bin/evil"
	chmod 4755 "$root/usr/bin/evil"
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	assert_equal "$(hit_field setuid-unpackaged /usr/bin/evil severity)" high
	assert_equal "$(hit setuid-unpackaged /usr/bin/passwd2)" ""
}

@test "ld-preload: the libraries of /etc/ld.so.preload, comments left out" {
	printf '# keep\n/usr/lib/libhide.so /lib/x.so:/lib/y.so # trailing\n' > "$root/etc/ld.so.preload"
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	assert_equal "$(hit_field ld-preload /etc/ld.so.preload reason)" \
	    "preloads /usr/lib/libhide.so, /lib/x.so, /lib/y.so"
	assert_equal "$(hit_field ld-preload /etc/ld.so.preload severity) $(hit_field ld-preload /etc/ld.so.preload technique)" \
	    "high T1574.006"
}

@test "ld-preload: a file of comments and blanks is no hit" {
	printf '# nothing here\n\n   \n' > "$root/etc/ld.so.preload"
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	assert_equal "$(hit ld-preload /etc/ld.so.preload)" ""
}

@test "authorized-key-added: without a window each key is info, with ssh-keygen's fingerprint" {
	ssh-keygen -q -t ed25519 -N '' -C 'mallory@box' -f "$BATS_TEST_TMPDIR/k"
	cp "$BATS_TEST_TMPDIR/k.pub" "$root/home/alice/.ssh/authorized_keys"
	fpr=$(ssh-keygen -l -f "$BATS_TEST_TMPDIR/k.pub" | cut -d' ' -f2)
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	p=/home/alice/.ssh/authorized_keys
	assert_equal "$(hit_field authorized-key-added "$p" severity) $(hit_field authorized-key-added "$p" technique)" "info T1098.004"
	assert_equal "$(hit_field authorized-key-added "$p" reason)" \
	    "ssh-ed25519 key $fpr comment 'mallory@box'; present (no time window)"
}

@test "hostile names: reasons are escaped and every line is JSON" {
	d=$root/tmp/$'.\033[31mx\377'
	mkdir -p "$d"
	printf '#!/bin/sh\n' > "$d/run"
	chmod 755 "$d/run"
	run -1 --separate-stderr spoor-scan --json --no-yara "$root"
	[[ "$output" != *$'\033'* ]] || fail "raw ESC in the output"
	echo "$output" | jq -e . > /dev/null
	assert_equal "$(echo "$output" | jq -r 'select(.type == "heuristic" and (.reason | contains("[31m"))) | .reason')" \
	    "executable (mode 0755, #! script) under /tmp in hidden directory '.\\x1b[31mx\\xff'"
}

@test "negatives only: nothing found, status 0, only the summary" {
	rm -rf "$root/tmp/.X11-unix/.x" "$root/var/tmp/dropper" "$root/dev/shm"/* \
	    "$root/home/alice/.hid" "$root/var/www/html/bin" \
	    "$root/var/www/html/uploads/x.php" "$root/var/www/html/uploads/poly.gif" \
	    "$root/var/www/html/uploads/y.php.gif" "$root/opt/tool/suid" \
	    "$root/opt/tool/packed" "$root/opt/kworker"
	run -0 --separate-stderr spoor-scan --json --no-yara "$root"
	assert_equal "$(hits)" ""
	assert_equal "$(echo "$output" | jq -r .type)" summary
}

# An ext4 image of $1 (a directory) at $2.
mkext4() {
	truncate -s 8M "$2"
	mke2fs -q -F -t ext4 -I 256 -d "$1" "$2"
}

# Set inode field $3 of path $2 in image $1 to $4 (debugfs time syntax).
setfield() {
	debugfs -w -R "set_inode_field $2 $3 $4" "$1" 2>/dev/null
}

@test "timestomp-ext4: crtime after mtime hits with both times; equal or earlier crtime, or times set at creation, do not" {
	src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src/home/alice" "$src/usr/lib"
	for f in home/alice/miner home/alice/fresh home/alice/edited usr/lib/old \
	    home/alice/copied home/alice/untarred; do
		printf 'data\n' > "$src/$f"
	done
	img=$BATS_TEST_TMPDIR/ts.img
	mkext4 "$src" "$img"
	setfield "$img" /home/alice/miner crtime 20260314104302
	setfield "$img" /home/alice/miner mtime 20251102092011
	setfield "$img" /home/alice/fresh crtime 20260314104302
	setfield "$img" /home/alice/fresh mtime 20260314104302
	setfield "$img" /home/alice/edited crtime 20260101000000
	setfield "$img" /home/alice/edited mtime 20260314104302
	setfield "$img" /usr/lib/old crtime 20260314104302
	setfield "$img" /usr/lib/old mtime 20200101000000
	# times set as the file was created: an image builder leaves ctime at
	# the old mtime, tar sets mtime within the moment of creation
	setfield "$img" /home/alice/copied crtime 20260314104302
	setfield "$img" /home/alice/copied mtime 20251102092011
	setfield "$img" /home/alice/copied ctime 20251102092011
	setfield "$img" /home/alice/untarred crtime 20260314104302
	setfield "$img" /home/alice/untarred mtime 20251102092011
	setfield "$img" /home/alice/untarred ctime 20260314104302
	run -1 --separate-stderr spoor-scan --json --no-yara "$img"
	assert_equal "$(hits | grep timestomp)" "timestomp-ext4 /home/alice/miner"
	p=/home/alice/miner
	assert_equal "$(hit_field timestomp-ext4 "$p" severity) $(hit_field timestomp-ext4 "$p" score) $(hit_field timestomp-ext4 "$p" technique)" \
	    "low 40 T1070.006"
	assert_equal "$(hit_field timestomp-ext4 "$p" reason | sed 's/ (ctime [^)]*)//')" \
	    "crtime 2026-03-14T10:43:02Z is after mtime 2025-11-02T09:20:11Z; no package data"
	assert_equal "$(hit_field timestomp-ext4 "$p" target.inode)" \
	    "$(ifind -n /home/alice/miner "$img")"
}

@test "timestomp-ext4: with dpkg data, an unlisted file is medium and a listed one is left out" {
	src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src/srv/tool" "$src/var/lib/dpkg/info"
	printf 'old\n' > "$src/srv/tool/listed"
	printf 'new\n' > "$src/srv/tool/unlisted"
	( cd "$src" && md5sum srv/tool/listed ) > "$src/var/lib/dpkg/info/tool.md5sums"
	printf '/.\n/srv\n/srv/tool\n/srv/tool/listed\n' > "$src/var/lib/dpkg/info/tool.list"
	img=$BATS_TEST_TMPDIR/pkg.img
	mkext4 "$src" "$img"
	for f in /srv/tool/listed /srv/tool/unlisted; do
		setfield "$img" "$f" crtime 20260314104302
		setfield "$img" "$f" mtime 20251102092011
	done
	run -1 --separate-stderr spoor-scan --json --no-yara "$img"
	assert_equal "$(hits | grep timestomp)" "timestomp-ext4 /srv/tool/unlisted"
	assert_equal "$(hit_field timestomp-ext4 /srv/tool/unlisted severity) $(hit_field timestomp-ext4 /srv/tool/unlisted score)" "medium 60"
	assert_equal "$(hit_field timestomp-ext4 /srv/tool/unlisted reason | sed 's/.*; //')" "no package lists the file"
}

@test "scenario: the miner is an executable in a hidden /tmp directory, timestomped, named like kswapd" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.raw"
	. "$SCENARIO/scenario.env"
	run -1 --separate-stderr spoor-scan --json --no-yara "$SCENARIO/web01.raw"
	p=$KSWAPD0_PATH
	assert_equal "$(hit_field exec-in-tmp "$p" score) $(hit_field exec-in-tmp "$p" target.inode)" "80 $KSWAPD0_INODE"
	assert_equal "$(hit_field kernel-thread-name "$p" severity)" high
	assert_equal "$(hit_field timestomp-ext4 "$p" reason)" \
	    "crtime $(date -u -d "@$KSWAPD0_CRTIME" +%FT%TZ) is after mtime $(date -u -d "@$KSWAPD0_MTIME" +%FT%TZ) (ctime $(date -u -d "@$KSWAPD0_CTIME" +%FT%TZ)); no package lists the file"
	assert_equal "$(hit_field timestomp-ext4 "$p" severity) $(hit_field timestomp-ext4 "$p" score)" "medium 60"
}

@test "scenario: the web shell in uploads hits, the GIFs beside it do not" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.raw"
	run -1 --separate-stderr spoor-scan --json --no-yara "$SCENARIO/web01.raw"
	assert_equal "$(hits | grep ' /var/www/')" "script-in-uploads /var/www/html/uploads/thumb.php"
}

@test "scenario: the attacker's key is listed with its fingerprint" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.raw"
	. "$SCENARIO/scenario.env"
	run -1 --separate-stderr spoor-scan --json --no-yara "$SCENARIO/web01.raw"
	run -0 --separate-stderr jq -r --arg p "$AUTHORIZED_KEYS_PATH" \
	    'select(.type == "heuristic" and .detector == "authorized-key-added" and .target.path == $p) | .reason' <<< "$output"
	assert_output --partial "ssh-ed25519 key $ATTACKER_KEY_FPR comment '$ATTACKER_KEY_COMMENT'"
}

@test "scenario: packaged setuid binaries and the packaged ls are left alone" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.raw"
	run -1 --separate-stderr spoor-scan --json --no-yara "$SCENARIO/web01.raw"
	assert_equal "$(hits | grep -E '^setuid-unpackaged|/usr/bin/')" ""
}

@test "the scenario as a whole: exactly these heuristic hits" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.raw"
	run -1 --separate-stderr spoor-scan --json --no-yara "$SCENARIO/web01.raw"
	assert_equal "$(hits)" "$(sort <<'EOF'
authorized-key-added /root/.ssh/authorized_keys
exec-in-tmp /tmp/.X11-unix/.x/kswapd0
kernel-thread-name /tmp/.X11-unix/.x/kswapd0
script-in-uploads /var/www/html/uploads/thumb.php
timestomp-ext4 /tmp/.X11-unix/.x/kswapd0
EOF
)"
}
