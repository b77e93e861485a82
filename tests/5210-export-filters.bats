#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-export's filters and views of every event: lists of artifact kinds,
# unknown kinds refused, --host, --user, --pid and --session, and --text
# (every event as CSV), checked against counts of the case itself (sqlite3)
# and against the same events as JSON Lines (jq).

load helpers/common

# A case holding the scenario's disk, loaded as host web01, in $db.
scenario_case() {
	need "$SCENARIO/web01.raw"
	db=$BATS_TEST_TMPDIR/case.db
	spoor-timeline -c "$db" --host web01 "$SCENARIO/web01.raw" >/dev/null
}

# The number of events of the case that pass the SQL condition $1.
count() {
	sqlite3 "$db" "SELECT count(*) FROM events WHERE $1"
}

@test "--artifact audit,auth gives the events of both kinds, as many as the case holds" {
	scenario_case
	want=$(count "artifact IN ('audit', 'auth')")
	[ "$want" -gt 100 ]
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --artifact audit,auth
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" "$want"
	assert_equal "$(echo "$output" | jq -r .artifact | sort -u | tr '\n' ' ')" "audit auth "
}

@test "--artifact is repeatable and a kind given twice counts once" {
	scenario_case
	want=$(count "artifact IN ('audit', 'auth', 'wtmp')")
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --artifact audit --artifact auth,audit --artifact wtmp
	assert_equal "${#lines[@]}" "$want"
	assert_equal "$(echo "$output" | jq -r .artifact | sort -u | tr '\n' ' ')" "audit auth wtmp "
}

@test "an unknown --artifact kind is refused with 64, naming every known kind, and writes nothing" {
	scenario_case
	run -64 --separate-stderr spoor-export -c "$db" --jsonl --artifact nothing
	assert_output ""
	[[ "$stderr" == "spoor-export: unknown artifact 'nothing' (known: "*")" ]]
	known=${stderr#*known: }
	known=${known%)}
	# the case's own artifacts, the parsers' kinds, fs and detection
	for k in $(sqlite3 "$db" "SELECT DISTINCT artifact FROM events") \
	    syslog audit utmp journal zsh_history fs detection; do
		[[ ", $known, " == *", $k, "* ]] || fail "'$k' missing from: $known"
	done
	# sorted, each once
	assert_equal "$(echo "$known" | tr -d ' ' | tr , '\n')" \
	    "$(echo "$known" | tr -d ' ' | tr , '\n' | sort -u)"
	# the run is recorded with the status
	assert_equal "$(sqlite3 "$db" "SELECT exit_status FROM runs ORDER BY id DESC LIMIT 1")" 64
}

@test "one unknown kind in a list refuses the whole export" {
	scenario_case
	run -64 --separate-stderr spoor-export -c "$db" --text --artifact audit,nothing,auth
	assert_output ""
	[[ "$stderr" == "spoor-export: unknown artifact 'nothing' (known: "* ]]
}

@test "a parser's kind the case does not hold (journal) is accepted: nothing, status 0" {
	scenario_case
	assert_equal "$(count "artifact = 'journal'")" 0
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --artifact journal
	assert_output ""
	assert_equal "$stderr" ""
}

@test "a kind parsers write beside the registry's (btmp, socket) on a case without it: nothing, status 0" {
	db=$BATS_TEST_TMPDIR/case.db
	printf 'Mar 14 10:00:00 h1 sshd[1]: Accepted password for bob from 10.0.0.1 port 22 ssh2\n' \
	    >"$BATS_TEST_TMPDIR/auth.log"
	spoor-timeline -c "$db" --artifact syslog "$BATS_TEST_TMPDIR/auth.log" >/dev/null
	assert_equal "$(count "artifact IN ('btmp', 'socket')")" 0
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --artifact btmp,socket
	assert_output ""
	assert_equal "$stderr" ""
	# and a kind nothing writes is still refused
	run -64 --separate-stderr spoor-export -c "$db" --jsonl --artifact btmpx
}

