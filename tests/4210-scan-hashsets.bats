#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-scan with hash sets and dpkg's digests: known-bad and known-good
# plain lists, an NSRL RDSv3 built here with sqlite3, spoor's hash
# database, the md5sums and conffiles of an ext4 image made with mke2fs,
# and bad hash-set input.  md5sum, sha1sum, sha256sum and icat are the
# oracles.

load helpers/common

setup() {
	cd "$BATS_TEST_TMPDIR"
}

md5() { md5sum <"$1" | cut -c1-32; }
sha1() { sha1sum <"$1" | cut -c1-40; }
sha256() { sha256sum <"$1" | cut -c1-64; }
upper() { tr a-f A-F; }

# "set algorithm hash path" of the hash detections in $output, sorted.
hash_hits() {
	echo "$output" | jq -r 'select(.type == "hash") |
	    "\(.set) \(.algorithm) \(.hash) \(.target.path)"' | sort
}

# A summary field of the JSON output in $output.
summary() {
	echo "$output" | jq -r "select(.type == \"summary\") | $1"
}

# Files a test rule hits (a marker each) and one it does not.
make_marked() {
	mkdir -p "$1"
	printf 'SPOOR-HASHSET-MARKER one\n' >"$1/m1.txt"
	printf 'SPOOR-HASHSET-MARKER two\n' >"$1/m2.txt"
	printf 'SPOOR-HASHSET-MARKER three\n' >"$1/m3.txt"
	printf 'nothing to see\n' >"$1/plain.txt"
	echo 'rule hashset_marker { strings: $m = "SPOOR-HASHSET-MARKER" condition: $m }' >marker.yar
}

# An NSRL RDSv3 (the minimal release's tables and view, hashes upper case
# as NIST publishes them) listing the files given, in package 100.
make_rds() {
	local db=$1 f rows=
	shift
	for f; do
		rows="$rows${rows:+,}('$(sha256 "$f" | upper)', '$(sha1 "$f" | upper)', '$(md5 "$f" | upper)', '00000000', '$(basename "$f")', $(stat -c %s "$f"), 100)"
	done
	sqlite3 "$db" <<-EOF
	.read "$REPO/tests/fixtures/nsrl-rdsv3-schema.sql"
	INSERT INTO MFG VALUES (1, 'Example Corp');
	INSERT INTO OS VALUES (10, 'Linux', '6', 1);
	INSERT INTO PKG VALUES (100, 'marker', '1.0', 10, 1, 'English', 'Utility');
	INSERT INTO VERSION VALUES ('2026.03.1', 'modern', '2026-03-01',
	 '2026-03-01', 'test sample');
	INSERT INTO FILE VALUES $rows;
	EOF
}

# A tree with dpkg's lists for package foo: usr/bin/foo-ok unchanged,
# usr/bin/foo-bad modified, etc/foo.conf a changed conffile, and
# bin/foo-merged listed under /bin but living in usr/bin (merged /usr,
# no /bin link).  $2 = noconf leaves foo.conffiles out.
make_dpkg_tree() {
	local t=$1 info=$1/var/lib/dpkg/info
	mkdir -p "$info" "$t/usr/bin" "$t/etc"
	printf 'foo, unchanged\n' >"$t/usr/bin/foo-ok"
	printf 'foo, replaced by a trojan\n' >"$t/usr/bin/foo-bad"
	printf 'foo under merged /usr\n' >"$t/usr/bin/foo-merged"
	printf 'setting = local\n' >"$t/etc/foo.conf"
	printf 'foo, as packaged\n' >"$BATS_TEST_TMPDIR/foo-bad.orig"
	printf 'setting = default\n' >"$BATS_TEST_TMPDIR/foo.conf.orig"
	{
		echo "$(md5 "$t/usr/bin/foo-ok")  usr/bin/foo-ok"
		echo "$(md5 "$BATS_TEST_TMPDIR/foo-bad.orig")  usr/bin/foo-bad"
		echo "$(md5 "$t/usr/bin/foo-merged")  bin/foo-merged"
		echo "$(md5 "$BATS_TEST_TMPDIR/foo.conf.orig")  etc/foo.conf"
	} >"$info/foo.md5sums"
	[ "${2:-}" = noconf ] || echo /etc/foo.conf >"$info/foo.conffiles"
}

