#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-rca on the reference scenario: the causal graph in the case, the
# tree and its summary against the expected tree written by hand from
# SCENARIO.md (tests/fixtures/rca/web01.expected.json, compared by
# tests/helpers/rca-check.jq on keys made from the nodes' fields), the
# outputs (text, ASCII, JSON, Graphviz rendered by dot), --explain with the
# events behind an edge, stored trees, rebuilds, statuses and escaping.

load helpers/common

setup_file() {
	export CASE=$BATS_FILE_TMPDIR/web01.case
	need "$SCENARIO/web01.E01"
	# status 2: the deleted access.log.1 has no content left to hash
	status=0
	spoor-timeline -c "$CASE" --host web01 --hash sha256 "$SCENARIO/web01.E01" >/dev/null 2>&1 || status=$?
	[ "$status" -eq 0 ] || [ "$status" -eq 2 ]
	status=0
	spoor-scan -q -c "$CASE" "$SCENARIO/web01.E01" >/dev/null || status=$?
	[ "$status" -eq 1 ]
	spoor-rca -c "$CASE" --json >"$BATS_FILE_TMPDIR/web01.jsonl" 2>/dev/null
}

# check EXPECTED JSONL: the failed expectations, one a line
check() {
	jq -rs --argjson want "$(cat "$1")" -f "$REPO/tests/helpers/rca-check.jq" "$2"
}

@test "web01: the tree and the summary are those of the expected tree written from SCENARIO.md" {
	need "$REPO/tests/fixtures/rca/web01.expected.json"
	run -0 check "$REPO/tests/fixtures/rca/web01.expected.json" "$BATS_FILE_TMPDIR/web01.jsonl"
	assert_output ""
}

@test "the tree check fails on a wrong expectation (the benign deployment login as the entry)" {
	cat >"$BATS_TEST_TMPDIR/wrong.json" <<-'EOF'
	{"nodes": [{"key": "process 2301 dash", "under": "endpoint 198.51.100.7"}],
	 "absent": ["endpoint 203.0.113.66"],
	 "summary": {"where.entry_contains": "deploy"}}
	EOF
	run -0 check "$BATS_TEST_TMPDIR/wrong.json" "$BATS_FILE_TMPDIR/web01.jsonl"
	assert_line "node process 2301 dash is not under endpoint 198.51.100.7"
	assert_line "present but must be absent: endpoint 203.0.113.66"
	assert_line "summary where.entry does not contain deploy"
}

