#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-acquire --memory: physical memory into LiME, from synthetic ELF
# cores in /proc/kcore's layout (tests/fixtures/mkcore), checked by an
# independent LiME reader written here; kernel lockdown, STRICT_DEVMEM and
# missing sources; and spoor-info on the result.

load helpers/common
load helpers/acquire

setup() {
	W=$BATS_TEST_TMPDIR
	need "$REPO/tests/fixtures/mkcore"
}

# Check LiME file $1 with a reader of its own: the headers (magic, version
# 1, start, inclusive end, 8 zero bytes) are exactly the ranges $2
# (start-end,... in hex), and each range holds mkcore's content, except
# the pages listed in $3 (start-end,...), which must be zeros.  Prints the
# SHA-256 of each range, one a line.
check_lime() {
	python3 - "$1" "$2" "${3:-}" <<'PY'
import hashlib, struct, sys
data = open(sys.argv[1], "rb").read()
want = [tuple(int(x, 16) for x in r.split("-")) for r in sys.argv[2].split(",")]
zero = [tuple(int(x, 16) for x in r.split("-")) for r in sys.argv[3].split(",") if r]
def content(s, e):
    n = (e - s + 1) // 8
    return struct.pack("<%dQ" % n, *(((p * 0x9E3779B97F4A7C15) & (2**64 - 1))
                                    for p in range(s, e + 1, 8)))
off, i = 0, 0
while off < len(data):
    magic, version, s, e, pad = struct.unpack_from("<IIQQ8s", data, off)
    assert magic == 0x4C694D45, "bad magic at %d" % off
    assert version == 1 and pad == bytes(8), "bad header at %d" % off
    assert (s, e) == want[i], "range %d is %x-%x" % (i, s, e)
    body = data[off + 32:off + 32 + e - s + 1]
    exp = bytearray(content(s, e))
    for zs, ze in zero:
        if s <= zs <= e:
            exp[zs - s:ze - s + 1] = bytes(ze - zs + 1)
    assert body == bytes(exp), "range %x-%x differs" % (s, e)
    print(hashlib.sha256(body).hexdigest())
    off += 32 + e - s + 1
    i += 1
assert i == len(want), "%d ranges, not %d" % (i, len(want))
PY
}

RANGES="1000-9ffff,100000-2fffff,40000000-400fffff"

@test "an ELF core: LiME headers and bytes are right, the hashes are sha256sum's" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	run -0 --separate-stderr spoor-acquire --memory --source "$W/core" \
	    --iomem "$W/iomem" --json "$W/mem.lime"
	record=$output
	run -0 check_lime "$W/mem.lime" "$RANGES"
	assert_equal "$(jq -r '.ranges[].sha256' <<<"$record")" "$output"
	assert_equal "$(jq -r .sha256 <<<"$record")" "$(sha256sum < "$W/mem.lime" | cut -d' ' -f1)"
	assert_equal "$(jq -c '[.format, .source_kind, .size, .acquired, .complete, .bad_ranges]' <<<"$record")" \
	    '["lime","kcore",3796992,3796992,true,[]]'
	assert_equal "$(jq -c '[.ranges[] | [.start, .end, .offset]]' <<<"$record")" \
	    '[[4096,655359,32],[1048576,3145727,651328],[1073741824,1074790399,2748512]]'
	assert_equal "$stderr" ""
}

@test "an ELF core without physical addresses is read through the direct map" {
	"$REPO/tests/fixtures/mkcore" --no-paddr "$W/core" "$W/iomem"
	run -0 spoor-acquire --memory --source "$W/core" --iomem "$W/iomem" "$W/mem.lime"
	check_lime "$W/mem.lime" "$RANGES"
}

@test "a page in no segment is zero-filled and recorded; the copy goes on (status 2)" {
	"$REPO/tests/fixtures/mkcore" --hole "$W/core" "$W/iomem"
	run -2 --separate-stderr spoor-acquire --memory --source "$W/core" \
	    --iomem "$W/iomem" --json "$W/mem.lime"
	assert_equal "$(jq -c .bad_ranges <<<"$output")" '[{"offset":1572864,"length":4096}]'
	assert_equal "$(jq -c '[.ranges[] | .unreadable]' <<<"$output")" '[0,4096,0]'
	check_lime "$W/mem.lime" "$RANGES" "180000-180fff"
	[[ "$stderr" == *"1 problem skipped (partial results)" ]]
}