# "package expected md5 path" of the package detections in $output.
pkg_hits() {
	echo "$output" | jq -r 'select(.type == "package") |
	    "\(.name) \(.package) \(.expected_md5) \(.md5) \(.target.path)"' | sort
}

@test "known-bad md5, sha1 and sha256 lists over a directory: a hash detection each, with set, algorithm, hash and path" {
	d=$BATS_TEST_TMPDIR/ev
	mkdir -p "$d/sub"
	printf 'bad by md5\n' >"$d/a.bin"
	printf 'bad by sha1\n' >"$d/sub/b.bin"
	printf 'bad by sha256\n' >"$d/c.bin"
	printf 'clean\n' >"$d/clean.txt"
	(cd "$d" && md5sum a.bin >"$BATS_TEST_TMPDIR/bad.md5" &&
	    sha1sum sub/b.bin >"$BATS_TEST_TMPDIR/bad.sha1" &&
	    sha256sum c.bin >"$BATS_TEST_TMPDIR/bad.sha256")
	run -1 --separate-stderr spoor-scan --json --no-heuristics \
	    --known-bad bad.md5 --known-bad bad.sha1 --known-bad bad.sha256 "$d"
	assert_equal "$(hash_hits)" "bad.md5 md5 $(md5 "$d/a.bin") /a.bin
bad.sha1 sha1 $(sha1 "$d/sub/b.bin") /sub/b.bin
bad.sha256 sha256 $(sha256 "$d/c.bin") /c.bin"
	# the list, the entry's name, the source and the file's own digests
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | "\(.list) \(.entry) \(.severity) \(.target.source)"' | sort)" \
	    "bad.md5 a.bin critical $d
bad.sha1 sub/b.bin critical $d
bad.sha256 c.bin critical $d"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash" and .set == "bad.sha256") | .target.sha256')" "$(sha256 "$d/c.bin")"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash" and .set == "bad.md5") | .target.md5')" "$(md5 "$d/a.bin")"
	# known-bad files are still scanned
	assert_equal "$(summary .files_scanned)" 4
	assert_equal "$(summary .detections)" 3
	[[ $stderr == "spoor-scan: 3 detections in 3 targets; 4 of 4 files scanned"* ]]
	# without the lists nothing is found
	run -0 --separate-stderr spoor-scan --json --no-heuristics "$d"
	assert_equal "$(hash_hits)" ""
}

@test "known-bad lists over single files: the target is the file's path" {
	printf 'bad by sha256\n' >c.bin
	printf 'clean\n' >clean.txt
	sha256sum c.bin >bad.sha256
	md5sum c.bin >bad.md5
	run -1 --separate-stderr spoor-scan --json --no-heuristics --known-bad bad.sha256 "$PWD/c.bin"
	assert_equal "$(hash_hits)" "bad.sha256 sha256 $(sha256 c.bin) $PWD/c.bin"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | .target.source_kind')" file
	# two lists, two detections on the one file
	run -1 --separate-stderr spoor-scan --json --no-heuristics --known-bad bad.md5 --known-bad bad.sha256 c.bin
	assert_equal "$(summary .targets_hit)" 1
	run -0 --separate-stderr spoor-scan --json --no-heuristics --known-bad bad.sha256 clean.txt
	assert_equal "$(hash_hits)" ""
}

