#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Local times without a zone (classic syslog, dpkg.log, apt's history.log)
# are read in the zone of the host they come from: its /etc/localtime
# (TZif content, or the zone its link names) or /etc/timezone, with the
# zone's daylight saving rules; --tz overrides.  Checked against date(1)
# with TZ set, on hosts built as directory trees.

load helpers/common

setup() {
	db=$BATS_TEST_TMPDIR/case.db
	H=$BATS_TEST_TMPDIR/host
	mkdir -p "$H/etc" "$H/var/log/apt"
	printf 'Mar 14 10:42:17 web01 sshd[811]: Server listening on :: port 22.\nJul  4 12:00:00 web01 cron[9]: (root) CMD (true)\n' >"$H/var/log/syslog"
	touch -d 2026-12-01T00:00:00Z "$H/var/log/syslog"
	printf '2026-07-04 12:00:00 install foo:amd64 <none> 1.0\n2041-01-15 08:30:00 install bar:amd64 <none> 2.0\n' >"$H/var/log/dpkg.log"
	printf '\nStart-Date: 2026-01-15  08:30:00\nCommandline: apt-get install foo\nInstall: foo:amd64 (1.0)\nEnd-Date: 2026-01-15  08:31:00\n' >"$H/var/log/apt/history.log"
}

q() {
	sqlite3 "$db" "$1"
}

# The UTC ISO time date(1) gives local time $2 in zone $1.
utc_of() {
	TZ=$1 date -u -d "$(TZ=$1 date -d "$2" +@%s)" +%Y-%m-%dT%H:%M:%SZ
}

# Every converted event as "artifact|UTC|local_time|zone".
converted() {
	q "SELECT artifact || '|' || strftime('%Y-%m-%dT%H:%M:%SZ', time_ns / 1000000000, 'unixepoch') || '|' ||
	    json_extract(extra, '\$.local_time') || '|' || json_extract(extra, '\$.zone')
	    FROM events WHERE json_extract(extra, '\$.zone') IS NOT NULL ORDER BY artifact, time_ns"
}

@test "syslog, dpkg and apt local times of a host whose /etc/localtime is TZif content of Europe/Berlin are read in that zone, summer and winter" {
	cp /usr/share/zoneinfo/Europe/Berlin "$H/etc/localtime"
	echo Europe/Berlin >"$H/etc/timezone"
	run -0 --separate-stderr spoor-timeline -c "$db" "$H"
	assert_equal "$(converted)" "apt_history|$(utc_of Europe/Berlin '2026-01-15 08:30:00')|2026-01-15  08:30:00|Europe/Berlin
cron|$(utc_of Europe/Berlin '2026-07-04 12:00:00')|Jul  4 12:00:00|Europe/Berlin
dpkg|$(utc_of Europe/Berlin '2026-07-04 12:00:00')|2026-07-04 12:00:00|Europe/Berlin
dpkg|$(utc_of Europe/Berlin '2041-01-15 08:30:00')|2041-01-15 08:30:00|Europe/Berlin
syslog|$(utc_of Europe/Berlin '2026-03-14 10:42:17')|Mar 14 10:42:17|Europe/Berlin"
	assert_equal "$(q "SELECT json_extract(details, '\$.zone') || ' ' || json_extract(details, '\$.zone_from') FROM sources")" \
	    "Europe/Berlin /etc/localtime"
	assert_equal "$(q "SELECT json_extract(extra, '\$.end') FROM events WHERE artifact = 'apt_history'")" \
	    "$(utc_of Europe/Berlin '2026-01-15 08:31:00')"
}

@test "a TZif with no transitions and only a POSIX footer (America/Sao_Paulo-like, southern summer) is read by its rule" {
	python3 - "$H/etc/localtime" <<-'E'
	import struct, sys
	hdr = lambda v: b"TZif" + v + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, 0, 1, 4)
	block = struct.pack(">lBB", -3 * 3600, 0, 0) + b"-03\0"
	footer = b"\n<-03>3<-02>,M10.1.0/0,M2.3.0/0\n"
	open(sys.argv[1], "wb").write(hdr(b"2") + block + hdr(b"2") + block + footer)
	E
	run -0 --separate-stderr spoor-timeline -c "$db" "$H"
	# January is summer (-02) in the rule, July winter (-03)
	assert_equal "$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', time_ns / 1000000000, 'unixepoch') FROM events WHERE artifact = 'dpkg' ORDER BY time_ns")" \
	    "2026-07-04T15:00:00Z