@test "a /dev/mem-style source: offsets are physical addresses; a read error skips the page" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	# a flat file laid out like /dev/mem, from the synthetic core's bytes
	python3 - "$W/core" "$W/flat" <<'PY'
import struct, sys
core = open(sys.argv[1], "rb").read()
phnum = struct.unpack_from("<H", core, 56)[0]
with open(sys.argv[2], "wb") as out:
    for i in range(phnum):
        t, _, off, v, p, fs = struct.unpack_from("<IIQQQQ", core, 64 + 56 * i)
        if t == 1 and p != 2**64 - 1:
            out.seek(p)
            out.write(core[off:off + fs])
PY
	run -2 --separate-stderr with_faults "$W/flat" "0x200000+4096" \
	    spoor-acquire --memory --source "$W/flat" --iomem "$W/iomem" --json "$W/mem.lime"
	assert_equal "$(jq -r .source_kind <<<"$output")" mem
	assert_equal "$(jq -c .bad_ranges <<<"$output")" '[{"offset":2097152,"length":4096}]'
	check_lime "$W/mem.lime" "$RANGES" "200000-200fff"
}

@test "STRICT_DEVMEM (RAM past 1 MiB refused) is reported, no image written (status 77)" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	truncate -s 1100M "$W/flat"
	SPOOR_FAULT_ERRNO=1 run -77 --separate-stderr with_faults "$W/flat" "0x100000+0x40000000" \
	    spoor-acquire --memory --source "$W/flat" --iomem "$W/iomem" "$W/mem.lime"
	assert_equal "$stderr" "spoor-acquire: no physical memory source: '$W/flat': the kernel refuses RAM past the first MiB (STRICT_DEVMEM)"
	[ ! -e "$W/mem.lime" ]
}

@test "kernel lockdown (confidentiality) forbids every source (status 77), nothing written" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	echo "none integrity [confidentiality]" > "$W/lockdown"
	run -77 --separate-stderr spoor-acquire --memory --iomem "$W/iomem" \
	    --lockdown-file "$W/lockdown" "$W/mem.lime"
	assert_equal "$stderr" "spoor-acquire: no physical memory source: '/dev/crash': kernel lockdown (confidentiality) forbids reading it; '/proc/kcore': kernel lockdown (confidentiality) forbids reading it; '/dev/mem': kernel lockdown (confidentiality) forbids reading it"
	run -77 spoor-acquire --memory --source "$W/core" --iomem "$W/iomem" \
	    --lockdown-file "$W/lockdown" "$W/mem.lime"
	[ ! -e "$W/mem.lime" ] && [ ! -e "$W/mem.lime.log" ]
}

@test "lockdown integrity forbids /dev/mem-style sources but not a kcore; SPOOR_LOCKDOWN_FILE works alike" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	echo "none [integrity] confidentiality" > "$W/lockdown"
	truncate -s 1100M "$W/flat"
	SPOOR_LOCKDOWN_FILE=$W/lockdown run -77 --separate-stderr spoor-acquire --memory \
	    --source "$W/flat" --iomem "$W/iomem" "$W/mem.lime"
	assert_equal "$stderr" "spoor-acquire: no physical memory source: '$W/flat': kernel lockdown (integrity) forbids reading it"
	SPOOR_LOCKDOWN_FILE=$W/lockdown run -0 spoor-acquire --memory \
	    --source "$W/core" --iomem "$W/iomem" "$W/mem.lime"
	echo "[none] integrity confidentiality" > "$W/lockdown"
	run -0 spoor-acquire --memory --source "$W/flat" --iomem "$W/iomem" \
	    --lockdown-file "$W/lockdown" "$W/flat.lime"
}

@test "a missing source is status 66 naming it" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	run -66 --separate-stderr spoor-acquire --memory --source "$W/nope" --iomem "$W/iomem" "$W/mem.lime"
	assert_equal "$stderr" "spoor-acquire: no physical memory source: '$W/nope': No such file or directory"
	[ ! -e "$W/mem.lime" ]
}

@test "ranges hidden from an unprivileged reader (all zero) are status 77" {
	printf '00000000-00000000 : System RAM\n00000000-00000000 : Reserved\n' > "$W/iomem"
	run -77 --separate-stderr spoor-acquire --memory --source /dev/null --iomem "$W/iomem" "$W/mem.lime"
	assert_equal "$stderr" "spoor-acquire: memory ranges: the System RAM addresses read as 0 (only root may see them)"
}

