#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-timeline and spoor-export: the file system timeline in the case
# database, checked against fls | mactime, istat, and the DFTT daylight
# image's stated times.

load helpers/common

# fls arguments for an image: the scenario's file system is at sector 2048.
fls_m() {
	case $1 in
	*/web01.*) fls -r -m / -o 2048 "$1" ;;
	*) fls -r -m / "$1" ;;
	esac
}

@test "mactime CSV (-d -y) is byte-identical to fls | mactime on every shared image" {
	while read -r img; do
		db=$BATS_TEST_TMPDIR/case.db
		rm -f "$db" "$db"-*
		run -0 spoor-timeline -c "$db" "$img"
		expected=$(fls_m "$img" | mactime -b - -d -y)
		got=$(spoor-export -c "$db" --mactime --csv -y)
		[ "$got" = "$expected" ] || {
			diff <(echo "$expected") <(echo "$got") | head
			fail "mactime CSV differs on $img"
		}
	done < <(all_images; echo "$SCENARIO/web01.E01")
}

@test "mactime text output is byte-identical to mactime's, also with -z" {
	while read -r img; do
		db=$BATS_TEST_TMPDIR/case.db
		rm -f "$db" "$db"-*
		spoor-timeline -c "$db" "$img" >/dev/null
		assert_equal "$(spoor-export -c "$db" --mactime)" "$(fls_m "$img" | mactime -b -)"
		assert_equal "$(spoor-export -c "$db" -z America/New_York)" \
		    "$(fls_m "$img" | mactime -b - -z America/New_York)"
	done < <(echo "$IMAGES/ext2/tsk_image.dd"; echo "$IMAGES/ntfs/test.ntfs.dd.E01")
}

@test "the CSV has mactime's header and parses back" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$IMAGES/ext4/hierarchy_64.ext4" >/dev/null
	run -0 spoor-export -c "$db" --mactime --csv -y
	assert_equal "${lines[0]}" "Date,Size,Type,Mode,UID,GID,Meta,File Name"
	# every row has 8 fields, the last one quoted
	echo "$output" | tail -n +2 | grep -Evq '^[^,]+,[0-9]+,[m.][a.][c.][b.],[^,]+,[0-9]+,[0-9]+,[0-9-]+,".*"$' &&
		fail "a row does not parse"
	true
}

@test "the bodyfile export equals fls -m" {
	db=$BATS_TEST_TMPDIR/case.db
	img=$IMAGES/ntfs/test.ntfs.dd.E01
	spoor-timeline -c "$db" "$img" >/dev/null
	run -0 spoor-export -c "$db" --bodyfile
	assert_equal "$(echo "$output" | sort)" "$(fls -r -m / "$img" | sort)"
}

