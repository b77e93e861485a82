#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-rca on evidence that is not the reference scenario: web01 without
# its audit log and without its auth log (tests/fixtures/mkscenario
# --without), and two other intrusions built by tests/fixtures/mkintrusions
# with other hosts, users, addresses, pids and log formats: bastion02 (SSH
# brute force, sudo -i through its pty monitor, a systemd service with
# ppid 1, an LD_PRELOAD library, a raw TCP beacon; auditd) and shop01 (a
# PHP upload, a key added through the web shell, the attacker's return
# with that key; no audit, only history, file times, cron and web logs).
# Each is compared with its expected tree written by hand
# (tests/fixtures/rca/*.expected.json and their README), benign
# look-alikes included.

load helpers/common

# case IMAGE HOST: a case of the image with its detections, path printed
case_of() {
	local db=$BATS_FILE_TMPDIR/$2.case status=0
	need "$1"
	if [ ! -e "$db" ]; then
		# status 2 when a deleted file has no content left to hash
		spoor-timeline -c "$db" --host "$2" --hash sha256 "$1" >/dev/null 2>&1 || status=$?
		[ "$status" -eq 0 ] || [ "$status" -eq 2 ] || return 1
		status=0
		spoor-scan -q -c "$db" "$1" >/dev/null || status=$?
		[ "$status" -eq 1 ] || return 1
	fi
	echo "$db"
}

# check EXPECTED CASE: the failed expectations of the case's trees
check() {
	spoor-rca -c "$2" --json 2>/dev/null >"$2.jsonl"
	jq -rs --argjson want "$(cat "$1")" -f "$REPO/tests/helpers/rca-check.jq" "$2.jsonl"
}

@test "web01 without audit.log: entry point and miner still found, with lower confidence and the missing log named" {
	db=$(case_of "$BUILD/scenario-noaudit/web01.raw" web01)
	run -0 check "$REPO/tests/fixtures/rca/web01-noaudit.expected.json" "$db"
	assert_output ""
	f=$db.jsonl
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'audit'")" 0
	run -0 jq -r '.missing[]' "$f"
	assert_output --partial "no audit records"
	# the miner's file hangs from the web shell's request by inference only
	c=$(jq -r '.nodes[] | select(.path == "/tmp/.X11-unix/.x/kswapd0") | .confidence' "$f")
	[ "$(echo "$c < 1" | bc)" -eq 1 ]
	run -0 jq -r '.nodes[] | select(.path == "/tmp/.X11-unix/.x/kswapd0") | .reason' "$f"
	assert_output --partial "no audit record"
	assert_equal "$(jq -r .summary.where.entry "$f")" "POST /upload.php from 203.0.113.66"
	run -0 spoor-rca -c "$db" --no-store
	assert_output --partial "(confidence 0.5)"
	assert_output --partial "missing"
}

@test "web01 without auth.log: the return over SSH still comes from audit and wtmp, the missing log named" {
	db=$(case_of "$BUILD/scenario-noauth/web01.raw" web01-noauth)
	run -0 check "$REPO/tests/fixtures/rca/web01-noauth.expected.json" "$db"
	assert_output ""
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'auth'")" 0
	run -0 jq -r '.missing[]' "$db.jsonl"
	assert_output --partial "no authentication log"
	run -0 jq -r '.nodes[] | select(.kind == "process") | .pid' "$db.jsonl"
	assert_line 2304
}

