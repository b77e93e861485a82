#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# A collection of spoor-collect (tests/fixtures/mkcollection) as evidence:
# spoor-timeline turns its volatile JSON Lines into typed events, checked
# field by field against the lines themselves through jq, its bodyfile
# into the file system (checked against the bodyfile), its files/ into
# artifacts; a changed item or a malformed line is a problem; spoor-scan
# scans its files and its memory; spoor-rca explains its process tree.

load helpers/common

setup_file() {
	local b=$BATS_FILE_TMPDIR
	"$BATS_TEST_DIRNAME/fixtures/mkcollection" "$b/coll" >&2
	PATH="${SPOOR_BUILD:-$BATS_TEST_DIRNAME/../build}/bin:$PATH" \
	    spoor-timeline -c "$b/case.db" "$b/coll" >&2
}

setup() {
	COLL=$BATS_FILE_TMPDIR/coll
	db=$BATS_FILE_TMPDIR/case.db
	T0=$(head -n 1 "$COLL/manifest.jsonl" | jq .started_ns)
}

q() {
	sqlite3 -separator '|' "$db" "$1"
}

# events of artifact $1 as JSON Lines, sorted by pid then message
events() {
	spoor-export -c "$db" --jsonl --artifact "$1" |
	    jq -c 'select(.artifact == "'"$1"'")'
}

# A copy of the collection to spoil, in $COPY.
copy() {
	COPY=$BATS_TEST_TMPDIR/coll
	cp -a "$COLL" "$COPY"
}

# Write item $1's size and sha256 into the copy's manifest again.
rehash() {
	local f=$COPY/$1 h s
	h=$(sha256sum "$f" | cut -d' ' -f1)
	s=$(wc -c < "$f")
	jq -c --arg p "$1" --arg h "$h" --argjson s "$s" \
	    'if .kind == "item" and .path == $p then .sha256 = $h | .size = $s
	    else . end' "$COPY/manifest.jsonl" > "$BATS_TEST_TMPDIR/m"
	mv "$BATS_TEST_TMPDIR/m" "$COPY/manifest.jsonl"
}

@test "a collection is one source of kind collection, named by its manifest" {
	run -0 q "SELECT kind, host, size, sha256, state FROM sources"
	assert_output "collection|web01|$(wc -c < "$COLL/manifest.jsonl")|$(sha256sum "$COLL/manifest.jsonl" | cut -d' ' -f1)|complete"
	run -0 q "SELECT count(*) FROM problems"
	assert_output 0
}

@test "every process is a process event at its start, with its pid, parent, exe and user" {
	local passwd=$COLL/files/etc/passwd
	# the oracle: the JSON lines, uids named through the collection's passwd
	jq -r '[.pid, .ppid, .start_ns, .exe, .uid] | @tsv' \
	    "$COLL/volatile/processes.jsonl" |
	    awk -F'\t' -v pw="$passwd" 'BEGIN { while ((getline l < pw) > 0) {
		split(l, f, ":"); name[f[3]] = f[1] } }
		{ print $1 "|" $2 "|" $3 "|" $4 "|" $4 "|" name[$5] }' |
	    sort > "$BATS_TEST_TMPDIR/want"
	run -0 q "SELECT pid, ppid, time_ns, exe, path, user FROM events
	    WHERE artifact = 'process' AND time_desc = 'start' ORDER BY pid"
	sort <<<"$output" > "$BATS_TEST_TMPDIR/got"
	run -0 diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/got")" -eq 6 ]
}

@test "the suspicious process says its deleted exe, arguments and LD_PRELOAD" {
	local want
	run -0 q "SELECT message FROM events WHERE artifact = 'process' AND pid = 2304"
	assert_output "process 2304 /tmp/.x/kswapd0 -c config.json (deleted exe) LD_PRELOAD=/tmp/.x/libhide.so"
	run -0 q "SELECT extra FROM events WHERE artifact = 'process' AND pid = 2304"
	echo "$output" > "$BATS_TEST_TMPDIR/x"
	want=$(jq -c 'select(.pid == 2304) | [.cmdline, .cwd, .exe_sha256,
	    .exe_deleted, .container, ([.namespaces[]] | sort), .comm, .uid]' \
	    "$COLL/volatile/processes.jsonl")
	run -0 jq -c '[.argv, .cwd, .exe_sha256, .exe_deleted, .container,
	    (.namespaces | sort), .comm, .uid]' "$BATS_TEST_TMPDIR/x"
	assert_output "$want"
	# of the environment only LD_PRELOAD, nothing else of it
	run -0 jq -r '.ld_preload, .cmdline, (has("environ"))' "$BATS_TEST_TMPDIR/x"
	assert_output $'/tmp/.x/libhide.so\n-c config.json\nfalse'
}