@test "an empty kind in an --artifact list is a usage error" {
	scenario_case
	for a in , audit, ,auth audit,,auth ""; do
		run -64 --separate-stderr spoor-export -c "$db" --jsonl --artifact "$a"
		assert_output ""
		[[ "$stderr" == "spoor-export: empty artifact kind in '$a'"* ]]
	done
}

@test "the mactime view and the bodyfile refuse kinds without fs, and show fs rows with fs in the list" {
	scenario_case
	run -64 --separate-stderr spoor-export -c "$db" --artifact audit
	assert_output ""
	[[ "$stderr" == "spoor-export: --mactime lists file system entries only"* ]]
	run -64 --separate-stderr spoor-export -c "$db" --bodyfile --artifact auth,cron
	[[ "$stderr" == "spoor-export: --bodyfile lists file system entries only"* ]]
	assert_equal "$(spoor-export -c "$db" --mactime --artifact audit,fs)" "$(spoor-export -c "$db" --mactime)"
	assert_equal "$(spoor-export -c "$db" --bodyfile --artifact fs)" "$(spoor-export -c "$db" --bodyfile)"
}

@test "--user keeps the events of that user, in every event view" {
	scenario_case
	want=$(count "user = 'deploy'")
	[ "$want" -gt 10 ]
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --user deploy
	assert_equal "${#lines[@]}" "$want"
	assert_equal "$(echo "$output" | jq -r .user | sort -u)" deploy
	run -0 --separate-stderr spoor-export -c "$db" --timesketch --user deploy
	assert_equal "${#lines[@]}" "$want"
	run -0 --separate-stderr spoor-export -c "$db" --text --user deploy
	assert_equal "${#lines[@]}" "$((want + 1))"
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --user nobody-here
	assert_output ""
}

@test "--pid keeps the events of that process id" {
	scenario_case
	want=$(count "pid = 1234")
	[ "$want" -gt 5 ]
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --pid 1234
	assert_equal "${#lines[@]}" "$want"
	assert_equal "$(echo "$output" | jq -r .pid | sort -u)" 1234
}

@test "--session keeps the events of that login or audit session" {
	scenario_case
	want=$(count "session = 5")
	[ "$want" -gt 5 ]
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --session 5
	assert_equal "${#lines[@]}" "$want"
	assert_equal "$(echo "$output" | jq -r .session | sort -u)" 5
}

@test "--host keeps the events of that host among several" {
	scenario_case
	printf '#1773480000\nid\n#1773480060\nls -la\n' >"$BATS_TEST_TMPDIR/history"
	spoor-timeline -c "$db" --host db02 --artifact bash_history "$BATS_TEST_TMPDIR/history" >/dev/null
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --host db02
	assert_equal "${#lines[@]}" 2
	assert_equal "$(echo "$output" | jq -r .message | tr '\n' ' ')" "id ls -la "
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --host web01
	assert_equal "${#lines[@]}" "$(count "host = 'web01'")"
	assert_equal "$(echo "$output" | jq -r .host | sort -u)" web01
	assert_equal "$(spoor-export -c "$db" --jsonl | wc -l)" "$(count 1)"
}

@test "the filters combine: user, pid, artifact and time all hold on every row" {
	scenario_case
	want=$(count "user = 'deploy' AND pid = 1234 AND artifact = 'audit' AND time_ns <= 1773480000000000000")
	[ "$want" -gt 0 ]
	run -0 --separate-stderr spoor-export -c "$db" --jsonl --user deploy --pid 1234 \
	    --artifact audit --to 2026-03-14T09:20:00Z
	assert_equal "${#lines[@]}" "$want"
}

@test "a --pid or --session that is no number is a usage error" {
	scenario_case
	for v in x -1 12a "" 99999999999999999999; do
		run -64 --separate-stderr spoor-export -c "$db" --jsonl --pid "$v"
		[[ "$stderr" == "spoor-export: bad pid '$v' (a number expected)"* ]]
		run -64 --separate-stderr spoor-export -c "$db" --jsonl --session "$v"
		[[ "$stderr" == "spoor-export: bad session '$v' (a number expected)"* ]]
	done
}