@test "nanoseconds: every stored time of the scenario equals what istat prints" {
	. "$SCENARIO/scenario.env"
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$SCENARIO/web01.raw" >/dev/null
	n=0
	while IFS='|' read -r inode m a c b; do
		ist=$(istat -o 2048 "$SCENARIO/web01.raw" "$inode")
		for pair in "File Modified:$m" "Accessed:$a" "Inode Modified:$c" "File Created:$b"; do
			label=${pair%%:*} want=${pair#*:}
			got=$(echo "$ist" | sed -n "s/^${label}:[[:space:]]*\(.*\) (UTC)$/\1/p" | head -1)
			[ "$got" = "$want" ] || fail "inode $inode $label: istat $got, case $want"
		done
		n=$((n + 1))
	done < <(sqlite3 "$db" "SELECT inode,
	    strftime('%Y-%m-%d %H:%M:%S', mtime_ns / 1000000000, 'unixepoch') || printf('.%09d', mtime_ns % 1000000000),
	    strftime('%Y-%m-%d %H:%M:%S', atime_ns / 1000000000, 'unixepoch') || printf('.%09d', atime_ns % 1000000000),
	    strftime('%Y-%m-%d %H:%M:%S', ctime_ns / 1000000000, 'unixepoch') || printf('.%09d', ctime_ns % 1000000000),
	    strftime('%Y-%m-%d %H:%M:%S', crtime_ns / 1000000000, 'unixepoch') || printf('.%09d', crtime_ns % 1000000000)
	    FROM files WHERE allocated AND meta_type = 'r' AND crtime_ns IS NOT NULL")
	[ "$n" -gt 50 ] || fail "only $n files compared"
	# and the miner's sub-second modification time survives
	assert_equal "$(sqlite3 "$db" "SELECT mtime_ns FROM files WHERE path = '/tmp/.X11-unix/.x/kswapd0'")" \
	    "$KSWAPD0_MTIME$(printf %09d "$KSWAPD0_MTIME_NS")"
}

@test "one event per distinct time of an entry, with its MACB letters" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$SCENARIO/web01.E01" >/dev/null
	run -0 sqlite3 "$db" "SELECT time_desc FROM events_text WHERE artifact = 'fs' AND path = '/tmp/.X11-unix/.x/kswapd0' ORDER BY time_ns"
	assert_output "ma..
...b
..c."
	# the $FILE_NAME times of NTFS are events of their own
	spoor-timeline -c "$db" "$IMAGES/ntfs/test.ntfs.dd.E01" >/dev/null
	run -0 sqlite3 "$db" "SELECT count(*) FROM events_text WHERE message LIKE '%(\$FILE_NAME)%'"
	[ "$output" -gt 10 ]
}

@test "FAT times are read in the zone given by --tz (UTC by default)" {
	img=$IMAGES/fat/daylight.dd
	need "$IMAGES/fat/daylight.readme.txt"
	db=$BATS_TEST_TMPDIR/utc.db
	spoor-timeline -c "$db" "$img" >/dev/null
	# the readme: winter.txt created 2:00 PM on January 1, summer.txt 3:00 PM on June 1, 2004
	run -0 sqlite3 "$db" "SELECT path, strftime('%Y-%m-%dT%H:%M', crtime_ns / 1000000000, 'unixepoch') FROM files WHERE path LIKE '%.txt' ORDER BY path"
	assert_output "/summer.txt|2004-06-01T15:00
/winter.txt|2004-01-01T14:00"
	db=$BATS_TEST_TMPDIR/ny.db
	spoor-timeline -c "$db" --tz America/New_York "$img" >/dev/null
	run -0 sqlite3 "$db" "SELECT path, strftime('%Y-%m-%dT%H:%M', crtime_ns / 1000000000, 'unixepoch') FROM files WHERE path LIKE '%.txt' ORDER BY path"
	# EDT is UTC-4 in June, EST UTC-5 in January
	assert_output "/summer.txt|2004-06-01T19:00
/winter.txt|2004-01-01T19:00"
	run -64 --separate-stderr spoor-timeline -c "$db" --tz Mars/Olympus "$img"
	assert_equal "${stderr%%$'\n'*}" "spoor-timeline: unknown time zone 'Mars/Olympus'"
}

@test "re-adding the same evidence is refused with status 73; --replace replaces it" {
	db=$BATS_TEST_TMPDIR/case.db
	img=$IMAGES/ext4/hierarchy_64.ext4
	run -0 spoor-timeline -c "$db" --verify "$img"
	files=$(sqlite3 "$db" "SELECT count(*) FROM files")
	cp "$img" "$BATS_TEST_TMPDIR/copy.ext4"
	run -73 --separate-stderr spoor-timeline -c "$db" "$BATS_TEST_TMPDIR/copy.ext4"
	assert_equal "$stderr" "spoor-timeline: '$BATS_TEST_TMPDIR/copy.ext4': evidence with the same SHA-256 is already in the case as source 1; use --replace to load it again"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM sources")" 1
	run -0 spoor-timeline -c "$db" --replace "$img"
	assert_equal "$(sqlite3 "$db" "SELECT group_concat(id) FROM sources")" 2
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM files")" "$files"
	# the replaced source's paths left the full-text index with it
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM files_fts WHERE files_fts MATCH 'fortune10'")" \
	    "$(sqlite3 "$db" "SELECT count(*) FROM files WHERE path LIKE '%fortune10%'")"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM files WHERE path LIKE '%fortune10%'")" -gt 0 ]
}

@test "several sources share a case; --host labels one; sources record hashes and counts" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" --host web01 "$SCENARIO/web01.E01" >/dev/null
	spoor-timeline -c "$db" --host tiny --verify "$IMAGES/ext4/tiny.ext4" >/dev/null
	run -0 sqlite3 "$db" "SELECT id, kind, host, state, file_count > 0, event_count > 0 FROM sources ORDER BY id"
	assert_output "1|e01|web01|complete|1|1
2|raw|tiny|complete|1|1"
	assert_equal "$(sqlite3 "$db" "SELECT sha256 FROM sources WHERE id = 2")" \
	    "$(sha256sum < "$IMAGES/ext4/tiny.ext4" | cut -d' ' -f1)"
	assert_equal "$(sqlite3 "$db" "SELECT DISTINCT host FROM events WHERE source_id = 1")" web01
	run -0 spoor-export -c "$db" --bodyfile --source 2
	assert_equal "$output" "$(spoor-ls -r --bodyfile "$IMAGES/ext4/tiny.ext4")"
}

