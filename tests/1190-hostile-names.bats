#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Hostile names reaching the terminal: an ext2 image (mke2fs -d) whose
# names carry an OSC title sequence, CSI, BEL, CR, DEL, C1 control
# characters (as UTF-8 code points and as raw bytes), invalid UTF-8 and
# newlines, and one file whose blocks point past the end of the image (so
# reading it is a problem naming it).  Every command that takes the image
# is run and its standard output and standard error are checked: no byte
# below 0x20 but newline (and tab where the format has tabs), no DEL, no
# C1 code point and no raw byte 0x80-0x9f that is not part of UTF-8.

load helpers/common

setup_file() {
	export HOSTILE_DIR=$BATS_FILE_TMPDIR
	local tree=$HOSTILE_DIR/tree img=$HOSTILE_DIR/hostile.img ino
	command -v mke2fs >/dev/null || fail "mke2fs is needed"
	mkdir -p "$tree"
	python3 - "$tree" <<-'EOF'
	import os, sys
	root = sys.argv[1].encode()
	names = [
	    b"osc-\x1b]0;owned\x07title",
	    b"csi-\x1b[2J\x1b[31mred",
	    b"bel-\x07", b"cr-\rover", b"del-\x7f", b"nl-\nline",
	    b"c1-csi-\xc2\x9b31m", b"c1-nel-\xc2\x85", b"c1-osc-\xc2\x9d0;t\xc2\x9c",
	    b"raw-csi-\x9b31m", b"raw-osc-\x9d0;t\x9c", b"bad-utf8-\xff\xfe\xc3",
	    b"tab-\tx", b"bs-\x08\x08\x08",
	]
	d = os.path.join(root, b"dir-\x1b]0;dir\x07-\x9b")
	os.mkdir(d)
	for n in names:
	    for parent in (root, d):
	        with open(os.path.join(parent, n), "wb") as f:
	            f.write(b"hostile " + n + b"\n")
	# the file made unreadable after mke2fs: named, 40 KiB of content
	with open(os.path.join(root, b"gone-\x1b]0;gone\x07\x9b"), "wb") as f:
	    f.write(b"x" * 40960)
	os.symlink(b"target-\x1b[5m\x9b", os.path.join(root, b"link-\x1b[1m"))
	EOF
	truncate -s 2M "$img"
	mke2fs -q -F -t ext2 -b 1024 -d "$tree" "$img" >/dev/null
	# point the 40 KiB file's first block past the end of the image
	ino=$(spoor-ls --json "$img" | jq -r 'select(.size == 40960) | .inode')
	[ -n "$ino" ]
	debugfs -w -R "sif <$ino> block[0] 1000000" "$img" >/dev/null 2>&1
	printf '%s\n' "$ino" >"$HOSTILE_DIR/gone.ino"
	spoor-timeline -c "$HOSTILE_DIR/case.db" "$img" >/dev/null 2>&1 || true
	printf 'rule hostile { strings: $h = "hostile " condition: $h }\n' \
	    >"$HOSTILE_DIR/hostile.yar"
}

# check_clean [tabs]: no terminal control in $output nor $stderr.
check_clean() {
	local allow_tab=${1:-notab}
	printf '%s' "$output" >"$BATS_TEST_TMPDIR/out"
	printf '%s' "$stderr" >"$BATS_TEST_TMPDIR/err"
	python3 - "$allow_tab" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" <<-'EOF'
	import sys
	allow_tab = sys.argv[1] == "tabs"
	bad = []
	for path in sys.argv[2:]:
	    data = open(path, "rb").read()
	    for i, b in enumerate(data):
	        if b == 0x0a or (b == 0x09 and allow_tab):
	            continue
	        if b < 0x20 or b == 0x7f:
	            bad.append((path, i, hex(b), data[max(0, i - 20):i + 20]))
	    text = data.decode("utf-8", "surrogateescape")
	    for i, ch in enumerate(text):
	        o = ord(ch)
	        if 0x80 <= o <= 0x9f or 0xdc80 <= o <= 0xdc9f:
	            bad.append((path, i, hex(o), text[max(0, i - 20):i + 20]))
	if bad:
	    for b in bad[:10]:
	        print(b)
	    sys.exit(1)
	EOF
}

@test "hostile names: spoor-info" {
	run -0 --separate-stderr spoor-info "$HOSTILE_DIR/hostile.img"
	check_clean
	run -0 --separate-stderr spoor-info --json "$HOSTILE_DIR/hostile.img"
	check_clean
}

@test "hostile names: spoor-ls text, JSON and bodyfile" {
	run -0 --separate-stderr spoor-ls -r "$HOSTILE_DIR/hostile.img"
	[ "${#lines[@]}" -ge 30 ]
	check_clean tabs
	run -0 --separate-stderr spoor-ls -r --json "$HOSTILE_DIR/hostile.img"
	check_clean
	run -0 --separate-stderr spoor-ls -r --bodyfile "$HOSTILE_DIR/hostile.img"
	check_clean
}

@test "hostile names: spoor-ls --hash names the unreadable file on stderr, escaped" {
	run -2 --separate-stderr spoor-ls -r --json --hash sha256 "$HOSTILE_DIR/hostile.img"
	check_clean
	run -2 --separate-stderr spoor-ls -r --hash sha256 "$HOSTILE_DIR/hostile.img"
	check_clean tabs
}

@test "hostile names: spoor-cat of a hostile name and of the unreadable file" {
	run -0 --separate-stderr spoor-cat "$HOSTILE_DIR/hostile.img" "$(printf '/osc-\033]0;owned\007title')"
	[ "$output" = "$(printf 'hostile osc-\033]0;owned\007title')" ]
	# content is content: only stderr is checked
	output=
	check_clean
	run --separate-stderr spoor-cat "$HOSTILE_DIR/hostile.img" "$(printf '/gone-\033]0;gone\007\233')"
	[ "$status" -ne 0 ]
	output=
	check_clean
	[[ $stderr == *gone-* ]]
	run --separate-stderr spoor-cat "$HOSTILE_DIR/hostile.img" "$(printf '/missing-\033]0;x\007\302\233')"
	[ "$status" -ne 0 ]
	output=
	check_clean
}

@test "hostile names: spoor-timeline" {
	run --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/t.db" "$HOSTILE_DIR/hostile.img"
	[ "$status" -le 2 ]
	check_clean
	run --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/t.db" --json --hash sha256 --replace "$HOSTILE_DIR/hostile.img"
	[ "$status" -le 2 ]
	check_clean
}

@test "hostile names: spoor-export in every format" {
	local f
	for f in --mactime "--mactime --csv" "--mactime -y" --bodyfile "--bodyfile --ns" --timesketch --jsonl --text; do
		# shellcheck disable=SC2086
		run -0 --separate-stderr spoor-export -c "$HOSTILE_DIR/case.db" $f
		[ "${#lines[@]}" -ge 30 ]
		check_clean tabs
	done
}

@test "hostile names: spoor-scan text and JSON, with the skipped file on stderr" {
	run -1 --separate-stderr spoor-scan -r "$HOSTILE_DIR/hostile.yar" "$HOSTILE_DIR/hostile.img"
	[[ $stderr == *skipped* ]]
	check_clean tabs
	run -1 --separate-stderr spoor-scan --json -r "$HOSTILE_DIR/hostile.yar" "$HOSTILE_DIR/hostile.img"
	check_clean
}