@test "an iomem without System RAM is status 65" {
	printf '00000000-00000fff : Reserved\n' > "$W/iomem"
	run -65 --separate-stderr spoor-acquire --memory --source /dev/null --iomem "$W/iomem" "$W/mem.lime"
	assert_equal "$stderr" "spoor-acquire: memory ranges: no System RAM range"
}

@test "an existing output is not replaced (status 73)" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	echo keep > "$W/mem.lime"
	run -73 spoor-acquire --memory --source "$W/core" --iomem "$W/iomem" "$W/mem.lime"
	assert_equal "$(cat "$W/mem.lime")" keep
	run -0 spoor-acquire --force --memory --source "$W/core" --iomem "$W/iomem" "$W/mem.lime"
}

@test "-c: a lime source row with the per-range hashes" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	run -0 spoor-acquire -c "$W/case.db" --memory --source "$W/core" --iomem "$W/iomem" "$W/mem.lime"
	run -0 sqlite3 "$W/case.db" "SELECT kind, path, sha256, json_array_length(details, '\$.ranges') FROM sources"
	assert_output "lime|$W/mem.lime|$(sha256sum < "$W/mem.lime" | cut -d' ' -f1)|3"
}

@test "SIGINT: the LiME file ends where its data does, its last header fixed, marked incomplete (130)" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	so=$(faultread)
	# two reads of the ELF headers, then four of the ranges, half a second
	# each: the signal comes amid the second range
	SPOOR_FAULT_FILE=$W/core SPOOR_FAULT_DELAY_US=500000 LD_PRELOAD=$so \
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	    spoor-acquire --memory --source "$W/core" --iomem "$W/iomem" --json \
	    "$W/mem.lime" > "$W/out.json" 2> "$W/err" &
	pid=$!
	sleep 2.2
	kill -INT $pid
	status=0
	wait $pid || status=$?
	assert_equal "$status" 130
	assert_equal "$(jq -c '[.complete, .acquired > 0, .acquired < .size]' "$W/out.json")" \
	    '[false,true,true]'
	# the reader of spoor-info accepts it; its headers match its length
	run -0 spoor-info --json "$W/mem.lime"
	assert_equal "$(jq '.ranges[-1] | .offset + .size' <<<"$output")" \
	    "$(stat -c %s "$W/mem.lime")"
	assert_equal "$(jq -r .sha256 "$W/out.json")" "$(sha256sum < "$W/mem.lime" | cut -d' ' -f1)"
	grep -q 'INCOMPLETE' "$W/mem.lime.log"
}

@test "spoor-info: a LiME image's ranges (start, end, size, offset) and gaps, text and JSON" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	run -0 spoor-acquire --memory --source "$W/core" --iomem "$W/iomem" "$W/mem.lime"
	run -0 spoor-info "$W/mem.lime"
	assert_output "evidence: $W/mem.lime
format: lime (memory image)
size: 3797088 bytes
ranges: 3
  start              end                        size       offset
  0x0000000000001000 0x000000000009ffff       651264           32
  0x0000000000100000 0x00000000002fffff      2097152       651328
  0x0000000040000000 0x00000000400fffff      1048576      2748512
gaps:
  0x00000000000a0000 0x00000000000fffff       393216
  0x0000000000300000 0x000000003fffffff   1070596096"
	run -0 spoor-info --json "$W/mem.lime"
	assert_equal "$(jq -c '[.kind, .size, [.ranges[] | [.start, .end, .size, .offset]], [.gaps[] | [.start, .end, .size]]]' <<<"$output")" \
	    '["lime",3797088,[[4096,655359,651264,32],[1048576,3145727,2097152,651328],[1073741824,1074790399,1048576,2748512]],[[655360,1048575,393216],[3145728,1073741823,1070596096]]]'
}

@test "spoor-info: a corrupt LiME header is status 65" {
	"$REPO/tests/fixtures/mkcore" "$W/core" "$W/iomem"
	run -0 spoor-acquire --memory --source "$W/core" --iomem "$W/iomem" "$W/mem.lime"
	# the second header's version becomes 2
	printf '\002' | dd of="$W/mem.lime" bs=1 seek=$((651328 - 32 + 4)) conv=notrunc status=none
	run -65 --separate-stderr spoor-info "$W/mem.lime"
	[[ "$stderr" == "spoor-info: '$W/mem.lime': "* ]]
}