@test "--hash fills the files table with digests equal to sha256sum of the content" {
	db=$BATS_TEST_TMPDIR/case.db
	. "$SCENARIO/scenario.env"
	# status 2: the deleted access.log.1's inode was freed, its content
	# is not recoverable (no digest, one problem)
	run -2 --separate-stderr spoor-timeline -c "$db" --hash md5,sha256 "$SCENARIO/web01.E01"
	assert_equal "$(sqlite3 "$db" "SELECT subject || ' ' || code FROM problems")" \
	    "/var/log/apache2/access.log.1 SP_E_UNRECOVERABLE"
	assert_equal "$(sqlite3 "$db" "SELECT quote(sha256) FROM files WHERE path = '/var/log/apache2/access.log.1'")" NULL
	assert_equal "$(sqlite3 "$db" "SELECT sha256 FROM files WHERE path = '/tmp/.X11-unix/.x/kswapd0'")" "$KSWAPD0_SHA256"
	assert_equal "$(sqlite3 "$db" "SELECT md5 FROM files WHERE path = '/tmp/.X11-unix/.x/kswapd0'")" "$KSWAPD0_MD5"
}

@test "exports: JSONL parses line by line, Timesketch has its three fields on every line" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$SCENARIO/web01.E01" >/dev/null
	run -0 spoor-export -c "$db" --jsonl
	echo "$output" | jq -e . >/dev/null
	assert_equal "$(echo "$output" | wc -l)" "$(sqlite3 "$db" 'SELECT count(*) FROM events')"
	run -0 spoor-export -c "$db" --timesketch
	assert_equal "$(echo "$output" | jq -c 'select((.message | type) != "string" or (.datetime | type) != "string" or (.timestamp_desc | type) != "string")' | wc -l)" 0
	# the web shell's upload: written, read and born in the same instant
	assert_equal "$(echo "$output" | jq -r 'select(.path == "/var/www/html/uploads/thumb.php") | "\(.datetime) \(.timestamp) \(.macb) \(.timestamp_desc)"' | head -1)" \
	    "$(sqlite3 "$db" "SELECT strftime('%Y-%m-%dT%H:%M:%S', time_ns / 1000000000, 'unixepoch') || printf('.%09d+00:00 %d ', time_ns % 1000000000, time_ns / 1000) || time_desc FROM events_text WHERE path = '/var/www/html/uploads/thumb.php' ORDER BY time_ns LIMIT 1") Content Modification Time; Last Access Time; Creation Time"
}

@test "with the schema 4 columns as spoor-timeline fills them, mactime and the bodyfile still equal fls | mactime; JSONL carries them" {
	db=$BATS_TEST_TMPDIR/case.db
	img=$SCENARIO/web01.E01
	spoor-timeline -c "$db" --host web01 "$img" >/dev/null
	assert_equal "$(spoor-export -c "$db" --mactime --csv -y)" "$(fls_m "$img" | mactime -b - -d -y)"
	assert_equal "$(spoor-export -c "$db" --mactime)" "$(fls_m "$img" | mactime -b -)"
	assert_equal "$(spoor-export -c "$db" --bodyfile | sort)" "$(fls_m "$img" | sort)"
	want=$(sqlite3 "$db" "SELECT e.id, f.inode, e.file_id, e.origin_file_id, e.boot_id, e.session, e.auid, e.tty, e.cwd
	    FROM events e LEFT JOIN files f ON f.id = e.file_id ORDER BY e.time_ns, e.id")
	[ "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE origin_file_id IS NOT NULL AND file_id IS NOT origin_file_id")" -gt 0 ]
	run -0 spoor-export -c "$db" --jsonl
	assert_equal "$(echo "$output" | jq -r '[.id, .inode, .file_id, .origin_file_id, .boot_id, .session, .auid, .tty, .cwd] | map(. // "" | tostring) | join("|")')" "$want"
	run -0 spoor-export -c "$db" --timesketch
	assert_equal "$(echo "$output" | jq -r '[.inode, .file_id, .origin_file_id, .boot_id, .session, .auid, .tty, .cwd] | map(. // "" | tostring) | join("|")')" \
	    "$(echo "$want" | cut -d'|' -f2-)"
}

@test "two exports of the same case are byte-identical, and sorted by time" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$SCENARIO/web01.E01" "$IMAGES/ntfs/test.ntfs.dd.E01" >/dev/null
	for f in --jsonl --timesketch --bodyfile "--mactime --csv -y"; do
		a=$(spoor-export -c "$db" $f | sha256sum)
		b=$(spoor-export -c "$db" $f | sha256sum)
		assert_equal "$a" "$b"
	done
	run -0 spoor-export -c "$db" --jsonl
	times=$(echo "$output" | jq -r .time)
	assert_equal "$times" "$(echo "$times" | sort)"
}

