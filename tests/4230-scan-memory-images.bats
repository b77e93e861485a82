#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Executable images in memory: an ELF or PE file copied byte for byte to a
# page boundary of a memory range is found there and scanned as the file
# it heads, so rules written for files (the ELF magic at offset 0, the
# file's size) match in LiME and raw memory images and in the memory of a
# live process, reported at the image's physical or virtual address.
# Every memory image here is written by the test, from programs compiled
# by tests/fixtures/rules/mkelf.sh and a PE made by hand.

load helpers/common

setup_file() {
	export ELF_DIR=$BATS_FILE_TMPDIR/elf
	"$BATS_TEST_DIRNAME/fixtures/rules/mkelf.sh" "$ELF_DIR" >&2
}

# mkmem FILE FORMAT START SIZE [ADDR:PATH ...]: a memory image of one
# range [START, START+SIZE) (FORMAT lime or raw; raw starts at 0) filled
# with xorshift noise, with each PATH's bytes copied to ADDR.
mkmem() {
	python3 - "$@" <<-'EOF'
	import struct, sys
	out, fmt, start, size = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4], 0)
	x, words = 0x2545F491, []
	for _ in range(size // 4):
	    x ^= (x << 13) & 0xffffffff; x ^= x >> 17; x ^= (x << 5) & 0xffffffff
	    words.append(x)
	data = bytearray(struct.pack("<%dI" % len(words), *words))
	for spec in sys.argv[5:]:
	    addr, path = spec.split(":", 1)
	    o = int(addr, 0) - start
	    blob = open(path, "rb").read()
	    assert 0 <= o and o + len(blob) <= size
	    data[o:o + len(blob)] = blob
	with open(out, "wb") as f:
	    if fmt == "lime":
	        f.write(struct.pack("<IIQQQ", 0x4C694D45, 1, start, start + size - 1, 0))
	    f.write(data)
	EOF
}

# mkpe FILE MARKER: a small PE32+ program (two sections, the marker in the
# second one's raw data) and nothing else.
mkpe() {
	python3 - "$1" "$2" <<-'EOF'
	import struct, sys
	out, marker = sys.argv[1], sys.argv[2].encode()
	hdr = bytearray(0x400)
	hdr[0:2] = b"MZ"
	struct.pack_into("<I", hdr, 0x3c, 0x80)
	hdr[0x80:0x84] = b"PE\0\0"
	# COFF: amd64, 2 sections, optional header of 240 bytes
	struct.pack_into("<HHIIIHH", hdr, 0x84, 0x8664, 2, 0, 0, 0, 240, 0x22)
	opt = 0x98
	struct.pack_into("<H", hdr, opt, 0x20b)
	struct.pack_into("<I", hdr, opt + 16, 0x1000)		# entry
	struct.pack_into("<Q", hdr, opt + 24, 0x140000000)	# image base
	struct.pack_into("<II", hdr, opt + 32, 0x1000, 0x200)	# alignments
	struct.pack_into("<II", hdr, opt + 56, 0x3000, 0x400)	# images, headers
	struct.pack_into("<H", hdr, opt + 68, 3)		# console
	sect = opt + 240
	for i, (name, rva, raw) in enumerate(((b".text", 0x1000, 0x400),
	                                      (b".rdata", 0x2000, 0x600))):
	    s = sect + 40 * i
	    hdr[s:s + 8] = name.ljust(8, b"\0")
	    struct.pack_into("<IIII", hdr, s + 8, 0x200, rva, 0x200, raw)
	text = b"\xc3".ljust(0x200, b"\xcc")
	rdata = marker.ljust(0x200, b"\0")
	open(out, "wb").write(bytes(hdr) + text + rdata)
	EOF
}