@test "bastion02: brute force, sudo -i through its pty monitor, a systemd service back to the login, LD_PRELOAD and the beacon" {
	db=$(case_of "$BUILD/intrusions/bastion02.raw" bastion02)
	run -0 check "$REPO/tests/fixtures/rca/bastion02.expected.json" "$db"
	assert_output ""
	. "$BUILD/intrusions/bastion02.env"
	f=$db.jsonl
	assert_equal "$(wc -l <"$f")" 1
	# the pty monitor has no exec record: the audit log never names it
	# in an exec, and the tree crosses it with a lower confidence
	run -0 sqlite3 "$db" "SELECT count(*) FROM events WHERE artifact = 'audit' AND time_desc = 'exec'
	    AND pid = (SELECT ppid FROM events WHERE artifact = 'audit' AND time_desc = 'exec'
	    AND exe LIKE '%bash' AND auid IS NOT NULL AND user = 'root' ORDER BY time_ns LIMIT 1)"
	assert_output 0
	run -0 jq -r '.edges[] | select(.reason | test("pty monitor")) | .confidence' "$f"
	assert_output 0.8
	# the service's process has ppid 1 and no session, yet it hangs from the unit
	run -0 jq -r '. as $i | .nodes[] | select(.kind == "process" and .ppid == 1) |
	    .parent as $p | ($i.nodes[] | select(.id == $p) | .kind)' "$f"
	assert_line unit
	run -0 jq -c '.summary.who.privilege_path' "$f"
	assert_output '["mkovacs","root"]'
	# the root is the address that guessed passwords: as many failed
	# logins as btmp records from it (utmpdump as the oracle)
	img=$BUILD/intrusions/bastion02.raw
	want=$(icat "$img" "$(ifind -n /var/log/btmp "$img")" | utmpdump 2>/dev/null | grep -c '\[203.0.113.199 *\]')
	[ "$want" -gt 10 ]
	assert_equal "$(jq '.nodes[] | select(.root) | .failed_logins' "$f")" "$want"
	assert_equal "$(jq -r '.nodes[] | select(.root) | .address' "$f")" 203.0.113.199
	run -0 jq -r '.summary.what.persistence[].kind' "$f"
	assert_line unit
	assert_line ld_preload
}

@test "shop01: no audit; the key added through the web shell ties the later login from another address to the upload" {
	db=$(case_of "$BUILD/intrusions/shop01.raw" shop01)
	run -0 check "$REPO/tests/fixtures/rca/shop01.expected.json" "$db"
	assert_output ""
	f=$db.jsonl
	assert_equal "$(wc -l <"$f")" 1
	run -0 jq -r '.edges[] | select(.kind == "wrote" and (.reason | test("names /home/shop/.ssh/authorized_keys"))) | .confidence' "$f"
	assert_output 0.5
	run -0 jq -r '.edges[] | select(.kind == "authorized") | .reason' "$f"
	assert_output --partial "SHA256:"
	# the CI runner's key was in use before the change: its logins stay out
	run -0 jq -r '.nodes[] | select(.kind == "session") | .address' "$f"
	refute_line 10.8.0.30
}

@test "--all keeps what pruning drops; --depth and --window bound the walk" {
	db=$(case_of "$BUILD/scenario-noauth/web01.raw" web01-noauth)
	n=$(spoor-rca -c "$db" --json --no-store 2>/dev/null | jq '.nodes | length')
	a=$(spoor-rca -c "$db" --json --no-store --all 2>/dev/null | jq -s 'map(.nodes | length) | add')
	[ "$a" -gt "$n" ]
	# the name lookups pruning drops are there with --all
	run -0 bash -c "spoor-rca -c '$db' --json --no-store 2>/dev/null | jq -r '.nodes[] | select(.port == 53) | .address'"
	assert_output ""
	run -0 bash -c "spoor-rca -c '$db' --json --no-store --all 2>/dev/null | jq -r '.nodes[] | select(.port == 53) | .address'"
	assert_line 10.20.0.2
	run -0 bash -c "spoor-rca -c '$db' --json --no-store --depth 2 2>/dev/null | jq '[.nodes[].id] | length'"
	[ "$output" -lt "$n" ]
	run -0 bash -c "spoor-rca -c '$db' --json --no-store --depth 2 2>/dev/null | jq '[.nodes[] | select(.parent != null)] | length'"
	[ "$output" -ge 1 ]
	last=$(spoor-rca -c "$db" --json --no-store 2>/dev/null | jq -r .summary.when.last)
	wlast=$(spoor-rca -c "$db" --json --no-store --window 2m 2>/dev/null | jq -r .summary.when.last)
	[ "$(date -d "$wlast" +%s)" -lt "$(date -d "$last" +%s)" ]
	run -64 spoor-rca -c "$db" --window soon
	run -64 spoor-rca -c "$db" --depth 0
}