@test "--from/--to, --source and --artifact filter the export" {
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" "$SCENARIO/web01.E01" "$IMAGES/ext4/tiny.ext4" >/dev/null
	run -0 spoor-export -c "$db" --jsonl --from 2026-03-14T10:42:00Z --to 2026-03-14T10:46:00Z
	assert_equal "$(echo "$output" | jq -r .time | sort | head -1 | cut -c1-16)" "2026-03-14T10:42"
	assert_equal "$(echo "$output" | jq -r .time | sort | tail -1 | cut -c1-13)" "2026-03-14T10"
	echo "$output" | jq -r .path | grep -qx /tmp/.X11-unix/.x/kswapd0
	run -0 spoor-export -c "$db" --mactime --csv -y --from 2026-03-14 --to 2026-03-14
	echo "$output" | tail -n +2 | cut -c1-10 | sort -u | grep -vqx 2026-03-14 && fail "row outside the day"
	run -0 spoor-export -c "$db" --jsonl --source "$IMAGES/ext4/tiny.ext4"
	assert_equal "$(echo "$output" | jq -r .source_id | sort -u)" 2
	# a bodyfile row is in the window when one of its times is
	run -0 spoor-export -c "$db" --bodyfile --source 1 --from 2026-03-14T10:42:00Z --to 2026-03-14T10:46:00Z
	assert_line --partial "|/tmp/.X11-unix/.x/kswapd0|87|"
	refute_line --partial "|/etc/hostname|"
	run -64 --separate-stderr spoor-export -c "$db" --jsonl --artifact nothing
	[[ "$stderr" == "spoor-export: unknown artifact 'nothing'"* ]]
	run -66 --separate-stderr spoor-export -c "$db" --jsonl --source 99
	assert_equal "$stderr" "spoor-export: no source '99' in the case"
	run -64 --separate-stderr spoor-export -c "$db" --from yesterday
	[[ "$stderr" == "spoor-export: bad time 'yesterday'"* ]]
}

@test "an unreadable directory in the image: partial timeline, problem recorded, status 2" {
	img=$BATS_TEST_TMPDIR/corrupt.ext4
	cp "$IMAGES/ext4/hierarchy_64.ext4" "$img"
	debugfs -w -R "sif <14> block[0] 0x0" "$img" 2>/dev/null
	db=$BATS_TEST_TMPDIR/case.db
	run -2 --separate-stderr spoor-timeline -c "$db" "$img"
	assert_equal "$(sqlite3 "$db" "SELECT state, exit_status, problem_count FROM runs")" "partial|2|1"
	assert_equal "$(sqlite3 "$db" "SELECT state FROM sources")" partial
	[ "$(sqlite3 "$db" "SELECT count(*) FROM files")" -gt 10 ]
}

@test "a truncated image ends with a clear status, never a crash" {
	head -c 300000 "$IMAGES/ext3/ext3-img-kw-1.dd" > "$BATS_TEST_TMPDIR/cut.dd"
	run --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/case.db" "$BATS_TEST_TMPDIR/cut.dd"
	case $status in 0|2|65) ;; *) fail "status $status: $stderr" ;; esac
	assert_equal "$(sqlite3 "$BATS_TEST_TMPDIR/case.db" 'PRAGMA integrity_check')" ok
}

@test "without a case, spoor-timeline is a usage error" {
	run -64 --separate-stderr spoor-timeline "$IMAGES/ext4/tiny.ext4"
	[[ "$stderr" == "spoor-timeline: no case database: give -c or set SPOOR_CASE"* ]]
}

@test "SIGINT leaves a consistent case: run and source interrupted, status 130" {
	db=$BATS_TEST_TMPDIR/case.db
	fifo=$BATS_TEST_TMPDIR/progress
	mkfifo "$fifo"
	spoor-timeline -c "$db" --progress=json /usr > /dev/null 2> "$fifo" &
	pid=$!
	exec 5< "$fifo"
	read -r first <&5
	kill -INT "$pid"
	cat <&5 > /dev/null
	wait "$pid" && st=0 || st=$?
	exec 5<&-
	assert_equal "$st" 130
	assert_equal "$(sqlite3 "$db" 'PRAGMA integrity_check')" ok
	assert_equal "$(sqlite3 "$db" "SELECT r.state, r.exit_status, s.state FROM runs r, sources s")" \
	    "interrupted|130|interrupted"
	[ "$(sqlite3 "$db" "SELECT count(*) FROM files")" -gt 0 ]
}