@test "every socket is an event at the collection's time, with its first pid" {
	jq -r '[.pids[0], .proto, .state,
	    (if .proto == "unix" then "" else .local_port end)] | @tsv' \
	    "$COLL/volatile/sockets.jsonl" | tr '\t' '|' |
	    sed "s/^/$T0|/" | sort > "$BATS_TEST_TMPDIR/want"
	q "SELECT time_ns, pid, json_extract(extra, '$.proto'),
	    json_extract(extra, '$.state'), json_extract(extra, '$.local_port')
	    FROM events WHERE artifact = 'socket'" | sort > "$BATS_TEST_TMPDIR/got"
	run -0 diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	run -0 q "SELECT time_desc, count(*) FROM events WHERE artifact = 'socket'
	    GROUP BY time_desc ORDER BY time_desc"
	assert_output $'connect|1\nestablished|1\nlisten|3'
}

@test "the miner's connection is a connect event naming its process" {
	run -0 q "SELECT time_desc, pid, exe, message FROM events
	    WHERE artifact = 'socket' AND json_extract(extra, '$.remote_port') = 3333"
	assert_output "connect|2304|/tmp/.x/kswapd0|tcp 10.0.0.5:40112 -> 192.0.2.50:3333 ESTABLISHED (pid 2304 kswapd0)"
}