@test "known-bad lists over the scenario image find the files icat extracts, at their inodes" {
	need "$SCENARIO/web01.raw"
	. "$SCENARIO/scenario.env"
	img=$SCENARIO/web01.raw
	off=$(scenario_offset)
	icat -o "$off" "$img" "$KSWAPD0_INODE" >kswapd0
	icat -o "$off" "$img" "$WEBSHELL_INODE" >thumb.php
	icat -o "$off" "$img" "$MINER_CONFIG_INODE" >config.json
	# the scenario's own record agrees with what icat gives
	assert_equal "$(md5 kswapd0)" "$KSWAPD0_MD5"
	assert_equal "$(sha256 kswapd0)" "$KSWAPD0_SHA256"
	assert_equal "$(sha256 thumb.php)" "$WEBSHELL_SHA256"
	md5sum kswapd0 >miner.md5
	sha1sum thumb.php >shell.sha1
	sha256sum config.json >config.sha256
	run -1 --separate-stderr spoor-scan --json --no-yara --no-heuristics \
	    --known-bad miner.md5 --known-bad shell.sha1 --known-bad config.sha256 "$img"
	assert_equal "$(hash_hits)" "$(printf '%s\n' \
	    "config.sha256 sha256 $(sha256 config.json) $MINER_CONFIG_PATH" \
	    "miner.md5 md5 $KSWAPD0_MD5 $KSWAPD0_PATH" \
	    "shell.sha1 sha1 $(sha1 thumb.php) $WEBSHELL_PATH" | sort)"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | "\(.target.path) \(.target.inode) \(.target.fs_type) \(.target.source)"' | sort)" \
	    "$(printf '%s\n' "$MINER_CONFIG_PATH $MINER_CONFIG_INODE ext4 $img" \
	    "$KSWAPD0_PATH $KSWAPD0_INODE ext4 $img" \
	    "$WEBSHELL_PATH $WEBSHELL_INODE ext4 $img" | sort)"
	# the E01 of the same disk gives the same
	run -1 --separate-stderr spoor-scan --json --no-yara --no-heuristics \
	    --known-bad miner.md5 --known-bad shell.sha1 --known-bad config.sha256 "$SCENARIO/web01.E01"
	assert_equal "$(hash_hits)" "$(printf '%s\n' \
	    "config.sha256 sha256 $(sha256 config.json) $MINER_CONFIG_PATH" \
	    "miner.md5 md5 $KSWAPD0_MD5 $KSWAPD0_PATH" \
	    "shell.sha1 sha1 $(sha1 thumb.php) $WEBSHELL_PATH" | sort)"
}

@test "known-good lists: the files listed are neither YARA-scanned nor reported, and are counted" {
	make_marked ev
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r marker.yar ev
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.path' | sort | tr '\n' ' ')" "/m1.txt /m2.txt /m3.txt "
	assert_equal "$(summary .skipped.known_good)" 0
	sha256sum ev/m1.txt >good.sha256
	md5sum ev/m2.txt >good.md5
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r marker.yar \
	    --known-good good.sha256 --known-good good.md5 ev
	assert_equal "$(echo "$output" | jq -r 'select(.type != "summary" and .type != "target") | "\(.type) \(.target.path)"')" "yara /m3.txt"
	assert_equal "$(summary .skipped.known_good)" 2
	assert_equal "$(summary .files_seen)" 4
	assert_equal "$(summary .files_scanned)" 2
	[[ $stderr == *"; 2 of 4 files scanned ("*"); skipped: 2 known-good"* ]]
	# a single known-good file: nothing found, one skipped
	run -0 --separate-stderr spoor-scan --json --no-heuristics -r marker.yar --known-good good.md5 ev/m2.txt
	assert_equal "$(echo "$output" | jq -r .type)" summary
	assert_equal "$(summary .skipped.known_good)" 1
	assert_equal "$(summary .files_scanned)" 0
	[[ $stderr == *"skipped: 1 known-good"* ]]
}

@test "a known-good list over the scenario image hides the miner from the rules and heuristics" {
	need "$SCENARIO/web01.raw"
	. "$SCENARIO/scenario.env"
	img=$SCENARIO/web01.raw
	icat -o "$(scenario_offset)" "$img" "$KSWAPD0_INODE" >kswapd0
	sha256sum kswapd0 >good.sha256
	run -1 --separate-stderr spoor-scan --json "$img"
	echo "$output" | jq -r 'select(.type == "yara") | "\(.rule) \(.target.path)"' | grep -qx "miner_xmrig_elf $KSWAPD0_PATH"
	seen=$(summary .files_seen)
	scanned=$(summary .files_scanned)
	run -1 --separate-stderr spoor-scan --json --known-good good.sha256 "$img"
	assert_equal "$(echo "$output" | jq -r --arg p "$KSWAPD0_PATH" 'select(.type != "summary" and .target.path == $p) | .type')" ""
	assert_equal "$(summary .skipped.known_good)" 1
	assert_equal "$(summary .files_seen)" "$seen"
	assert_equal "$(summary .files_scanned)" $((scanned - 1))
	[[ $stderr == *"skipped: 1 known-good"* ]]
	# the web shell is still found
	echo "$output" | jq -r 'select(.type == "yara") | .target.path' | grep -qx "$WEBSHELL_PATH"
}