@test "web01: one incident from 203.0.113.66; the benign deploy login and its apt-get are in no tree" {
	f=$BATS_FILE_TMPDIR/web01.jsonl
	assert_equal "$(wc -l <"$f")" 1
	assert_equal "$(jq -r '.nodes[] | select(.root) | "\(.kind) \(.address)"' "$f")" "endpoint 203.0.113.66"
	assert_equal "$(jq '[.nodes[] | select(.address == "198.51.100.7" or .user == "deploy" or
	    ((.exe // "") | test("apt|dpkg")))] | length' "$f")" 0
	# every detection of a file is a node of the tree
	for d in $(sqlite3 "$CASE" "SELECT id FROM detections WHERE target_kind = 'file'"); do
		assert_equal "$(jq --argjson d "$d" '[.nodes[].detections[] | select(.id == $d)] | length' "$f")" 1
	done
}

@test "web01: the chain apache2 -> sh -> wget -> kswapd0 -> 192.0.2.50:3333 follows the audit records' pids" {
	f=$BATS_FILE_TMPDIR/web01.jsonl
	. "$SCENARIO/scenario.env"
	parent_pid() {	# pid -> the pid of its parent node
		jq -r --argjson p "$1" '. as $i | .nodes[] | select(.kind == "process" and .pid == $p) |
		    .parent as $par | $i.nodes[] | select(.id == $par) | .pid' "$f" | head -1
	}
	assert_equal "$(parent_pid "$PID_SH")" "$PID_APACHE"
	assert_equal "$(parent_pid "$PID_WGET")" "$PID_SH"
	assert_equal "$(parent_pid "$PID_CHMOD")" "$PID_SH"
	assert_equal "$(parent_pid "$PID_MINER")" "$PID_SH"
	# the audit trail names the same parents
	for p in "$PID_WGET" "$PID_CHMOD" "$PID_MINER"; do
		assert_equal "$(sqlite3 "$CASE" "SELECT DISTINCT ppid FROM events WHERE artifact = 'audit'
		    AND time_desc = 'exec' AND pid = $p")" "$PID_SH"
	done
	run -0 jq -r --argjson p "$PID_MINER" '. as $i | .nodes[] | select(.kind == "endpoint" and .relation == "connected") |
	    .parent as $par | select(($i.nodes[] | select(.id == $par) | .pid) == $p) | "\(.address):\(.port)"' "$f"
	assert_line "$POOL_IP:$POOL_PORT"
	# the miner's exe is the file wget wrote, with its YARA detection
	run -0 jq -r '.nodes[] | select(.kind == "file" and .path == "/tmp/.X11-unix/.x/kswapd0") | .detections[].name' "$f"
	assert_line miner_xmrig_elf
}

@test "web01: the summary answers who, what, when, where and how" {
	f=$BATS_FILE_TMPDIR/web01.jsonl
	. "$SCENARIO/scenario.env"
	assert_equal "$(jq -c .summary.who.accounts "$f")" '["www-data","root"]'
	assert_equal "$(jq -c .summary.who.addresses "$f")" "[\"$ATTACKER_IP\"]"
	assert_equal "$(jq -c .summary.who.privilege_path "$f")" '["www-data","root"]'
	assert_equal "$(jq -r .summary.where.entry "$f")" "POST /upload.php from $ATTACKER_IP"
	assert_equal "$(jq -c .summary.where.endpoints "$f")" "[\"$POOL_IP:$POOL_PORT\"]"
	assert_equal "$(jq -r .summary.when.first "$f")" 2026-03-14T10:42:17Z
	assert_equal "$(jq -r .summary.when.last "$f")" 2026-03-14T11:05:12Z
	run -0 jq -r '.summary.what.persistence[] | "\(.kind) \(.path)"' "$f"
	assert_line "cron /var/spool/cron/crontabs/www-data"
	assert_line "authorized_key /root/.ssh/authorized_keys"
	assert_equal "$(jq -c .summary.what.deleted "$f")" '["/var/log/apache2/access.log.1"]'
	assert_equal "$(jq -r '.summary.what.files[] | select(.path == "/tmp/.X11-unix/.x/kswapd0") | .sha256' "$f")" \
	    "$(sqlite3 "$CASE" "SELECT sha256 FROM files WHERE path = '/tmp/.X11-unix/.x/kswapd0'")"
	run -0 jq -r .summary.how "$f"
	assert_output --partial "Entry: POST /upload.php"
	assert_output --partial "kswapd0 (pid $PID_MINER) connected to $POOL_IP:$POOL_PORT"
	run -0 jq -r '.summary.techniques[]' "$f"
	assert_line T1505.003
	assert_line T1053.003
}

@test "the summary names each finding of a file once, however many observations carry it" {
	f=$BATS_FILE_TMPDIR/web01.jsonl
	# a file of the tree carries one finding twice (two observations),
	# else nothing here is checked
	run -0 jq -r '.nodes[] | select(.kind == "file") |
	    (.detections | map(.type + ":" + .name)) as $d |
	    select(($d | length) != ($d | unique | length)) | .path' "$f"
	[ -n "$output" ] || fail "no file carries a finding twice"
	run -0 jq -r '.summary.what.files[] |
	    select((.detections | length) != (.detections | unique | length)) | .path' "$f"
	assert_output ""
	# the text: each list in parentheses after a path of "what" (on a
	# copy of the case: a run stores its trees)
	cp "$CASE" "$BATS_TEST_TMPDIR/copy.case"
	run -0 --separate-stderr spoor-rca -c "$BATS_TEST_TMPDIR/copy.case"
	run -0 awk '/^  what /, /^  when / {
		if (match($0, /\(([^()]*)\)$/)) {
			n = split(substr($0, RSTART + 1, RLENGTH - 2), d, ", ")
			delete seen
			for (i = 1; i <= n; i++)
				if (seen[d[i]]++) print "twice: " $0
		}
	}' <<<"$output"
	assert_output ""
}

@test "how: no step is told twice in the same words; one told again is counted" {
	f=$BATS_FILE_TMPDIR/web01.jsonl
	# the sentences of the paragraph, one a line ("?..." ends no sentence)
	run -0 jq -r '.summary.how | rtrimstr(".") | [splits("(?<![.])[.] ")][]' "$f"
	local sentences=$output
	assert_equal "$(sort <<<"$sentences" | uniq -d)" ""
	# the web shell took three requests: the later ones are counted,
	# 2nd then 3rd, each after the same words without a count
	run -0 grep -c ' a [0-9]*[nrt][dht] time' <<<"$sentences"
	[ "$output" -ge 1 ]
	awk '{ s = $0; n = 1 }
	    match(s, / a [0-9]+(st|nd|rd|th) time/) {
		n = substr(s, RSTART + 3, RLENGTH - 10) + 0
		s = substr(s, 1, RSTART - 1) substr(s, RSTART + RLENGTH)
	    }
	    { if (told[s] + 1 != n) { print "told " told[s] " times before: " $0; bad = 1 }
	      told[s] = n }
	    END { exit bad }' <<<"$sentences"
}

@test "web01: the return over SSH is the attacker's key: the login edge names the fingerprint in authorized_keys" {
	f=$BATS_FILE_TMPDIR/web01.jsonl
	. "$SCENARIO/scenario.env"
	run -0 jq -r '. as $i | .edges[] | select(.kind == "authorized") | .reason' "$f"
	assert_output --partial "$ATTACKER_KEY_FPR"
	assert_output --partial /root/.ssh/authorized_keys
	# the fingerprint is the one sshd logged
	assert_equal "$(sqlite3 "$CASE" "SELECT count(*) FROM events WHERE artifact = 'auth'
	    AND message LIKE '%Accepted publickey for root%$ATTACKER_KEY_FPR%'")" 1
}

@test "the graph is in the case: processes, sessions, objects and edges with confidence and reasons; trees stored" {
	assert_equal "$(sqlite3 "$CASE" "SELECT count(*) > 100 FROM processes")" 1
	assert_equal "$(sqlite3 "$CASE" "SELECT count(*) FROM sessions WHERE type = 'ssh' AND address = '203.0.113.66'")" 1
	assert_equal "$(sqlite3 "$CASE" "SELECT count(*) FROM edges WHERE confidence <= 0 OR confidence > 1 OR reason IS NULL")" 0
	assert_equal "$(sqlite3 "$CASE" "SELECT count(*) FROM processes WHERE pid = 2304 AND exe = '/tmp/.X11-unix/.x/kswapd0'")" 1
	# the file object known by path is the files row of that path
	assert_equal "$(sqlite3 "$CASE" "SELECT f.path FROM objects o JOIN files f ON f.id = o.file_id
	    WHERE o.path = '/tmp/.X11-unix/.x/kswapd0'")" /tmp/.X11-unix/.x/kswapd0
	assert_equal "$(sqlite3 "$CASE" "SELECT count(*) FROM trees")" 1
	assert_equal "$(sqlite3 "$CASE" "SELECT count(*) FROM tree_nodes")" \
	    "$(jq '.nodes | length' "$BATS_FILE_TMPDIR/web01.jsonl")"
	assert_equal "$(sqlite3 "$CASE" "SELECT tool || ' ' || exit_status FROM runs WHERE tool = 'spoor-rca'")" "spoor-rca 0"
}

@test "the graph is rebuilt when a source is added, and only then" {
	db=$BATS_TEST_TMPDIR/r.case
	cp "$CASE" "$db"
	run -0 spoor-rca -c "$db" --no-store
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM graph_builds")" 1
	run -0 spoor-timeline -c "$db" --host other "$IMAGES/ext4/tiny.ext4"
	run -0 spoor-rca -c "$db" --no-store
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM graph_builds")" 2
	run -0 spoor-rca -c "$db" --no-store --rebuild
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM graph_builds")" 3
}

@test "text: a tree in box drawing with the five summary fields; --ascii is plain ASCII" {
	run -0 --separate-stderr spoor-rca -c "$CASE" --no-store
	assert_line --index 0 "Incident 1 on web01"
	assert_output --partial "root: endpoint 203.0.113.66"
	assert_output --partial "└── "
	for k in who what when where how; do
		assert_output --regexp "(^|
)  $k  "
	done
	run -0 --separate-stderr spoor-rca -c "$CASE" --no-store --ascii
	assert_output --partial '`-- '
	assert_equal "$(spoor-rca -c "$CASE" --no-store --ascii 2>/dev/null | LC_ALL=C tr -d '\000-\177' | wc -c)" 0
}