@test "--host, --user, --pid and --session with the mactime view or the bodyfile are usage errors" {
	scenario_case
	for f in --mactime "--mactime --csv" --bodyfile; do
		for o in "--host web01" "--user root" "--pid 1" "--session 5"; do
			# shellcheck disable=SC2086
			run -64 --separate-stderr spoor-export -c "$db" $f $o
			assert_output ""
			[[ "$stderr" == "spoor-export: --host, --user, --pid and --session filter events"* ]]
		done
	done
}

@test "--text writes every event, not only file system rows, with the fields of --jsonl" {
	scenario_case
	run -0 --separate-stderr spoor-export -c "$db" --text
	assert_equal "${lines[0]}" "time,artifact,time_desc,host,user,pid,message,origin"
	assert_equal "$((${#lines[@]} - 1))" "$(count 1)"
	spoor-export -c "$db" --text >"$BATS_TEST_TMPDIR/text.csv"
	spoor-export -c "$db" --jsonl | jq -r '[.time, .artifact, .time_desc, (.host // ""),
	    (.user // ""), (.pid // "" | tostring), .message, (.origin // .source)] | @json' \
	    >"$BATS_TEST_TMPDIR/want"
	python3 -c '
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))[1:]
for r in rows:
    print(json.dumps(r, ensure_ascii=False, separators=(",", ":")))
' "$BATS_TEST_TMPDIR/text.csv" >"$BATS_TEST_TMPDIR/got"
	run diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	assert_success
	# every artifact of the case is there
	assert_equal "$(tail -n +2 "$BATS_TEST_TMPDIR/text.csv" | python3 -c '
import csv, sys
print("\n".join(sorted({r[1] for r in csv.reader(sys.stdin)})))')" \
	    "$(sqlite3 "$db" "SELECT DISTINCT artifact FROM events ORDER BY 1")"
}

@test "--text quotes commas and quotes and shows control characters of a message as \\xHH" {
	db=$BATS_TEST_TMPDIR/case.db
	printf '#1773480000\necho "a,b" \033[31mred\177\302\233 end \n' >"$BATS_TEST_TMPDIR/history"
	spoor-timeline -c "$db" --host db02 --artifact bash_history "$BATS_TEST_TMPDIR/history" >/dev/null
	run -0 --separate-stderr spoor-export -c "$db" --text
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[1]}" \
	    '2026-03-14T09:20:00.000000000Z,bash_history,command,db02,,,"echo ""a,b"" \x1b[31mred\x7f\xc2\x9b end ",'"$BATS_TEST_TMPDIR/history"
}

@test "--text keeps the filters: --artifact, --user and --from/--to" {
	scenario_case
	want=$(count "artifact IN ('auth', 'wtmp') AND user = 'root' AND time_ns >= 1773446400000000000")
	[ "$want" -gt 0 ]
	run -0 --separate-stderr spoor-export -c "$db" --text --artifact auth,wtmp --user root --from 2026-03-14
	assert_equal "$((${#lines[@]} - 1))" "$want"
	for l in "${lines[@]:1}"; do
		[[ "$l" == 2026-03-1[4-9]T*,auth,* || "$l" == 2026-03-1[4-9]T*,wtmp,* ]] || fail "row: $l"
		[[ "$l" == *,web01,root,* ]] || fail "row: $l"
	done
}

@test "more than 32 artifact kinds are a usage error; 32 are taken" {
	scenario_case
	list=audit$(printf ',k%d' $(seq 1 31))
	run -64 --separate-stderr spoor-export -c "$db" --jsonl --artifact "$list" --artifact auth
	[[ "$stderr" == "spoor-export: more than 32 artifact kinds"* ]]
	run -64 --separate-stderr spoor-export -c "$db" --jsonl --artifact "$list"
	[[ "$stderr" == "spoor-export: unknown artifact 'k1' (known: "* ]]
}