@test "an NSRL RDSv3 used directly: --known-good skips its files, --known-bad detects them by SHA-256" {
	make_marked ev
	make_rds rds.db ev/m1.txt ev/m2.txt
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r marker.yar --known-good rds.db ev
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.path')" /m3.txt
	assert_equal "$(summary .skipped.known_good)" 2
	[[ $stderr == *"skipped: 2 known-good"* ]]
	run -1 --separate-stderr spoor-scan --json --no-heuristics --no-yara --known-bad rds.db ev
	assert_equal "$(hash_hits)" "rds.db sha256 $(sha256 ev/m1.txt) /m1.txt
rds.db sha256 $(sha256 ev/m2.txt) /m2.txt"
	# the entry is the NSRL's file name
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | .entry' | sort | tr '\n' ' ')" "m1.txt m2.txt "
}

@test "an NSRL and a list imported with spoor-hashset into hash databases, used with --known-good and --known-bad" {
	make_marked ev
	make_rds rds.db ev/m1.txt ev/m2.txt
	run -0 spoor-hashset import good.db rds.db
	sha1sum ev/m3.txt >bad.sha1
	run -0 spoor-hashset import --known-bad bad.db bad.sha1
	# the NSRL's files skipped, the listed one detected and still scanned
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r marker.yar \
	    --known-good good.db --known-bad bad.db ev
	assert_equal "$(hash_hits)" "bad.sha1 sha1 $(sha1 ev/m3.txt) /m3.txt"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.path')" /m3.txt
	assert_equal "$(summary .skipped.known_good)" 2
	assert_equal "$(summary .files_scanned)" 2
	# the imported NSRL as known-bad: every file found, by a digest the
	# oracles give
	run -1 --separate-stderr spoor-scan --json --no-heuristics --no-yara --known-bad good.db ev
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | "\(.set) \(.target.path)"' | sort)" "rds.db /m1.txt
rds.db /m2.txt"
	hits=$(echo "$output" | jq -r 'select(.type == "hash") | "\(.algorithm) \(.hash) \(.target.path)"' | sort)
	[ "$(echo "$hits" | wc -l)" -eq 2 ]
	expected=$(echo "$hits" | while read -r alg hash path; do
		echo "$alg $("$alg" "ev$path") $path"
	done)
	assert_equal "$hits" "$expected"
	# a file in both kinds is known-bad
	run -0 spoor-hashset import --known-bad bad2.db rds.db
	run -1 --separate-stderr spoor-scan --json --no-heuristics --no-yara --known-good good.db --known-bad bad2.db ev
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | .target.path' | sort | tr '\n' ' ')" "/m1.txt /m2.txt "
	assert_equal "$(summary .skipped.known_good)" 0
}

@test "dpkg's digests in an ext4 image: unchanged and merged-/usr files verified, the modified one reported, the conffile not" {
	make_dpkg_tree tree
	run -0 mke2fs -q -F -t ext4 -d tree img.ext4 8M
	run -1 --separate-stderr spoor-scan --json --no-heuristics img.ext4
	assert_equal "$(pkg_hits)" "package-file-modified foo $(md5 foo-bad.orig) $(md5 tree/usr/bin/foo-bad) /usr/bin/foo-bad"
	assert_equal "$(summary .detections)" 1
	assert_equal "$(summary .skipped.package_verified)" 2
	assert_equal "$(echo "$output" | jq -r 'select(.target.path == "/etc/foo.conf") | .type')" ""
	# six files, the two verified ones not scanned
	assert_equal "$(summary .files_seen)" 6
	assert_equal "$(summary .files_scanned)" 4
	[[ $stderr == *", 2 package-verified"* ]]
	# the detection's inode holds the modified bytes
	ino=$(echo "$output" | jq -r 'select(.type == "package") | .target.inode')
	assert_equal "$(icat img.ext4 "$ino" | md5sum | cut -c1-32)" "$(md5 tree/usr/bin/foo-bad)"
	# --no-packages: no report, verified files still skipped
	run -0 --separate-stderr spoor-scan --json --no-heuristics --no-packages img.ext4
	assert_equal "$(pkg_hits)" ""
	assert_equal "$(summary .skipped.package_verified)" 2
}

