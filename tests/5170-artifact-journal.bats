#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline --artifact journal: systemd journal files read with
# libsystemd, checked against journalctl (systemd 252) on the same bytes
# and the figures Velociraptor's tests state for the shared journals.

load helpers/common

JOURNALS=$TESTDATA/logs/journal

setup() {
	DB=$BATS_TEST_TMPDIR/case.db
}

# mkjournal OUT: a small journal file (uncompressed, not keyed, state
# ARCHIVED) from entries on stdin, one a line: REALTIME_USEC, then
# FIELD=VALUE items, tab-separated; VALUE may hold \xNN escapes, so NUL
# and invalid UTF-8 can be written.  Its hashes are not systemd's (reading
# does not check them; journalctl --verify does).
mkjournal() {
	local script
	script=$(cat <<'PY'
import hashlib, struct, sys
out = sys.argv[1]
entries = []
for line in sys.stdin.buffer.read().split(b"\n"):
    if line:
        parts = line.split(b"\t")
        fields = [p.decode("unicode_escape").encode("latin-1")
                  for p in parts[1:]]
        entries.append((int(parts[0]), fields))
H = 256
buf = bytearray(H)
def obj(kind, body):
    buf.extend(b"\0" * (-len(buf) % 8))
    off = len(buf)
    buf.extend(struct.pack("<BB6xQ", kind, 0, 16 + len(body)) + body)
    return off
def hash_of(p):
    return struct.unpack("<Q", hashlib.sha256(p).digest()[:8])[0] | 1
fht = obj(5, b"\0" * 64)
dht = obj(4, b"\0" * 64)
nobj, data, eoffs = 2, {}, []
boot = bytes.fromhex("0123456789abcdef0123456789abcdef")
for seq, (rt, fields) in enumerate(entries, 1):
    items = []
    for f in fields:
        if f not in data:
            h = hash_of(f)
            data[f] = [obj(1, struct.pack("<6Q", h, 0, 0, 0, 0, 0) + f), h, seq]
            nobj += 1
        items.append(data[f])
    xor = 0
    for o, h, _ in items:
        xor ^= h
    body = struct.pack("<QQQ16sQ", seq, rt, 1000 + seq, boot, xor)
    body += b"".join(struct.pack("<QQ", o, h) for o, h, _ in items)
    eoffs.append(obj(3, body))
    nobj += 1
for o, h, seq in data.values():
    struct.pack_into("<QQ", buf, o + 40, eoffs[seq - 1], 0)
    struct.pack_into("<Q", buf, o + 56, 1)
ea = obj(6, struct.pack("<Q", 0) + b"".join(struct.pack("<Q", e) for e in eoffs))
nobj += 1
buf.extend(b"\0" * (-len(buf) % 8))
n = len(entries)
hdr = bytearray(H)
hdr[0:8] = b"LPKSHHRH"
struct.pack_into("<IIB", hdr, 8, 0, 0, 2)
hdr[24:40] = hdr[72:88] = b"\x11" * 16
hdr[40:56] = b"\x22" * 16
hdr[56:72] = boot
struct.pack_into("<20Q", hdr, 88, H, len(buf) - H, dht + 16, 64, fht + 16,
    64, ea, nobj, n, n, 1 if n else 0, ea, entries[0][0] if n else 0,
    entries[-1][0] if n else 0, 1000 + n, len(data), 0, 0, 1, 0)
buf[0:H] = hdr
open(out, "wb").write(buf)
PY
)
	python3 -c "$script" "$1"
}

# The events of the case, one a line: time_ns|message|pid|comm.
events() {
	sqlite3 "$DB" "SELECT time_ns, message, pid, json_extract(extra, '\$.comm')
	    FROM events WHERE artifact = 'journal' ORDER BY id"
}