2041-01-15T10:30:00Z"
	assert_equal "$(q "SELECT DISTINCT json_extract(extra, '\$.zone') FROM events WHERE artifact = 'dpkg'")" \
	    "<-03>3<-02>,M10.1.0/0,M2.3.0/0"
}

@test "an /etc/localtime link to a zone the image lacks is read with this machine's rules for the zone it names" {
	ln -s /usr/share/zoneinfo/America/New_York "$H/etc/localtime"
	run -0 --separate-stderr spoor-timeline -c "$db" "$H"
	assert_equal "$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', time_ns / 1000000000, 'unixepoch') FROM events WHERE artifact IN ('syslog', 'cron') ORDER BY time_ns")" \
	    "$(utc_of America/New_York '2026-03-14 10:42:17')
$(utc_of America/New_York '2026-07-04 12:00:00')"
	assert_equal "$(q "SELECT json_extract(details, '\$.zone') || ' | ' || json_extract(details, '\$.zone_from') FROM sources")" \
	    "America/New_York | /etc/localtime (a link; the zone's rules from this machine)"
}

@test "/etc/timezone alone names the zone; a local time that happens twice when clocks go back takes the first and says so" {
	echo Europe/Berlin >"$H/etc/timezone"
	printf 'Oct 25 02:30:00 web01 a[1]: twice\nMar 29 02:30:00 web01 a[1]: never\n' >"$H/var/log/syslog"
	touch -d 2026-12-01T00:00:00Z "$H/var/log/syslog"
	run -0 --separate-stderr spoor-timeline -c "$db" "$H"
	assert_equal "$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', time_ns / 1000000000, 'unixepoch') || ' ' || json_extract(extra, '\$.local_time_fit') FROM events WHERE artifact = 'syslog' ORDER BY time_ns")" \
	    "2026-03-29T01:30:00Z gap
2026-10-25T00:30:00Z ambiguous"
	assert_equal "$(q "SELECT json_extract(details, '\$.zone_from') FROM sources")" \
	    "/etc/timezone (the zone's rules from this machine)"
}

@test "--tz overrides the host's zone, for a directory and for --artifact" {
	cp /usr/share/zoneinfo/Europe/Berlin "$H/etc/localtime"
	run -0 --separate-stderr spoor-timeline -c "$db" --tz Asia/Tokyo "$H"
	assert_equal "$(q "SELECT json_extract(details, '\$.zone') || ' ' || json_extract(details, '\$.zone_from') FROM sources")" "Asia/Tokyo --tz"
	assert_equal "$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', time_ns / 1000000000, 'unixepoch') FROM events WHERE artifact = 'dpkg' ORDER BY time_ns LIMIT 1")" \
	    "2026-07-04T03:00:00Z"
	run -0 --separate-stderr spoor-timeline -c "$db" --tz Asia/Tokyo --artifact dpkg "$H/var/log/dpkg.log"
	assert_equal "$(q "SELECT count(*) FROM events WHERE artifact = 'dpkg' AND time_ns / 1000000000 = $(date -u -d 2026-07-04T03:00:00Z +%s) AND json_extract(extra, '\$.zone') = 'Asia/Tokyo'")" 2
}

@test "a host with neither /etc/localtime nor /etc/timezone keeps UTC and says it was assumed" {
	run -0 --separate-stderr spoor-timeline -c "$db" "$H"
	assert_equal "$(q "SELECT DISTINCT json_extract(extra, '\$.zone') FROM events WHERE artifact IN ('syslog', 'dpkg')")" "UTC assumed"
	assert_equal "$(q "SELECT json_extract(details, '\$.zone_from') FROM sources")" "assumed: no /etc/localtime or /etc/timezone"
}

@test "a corrupt /etc/localtime is a problem, and the zone /etc/timezone names is used" {
	printf 'TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\377\377\377\377' >"$H/etc/localtime"
	echo Asia/Tokyo >"$H/etc/timezone"
	run -2 --separate-stderr spoor-timeline -c "$db" "$H"
	assert_equal "$(q "SELECT subject || ': ' || message FROM problems")" "/etc/localtime: not TZif"
	assert_equal "$(q "SELECT json_extract(details, '\$.zone') FROM sources")" "Asia/Tokyo"
}