@test "dpkg's digests in the same tree scanned as a directory give the same verdicts" {
	make_dpkg_tree tree
	run -0 mke2fs -q -F -t ext4 -d tree img.ext4 8M
	run -1 --separate-stderr spoor-scan --json --no-heuristics img.ext4
	image=$(pkg_hits)
	image_summary=$(summary '[.files_seen, .files_scanned, .skipped.package_verified] | join(" ")')
	run -1 --separate-stderr spoor-scan --json --no-heuristics tree
	[ -n "$image" ]
	assert_equal "$(pkg_hits)" "$image"
	assert_equal "$(summary '[.files_seen, .files_scanned, .skipped.package_verified] | join(" ")')" "$image_summary"
	assert_equal "$image_summary" "6 4 2"
	run -0 --separate-stderr spoor-scan --json --no-heuristics --no-packages tree
	assert_equal "$(pkg_hits)" ""
}

@test "dpkg: a changed file listed in md5sums but not in conffiles is reported; so is a changed merged-/usr file" {
	make_dpkg_tree tree noconf
	printf 'foo under merged /usr, patched\n' >tree/usr/bin/foo-merged
	run -0 mke2fs -q -F -t ext4 -d tree img.ext4 8M
	run -1 --separate-stderr spoor-scan --json --no-heuristics img.ext4
	orig_merged=$(grep ' bin/foo-merged$' tree/var/lib/dpkg/info/foo.md5sums | cut -c1-32)
	assert_equal "$(pkg_hits)" "$(printf '%s\n' \
	    "package-file-modified foo $(md5 foo.conf.orig) $(md5 tree/etc/foo.conf) /etc/foo.conf" \
	    "package-file-modified foo $(md5 foo-bad.orig) $(md5 tree/usr/bin/foo-bad) /usr/bin/foo-bad" \
	    "package-file-modified foo $orig_merged $(md5 tree/usr/bin/foo-merged) /usr/bin/foo-merged" | sort)"
	assert_equal "$(summary .skipped.package_verified)" 1
}

@test "a known-good hash wins over dpkg: the file is skipped as known-good, not verified" {
	make_dpkg_tree tree
	md5sum tree/usr/bin/foo-ok >good.md5
	run -1 --separate-stderr spoor-scan --json --no-heuristics --known-good good.md5 tree
	assert_equal "$(summary '[.skipped.known_good, .skipped.package_verified] | join(" ")')" "1 1"
	assert_equal "$(pkg_hits | wc -l)" 1
}