@test "--dot is Graphviz that dot renders to SVG, one node per tree node" {
	run -0 --separate-stderr spoor-rca -c "$CASE" --no-store --dot
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/t.dot"
	run -0 dot -Tsvg -o "$BATS_TEST_TMPDIR/t.svg" "$BATS_TEST_TMPDIR/t.dot"
	assert_equal "$(grep -c '<g id="node' "$BATS_TEST_TMPDIR/t.svg")" \
	    "$(jq '.nodes | length' "$BATS_FILE_TMPDIR/web01.jsonl")"
}

@test "--explain NODE gives the node's edges, their reasons and the events behind them" {
	node=$(jq -r '.nodes[] | select(.kind == "process" and .pid == 2302) | .node' "$BATS_FILE_TMPDIR/web01.jsonl")
	run -0 --separate-stderr spoor-rca -c "$CASE" --explain "$node"
	assert_line --partial "node $node: process wget"
	assert_output --partial "exec record of pid 2302 names ppid 2301"
	assert_output --partial "audit/exec"
	assert_output --partial "/var/log/audit/audit.log:"
	run -0 --separate-stderr spoor-rca -c "$CASE" --explain "$node" --json
	assert_equal "$(jq -r '.edges[] | select(.direction == "in" and .kind == "spawned") | .events[0]' <<<"$output")" \
	    "$(sqlite3 "$CASE" "SELECT id FROM events WHERE artifact = 'audit' AND time_desc = 'exec' AND pid = 2302")"
}