@test "logged-in users are login events at their login time" {
	want=$(jq -r 'select(.kind == "user") | [.login_ns, .user, .line, .pid] |
	    map(tostring) | join("|")' "$COLL/volatile/system.jsonl")
	run -0 q "SELECT time_ns, user, tty, pid FROM events
	    WHERE artifact = 'utmp' AND time_desc = 'login'"
	assert_output "$want"
}

@test "modules are module events; the hidden one says so" {
	run -0 q "SELECT json_extract(extra, '$.name') FROM events
	    WHERE artifact = 'module' ORDER BY 1"
	assert_output "$(jq -r 'select(.kind == "module") | .name' \
	    "$COLL/volatile/system.jsonl" | sort)"
	run -0 q "SELECT message FROM events WHERE artifact = 'module'
	    AND message LIKE '%diamorphine%'"
	assert_output "kernel module diamorphine (Live) not in /proc/modules"
}

@test "system state is system events: kernel, boot, taint, lockdown, mounts" {
	run -0 q "SELECT time_desc, message FROM events WHERE artifact = 'system'
	    AND json_extract(extra, '$.kind') IN ('kernel', 'boot', 'taint', 'lockdown')
	    ORDER BY time_ns, message"
	assert_line --index 0 --regexp '^boot\|boot 5b3f0e1c-'
	assert_line "state|kernel lockdown none"
	assert_line "state|kernel taint 12288 (OE)"
	run -0 q "SELECT count(*) FROM events WHERE artifact = 'system'
	    AND json_extract(extra, '$.kind') = 'mount' AND time_ns = $T0"
	assert_output "$(jq -r 'select(.kind == "mount")' "$COLL/volatile/system.jsonl" | grep -c '"kind"')"
}

@test "findings are finding events and detections of the collector" {
	run -0 q "SELECT json_extract(extra, '$.kind') || '|' || json_extract(extra, '$.severity')
	    || '|' || ifnull(pid, '') FROM events WHERE artifact = 'finding' ORDER BY 1"
	assert_output "$(jq -r '[.kind, .severity, (.pid // "" | tostring)] | join("|")' \
	    "$COLL/volatile/findings.jsonl" | sort)"
	run -0 q "SELECT type, namespace, name, severity, ifnull(pid, ''), reason
	    FROM detections WHERE namespace = 'collect' ORDER BY name"
	assert_output "$(jq -r '["heuristic", "collect", .kind, .severity,
	    (.pid // "" | tostring), .reason] | join("|")' \
	    "$COLL/volatile/findings.jsonl" | sort)"
}

@test "the bodyfile is the file system: the export gives it back" {
	run -0 --separate-stderr spoor-export -c "$db" --bodyfile
	sort <<<"$output" > "$BATS_TEST_TMPDIR/got"
	sort "$COLL/bodyfile.txt" > "$BATS_TEST_TMPDIR/want"
	run -0 diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(wc -l < "$BATS_TEST_TMPDIR/got")" -eq 10 ]
}

@test "files/ is read as the root: auth.log gives its login lines" {
	run -0 q "SELECT count(*) FROM events WHERE origin = '/var/log/auth.log'"
	assert_output "$(wc -l < "$COLL/files/var/log/auth.log")"
	# the year comes from the host's file's time, from the manifest
	run -0 q "SELECT time_ns, user FROM events WHERE origin = '/var/log/auth.log'
	    AND time_desc = 'login'"
	assert_output "$(date -u -d '2025-11-12 03:05:00' +%s)000000000|root"
	run -0 q "SELECT count(*) FROM events WHERE artifact = 'persistence'
	    AND origin = '/var/spool/cron/crontabs/www-data'"
	assert_output 1
}

@test "--host overrides the header's host" {
	run -0 --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/h.db" --host other "$COLL"
	run -0 sqlite3 "$BATS_TEST_TMPDIR/h.db" "SELECT DISTINCT host FROM events WHERE artifact = 'process'"
	assert_output other
}

@test "the same collection twice is refused" {
	run -73 --separate-stderr spoor-timeline -c "$db" "$COLL"
	[[ "$stderr" == *"a collection with the same manifest is already in the case"* ]]
}

@test "a manifest is named by its bytes as sha256sum reads them: CRLF, no last newline" {
	local m
	copy
	m=$COPY/manifest.jsonl
	# the same lines with CR LF: another manifest, read the same
	sed -i 's/$/\r/' "$m"
	run -0 --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/t.db" "$COPY"
	run -0 sqlite3 -separator '|' "$BATS_TEST_TMPDIR/t.db" "SELECT size, sha256 FROM sources"
	assert_output "$(wc -c < "$m")|$(sha256sum "$m" | cut -d' ' -f1)"
	# and without its last line's newline: not the manifest of either
	# load above
	truncate -s -2 "$m"
	run -0 --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/t.db" "$COPY"
	run -0 sqlite3 -separator '|' "$BATS_TEST_TMPDIR/t.db" "SELECT size, sha256 FROM sources ORDER BY id"
	assert_line --index 1 "$(wc -c < "$m")|$(sha256sum "$m" | cut -d' ' -f1)"
	run -0 sqlite3 "$BATS_TEST_TMPDIR/t.db" "SELECT count(*) FROM problems"
	assert_output 0
}

@test "an item whose bytes changed is a problem naming it" {
	copy
	sed -i 's/3333/4444/' "$COPY/volatile/sockets.jsonl"
	run -2 --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/t.db" "$COPY"
	[[ "$stderr" == *"partial results"* ]]
	run -0 sqlite3 "$BATS_TEST_TMPDIR/t.db" "SELECT subject, message FROM problems"
	assert_output --regexp '^volatile/sockets\.jsonl\|sha256 mismatch: the manifest says [0-9a-f]{64}, the file is [0-9a-f]{64}$'
}

@test "a missing item is a problem naming it" {
	copy
	rm "$COPY/files/var/log/auth.log"
	run -2 --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/t.db" "$COPY"
	run -0 sqlite3 "$BATS_TEST_TMPDIR/t.db" "SELECT subject, message FROM problems"
	assert_output "files/var/log/auth.log|item of the manifest: No such file or directory"
}

@test "a malformed line is a problem and the others are read" {
	copy
	{
		echo '{"schema":1,"pid":"2305","start_ns":1}'
		echo '{"schema":1,"pid":9,'
		printf '{"schema":1,"pid":10,"start_ns":1762918000000000000,"cmdline":"x"}\n'
	} >> "$COPY/volatile/processes.jsonl"
	rehash volatile/processes.jsonl
	run -2 --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/t.db" "$COPY"
	run -0 sqlite3 "$BATS_TEST_TMPDIR/t.db" "SELECT subject, message FROM problems"
	assert_output $'volatile/processes.jsonl|line 7: process without a pid
volatile/processes.jsonl|line 8: not a JSON object
volatile/processes.jsonl|line 9: process 10: bad field \'cmdline\''
	run -0 sqlite3 "$BATS_TEST_TMPDIR/t.db" "SELECT count(*) FROM events WHERE artifact = 'process'"
	assert_output 6
}

@test "a file in files/ that the manifest does not list is a problem" {
	copy
	echo 'Nov 12 03:06:00 web01 sshd[9]: Accepted password for eve from 203.0.113.9 port 1 ssh2' \
	    > "$COPY/files/var/log/auth.log.1"
	run -2 --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/t.db" "$COPY"
	run -0 sqlite3 "$BATS_TEST_TMPDIR/t.db" "SELECT subject, message FROM problems"
	assert_output "files/var/log/auth.log.1|not an item of the manifest"
}

@test "a collection as a tar is refused until extracted" {
	tar -C "$COLL" -cf "$BATS_TEST_TMPDIR/coll.tar" manifest.jsonl volatile
	run -65 --separate-stderr spoor-timeline -c "$BATS_TEST_TMPDIR/t.db" "$BATS_TEST_TMPDIR/coll.tar"
	[[ "$stderr" == *"extract it first"* ]]
	run -65 --separate-stderr spoor-scan "$BATS_TEST_TMPDIR/coll.tar"
	[[ "$stderr" == *"extract it first"* ]]
}

@test "spoor-scan flags the dropped ELF in files/ and in the process's memory" {
	local start end
	run -1 --separate-stderr spoor-scan --json "$COLL"
	echo "$output" > "$BATS_TEST_TMPDIR/scan"
	run -0 jq -r 'select(.name == "miner_xmrig_elf" and .target.kind == "file")
	    | .target.path' "$BATS_TEST_TMPDIR/scan"
	assert_output /var/tmp/.x/kswapd0
	# the memory hit names the pid of the file's name and a virtual address
	# inside the mapping that holds the ELF
	start=$((0x55d2c0a00000))
	end=$((start + $(wc -c < "$COLL/files/var/tmp/.x/kswapd0")))
	# (the mapping starts with the ELF header: the image found there is
	# scanned as a file, and the range does not repeat its hit)
	run -0 jq -r 'select(.type == "yara" and (.target.kind == "memory" or
	    .target.kind == "memory-image")) | [.name, .target.pid,
	    (.target.container.start // .target.range.start), .address] |
	    @tsv' "$BATS_TEST_TMPDIR/scan"
	[ "${#lines[@]}" -eq 1 ]
	read -r name pid rstart addr <<<"${lines[0]}"
	[ "$name" = miner_xmrig_elf ]
	[ "$pid" = 2304 ]
	[ "$rstart" = "$start" ]
	[ "$addr" -ge "$start" ] && [ "$addr" -lt "$end" ]
	# the collector's findings are spoor-timeline's, not scan's
	run -1 grep -c '"collect"' "$BATS_TEST_TMPDIR/scan"
}

@test "spoor-scan shows the memory hit with its pid and address" {
	run -1 --separate-stderr spoor-scan "$COLL"
	assert_line --regexp $'^high\t[0-9]+\tyara:miner_xmrig_elf\t.*/coll/memory/2304\\.lime \\(pid 2304\\)@0x55d2c0a0[0-9a-f]{4} \\(ELF image at 0x55d2c0a00000, [0-9]+ bytes\\)\t'
	assert_line --regexp $'yara:miner_xmrig_elf\t.*/coll/files:0:/var/tmp/\\.x/kswapd0\t'
}

@test "spoor-rca explains the miner: its parents and its connection" {
	cp "$db" "$BATS_TEST_TMPDIR/r.db"
	run -0 --separate-stderr spoor-rca -c "$BATS_TEST_TMPDIR/r.db" --ascii
	assert_output --regexp 'spawned process /usr/sbin/apache2 -k start \(pid 1187, root\)'
	assert_output --regexp 'spawned process sh -c cd /tmp/.x && ./kswapd0 -c config.json \(pid 2210, www-data\)'
	assert_output --regexp 'spawned process ./kswapd0 -c config.json \(pid 2304, www-data\).*heuristic:deleted_exe'
	assert_output --regexp 'connected endpoint 192\.0\.2\.50:3333'
	# the connection hangs under the miner, the miner under the shell
	run -0 --separate-stderr spoor-rca -c "$BATS_TEST_TMPDIR/r.db" --json
	run -0 jq -r '[.edges[]? | select(.kind == "connected" or .kind == "spawned")] | length' <<<"${lines[0]}"
}