@test "a known-good or package-verified file larger than the block size is not scanned, not even its first blocks" {
	mkdir -p ev tree/var/lib/dpkg/info tree/usr/lib
	echo 'rule hashset_marker { strings: $m = "SPOOR-HASHSET-MARKER" condition: $m }' >marker.yar
	# markers in the first and the last of three 1 MiB blocks
	python3 - ev/big.bin <<-'PY'
	import sys
	b = bytearray(3 * 1024 * 1024)
	m = b"SPOOR-HASHSET-MARKER"
	for off in (100, 3 * 1024 * 1024 - 1000):
	    b[off:off + len(m)] = m
	open(sys.argv[1], "wb").write(b)
	PY
	run -0 yara -s marker.yar ev/big.bin
	yara_offsets=$(echo "$output" | awk -F: '/^0x/ { printf "%d\n", $1 }' | sort -n)
	assert_equal "$(echo "$yara_offsets" | wc -l)" 2
	sha256sum ev/big.bin >big.sha256
	for target in ev ev/big.bin; do
		run -0 --separate-stderr spoor-scan --json --no-heuristics --block-size 1M -r marker.yar --known-good big.sha256 "$target"
		assert_equal "$(echo "$output" | jq -r .type)" summary
		assert_equal "$(summary '[.skipped.known_good, .files_scanned, .bytes_scanned] | join(" ")')" "1 0 0"
		# known-bad: found by its hash, and every block still scanned
		run -1 --separate-stderr spoor-scan --json --no-heuristics --block-size 1M -r marker.yar --known-bad big.sha256 "$target"
		assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | .hash')" "$(sha256 ev/big.bin)"
		assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .strings[].offset' | sort -n)" "$yara_offsets"
	done
	# the same file in a package, unchanged, in an ext4 image
	cp ev/big.bin tree/usr/lib/big.bin
	echo "$(md5 ev/big.bin)  usr/lib/big.bin" >tree/var/lib/dpkg/info/big.md5sums
	run -0 mke2fs -q -F -t ext4 -d tree img.ext4 12M
	run -0 --separate-stderr spoor-scan --json --no-heuristics --block-size 1M -r marker.yar img.ext4
	assert_equal "$(echo "$output" | jq -r .type)" summary
	assert_equal "$(summary .skipped.package_verified)" 1
	# changed after packaging: reported, and its blocks scanned
	echo "$(md5 marker.yar)  usr/lib/big.bin" >tree/var/lib/dpkg/info/big.md5sums
	run -0 mke2fs -q -F -t ext4 -d tree img2.ext4 12M
	run -1 --separate-stderr spoor-scan --json --no-heuristics --block-size 1M -r marker.yar img2.ext4
	assert_equal "$(pkg_hits)" "package-file-modified big $(md5 marker.yar) $(md5 ev/big.bin) /usr/lib/big.bin"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .strings[].offset' | sort -n)" "$yara_offsets"
}

@test "a missing list is status 66 and names the file" {
	mkdir ev && printf 'x\n' >ev/x
	run -66 --separate-stderr spoor-scan --json --known-bad missing.md5 ev
	assert_output ""
	[[ $stderr == "spoor-scan: "*"'missing.md5'"*": open: No such file or directory"* ]]
	run -66 --separate-stderr spoor-scan --known-good "$PWD/none/good.sha256" ev
	[[ $stderr == *"none/good.sha256"* ]]
}

@test "a list with a malformed line: its good lines still work, the line is a problem, status 2 when nothing is found" {
	make_marked ev
	{ md5sum ev/m1.txt; echo 'deadbeef  short.txt'; sha1sum ev/m2.txt; } >some-bad.txt
	run -2 --separate-stderr spoor-scan --json --no-heuristics -r marker.yar \
	    --known-good some-bad.txt ev/m1.txt ev/m2.txt ev/plain.txt
	assert_equal "$(echo "$output" | jq -r .type)" summary
	assert_equal "$(summary .skipped.known_good)" 2
	[[ $stderr == *"spoor-scan: 1 problem skipped (partial results)" ]]
	# the problem names the file and line in the case
	run -2 --separate-stderr spoor-scan -q -c case.db --known-good some-bad.txt ev/plain.txt
	assert_equal "$(sqlite3 case.db "SELECT subject FROM problems")" some-bad.txt:2
	# something found wins over the problem
	run -1 --separate-stderr spoor-scan --json --no-heuristics --known-bad some-bad.txt ev
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | "\(.algorithm) \(.target.path)"' | sort)" "md5 /m1.txt
sha1 /m2.txt"
	[[ $stderr == *"1 problem skipped (partial results)"* ]]
}

@test "a foreign SQLite file or a file with no hash at all is status 65" {
	mkdir ev && printf 'x\n' >ev/x
	sqlite3 other.db 'CREATE TABLE t (x)'
	run -65 --separate-stderr spoor-scan --json --known-good other.db ev
	assert_output ""
	[[ $stderr == *"'other.db'"*"neither a spoor hash database nor an NSRL RDSv3"* ]]
	run -65 --separate-stderr spoor-scan --json --known-bad other.db ev
	printf 'just some text\n' >prose.txt
	run -65 --separate-stderr spoor-scan --json --known-bad prose.txt ev
	assert_output ""
	[[ $stderr == *"'prose.txt'"*"not a hash list"* ]]
}
