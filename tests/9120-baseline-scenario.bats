#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Drift of the reference intrusion: web01 against a baseline of web01 as
# it was before the intrusion (mkscenario --before), checked against the
# fixture's own manifest, and the allowlist audit of it.

load helpers/common

CLEAN=$BUILD/scenario-clean/web01.raw
CUTOFF=2026-03-14T10:40:00
. "$SCENARIO/scenario.env"

setup() {
	[ -s "$CLEAN" ] || fail "$CLEAN missing: make test builds it"
	base=$BATS_TEST_TMPDIR/clean.base
	spoor-baseline create -o "$base" "$CLEAN" >/dev/null
}

@test "web01 against its state before the intrusion: exactly the inodes the manifest creates after it" {
	run -1 --separate-stderr spoor-baseline diff --json "$base" "$SCENARIO/web01.E01"
	got=$(jq -r 'select(.record == "entry" and .kind == "file") | "\(.status) \(.path)"' <<<"$output" | sort)
	# the oracle: every f, d or l line of the manifest born at or after
	# the cutoff, outside the logs the default rules leave out
	want=$(awk -v t="$CUTOFF" '$1 ~ /^[fdl]$/ && $5 ~ /^[0-9]/ && $5 >= t && $2 !~ "^/var/log/" { print "added " $2 }' \
	    "$REPO/tests/fixtures/scenario/manifest" | sort)
	[ -n "$want" ] || fail "the manifest has nothing after $CUTOFF"
	assert_equal "$got" "$want"
	# the cron entry is a difference of its own, and an important one
	assert_equal "$(jq -r 'select(.record == "entry" and .kind == "cron") | "\(.status) \(.important)"' <<<"$output")" "added true"
	assert_equal "$(jq -r 'select(.path == "/tmp/.X11-unix/.x/kswapd0") | .new.sha256' <<<"$output")" "$KSWAPD0_SHA256"
}

@test "with a case, the miner and the cron entry are drift detections; the web shell an event" {
	db=$BATS_TEST_TMPDIR/case.db
	run -1 --separate-stderr spoor-baseline diff -c "$db" "$base" "$SCENARIO/web01.E01"
	assert_equal "$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE namespace = 'drift' AND path = '/tmp/.X11-unix/.x/kswapd0'")" 1
	[ "$(sqlite3 "$db" "SELECT count(*) FROM detections WHERE namespace = 'drift' AND reason LIKE '%cron%'")" -ge 1 ]
	run -0 spoor-export -c "$db" --jsonl --artifact drift
	assert_equal "$(jq -r 'select(.path == "/var/www/html/uploads/thumb.php") | .artifact' <<<"$output")" drift
}

@test "the allowlist audit with that baseline: the miner, named by the cron line, and the web shell" {
	run -1 --separate-stderr spoor-baseline allowlist --json --baseline "$base" "$SCENARIO/web01.E01"
	assert_equal "$(jq -r 'select(.path) | .path' <<<"$output" | sort)" \
	    "$(printf '%s\n' /tmp/.X11-unix/.x/kswapd0 /var/www/html/uploads/thumb.php)"
	# and the clean host has nothing its own baseline does not vouch for
	run -0 --separate-stderr spoor-baseline allowlist --baseline "$base" "$CLEAN"
	assert_output ""
}
