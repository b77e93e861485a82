#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline --artifact utmp on login records written by other
# architectures: aarch64's 400-byte records with a 64-bit ut_session and
# ut_tv, and big-endian hosts' 384- and 400-byte records.  Each file is
# built here with perl pack, and the same records written in the x86-64
# layout are read by util-linux utmpdump, which is the oracle of what the
# records say.  A file that fits no layout is refused with a problem, never
# decoded into events dated 1970.

load helpers/common

setup() {
	DB=$BATS_TEST_TMPDIR/case.db
}

# One struct utmp on stdout in a layout:
# rec LAYOUT TYPE PID LINE ID USER HOST SEC USEC [IPV4 [SESSION]]
# LAYOUT: x86 (384 bytes, little-endian, 32-bit time), le64 (400 bytes,
# aarch64), be32 (384 bytes, big-endian), be64 (400 bytes, big-endian)
rec() {
	perl -e '
		my ($layout, $type, $pid, $line, $id, $user, $host, $sec, $usec,
		    $ip, $ses) = @ARGV;
		$ses = 0 unless defined $ses && $ses ne "";
		my $addr = defined $ip && $ip ne "" ?
		    pack("C4", split(/\./, $ip)) . ("\0" x 12) : "\0" x 16;
		my %fmt = (
		    x86  => "s< x2 l< a32 a4 a32 a256 s< s< l< l< l< a16 x20",
		    be32 => "s> x2 l> a32 a4 a32 a256 s> s> l> l> l> a16 x20",
		    le64 => "s< x2 l< a32 a4 a32 a256 s< s< q< q< q< a16 x20 x4",
		    be64 => "s> x2 l> a32 a4 a32 a256 s> s> q> q> q> a16 x20 x4",
		);
		print pack($fmt{$layout}, $type, $pid, $line, $id, $user,
		    $host, 0, 0, $ses, $sec, $usec, $addr);
	' -- "$@"
}

# A day of a server in LAYOUT: a boot, a runlevel, two SSH logins and
# their logouts, a failed login's LOGIN_PROCESS, a shutdown.
day() {
	local l=$1
	rec "$l" 2 0 '~' '~~' reboot 6.1.0-18-arm64 1710400000 125000
	rec "$l" 1 20019 '~' '~~' runlevel 6.1.0-18-arm64 1710400003 0
	rec "$l" 6 812 tty1 tty1 LOGIN '' 1710400004 0
	rec "$l" 7 4242 pts/0 ts/0 deploy 198.51.100.7 1710407523 431000 198.51.100.7 4242
	rec "$l" 7 4310 pts/1 ts/1 root 203.0.113.66 1710414161 7 203.0.113.66 4310
	rec "$l" 8 4310 pts/1 ts/1 '' '' 1710414500 999999
	rec "$l" 8 4242 pts/0 ts/0 '' '' 1710416000 0
	rec "$l" 1 0 '~' '~~' shutdown 6.1.0-18-arm64 1710420000 0
}

# utmpdump's records as "type|pid|id|user|line|host|address|time".
utmpdump_records() {
	utmpdump "$1" 2>/dev/null | sed -e 's/^\[//' -e 's/\]$//' |
	    awk -F'\\] \\[' -v OFS='|' '{
		for (i = 1; i <= NF; i++) sub(/ +$/, "", $i)
		$2 = $2 + 0
		print
	}'
}

# The case's events in the same form (a paired logout carries the
# login's user, which utmpdump's DEAD_PROCESS record has not).
event_records() {
	sqlite3 "$DB" "SELECT CASE json_extract(extra, '\$.type')
	    WHEN 'EMPTY' THEN 0 WHEN 'RUN_LVL' THEN 1 WHEN 'BOOT_TIME' THEN 2
	    WHEN 'NEW_TIME' THEN 3 WHEN 'OLD_TIME' THEN 4
	    WHEN 'INIT_PROCESS' THEN 5 WHEN 'LOGIN_PROCESS' THEN 6
	    WHEN 'USER_PROCESS' THEN 7 WHEN 'DEAD_PROCESS' THEN 8
	    WHEN 'ACCOUNTING' THEN 9 END,
	    coalesce(pid, 0),
	    coalesce(json_extract(extra, '\$.id'), ''),
	    CASE WHEN json_extract(extra, '\$.login_time') IS NULL
	        THEN coalesce(user, '') ELSE '' END,
	    coalesce(json_extract(extra, '\$.line'), ''),
	    coalesce(json_extract(extra, '\$.host'), ''),
	    coalesce(json_extract(extra, '\$.address'), '0.0.0.0'),
	    strftime('%Y-%m-%dT%H:%M:%S', time_ns / 1000000000, 'unixepoch')
	        || ',' || printf('%06d', time_ns / 1000 % 1000000) || '+00:00'
	    FROM events ORDER BY origin_offset"
}