@test "targets: a pid, a path and a detection give the same incident; an unknown target is 66, a bad one 64" {
	run -0 --separate-stderr spoor-rca -c "$CASE" --no-store --json pid:2304
	assert_equal "$(jq -r '.nodes[] | select(.root) | .address' <<<"$output")" 203.0.113.66
	run -0 --separate-stderr spoor-rca -c "$CASE" --no-store --json path:/root/.ssh/authorized_keys
	assert_equal "$(jq -r '.nodes[] | select(.root) | .address' <<<"$output")" 203.0.113.66
	d=$(sqlite3 "$CASE" "SELECT id FROM detections WHERE name = 'miner_xmrig_elf'")
	run -0 --separate-stderr spoor-rca -c "$CASE" --no-store --json "detection:$d"
	assert_equal "$(jq -r '.detections[0]' <<<"$output")" "$d"
	run -66 --separate-stderr spoor-rca -c "$CASE" --no-store pid:99999
	run -64 --separate-stderr spoor-rca -c "$CASE" pod:1
	run -64 --separate-stderr spoor-rca -c "$CASE" --json --dot
}

@test "a case with no detection has nothing to explain (status 0); a missing case is refused" {
	db=$BATS_TEST_TMPDIR/empty.case
	run -0 spoor-timeline -c "$db" "$IMAGES/ext4/tiny.ext4"
	run -0 --separate-stderr spoor-rca -c "$db"
	assert_output ""
	assert_equal "$stderr" "spoor-rca: nothing to explain: the case holds no detection (give a target)"
	run -66 --separate-stderr spoor-rca -c "$BATS_TEST_TMPDIR/none.case"
	[ ! -e "$BATS_TEST_TMPDIR/none.case" ]
	echo "not a case" >"$BATS_TEST_TMPDIR/text.case"
	run -65 --separate-stderr spoor-rca -c "$BATS_TEST_TMPDIR/text.case"
}

@test "labels from the attacker are escaped: control bytes in argv never reach the terminal raw, JSON stays valid" {
	log=$BATS_TEST_TMPDIR/audit.log
	evil=$(printf 'x\033]0;owned\007\nFAKE LINE' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
	cat >"$log" <<-EOF
	type=SYSCALL msg=audit(1773484982.705:10): arch=c000003e syscall=59 success=yes exit=0 a0=0 a1=0 a2=0 a3=0 items=1 ppid=811 pid=4001 auid=4294967295 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4294967295 comm="sh" exe="/usr/bin/dash" key="exec"
	type=EXECVE msg=audit(1773484982.705:10): argc=2 a0="sh" a1=$evil
	type=CWD msg=audit(1773484982.705:10): cwd="/tmp"
	EOF
	db=$BATS_TEST_TMPDIR/evil.case
	run -0 spoor-timeline -c "$db" --host h --artifact audit "$log"
	run -0 --separate-stderr spoor-rca -c "$db" --no-store pid:4001
	assert_output --partial 'x\x1b]0;owned\x07\x0aFAKE LINE'
	run -0 bash -c "spoor-rca -c '$db' --no-store pid:4001 2>&1 | LC_ALL=C grep -c \$'\\033' || true"
	assert_output 0
	run -0 --separate-stderr spoor-rca -c "$db" --no-store --json pid:4001
	assert_equal "$(jq -r '.nodes[] | select(.pid == 4001) | .argv[1]' <<<"$output")" "$(printf 'x\033]0;owned\007\nFAKE LINE')"
	run -0 --separate-stderr spoor-rca -c "$db" --no-store --dot pid:4001
	printf '%s\n' "$output" | dot -Tsvg >/dev/null
}

@test "a graph changed in the case is read, not copied: malformed argv and event lists still give valid JSON" {
	db=$BATS_TEST_TMPDIR/t.case
	cp "$CASE" "$db"
	sqlite3 "$db" "UPDATE processes SET argv = '[\"ok\", 1, {\"x\":' || char(10) || ']', events = 'not json'
	    WHERE pid = 2304; UPDATE processes SET argv = '[\"a' || char(27) || 'b\"]' WHERE pid = 2302"
	run -0 --separate-stderr spoor-rca -c "$db" --no-store --json pid:2304
	jq -e . <<<"$output" >/dev/null
	assert_equal "$(jq -c '.nodes[] | select(.pid == 2304) | .events' <<<"$output")" "[]"
	run -0 --separate-stderr spoor-rca -c "$db" --no-store --json pid:2302
	jq -e . <<<"$output" >/dev/null
}
