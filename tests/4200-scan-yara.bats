#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-scan with YARA: the yara command as the oracle for rule semantics,
# upstream match counts, images against the same files copied out, blocks
# of large files, memory images, live processes, the case, bad input.

load helpers/common

setup_file() {
	export SCAN_TMP="$BATS_FILE_TMPDIR"
}

# "rule<TAB>path" pairs of spoor-scan's YARA detections in $output.
spoor_pairs() {
	echo "$output" | jq -r 'select(.type == "yara") |
	    "\(.rule)\t\(.target.path)"' | sort -u
}

# The scenario's allocated files, extracted with tsk_recover, once.
extracted() {
	local dir=$SCAN_TMP/extracted
	if [ ! -d "$dir" ]; then
		need "$SCENARIO/web01.raw"
		mkdir -p "$dir.tmp"
		tsk_recover -a -o "$(scenario_offset)" "$SCENARIO/web01.raw" \
		    "$dir.tmp" >/dev/null
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

@test "the project's rules over the scenario's files give the yara command's rule/file pairs" {
	dir=$(extracted)
	run -0 yara -r "$REPO/rules/index.yar" "$dir"
	expected=$(echo "$output" | awk '{ r = $1; $1 = ""; sub(/^ /, ""); print r "\t" $0 }' | sort -u)
	[ -n "$expected" ]
	expected=$(echo "$expected" | sed "s|	$dir|	|")
	run -1 --separate-stderr spoor-scan --json --no-heuristics "$dir"
	assert_equal "$(spoor_pairs)" "$expected"
	# the web shell, the miner and its config, the cron line
	echo "$expected" | grep -q "^webshell_.*uploads/thumb.php$"
	echo "$expected" | grep -q "^miner_xmrig_elf	.*/kswapd0$"
	echo "$expected" | grep -q "^miner_xmrig_config	.*/config.json$"
	echo "$expected" | grep -q "^persistence_cron_tmp_exec	.*crontabs/www-data$"
}

@test "the image gives the same YARA detections as the files copied out of it" {
	dir=$(extracted)
	run -1 --separate-stderr spoor-scan --json --no-heuristics --no-deleted -j 2 "$SCENARIO/web01.raw"
	image=$(echo "$output" | jq -r 'select(.type == "yara") | "\(.rule)\t\(.target.path)"' | sort -u)
	run -1 --separate-stderr spoor-scan --json --no-heuristics -j 2 "$dir"
	copied=$(echo "$output" | jq -r 'select(.type == "yara") | "\(.rule)\t\(.target.path)"' | sort -u)
	[ -n "$image" ]
	assert_equal "$image" "$copied"
	# and the E01 of the same disk
	run -1 --separate-stderr spoor-scan --json --no-heuristics --no-deleted "$SCENARIO/web01.E01"
	e01=$(echo "$output" | jq -r 'select(.type == "yara") | "\(.rule)\t\(.target.path)"' | sort -u)
	assert_equal "$e01" "$image"
}

@test "a detection in an image names the source, file system, inode, path and hashes its file" {
	run -1 --separate-stderr spoor-scan --json --no-heuristics "$SCENARIO/web01.raw"
	. "$SCENARIO/scenario.env"
	line=$(echo "$output" | jq -c 'select(.type == "yara" and .rule == "miner_xmrig_elf")')
	assert_equal "$(echo "$line" | jq -r .target.inode)" "$KSWAPD0_INODE"
	assert_equal "$(echo "$line" | jq -r .target.fs)" 0
	assert_equal "$(echo "$line" | jq -r .target.fs_type)" ext4
	assert_equal "$(echo "$line" | jq -r .target.source)" "$SCENARIO/web01.raw"
	assert_equal "$(echo "$line" | jq -r .severity)" high
	assert_equal "$(echo "$line" | jq -r .meta.attack)" T1496
	# each listed match is where istat/icat say the bytes are
	icat -o "$(scenario_offset)" "$SCENARIO/web01.raw" "$KSWAPD0_INODE" >"$BATS_TEST_TMPDIR/miner"
	echo "$line" | jq -r '.strings[] | "\(.offset) \(.length)"' | while read -r off len; do
		got=$(dd if="$BATS_TEST_TMPDIR/miner" bs=1 skip="$off" count="$len" 2>/dev/null | od -An -c | tr -d ' \n')
		[ -n "$got" ] || fail "no bytes at $off"
	done
	run -0 yara -s "$REPO/rules/miners/miners.yar" "$BATS_TEST_TMPDIR/miner"
	yara_offsets=$(echo "$output" | awk -F: '/^0x/ { printf "%d\n", $1 }' | sort -n)
	spoor_offsets=$(echo "$line" | jq -r '.strings[].offset' | sort -n)
	assert_equal "$spoor_offsets" "$yara_offsets"
}

@test "upstream match counts hold: xor gives 256 and 16, base64 6 at yara's offsets, base64wide 3" {
	need "$TESTDATA/yara/data/xor.out" "$TESTDATA/yara/data/base64"
	r=$BATS_TEST_TMPDIR/r.yar
	cat >"$r" <<-'EOF'
	rule xor_all { strings: $a = "This program cannot" xor condition: #a == 256 }
	rule xor_range { strings: $a = "This program cannot" xor(1-0x10) condition: #a == 16 }
	rule xor_wide { strings: $a = "This program cannot" xor wide condition: #a == 0 }
	rule b64 { strings: $a = "This program cannot" base64 condition: #a == 6 }
	rule b64_wide_ascii { strings: $a = "This program cannot" base64 wide ascii condition: #a == 12 }
	rule b64wide { strings: $a = "This program cannot" base64wide condition: #a == 3 }
	EOF
	run -1 --separate-stderr spoor-scan --json -r "$r" "$TESTDATA/yara/data/xor.out"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .rule' | sort | tr '\n' ' ')" "xor_all xor_range xor_wide "
	assert_equal "$(echo "$output" | jq -r 'select(.rule == "xor_all") | .string_matches')" 256
	assert_equal "$(echo "$output" | jq -r 'select(.rule == "xor_range") | .string_matches')" 16
	run -1 --separate-stderr spoor-scan --json -r "$r" "$TESTDATA/yara/data/base64"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .rule' | sort | tr '\n' ' ')" "b64 b64_wide_ascii b64wide "
	assert_equal "$(echo "$output" | jq -r 'select(.rule == "b64") | [.strings[] | "\(.offset):\(.length)"] | join(" ")')" \
	    "83:25 112:25 162:24 189:24 239:25 265:25"
	assert_equal "$(echo "$output" | jq -r 'select(.rule == "b64wide") | [.strings[] | "\(.offset):\(.length)"] | join(" ")')" \
	    "889:50 950:48 1009:50"
	# and the yara command agrees on which rules match
	run -0 yara "$r" "$TESTDATA/yara/data/base64"
	assert_equal "$(echo "$output" | cut -d' ' -f1 | sort | tr '\n' ' ')" "b64 b64_wide_ascii b64wide "
}

@test "plaso's rules match what the yara command matches, in the shared test data and PE stubs" {
	need "$TESTDATA/yara/rules/plaso_rules.yara"
	d=$BATS_TEST_TMPDIR/pe
	mkdir -p "$d"
	cp "$TESTDATA/yara/data/"* "$d/"
	# an MZ stub without a PE header, and one with it at e_lfanew
	python3 - "$d" <<-'EOF'
	import struct, sys
	mz = bytearray(256); mz[0:2] = b"MZ"
	open(sys.argv[1] + "/mz.bin", "wb").write(mz)
	pe = bytearray(256); pe[0:2] = b"MZ"; struct.pack_into("<I", pe, 0x3c, 0x80); pe[0x80:0x84] = b"PE\0\0"
	open(sys.argv[1] + "/pe.exe", "wb").write(pe)
	EOF
	run -0 yara -r "$TESTDATA/yara/rules/plaso_rules.yara" "$d"
	expected=$(echo "$output" | awk '{ print $1 "\t" $2 }' | sed "s|	$d|	|" | sort -u)
	assert_equal "$(echo "$expected" | wc -l)" 3
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r "$TESTDATA/yara/rules/plaso_rules.yara" "$d"
	assert_equal "$(spoor_pairs)" "$expected"
}

@test "large files are scanned in blocks: a match across a block boundary is found once, header conditions hold in every block" {
	f=$BATS_TEST_TMPDIR/big.bin
	# an ELF header, then markers at and across the 1 MiB block boundaries
	python3 - "$f" <<-'EOF'
	import sys
	b = bytearray(5 * 1024 * 1024)
	b[0:4] = b"\x7fELF"
	m = b"SPOOR-BLOCK-MARKER"
	for off in (1048576 - 65536 - 5, 1048576 - 65536 + 100, 3 * 1048576 - 7, 4 * 1048576 + 12345):
	    b[off:off + len(m)] = m
	open(sys.argv[1], "wb").write(b)
	EOF
	r=$BATS_TEST_TMPDIR/m.yar
	cat >"$r" <<-'EOF'
	rule marker_in_elf { strings: $m = "SPOOR-BLOCK-MARKER" condition: uint32(0) == 0x464c457f and $m and filesize == 5MB }
	rule marker_far { strings: $m = "SPOOR-BLOCK-MARKER" condition: uint32(0) == 0x464c457f and #m >= 1 and @m[1] > 3000000 }
	EOF
	run -0 yara -s "$r" "$f"
	yara_offsets=$(echo "$output" | awk -F: '/^0x/ { printf "%d\n", $1 }' | sort -nu)
	run -1 --separate-stderr spoor-scan --json --block-size 1M -r "$r" "$f"
	# every marker once, at yara's offsets, over the blocks
	assert_equal "$(echo "$output" | jq -r 'select(.rule == "marker_in_elf") | .strings[].offset' | sort -n)" "$yara_offsets"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.path' | sort -u)" "$f"
	# whole-file scanning gives the same offsets
	run -1 --separate-stderr spoor-scan --json -r "$r" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.rule == "marker_in_elf") | .strings[].offset' | sort -n)" "$yara_offsets"
}

@test "a LiME image: each range scanned, the miner found at its physical address" {
	. "$SCENARIO/scenario.env"
	run -1 --separate-stderr spoor-scan --json "$SCENARIO/web01.lime"
	line=$(echo "$output" | jq -c 'select(.type == "yara" and .rule == "miner_xmrig_memory")')
	[ -n "$line" ]
	assert_equal "$(echo "$line" | jq -r .target.kind)" memory
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | .memory_ranges')" 3
	# an independent LiME reader maps each physical address to the file
	# and finds the matched string there
	echo "$line" | jq -r '.strings[] | "\(.offset) \(.length) \(.id)"' >"$BATS_TEST_TMPDIR/hits"
	python3 - "$SCENARIO/web01.lime" "$BATS_TEST_TMPDIR/hits" <<-'EOF'
	import struct, sys
	data = open(sys.argv[1], "rb").read()
	ranges, off = [], 0
	while off < len(data):
	    magic, ver, start, end = struct.unpack_from("<IIQQ", data, off)
	    assert magic == 0x4C694D45 and ver == 1
	    ranges.append((start, end, off + 32))
	    off += 32 + end - start + 1
	want = {"$ua": b"XMRig/", "$pool": b"stratum+", "$k1": b"donate-level"}
	n = 0
	for line in open(sys.argv[2]):
	    addr, length, ident = line.split()
	    addr, length = int(addr), int(length)
	    (fo,) = [f + addr - s for s, e, f in ranges if s <= addr <= e]
	    if ident in want:
	        assert data[fo:fo + len(want[ident])] == want[ident], (addr, ident)
	        n += 1
	assert n >= 3, n
	EOF
	# the range holding it
	assert_equal "$(echo "$line" | jq -r '"\(.target.range.start) \(.target.range.end)"')" "1048576 5242879"
}

@test "--memory takes a file as a raw dump: addresses are file offsets" {
	f=$BATS_TEST_TMPDIR/raw.mem
	head -c 300000 /dev/zero >"$f"
	printf 'SPOOR-RAW-MEMORY-MARKER' >>"$f"
	head -c 1000 /dev/zero >>"$f"
	r=$BATS_TEST_TMPDIR/m.yar
	echo 'rule raw_marker { strings: $m = "SPOOR-RAW-MEMORY-MARKER" condition: $m }' >"$r"
	run -1 --separate-stderr spoor-scan --json --memory -r "$r" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | "\(.target.kind) \(.address)"')" "memory 300000"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.source_kind')" raw
}

@test "--pid finds a marker in a live process, in a region of its maps" {
	python3 -c 'import sys, time
m = "spoor-" + "live-" + "marker-" + str(4700 + 11)
keep = [m * 3]
sys.stdout.write("ready\n"); sys.stdout.flush()
time.sleep(120)' >"$BATS_TEST_TMPDIR/ready" &
	pid=$!
	for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/ready" ] && break; sleep 0.1; done
	r=$BATS_TEST_TMPDIR/p.yar
	echo 'rule live_marker { strings: $m = "spoor-live-marker-4711" condition: $m }' >"$r"
	run --separate-stderr spoor-scan --json -r "$r" --pid "$pid"
	maps=$(cat "/proc/$pid/maps")
	exe=$(readlink "/proc/$pid/exe")
	kill "$pid"
	assert_equal "$status" 1
	line=$(echo "$output" | jq -c 'select(.type == "yara")' | head -1)
	assert_equal "$(echo "$line" | jq -r .target.kind)" process
	assert_equal "$(echo "$line" | jq -r .target.pid)" "$pid"
	assert_equal "$(echo "$line" | jq -r .target.exe)" "$exe"
	start=$(echo "$line" | jq -r .target.region.start)
	end=$(echo "$line" | jq -r .target.region.end)
	addr=$(echo "$line" | jq -r .address)
	[ "$addr" -ge "$start" ] && [ "$addr" -lt "$end" ]
	perms=$(echo "$line" | jq -r .target.region.perms)
	printf '%s\n' "$maps" | grep -q "^$(printf '%x-%x %s' "$start" "$end" "$perms")"
}

@test "--pid of no process is status 66; a scan of every process finds the marker and skips itself" {
	run -66 --separate-stderr spoor-scan --pid 4194000 -r "$REPO/rules"
	assert_output ""
	[[ $stderr == *"process 4194000: no such process"* ]]
	python3 -c 'import sys, time
m = "spoor-" + "every-" + "process-" + str(4700 + 12)
keep = [m * 2]
sys.stdout.write("ready\n"); sys.stdout.flush()
time.sleep(120)' >"$BATS_TEST_TMPDIR/ready" &
	pid=$!
	for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/ready" ] && break; sleep 0.1; done
	r=$BATS_TEST_TMPDIR/all.yar
	echo 'rule every_marker { strings: $m = "spoor-every-process-4712" condition: $m }' >"$r"
	run --separate-stderr spoor-scan --json -r "$r" --all-processes --process-max 256M
	kill "$pid"
	assert_equal "$status" 1
	echo "$output" | jq -r 'select(.type == "yara") | .target.pid' | grep -qx "$pid"
	# the scanner holds the rule, but never scans itself
	echo "$output" | jq -r 'select(.type == "yara") | .target.exe' | grep -q 'spoor-scan$' && fail "the scanner scanned itself"
	[ "$(echo "$output" | jq -r 'select(.type == "summary") | .processes')" -gt 2 ]
}

@test "precompiled rules (yarac) and external variables for public rule packs" {
	r=$BATS_TEST_TMPDIR/ext.yar
	cat >"$r" <<-'EOF'
	rule by_name { condition: filename == "thumb.php" and extension == ".php" and filetype == "PHP" }
	rule by_path { condition: filepath matches /\/uploads\// and owner != "" }
	EOF
	run -0 yarac -d filename= -d filepath= -d extension= -d filetype= -d owner= "$r" "$BATS_TEST_TMPDIR/ext.yarc"
	run -1 --separate-stderr spoor-scan --json --no-heuristics -C "$BATS_TEST_TMPDIR/ext.yarc" "$SCENARIO/web01.raw"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | "\(.rule) \(.target.path)"' | sort | tr '\n' ';')" \
	    "by_name /var/www/html/uploads/thumb.php;by_path /var/www/html/uploads/IMG_2041.gif;by_path /var/www/html/uploads/thumb.php;by_path /var/www/html/uploads/widget-blue.gif;by_path /var/www/html/uploads/widget-red.gif;"
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r "$r" "$SCENARIO/web01.raw"
	assert_equal "$(echo "$output" | jq -r 'select(.rule == "by_name") | .target.path')" /var/www/html/uploads/thumb.php
}

@test "a rule with a syntax error is reported with file:line and status 65" {
	r=$BATS_TEST_TMPDIR/bad.yar
	printf 'rule ok { condition: true }\n\nrule broken {\n  strings: $a = "x"\n  condition: $a and\n}\n' >"$r"
	run -65 --separate-stderr spoor-scan -r "$r" "$SCENARIO/web01.raw"
	assert_output ""
	[[ $stderr == "spoor-scan: rules: $r:6: "* ]]
	run -66 --separate-stderr spoor-scan -r "$BATS_TEST_TMPDIR/none.yar" "$SCENARIO/web01.raw"
	[[ $stderr == *"none.yar"* ]]
	run -65 --separate-stderr spoor-scan -C "$r" "$SCENARIO/web01.raw"
	[[ $stderr == *"not rules compiled by this YARA version"* ]]
}

@test "-j 1 and -j 2 give the same detections" {
	run -1 --separate-stderr spoor-scan --json -j 1 "$SCENARIO/web01.raw"
	one=$(echo "$output" | jq -c 'select(.type != "summary")' | sort)
	run -1 --separate-stderr spoor-scan --json -j 2 "$SCENARIO/web01.raw"
	two=$(echo "$output" | jq -c 'select(.type != "summary")' | sort)
	assert_equal "$one" "$two"
}

@test "directories: symlinks are not followed, FIFOs and devices are skipped" {
	d=$BATS_TEST_TMPDIR/tree
	mkdir -p "$d/sub" "$BATS_TEST_TMPDIR/outside"
	echo 'SPOOR-OUTSIDE-MARKER' >"$BATS_TEST_TMPDIR/outside/f"
	echo 'SPOOR-INSIDE-MARKER' >"$d/sub/f"
	ln -s "$BATS_TEST_TMPDIR/outside" "$d/link"
	ln -s "$BATS_TEST_TMPDIR/outside/f" "$d/filelink"
	mkfifo "$d/fifo"
	mknod "$d/null" c 1 3
	r=$BATS_TEST_TMPDIR/d.yar
	echo 'rule marker { strings: $a = /SPOOR-[A-Z]+-MARKER/ condition: $a }' >"$r"
	run -1 --separate-stderr timeout 60 spoor-scan --json --no-heuristics -r "$r" "$d"
	# paths are those of the directory taken as a root
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.path')" /sub/f
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.source')" "$d"
}

@test "--exclude, --newer/--older and --max-size skip files and say so" {
	r=$BATS_TEST_TMPDIR/any.yar
	echo 'rule any_file { condition: true }' >"$r"
	run -1 --separate-stderr spoor-scan --json --no-heuristics --no-deleted -r "$r" --exclude '*.gif' --exclude '/usr/*' "$SCENARIO/web01.raw"
	echo "$output" | jq -r 'select(.type == "yara") | .target.path' | grep -E '\.gif$|^/usr/' && fail "excluded file scanned"
	[ "$(echo "$output" | jq -r 'select(.type == "summary") | .skipped.excluded')" -gt 3 ]
	# the day of the intrusion only: what changed from 10:40 on
	run -1 --separate-stderr spoor-scan --json --no-heuristics --no-deleted -r "$r" --newer 2026-03-14T10:40:00Z --older 2026-03-14T10:50:00Z "$SCENARIO/web01.raw"
	paths=$(echo "$output" | jq -r 'select(.type == "yara") | .target.path' | sort)
	echo "$paths" | grep -qx /tmp/.X11-unix/.x/kswapd0
	echo "$paths" | grep -qx /var/www/html/uploads/thumb.php
	echo "$paths" | grep -qx /etc/hostname && fail "a file of the install scanned"
	[ "$(echo "$output" | jq -r 'select(.type == "summary") | .skipped.out_of_window')" -gt 50 ]
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r "$r" --max-size 1K "$SCENARIO/web01.raw"
	too_big=$(echo "$output" | jq -r 'select(.type == "summary") | .skipped.too_big')
	[ "$too_big" -gt 0 ]
	[[ $stderr == *"$too_big too big"* ]]
	run -64 --separate-stderr spoor-scan --newer yesterday "$SCENARIO/web01.raw"
	run -64 --separate-stderr spoor-scan --max-size lots "$SCENARIO/web01.raw"
}

@test "a huge sparse file is skipped by --max-size and scanned in blocks without it" {
	f=$BATS_TEST_TMPDIR/sparse
	truncate -s 300M "$f"
	printf 'SPOOR-SPARSE-END' | dd of="$f" bs=1 seek=$((300 * 1024 * 1024 - 100)) conv=notrunc 2>/dev/null
	r=$BATS_TEST_TMPDIR/s.yar
	echo 'rule sparse_end { strings: $a = "SPOOR-SPARSE-END" condition: $a }' >"$r"
	run -0 --separate-stderr spoor-scan --json -r "$r" --max-size 100M "$f"
	assert_equal "$(echo "$output" | jq -r '.skipped.too_big')" 1
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r "$r" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .address')" $((300 * 1024 * 1024 - 100))
}

@test "an unreadable file in a directory is a problem: status 2, named in the summary" {
	top=$(mktemp -d /tmp/spoor-unr.XXXXXX)
	chmod 755 "$top"
	d=$top/dir
	mkdir -p "$d"
	echo hello >"$d/ok"
	echo secret >"$d/locked"
	chmod 000 "$d/locked"
	r=$top/n.yar
	echo 'rule never { strings: $a = "SPOOR-NEVER-THERE" condition: $a }' >"$r"
	chmod 644 "$r"
	run --separate-stderr runuser -u nobody -- "$BUILD/bin/spoor-scan" -r "$r" "$d"
	rm -rf "$top"
	assert_equal "$status" 2
	[[ $stderr == *"1 unreadable"* ]]
	[[ $stderr == *"1 problem skipped"* ]]
	# the problem itself is said, once
	assert_equal "$(echo "$stderr" | grep -c "^spoor-scan: skipped /locked: .*Permission denied")" 1
}

@test "bad targets: missing, corrupt image, an empty file" {
	run -66 --separate-stderr spoor-scan "$BATS_TEST_TMPDIR/missing.E01"
	[[ $stderr == *"missing.E01"* ]]
	head -c 20000 "$SCENARIO/web01.E01" >"$BATS_TEST_TMPDIR/trunc.E01"
	run -65 --separate-stderr spoor-scan "$BATS_TEST_TMPDIR/trunc.E01"
	[[ $stderr == *"trunc.E01"* ]]
	: >"$BATS_TEST_TMPDIR/empty"
	run -0 --separate-stderr spoor-scan "$BATS_TEST_TMPDIR/empty"
	# a LiME file whose last range runs past the end
	head -c 100000 "$SCENARIO/web01.lime" >"$BATS_TEST_TMPDIR/cut.lime"
	run -65 --separate-stderr spoor-scan "$BATS_TEST_TMPDIR/cut.lime"
	[[ $stderr == *"runs past the end of the file"* ]]
}

@test "with -c detections go into the case, linked to files and each an event" {
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" "$SCENARIO/web01.raw"
	run -1 --separate-stderr spoor-scan -q -c "$db" "$SCENARIO/web01.raw"
	assert_equal "$(sqlite3 "$db" 'PRAGMA user_version')" 7
	n=$(sqlite3 "$db" "SELECT count(*) FROM detections")
	[ "$n" -ge 8 ]
	# every file detection points at the files row of its inode and path
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections d JOIN files f ON f.id = d.file_id
	    WHERE f.inode = d.inode AND f.path = d.path AND d.target_kind = 'file'")" \
	    "$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE target_kind = 'file'")"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections d JOIN events e ON e.id = d.event_id WHERE e.artifact = 'detection'")" "$n"
	. "$SCENARIO/scenario.env"
	assert_equal "$(sqlite3 "$db" "SELECT DISTINCT f.inode FROM detections d JOIN files f ON f.id = d.file_id WHERE d.name = 'miner_xmrig_elf'")" "$KSWAPD0_INODE"
	# a detection sits at the later of its file's birth and modification:
	# the miner's birth (its mtime is backdated), the key file's change
	assert_equal "$(sqlite3 "$db" "SELECT e.time_ns = f.crtime_ns FROM detections d JOIN events e ON e.id = d.event_id JOIN files f ON f.id = d.file_id WHERE d.name = 'miner_xmrig_elf'")" 1
	assert_equal "$(sqlite3 "$db" "SELECT DISTINCT e.time_ns = f.mtime_ns AND f.mtime_ns > f.crtime_ns FROM detections d JOIN events e ON e.id = d.event_id JOIN files f ON f.id = d.file_id WHERE d.name = 'authorized-key-added'")" 1
	# the run is recorded with the rule files as inputs
	assert_equal "$(sqlite3 "$db" "SELECT exit_status FROM runs WHERE tool = 'spoor-scan'")" 1
	sqlite3 "$db" "SELECT inputs FROM runs WHERE tool = 'spoor-scan'" | jq -e 'map(.path) | any(endswith("miners/miners.yar"))' >/dev/null
	run -0 spoor-export -c "$db" --jsonl --artifact detection
	[ "$(echo "$output" | wc -l)" -eq "$n" ]
}

@test "the memory image's detection goes into the case with its address" {
	db=$BATS_TEST_TMPDIR/mem.db
	run -1 --separate-stderr spoor-scan -q -c "$db" "$SCENARIO/web01.lime"
	# the miner's strings in the range, and its ELF image in that range
	# scanned as a file (stored as memory; its details say memory-image)
	assert_equal "$(sqlite3 "$db" "SELECT target_kind, name, json_extract(details, '$.target.kind') FROM detections ORDER BY name")" \
	    "$(printf 'memory|miner_xmrig_elf|memory-image\nmemory|miner_xmrig_memory|memory')"
	for addr in $(sqlite3 "$db" "SELECT address FROM detections"); do
		[ "$addr" -ge 1048576 ] && [ "$addr" -le 5242879 ]
	done
	assert_equal "$(sqlite3 "$db" "SELECT DISTINCT s.kind FROM detections d JOIN sources s ON s.id = d.source_id")" lime
	# on the timeline at the capture: the image file's modification time
	assert_equal "$(sqlite3 "$db" "SELECT DISTINCT e.time_ns / 1000000000 FROM detections d JOIN events e ON e.id = d.event_id")" \
	    "$(stat -c %Y "$SCENARIO/web01.lime")"
	# a second scan adds nothing
	run -1 --separate-stderr spoor-scan -q -c "$db" "$SCENARIO/web01.lime"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections")" 2
}

@test "nothing found is status 0, and the summary says what was scanned" {
	d=$BATS_TEST_TMPDIR/clean
	mkdir -p "$d"
	echo 'just text' >"$d/a.txt"
	run -0 --separate-stderr spoor-scan --json "$d"
	assert_equal "$(echo "$output" | jq -r .type)" summary
	assert_equal "$(echo "$output" | jq -r .files_scanned)" 1
	[[ $stderr == "spoor-scan: 0 detections in 0 targets; 1 of 1 files scanned"* ]]
}

@test "no false positives on this machine's /usr/bin, /usr/sbin and /usr/lib" {
	run -0 --separate-stderr spoor-scan -q --json --no-heuristics -j 2 /usr/bin /usr/sbin /usr/lib
	assert_equal "$(echo "$output" | jq -r .type)" summary
	[ "$(echo "$output" | jq -r .files_scanned)" -gt 1000 ]
}

@test "a time window makes the keys of an authorized_keys changed in it a high detection" {
	. "$SCENARIO/scenario.env"
	run -1 --separate-stderr spoor-scan --json --no-yara --newer 2026-03-14T10:44:00Z --older 2026-03-14T11:00:00Z "$SCENARIO/web01.raw"
	line=$(echo "$output" | jq -c "select(.name == \"authorized-key-added\" and (.reason | contains(\"$ATTACKER_KEY_COMMENT\")))")
	assert_equal "$(echo "$line" | jq -r .severity)" high
	[[ $(echo "$line" | jq -r .reason) == *"$ATTACKER_KEY_FPR"* ]]
	# outside the window the file is not even scanned
	run -0 --separate-stderr spoor-scan --json --no-yara --newer 2026-03-14T11:30:00Z "$SCENARIO/web01.raw"
	assert_equal "$(echo "$output" | jq -r .detections)" 0
}

@test "SIGINT stops a scan: status 130, the run marked interrupted, the case readable" {
	f=$BATS_TEST_TMPDIR/huge
	truncate -s 64G "$f"
	db=$BATS_TEST_TMPDIR/int.db
	run timeout --preserve-status -s INT 2 spoor-scan -q -c "$db" -r "$REPO/rules" "$f"
	assert_equal "$status" 130
	assert_equal "$(sqlite3 "$db" "SELECT state, exit_status FROM runs WHERE tool = 'spoor-scan'")" "interrupted|130"
	assert_equal "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok
}

@test "deleted files are scanned from their recoverable content: the hashes of icat's output are found on them" {
	img=$(dftt "$IMAGES/ntfs/7-undel-ntfs.zip")/7-ntfs-undel.dd
	list=$BATS_TEST_TMPDIR/deleted.sha256
	: >"$list"
	n=0
	while IFS= read -r line; do
		ref=${line#*\* }
		ref=${ref%%:*}
		[ "$(icat "$img" "$ref" | wc -c)" -gt 0 ] || continue
		echo "$(icat "$img" "$ref" | sha256sum | cut -c1-64)  $ref" >>"$list"
		n=$((n + 1))
	done < <(fls -r -d "$img" | grep '^-/r \* ')
	[ "$n" -ge 8 ]
	run -1 --separate-stderr spoor-scan --json --no-yara --no-heuristics --known-bad "$list" "$img"
	# every recovered file is found, on a deleted target
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | .hash' | sort -u | wc -l)" \
	    "$(cut -c1-64 "$list" | sort -u | wc -l)"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash") | .target.deleted' | sort -u)" true
	# and without them, nothing deleted is read
	run --separate-stderr spoor-scan --json --no-yara --no-heuristics --no-deleted --known-bad "$list" "$img"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "hash")' | wc -l)" 0
}

@test "a split raw image is scanned through its segments" {
	need "$IMAGES/ext2/dfvfs_ext2.splitraw.000"
	r=$BATS_TEST_TMPDIR/p.yar
	echo 'rule bank_password { strings: $a = "bank,joesmith,superrich" condition: $a }' >"$r"
	run -1 --separate-stderr spoor-scan --json -r "$r" "$IMAGES/ext2/dfvfs_ext2.splitraw.000"
	line=$(echo "$output" | jq -c 'select(.type == "yara")')
	assert_equal "$(echo "$line" | jq -r '"\(.target.source_kind) \(.target.inode) \(.target.path) \(.strings[0].offset)"')" \
	    "split 14 /passwords.txt 20"
}

@test "--strings shows matched data, capped at 64 bytes and escaped; a target's score combines its detections as Loki/THOR do" {
	run -1 --separate-stderr spoor-scan --json --strings "$SCENARIO/web01.raw"
	assert_equal "$(echo "$output" | jq -s '[.[] | select(.type == "yara") | .strings[] | .data | length] | (length > 10 and max <= 64)')" true
	data=$(echo "$output" | jq -r 'select(.rule == "miner_xmrig_elf") | .strings[] | select(.id == "$ua") | .data' | head -1)
	[[ $data == XMRig/* ]]
	# 100 * (1 - prod(1 - s_i / 100 / 2^i)), sub-scores sorted descending
	expected=$(echo "$output" | jq -r 'select(.type != "target" and .type != "summary" and .target.path == "/tmp/.X11-unix/.x/kswapd0") | .score' |
	    sort -rn | awk '{ p *= 1 - $1 / 100 / 2 ^ (NR - 1) } BEGIN { p = 1 } END { printf "%d\n", 100 * (1 - p) + 0.5 }')
	assert_equal "$(echo "$output" | jq -r 'select(.type == "target" and .target.path == "/tmp/.X11-unix/.x/kswapd0") | .score')" "$expected"
	[ "$expected" -gt 80 ]
	# targets come highest score first
	scores=$(echo "$output" | jq -r 'select(.type == "target") | .score')
	assert_equal "$scores" "$(echo "$scores" | sort -rn)"
}
