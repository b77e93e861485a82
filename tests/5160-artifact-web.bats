#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline --artifact web: apache and nginx access logs (common,
# combined, vhost_combined), checked against plaso's expectations and the
# scenario's recon, upload and web shell requests.

load helpers/common

WEB=$TESTDATA/logs/web

iso() {
	echo "strftime('%Y-%m-%dT%H:%M:%SZ', $1 / 1000000000, 'unixepoch')"
}

x() {
	echo "json_extract(extra, '\$.$1')"
}

@test "plaso's apache_access.log gives plaso's 14 events, and its malformed line 8 kept as a 15th with plaso's 1 problem: status 2" {
	need "$WEB/plaso_apache_access.log"
	db=$BATS_TEST_TMPDIR/case.db
	run -2 --separate-stderr spoor-timeline -c "$db" --artifact web "$WEB/plaso_apache_access.log"
	assert_output --partial "15 events"
	[[ "$stderr" == *"1 problem skipped (partial results)"* ]]
	assert_equal "$(sqlite3 "$db" 'SELECT message FROM problems')" "line 8: user_agent without its closing quote: kept to the end of the line"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'web' AND time_desc = 'request' AND origin_line != 8")" 14
	assert_equal "$(sqlite3 "$db" "SELECT $(x client), $(x status), $(x size), $(x unterminated) FROM events WHERE origin_line = 8")" "46.118.127.106|200|235|user_agent"
}

@test "plaso's combined line: the zone in the brackets applies, referer and user agent kept" {
	need "$WEB/plaso_apache_access.log"
	db=$BATS_TEST_TMPDIR/case.db
	run -2 spoor-timeline -c "$db" --artifact web "$WEB/plaso_apache_access.log"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), $(x client), $(x method), $(x path), $(x protocol), $(x status), $(x size), $(x referer)
	    FROM events WHERE $(x path) = '/wp-content/themes/darkmode/evil.php?cmd=uname+-a' AND $(x vhost) IS NULL"
	# 2016-01-13T19:31:20+02:00
	assert_output "2016-01-13T17:31:20Z|192.168.0.2|GET|/wp-content/themes/darkmode/evil.php?cmd=uname+-a|HTTP/1.1|200|694|http://localhost/"
	assert_equal "$(sqlite3 "$db" "SELECT $(x user_agent) FROM events WHERE origin_line = 5")" \
	    "Mozilla/5.0 (X11; Linux i686; rv:2.0b12pre) Gecko/20100101 Firefox/4"
}

@test "plaso's common, vhost_combined and Kerberos-user lines" {
	need "$WEB/plaso_apache_access.log"
	db=$BATS_TEST_TMPDIR/case.db
	run -2 spoor-timeline -c "$db" --artifact web "$WEB/plaso_apache_access.log"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), $(x client), $(x path), $(x status), $(x size), ifnull($(x user_agent), '-'), ifnull($(x referer), '-')
	    FROM events WHERE origin_line = 1"
	assert_output "2016-01-13T19:31:16Z|10.0.0.1|/wp-content/themes/darkmode/header.php?install2|200|494|-|-"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), $(x vhost), $(x client), $(x path), $(x status), $(x size)
	    FROM events WHERE $(x vhost) = 'plaso.log2timeline.net:443' AND $(x client) = '192.168.0.2'"
	assert_output "2018-01-13T19:31:17Z|plaso.log2timeline.net:443|192.168.0.2|/wp-content/themes/darkmode/evil.php|200|1063"
	run -0 sqlite3 "$db" "SELECT $(iso time_ns), user, $(x remote_user), $(x client), $(x method) || ' ' || $(x path), $(x status), $(x size)
	    FROM events WHERE user IS NOT NULL"
	# 2019-11-16T09:46:42+02:00
	assert_output "2019-11-16T07:46:42Z|pyllyukko@EXAMPLE.COM|pyllyukko@EXAMPLE.COM|192.168.0.64|GET /|200|8264"
}

@test "requests with raw quotes inside are kept whole" {
	need "$WEB/plaso_apache_access.log"
	db=$BATS_TEST_TMPDIR/case.db
	run -2 spoor-timeline -c "$db" --artifact web "$WEB/plaso_apache_access.log"
	run -0 sqlite3 "$db" "SELECT $(x path), $(x protocol), $(x status) FROM events WHERE origin_line IN (13, 14) ORDER BY origin_line"
	assert_output '/aaaa.xxxx/SomeText?action=edit&template=<script>alert("text")</script>|HTTP/1.0|404
/$%7B("TextString"+"123456")%7D/actionChain1.action|HTTP/1.0|404'
}