# The same from journalctl on file: __REALTIME_TIMESTAMP in ns.
journal_events() {
	journalctl --file "$1" -o json --all --no-pager |
	    jq -r '[(.__REALTIME_TIMESTAMP + "000"), (.MESSAGE // ""),
	    (._PID // ""), (._COMM // "")] | join("|")'
}

@test "2404.journal: every entry as journalctl reads it, the zstd MESSAGE of 5000 X included" {
	need "$JOURNALS/2404.journal.gz"
	gunzip -c "$JOURNALS/2404.journal.gz" > "$BATS_TEST_TMPDIR/2404.journal"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/2404.journal"
	assert_equal "$stderr" ""
	expected=$(journal_events "$BATS_TEST_TMPDIR/2404.journal")
	assert_equal "$(echo "$expected" | wc -l)" 3
	assert_equal "$(events)" "$expected"
	# Velociraptor: Seq 3 at 2026-06-07T14:44:55.635693Z, MESSAGE 5000 x "X"
	x5000=$(printf 'X%.0s' $(seq 5000))
	assert_equal "$(sqlite3 "$DB" "SELECT time_ns, message FROM events WHERE json_extract(extra, '\$.seqnum') = 3")" \
	    "$(( $(date -u -d 2026-06-07T14:44:55Z +%s) * 1000000000 + 635693000 ))|$x5000"
}

@test "2404.journal: host, pid, exe, time_desc and typed fields of an entry" {
	gunzip -c "$JOURNALS/2404.journal.gz" > "$BATS_TEST_TMPDIR/2404.journal"
	run -0 spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/2404.journal"
	run -0 sqlite3 "$DB" "SELECT artifact, time_desc, host, user IS NULL, pid, exe, message,
	    origin_line IS NULL, origin_offset IS NULL, extra FROM events ORDER BY id LIMIT 1"
	assert_output 'journal|entry|dd19d3f1f1a9|1|3352|/usr/lib/systemd/systemd-journald|Journal started|1|1|{"comm":"systemd-journal","syslog_identifier":"systemd-journald","priority":6,"uid":0,"boot_id":"1621aee481fa42ad9693fe91a054f095","seqnum":1}'
}

@test "a .journal.gz given with --artifact journal is read through gzip" {
	run -0 spoor-timeline -c "$DB" --artifact journal "$JOURNALS/2404.journal.gz"
	gunzip -c "$JOURNALS/2404.journal.gz" > "$BATS_TEST_TMPDIR/2404.journal"
	assert_equal "$(events)" "$(journal_events "$BATS_TEST_TMPDIR/2404.journal")"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM problems')" 0
}

@test "system.journal (truncated): the one entry Velociraptor recovers, status 2" {
	need "$JOURNALS/system.journal"
	# journalctl refuses the file as it is
	run -1 --separate-stderr journalctl --file "$JOURNALS/system.journal" -o json --no-pager
	assert_equal "$stderr" "Failed to open files: No data available"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact journal "$JOURNALS/system.journal"
	run -0 sqlite3 "$DB" "SELECT time_ns, message, host, pid, json_extract(extra, '\$.comm'),
	    json_extract(extra, '\$.boot_id'), json_extract(extra, '\$.about_unit'),
	    json_extract(extra, '\$.priority'), json_extract(extra, '\$.seqnum') FROM events"
	assert_output "$(( $(date -u -d 2023-05-09T01:31:12Z +%s) * 1000000000 + 435195000 ))|session-717.scope: Consumed 5.643s CPU time.|devbox|1|systemd|25557887eed141e0ad99932789c02184|session-717.scope|6|19161"
	assert_equal "$(sqlite3 "$DB" 'SELECT message FROM problems')" \
	    "journal truncated: 153600 of 5099520 bytes; entries past the cut are lost"
	assert_equal "$(sqlite3 "$DB" 'SELECT state FROM runs')" partial
	# journalctl agrees once a copy is padded to the size its header states
	cp "$JOURNALS/system.journal" "$BATS_TEST_TMPDIR/padded.journal"
	chmod u+w "$BATS_TEST_TMPDIR/padded.journal"
	truncate -s 5099520 "$BATS_TEST_TMPDIR/padded.journal"
	assert_equal "$(events)" "$(journal_events "$BATS_TEST_TMPDIR/padded.journal")"
}

@test "the evidence file is left as it was" {
	gunzip -c "$JOURNALS/2404.journal.gz" | head -c 3742000 > "$BATS_TEST_TMPDIR/cut.journal"
	sum=$(sha256sum < "$BATS_TEST_TMPDIR/cut.journal")
	run -2 spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/cut.journal"
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/cut.journal")" 3742000
	assert_equal "$(sha256sum < "$BATS_TEST_TMPDIR/cut.journal")" "$sum"
}

@test "a journal cut anywhere: the entries before the cut, as journalctl reads them, status 2" {
	gunzip -c "$JOURNALS/2404.journal.gz" > "$BATS_TEST_TMPDIR/2404.journal"
	# the three entries end between 3736792 and 3742000
	for n in 3737000 3740000 3742000 100000 4096 300; do
		rm -f "$DB" "$DB"-*
		head -c $n "$BATS_TEST_TMPDIR/2404.journal" > "$BATS_TEST_TMPDIR/cut.journal"
		run -2 --separate-stderr spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/cut.journal"
		assert_equal "$(sqlite3 "$DB" 'SELECT message FROM problems')" \
		    "journal truncated: $n of 8388608 bytes; entries past the cut are lost"
		truncate -s 8388608 "$BATS_TEST_TMPDIR/cut.journal"
		assert_equal "$(events)" "$(journal_events "$BATS_TEST_TMPDIR/cut.journal")"
	done
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 0
}

@test "a cut inside the header, empty files and garbage are problems, not crashes: status 2" {
	gunzip -c "$JOURNALS/2404.journal.gz" | head -c 100 > "$BATS_TEST_TMPDIR/a"
	: > "$BATS_TEST_TMPDIR/b"
	printf 'not a journal\0\377\376\n' > "$BATS_TEST_TMPDIR/c"
	head -c 10485760 /dev/zero | tr '\0' 'a' > "$BATS_TEST_TMPDIR/d"
	{ printf 'LPKSHHRH'; head -c 5000 /dev/zero | tr '\0' '\377'; } > "$BATS_TEST_TMPDIR/e"
	problems=
	for f in a b c d e; do
		rm -f "$DB" "$DB"-*
		run -2 --separate-stderr spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/$f"
		assert_equal "$stderr" "spoor-timeline: 1 problem skipped (partial results); see the case's problems table"
		assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 0
		assert_equal "$(sqlite3 "$DB" 'SELECT subject FROM problems')" "$BATS_TEST_TMPDIR/$f"
		problems="$problems$(sqlite3 "$DB" 'SELECT message FROM problems')|"
	done
	assert_equal "$problems" "not a readable journal: No data available|not a readable journal: No data available|not a readable journal: No data available|not a readable journal: Bad message|not a readable journal: Protocol not supported|"
}

@test "NUL bytes and invalid UTF-8 in MESSAGE are kept (NUL as U+FFFD) and exported as valid JSON" {
	printf '1773484983000000\tMESSAGE=bin\\x00ary\\xff\\xfeend\t_PID=1\n' |
	    mkjournal "$BATS_TEST_TMPDIR/bin.journal"
	run -0 spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/bin.journal"
	# journalctl shows the same bytes, as an array
	assert_equal "$(journalctl --file "$BATS_TEST_TMPDIR/bin.journal" -o json --no-pager | jq -c .MESSAGE)" \
	    "[98,105,110,0,97,114,121,255,254,101,110,100]"
	assert_equal "$(sqlite3 "$DB" 'SELECT hex(message) FROM events')" 62696EEFBFBD617279FFFE656E64
	run -0 spoor-export -c "$DB" --jsonl
	echo "$output" | jq -e . > /dev/null || fail "not JSON: $output"
}

@test "a 10 MB MESSAGE is cut at 64 KiB and the next entry is kept" {
	python3 -c 'import sys; sys.stdout.write("1773484982000000\tMESSAGE=" + "A" * 10485760 + "\t_PID=5\n1773484983000000\tMESSAGE=after\t_PID=6\n")' |
	    mkjournal "$BATS_TEST_TMPDIR/big.journal"
	run -0 spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/big.journal"
	assert_equal "$(sqlite3 "$DB" 'SELECT length(message), pid FROM events ORDER BY id')" "65536|5
5|6"
	assert_equal "$(journal_events "$BATS_TEST_TMPDIR/big.journal" | cut -c1-40 | tail -n 1)" "1773484983000000000|after|6|"
}

@test "an entry without MESSAGE, host or pid gives an empty message, the entry's boot id and NULLs" {
	printf '1773484984000000\tSYSLOG_IDENTIFIER=nomsg\n' | mkjournal "$BATS_TEST_TMPDIR/n.journal"
	run -0 spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/n.journal"
	assert_equal "$(sqlite3 "$DB" 'SELECT time_ns, quote(message), quote(host), quote(pid), quote(exe), extra FROM events')" \
	    "1773484984000000000|''|NULL|NULL|NULL|{\"syslog_identifier\":\"nomsg\",\"boot_id\":\"0123456789abcdef0123456789abcdef\",\"seqnum\":1}"
	assert_equal "$(journalctl --file "$BATS_TEST_TMPDIR/n.journal" -o json --no-pager | jq -r ._BOOT_ID)" \
	    0123456789abcdef0123456789abcdef
}

@test "a corrupt entry is skipped and counted as a problem, the others kept as journalctl reads them" {
	printf '1773484982000000\tMESSAGE=one\t_PID=1\n1773484983000000\tMESSAGE=two\t_PID=2\n1773484984000000\tMESSAGE=three\t_PID=3\n' |
	    mkjournal "$BATS_TEST_TMPDIR/c.journal"
	# the second entry object gets an unknown object type
	python3 - "$BATS_TEST_TMPDIR/c.journal" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
ea = struct.unpack_from("<Q", b, 176)[0]
b[struct.unpack_from("<Q", b, ea + 32)[0]] = 0x7f
open(sys.argv[1], "wb").write(b)
PY
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/c.journal"
	assert_equal "$(sqlite3 "$DB" 'SELECT message FROM events ORDER BY id' | tr '\n' ' ')" "one three "
	assert_equal "$(events)" "$(journal_events "$BATS_TEST_TMPDIR/c.journal")"
	assert_equal "$(sqlite3 "$DB" 'SELECT message FROM problems')" \
	    "1 of the 3 entries the header counts could not be read"
}

@test "a journal on stdin is copied and read" {
	gunzip -c "$JOURNALS/2404.journal.gz" > "$BATS_TEST_TMPDIR/2404.journal"
	run -0 spoor-timeline -c "$DB" --artifact journal - < "$BATS_TEST_TMPDIR/2404.journal"
	assert_equal "$(events)" "$(journal_events "$BATS_TEST_TMPDIR/2404.journal")"
}

@test "the scenario's web01 keeps no journal: no journal event, no journal problem" {
	need "$SCENARIO/web01.E01"
	run spoor-timeline -c "$DB" "$SCENARIO/web01.E01"
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE artifact = 'journal'")" 0
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM problems WHERE message LIKE '%journal%'")" 0
	run -0 spoor-ls -r "$SCENARIO/web01.E01"
	refute_output --partial '.journal'
}

@test "boot_id, session and auid are journalctl's _BOOT_ID, _AUDIT_SESSION and _AUDIT_LOGINUID" {
	need "$JOURNALS/2404.journal.gz" "$JOURNALS/system.journal"
	gunzip -c "$JOURNALS/2404.journal.gz" > "$BATS_TEST_TMPDIR/2404.journal"
	cp "$JOURNALS/system.journal" "$BATS_TEST_TMPDIR/padded.journal"
	chmod u+w "$BATS_TEST_TMPDIR/padded.journal"
	truncate -s 5099520 "$BATS_TEST_TMPDIR/padded.journal"
	for f in 2404.journal padded.journal; do
		rm -f "$DB" "$DB"-*
		run spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/$f"
		[ "$status" -le 2 ]
		expected=$(journalctl --file "$BATS_TEST_TMPDIR/$f" -o json --all --no-pager |
		    jq -r '[(._BOOT_ID // ""), (._AUDIT_SESSION // ""), (._AUDIT_LOGINUID // "")] | join("|")')
		[ -n "$expected" ]
		assert_equal "$(sqlite3 "$DB" "SELECT coalesce(boot_id, ''), coalesce(session, ''),
		    coalesce(auid, '') FROM events WHERE artifact = 'journal' ORDER BY id")" "$expected"
	done
}

@test "a header claiming gigabytes past a few kilobytes is not padded for libsystemd: quick, small, status 2" {
	gunzip -c "$JOURNALS/2404.journal.gz" | head -c 8192 >"$BATS_TEST_TMPDIR/hostile.journal"
	# arena_size (offset 96) claims 4 GiB
	printf '\000\000\000\000\001\000\000\000' |
	    dd of="$BATS_TEST_TMPDIR/hostile.journal" bs=1 seek=96 conv=notrunc 2>/dev/null
	/usr/bin/time -f '%e %M' -o "$BATS_TEST_TMPDIR/time" \
	    spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/hostile.journal" \
	    >/dev/null 2>&1 || st=$?
	[ "${st:-0}" -eq 2 ]
	read -r secs kb < <(tail -n 1 "$BATS_TEST_TMPDIR/time")
	awk -v s="$secs" 'BEGIN { exit !(s < 5) }' || fail "$secs s"
	[ "$kb" -lt $((200 * 1024)) ] || fail "$kb KB"
	run -0 sqlite3 "$DB" 'SELECT message FROM problems'
	assert_output --regexp '^journal truncated: 8192 of [0-9]+ bytes, more than 256 MiB missing: a damaged or hostile header; not read$'
}

@test "a field libsystemd cannot read (an LZ4 object claiming 4 GiB) is a problem naming the entry, status 2; journalctl stops there, spoor keeps the entry without it" {
	printf '1773484982000000\tMESSAGE=one\t_PID=1\t_COMM=first\n1773484983000000\tMESSAGE=two\t_PID=2\t_COMM=second-entry-comm\n' |
	    mkjournal "$BATS_TEST_TMPDIR/z.journal"
	# the second entry's _COMM object becomes LZ4-compressed (object flag
	# 2, header incompatible flag 2) whose size prefix claims 4 GiB and
	# whose one literal run is "_COMM=": the name matches, the value
	# cannot be inflated
	python3 - "$BATS_TEST_TMPDIR/z.journal" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
old = b"_COMM=second-entry-comm"
p = b.index(old)
o = p - 64                       # the DATA object's header
assert b[o] == 1
b[o + 1] = 2
blob = struct.pack("<Q", 1 << 32) + bytes([0x60]) + b"_COMM="
b[p:p + len(old)] = blob + b"\0" * (len(old) - len(blob))
struct.pack_into("<I", b, 12, 2)
open(sys.argv[1], "wb").write(b)
PY
	run -1 --separate-stderr journalctl --file "$BATS_TEST_TMPDIR/z.journal" -o json --no-pager
	assert_equal "$(echo "$output" | wc -l)" 1
	assert_equal "$stderr" "Failed to get journal fields: File too large"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact journal "$BATS_TEST_TMPDIR/z.journal"
	run -0 sqlite3 "$DB" 'SELECT message FROM problems'
	assert_output --regexp '^entry 2: field _COMM cannot be read: (Cannot allocate memory|Bad message|File too large); the entry is kept without it$'
	# the first entry as journalctl reads it; the second without _COMM
	assert_equal "$(events | head -n 1)" "$(journal_events "$BATS_TEST_TMPDIR/z.journal" 2>/dev/null || true)"
	assert_equal "$(events | tail -n 1)" "1773484983000000000|two|2|"
}