# Load the day written in LAYOUT as wtmp and compare it with utmpdump's
# reading of the same day in the x86-64 layout.
same_as_utmpdump() {
	local l=$1 size=$2
	day x86 > "$BATS_TEST_TMPDIR/x86.wtmp"
	day "$l" > "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(stat -c %s "$BATS_TEST_TMPDIR/wtmp")" $((8 * size))
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM problems')" 0
	expected=$(utmpdump_records "$BATS_TEST_TMPDIR/x86.wtmp")
	assert_equal "$(echo "$expected" | wc -l)" 8
	assert_equal "$(event_records)" "$expected"
	# the records sit at their offsets, and say how they were read
	assert_equal "$(sqlite3 "$DB" "SELECT group_concat(origin_offset, ' ')
	    FROM (SELECT origin_offset FROM events ORDER BY origin_offset)")" \
	    "$(seq -s ' ' 0 "$size" $((7 * size)))"
	assert_equal "$(sqlite3 "$DB" "SELECT DISTINCT json_extract(extra, '\$.layout') FROM events")" "$l"
}

@test "aarch64 wtmp (400-byte records, 64-bit time) reads as utmpdump reads the same records of x86-64" {
	same_as_utmpdump le64 400
}

@test "big-endian wtmp of 384-byte records (mips, ppc) reads as utmpdump reads the same records of x86-64" {
	same_as_utmpdump be32 384
}

@test "big-endian wtmp of 400-byte records (s390x, ppc64) reads as utmpdump reads the same records of x86-64" {
	same_as_utmpdump be64 400
}

@test "aarch64 wtmp: no event dated 1970, the sessions and their lengths as on x86-64" {
	day le64 > "$BATS_TEST_TMPDIR/wtmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE time_ns < 946684800000000000")" 0
	run -0 sqlite3 "$DB" "SELECT time_desc, user, tty, session,
	    json_extract(extra, '\$.duration_s') FROM events ORDER BY origin_offset"
	assert_output "boot|reboot|||
runlevel|runlevel|||
entry|LOGIN|tty1||
login|deploy|pts/0|4242|
login|root|pts/1|4310|
logout|root|pts/1||339
logout|deploy|pts/0||8476
shutdown|shutdown|||"
}

@test "aarch64 btmp: failed logins at their microsecond" {
	{
		rec le64 6 900 ssh:notty '' admin 192.0.2.9 1710412000 250000 192.0.2.9
		rec le64 6 901 ssh:notty '' oracle 192.0.2.9 1710412002 500000 192.0.2.9
	} > "$BATS_TEST_TMPDIR/btmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/btmp"
	run -0 sqlite3 "$DB" "SELECT artifact, time_desc, user,
	    strftime('%Y-%m-%dT%H:%M:%S', time_ns / 1000000000, 'unixepoch'),
	    time_ns / 1000 % 1000000, json_extract(extra, '\$.address')
	    FROM events ORDER BY origin_offset"
	assert_output "btmp|login_failed|admin|2024-03-14T10:26:40|250000|192.0.2.9
btmp|login_failed|oracle|2024-03-14T10:26:42|500000|192.0.2.9"
}

@test "aarch64 wtmp longer than the bytes sniffed: every one of 300 records read, in order" {
	for i in $(seq 0 299); do
		rec le64 7 $((1000 + i)) "pts/$((i % 50))" "$i" "user$i" host $((1710400000 + i)) "$i"
	done > "$BATS_TEST_TMPDIR/wtmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 300
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM events
	    WHERE user = 'user' || (origin_offset / 400)
	    AND pid = 1000 + origin_offset / 400
	    AND time_ns = (1710400000 + origin_offset / 400) * 1000000000
	        + (origin_offset / 400) * 1000")" 300
}

@test "x86-64 wtmp longer than the bytes sniffed: every one of 300 records read, as utmpdump" {
	for i in $(seq 0 299); do
		rec x86 7 $((1000 + i)) "pts/$((i % 50))" "$i" "user$i" host $((1710400000 + i)) "$i"
	done > "$BATS_TEST_TMPDIR/wtmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 300
	assert_equal "$(event_records | grep -c .)" 300
	assert_equal "$(event_records | cut -d'|' -f1,2,4,5,8 | md5sum)" \
	    "$(utmpdump_records "$BATS_TEST_TMPDIR/wtmp" | cut -d'|' -f1,2,4,5,8 | md5sum)"
}

@test "aarch64 wtmp with a corrupt record and a partial one: problems at their offsets, the rest read" {
	{
		rec le64 7 100 pts/0 ts/0 alice host-a 1710400000 0
		head -c 400 /dev/zero | tr '\0' 'A'
		rec le64 7 101 pts/1 ts/1 bob host-b 1710400001 0
		rec le64 7 102 pts/2 ts/2 carol host-c 1710400002 0
		printf 'a partial record'
	} > "$BATS_TEST_TMPDIR/wtmp"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	run -0 sqlite3 "$DB" "SELECT message FROM problems ORDER BY id"
	assert_output "offset 400: unknown record type 16705
offset 1600: partial record of 16 bytes at the end"
	run -0 sqlite3 "$DB" "SELECT origin_offset, user,
	    strftime('%Y-%m-%dT%H:%M:%S', time_ns / 1000000000, 'unixepoch')
	    FROM events ORDER BY origin_offset"
	assert_output "0|alice|2024-03-14T07:06:40
800|bob|2024-03-14T07:06:41
1200|carol|2024-03-14T07:06:42"
}