@test "scenario step 2: the recon requests and 404s from the attacker with python-requests, from 10:41:55" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.E01"
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifacts web "$SCENARIO/web01.E01"
	log=$(spoor-cat "$SCENARIO/web01.E01" /var/log/apache2/access.log)
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE $(x client) = '$ATTACKER_IP'")" \
	    "$(grep -c "^$ATTACKER_IP " <<<"$log")"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE $(x client) = '$ATTACKER_IP' AND $(x status) = 404")" \
	    "$(awk -v ip="$ATTACKER_IP" '$1 == ip && $9 == 404' <<<"$log" | wc -l)"
	run -0 sqlite3 "$db" "SELECT time_ns / 1000000000, $(x method) || ' ' || $(x path), $(x user_agent) FROM events
	    WHERE $(x client) = '$ATTACKER_IP' ORDER BY time_ns, origin_line LIMIT 1"
	assert_output "$T_RECON|GET /|$ATTACKER_UA"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE $(x client) = '$ATTACKER_IP' AND $(x user_agent) != '$ATTACKER_UA'")" 0
}

@test "scenario step 3: POST /upload.php from the attacker at 10:42:17" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.E01"
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifacts web "$SCENARIO/web01.E01"
	run -0 sqlite3 "$db" "SELECT time_ns / 1000000000, $(x client), $(x status), artifact, time_desc FROM events
	    WHERE $(x method) = 'POST' AND $(x path) = '/upload.php'"
	assert_output "$T_UPLOAD|$ATTACKER_IP|200|web|request"
}

@test "scenario step 4: GET /uploads/thumb.php?c=... at 10:43:02, the request target whole" {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.E01"
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --artifacts web "$SCENARIO/web01.E01"
	want=$(spoor-cat "$SCENARIO/web01.E01" /var/log/apache2/access.log | grep -F '[14/Mar/2026:10:43:02 +0000] "GET /uploads/thumb.php?c=' | awk '{ print $7 }')
	[ -n "$want" ]
	run -0 sqlite3 "$db" "SELECT time_ns / 1000000000, $(x client), $(x method), $(x path) FROM events
	    WHERE $(x path) LIKE '/uploads/thumb.php?c=%' ORDER BY time_ns LIMIT 1"
	assert_output "$T_EXEC|$ATTACKER_IP|GET|$want"
}

@test "garbage, a 10 MB line, NUL bytes and invalid UTF-8 are problems with their line; good lines kept; status 2" {
	f=$BATS_TEST_TMPDIR/access.log
	{
		echo '10.0.0.1 - - [14/Mar/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "ua"'
		echo 'not an access log line at all'
		head -c 10485760 /dev/zero | tr '\0' 'z'; echo
		printf '10.0.0.2 - - [14/Mar/2026:10:00:01 +0000] "GET /\000 HTTP/1.1" 200 10\n'
		printf '\377\376\300\200 [garbage]\n'
		echo '10.0.0.3 - - [14/Foo/2026:10:00:02 +0000] "GET / HTTP/1.1" 200 10'
		echo '10.0.0.4 - - [14/Mar/2026:10:00:03 +0000] "GET / HTTP/1.1" 200 10 "-" "unterminated'
		printf '10.0.0.5 - - [14/Mar/2026:10:00:04 -0130] "GET /caf\351 HTTP/1.1" 404 - "-" "bad \377 ua"\n'
	} > "$f"
	db=$BATS_TEST_TMPDIR/case.db
	run -2 --separate-stderr spoor-timeline -c "$db" --artifact web "$f"
	run -0 sqlite3 "$db" "SELECT message FROM problems ORDER BY id"
	assert_output "line 2: not an access log line
line 3: line longer than 1048576 bytes
line 4: NUL byte in line
line 5: not an access log line
line 6: bad time '14/Foo/2026:10:00:02 +0000'
line 7: user_agent without its closing quote: kept to the end of the line"
	run -0 sqlite3 "$db" "SELECT origin_line, $(iso time_ns), $(x status), ifnull($(x size), '-'), $(x user_agent) FROM events ORDER BY origin_line"
	assert_output "1|2026-03-14T10:00:00Z|200|10|ua
7|2026-03-14T10:00:03Z|200|10|unterminated
8|2026-03-14T11:30:04Z|404|-|bad � ua"
}