# The yara detections on stdin as "rule<TAB>kind<TAB>format<TAB>address<TAB>size".
images() {
	jq -r 'select(.type == "yara") | [.rule, .target.kind,
	    (.target.format // "-"), (.target.address // .address),
	    (.target.size // 0)] | @tsv' | sort
}

@test "an implant and a rootkit copied to page boundaries of a LiME image are found by spoor's own ELF rules at their physical addresses" {
	miner=$ELF_DIR/miner_xmrig_elf.pos
	rootkit=$ELF_DIR/rootkit_ld_preload_hider.pos
	# on disk spoor flags both
	run -1 --separate-stderr spoor-scan --json --no-heuristics "$miner" "$rootkit"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .rule' | sort | tr '\n' ' ')" \
	    "miner_xmrig_elf rootkit_ld_preload_hider "
	f=$BATS_TEST_TMPDIR/mem.lime
	mkmem "$f" lime 0x40000000 0x200000 0x40003000:"$miner" 0x40101000:"$rootkit"
	run -1 --separate-stderr spoor-scan --json --no-heuristics "$f"
	got=$(echo "$output" | images | grep -e miner_xmrig_elf -e rootkit_ld_preload_hider)
	assert_equal "$got" "$(printf 'miner_xmrig_elf\tmemory-image\tELF\t%d\t%d\nrootkit_ld_preload_hider\tmemory-image\tELF\t%d\t%d' \
	    0x40003000 "$(stat -c %s "$miner")" 0x40101000 "$(stat -c %s "$rootkit")")"
	# every string match lies in its image and holds what matched there
	echo "$output" | python3 -c '
import json, sys
data = open(sys.argv[1], "rb").read()[32:]
for line in sys.stdin:
    d = json.loads(line)
    if d.get("type") != "yara" or d["target"]["kind"] != "memory-image":
        continue
    a, n = d["target"]["address"], d["target"]["size"]
    assert d["target"]["range"] == {"start": a, "end": a + n - 1}
    assert d["target"]["container"] == {"kind": "range", "start": 0x40000000, "end": 0x401fffff}
    for m in d["strings"]:
        assert a <= m["offset"] < a + n, m
' "$f"
	[[ $stderr == *"2 executable images in memory"* ]]
}

@test "an ELF copied into a raw memory dump is reported at its offset as physical address, in text and JSON" {
	miner=$ELF_DIR/miner_xmrig_elf.pos
	f=$BATS_TEST_TMPDIR/mem.raw
	mkmem "$f" raw 0 0x100000 0x7000:"$miner"
	run -1 --separate-stderr spoor-scan --memory --json --no-heuristics "$f"
	assert_equal "$(echo "$output" | images | grep miner_xmrig_elf)" \
	    "$(printf 'miner_xmrig_elf\tmemory-image\tELF\t%d\t%d' 0x7000 "$(stat -c %s "$miner")")"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | .memory_images')" 1
	run -1 --separate-stderr spoor-scan --memory --no-heuristics "$f"
	assert_line --regexp "^high	[0-9]+	yara:miner_xmrig_elf	.*mem\.raw@0x[0-9a-f]+ \(ELF image at 0x7000, $(stat -c %s "$miner") bytes\)	"
}

@test "a PE copied to a page boundary is carved to its headers and sections and scanned as a file" {
	pe=$BATS_TEST_TMPDIR/tiny.exe
	mkpe "$pe" SPOOR-PE-MARKER
	size=$(stat -c %s "$pe")
	rule=$BATS_TEST_TMPDIR/pe.yar
	cat >"$rule" <<-EOF
	rule pe_file_marker { strings: \$m = "SPOOR-PE-MARKER"
	    condition: uint16(0) == 0x5a4d and uint32(uint32(0x3c)) == 0x00004550 and filesize == $size and \$m }
	EOF
	run -1 --separate-stderr spoor-scan --json -r "$rule" "$pe"
	f=$BATS_TEST_TMPDIR/mem.lime
	mkmem "$f" lime 0x10000000 0x80000 0x10042000:"$pe"
	run -1 --separate-stderr spoor-scan --json -r "$rule" "$f"
	assert_equal "$(echo "$output" | images)" \
	    "$(printf 'pe_file_marker\tmemory-image\tPE\t%d\t%d' 0x10042000 "$size")"
	# not at a page boundary: no image, no match
	mkmem "$f" lime 0x10000000 0x80000 0x10042010:"$pe"
	run -0 --separate-stderr spoor-scan --json -r "$rule" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | .memory_images')" 0
}

@test "a rule matching both an image and its range is reported once per address, never twice at one address" {
	miner=$ELF_DIR/miner_xmrig_elf.pos
	rule=$BATS_TEST_TMPDIR/ua.yar
	printf 'rule any_xmrig_agent { strings: $ua = "XMRig/6.21.0" condition: $ua }\n' >"$rule"
	f=$BATS_TEST_TMPDIR/mem.lime
	# the image only: one detection, the image's
	mkmem "$f" lime 0x100000 0x100000 0x140000:"$miner"
	run -1 --separate-stderr spoor-scan --json -r "$rule" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.kind')" memory-image
	# the agent in the range before the image too: the range reports there
	printf 'XMRig/6.21.0 (Linux)' >"$BATS_TEST_TMPDIR/ua"
	mkmem "$f" lime 0x100000 0x100000 0x110123:"$BATS_TEST_TMPDIR/ua" 0x140000:"$miner"
	run -1 --separate-stderr spoor-scan --json -r "$rule" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | "\(.target.kind) \(.address)"' | sort)" \
	    "$(printf 'memory %d\nmemory-image %d' 0x110123 "$(echo "$output" | jq -r 'select(.type == "yara" and .target.kind == "memory-image") | .address')")"
	[ "$(echo "$output" | jq -r 'select(.type == "yara" and .target.kind == "memory-image") | .address')" -gt $((0x140000)) ]
}

@test "ELF and MZ magic numbers on pages of noise without valid headers are no images" {
	hdr=$BATS_TEST_TMPDIR/fake
	f=$BATS_TEST_TMPDIR/noise.lime
	python3 - "$hdr" <<-'EOF'
	import struct, sys
	base = sys.argv[1]
	# the magic and the class, but a header size, machine or table out of place
	elf = bytearray(b"\x7fELF\x02\x01\x01" + bytes(57))
	struct.pack_into("<HHIQQQIHHHHHH", elf, 16, 2, 62, 1, 0, 64, 0, 0, 64, 99, 1, 0, 0, 0)
	open(base + ".elf1", "wb").write(elf)
	elf2 = bytearray(elf); struct.pack_into("<H", elf2, 18, 0x4242)
	struct.pack_into("<H", elf2, 54, 56)
	open(base + ".elf2", "wb").write(elf2)
	elf3 = bytearray(elf); struct.pack_into("<HH", elf3, 54, 56, 0xffff)
	open(base + ".elf3", "wb").write(elf3)
	mz = bytearray(b"MZ" + bytes(0x3e)); struct.pack_into("<I", mz, 0x3c, 0x7fff0000)
	open(base + ".mz1", "wb").write(mz)
	mz2 = bytearray(0x200); mz2[0:2] = b"MZ"; struct.pack_into("<I", mz2, 0x3c, 0x80)
	mz2[0x80:0x84] = b"PE\0\0"; struct.pack_into("<HH", mz2, 0x84, 0x8664, 0)
	open(base + ".mz2", "wb").write(mz2)
	EOF
	mkmem "$f" lime 0x100000 0x10000 0x101000:"$hdr.elf1" 0x102000:"$hdr.elf2" \
	    0x103000:"$hdr.elf3" 0x104000:"$hdr.mz1" 0x105000:"$hdr.mz2"
	rule=$BATS_TEST_TMPDIR/all.yar
	printf 'rule every_target { condition: true }\n' >"$rule"
	run -1 --separate-stderr spoor-scan --json -r "$rule" "$f"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "summary") | .memory_images')" 0
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | .target.kind')" memory
}

@test "the scenario's LiME image gives the miner by spoor's own ELF rule at its physical address" {
	need "$SCENARIO/web01.lime" "$SCENARIO/scenario.env"
	. "$SCENARIO/scenario.env"
	run -1 --separate-stderr spoor-scan --json "$SCENARIO/web01.lime"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara" and .rule == "miner_xmrig_elf") | "\(.target.kind) \(.target.address)"')" \
	    "memory-image $((LIME_MINER_PADDR))"
	# the whole range still gives the strings of the running miner
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara" and .rule == "miner_xmrig_memory") | .target.kind')" memory
}

@test "an ELF copied into a live process's memory is found at its virtual address" {
	miner=$ELF_DIR/miner_xmrig_elf.pos
	python3 - "$miner" "$BATS_TEST_TMPDIR/addr" <<-'EOF' &
	import ctypes, mmap, os, sys, time
	blob = open(sys.argv[1], "rb").read()
	m = mmap.mmap(-1, (len(blob) + 8191) // 4096 * 4096,
	    flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
	m.write(blob)
	addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
	with open(sys.argv[2] + ".tmp", "w") as f:
	    f.write("%d\n" % addr)
	os.rename(sys.argv[2] + ".tmp", sys.argv[2])
	time.sleep(60)
	EOF
	pid=$!
	for _ in $(seq 100); do [ -s "$BATS_TEST_TMPDIR/addr" ] && break; sleep 0.1; done
	addr=$(cat "$BATS_TEST_TMPDIR/addr")
	run --separate-stderr spoor-scan --json --no-heuristics -r "$REPO/rules/miners" --pid "$pid"
	kill "$pid"
	assert_equal "$status" 1
	assert_equal "$(echo "$output" | jq -r --argjson a "$addr" 'select(.type == "yara" and .target.kind == "memory-image" and .target.address == $a) | "\(.rule) \(.target.pid) \(.target.container.kind)"')" \
	    "miner_xmrig_elf $pid region"
}