@test "records whose times are 1970 under every layout are refused with a problem, not emitted" {
	{
		rec x86 7 100 pts/0 ts/0 alice host-a 5 0
		rec x86 8 100 pts/0 ts/0 '' '' 60 0
	} > "$BATS_TEST_TMPDIR/wtmp"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(sqlite3 "$DB" 'SELECT count(*) FROM events')" 0
	run -0 sqlite3 "$DB" "SELECT message FROM problems"
	assert_output "no known utmp layout: under neither 384- nor 400-byte records, little- or big-endian, do the records have a known type, a possible pid and a plausible time; not decoded"
}

@test "x86-64 records keep their extra without a layout field, as before" {
	rec x86 7 100 pts/0 ts/0 alice host-a 1710400000 0 > "$BATS_TEST_TMPDIR/wtmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(sqlite3 "$DB" "SELECT json_extract(extra, '\$.layout') IS NULL FROM events")" 1
}

@test "a wtmp of zeroed records is read as EMPTY records, not refused" {
	head -c 1152 /dev/zero > "$BATS_TEST_TMPDIR/wtmp"
	run -0 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE json_extract(extra, '\$.type') = 'EMPTY'")" 3
}

@test "aarch64 wtmp: a record whose 64-bit time is past 2100 is a problem at its offset, its logout no overflow" {
	{
		rec le64 7 100 pts/0 ts/0 alice host-a 1710400000 0
		rec le64 7 101 pts/1 ts/1 bob host-b 9223372036854775807 0
		rec le64 7 102 pts/1 ts/1 bob host-b 1710400001 0
		rec le64 8 102 pts/1 ts/1 '' '' 1710400061 0
	} > "$BATS_TEST_TMPDIR/wtmp"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact utmp "$BATS_TEST_TMPDIR/wtmp"
	run -0 sqlite3 "$DB" "SELECT message FROM problems"
	assert_output "offset 400: implausible time 9223372036854775807; record skipped"
	run -0 sqlite3 "$DB" "SELECT origin_offset, time_desc, user, ifnull(json_extract(extra, '\$.duration_s'), '-') FROM events ORDER BY origin_offset"
	assert_output "0|login|alice|-
800|login|bob|-
1200|logout|bob|60"
}

# A lastlog of uids 0..N on stdout: LAYOUT (x86: 292 bytes, 32-bit time;
# le64: 296 bytes, aarch64's 64-bit time; be32: 292 bytes big-endian)
# then TIME:LINE:HOST per uid ("" for a uid that never logged in).
lastlog_file() {
	perl -e '
		my $layout = shift;
		my %fmt = (x86 => "l< a32 a256", le64 => "q< a32 a256",
		    be32 => "l> a32 a256");
		for my $r (@ARGV) {
			my ($t, $line, $host) = split(/:/, $r, 3);
			print pack($fmt{$layout}, $t || 0, $line // "", $host // "");
		}' "$@"
}

@test "lastlog of aarch64 (296-byte records, 64-bit time) and big-endian: the same logins as x86-64's" {
	users="1710400000:pts/0:198.51.100.7 : : 1710403600:tty1: 1710407200:pts/3:203.0.113.66"
	for layout in x86 le64 be32; do
		# shellcheck disable=SC2086
		lastlog_file "$layout" $users >"$BATS_TEST_TMPDIR/lastlog.$layout"
	done
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/lastlog.le64")" -eq $((5 * 296)) ]
	for layout in x86 le64 be32; do
		rm -f "$DB"
		run -0 --separate-stderr spoor-timeline -c "$DB" --artifact lastlog "$BATS_TEST_TMPDIR/lastlog.$layout"
		run -0 sqlite3 "$DB" "SELECT time_ns / 1000000000, json_extract(extra, '\$.uid'),
		    ifnull(json_extract(extra, '\$.line'), '-'), ifnull(json_extract(extra, '\$.host'), '-')
		    FROM events ORDER BY origin_offset"
		assert_output "1710400000|0|pts/0|198.51.100.7
1710403600|3|tty1|-
1710407200|4|pts/3|203.0.113.66"
	done
	# no event dated 1970 or past 2100 whatever the layout
	run -0 sqlite3 "$DB" "SELECT count(*) FROM events WHERE time_ns < 315532800000000000"
	assert_output 0
}

@test "a lastlog no layout fits is one problem, no events" {
	head -c 2960 /dev/urandom >"$BATS_TEST_TMPDIR/lastlog"
	run -2 --separate-stderr spoor-timeline -c "$DB" --artifact lastlog "$BATS_TEST_TMPDIR/lastlog"
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM events")" 0
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM problems WHERE message LIKE '%no lastlog layout%'")" 1
}
