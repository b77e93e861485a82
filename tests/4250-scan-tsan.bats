#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-scan's worker threads and spoor-rca's reader thread under
# ThreadSanitizer: the scenario's disk
# image and memory image scanned with -j 2 into a case, failing on any
# TSan report.  The TSan build (make SANITIZE=thread BUILD=build-tsan, or
# $SPOOR_TSAN_BUILD) is made here when missing or stale; only spoor-scan
# and spoor-rca are built, so it costs one compile of libspoor.

load helpers/common

setup_file() {
	TSAN_BUILD=${SPOOR_TSAN_BUILD:-$REPO/build-tsan}
	export TSAN_BUILD
	make -C "$REPO" --no-print-directory -s DEVELOPER=1 SANITIZE=thread \
		BUILD="$TSAN_BUILD" "$TSAN_BUILD/bin/spoor-scan" \
		"$TSAN_BUILD/bin/spoor-rca" >&3 2>&1 || return 1
}

# Run the TSan spoor-scan: a report ends it at once with status 99.
tsan_scan() {
	TSAN_OPTIONS="halt_on_error=1 exitcode=99 suppressions=$REPO/tests/tsan.supp" \
		"$TSAN_BUILD/bin/spoor-scan" "$@"
}

@test "spoor-scan -j 2 of the scenario's disk image into a case: no TSan report" {
	need "$SCENARIO/web01.raw"
	run -1 --separate-stderr tsan_scan -j 2 -c "$BATS_TEST_TMPDIR/case.db" \
		-r "$REPO/rules/index.yar" "$SCENARIO/web01.raw"
	refute_regex "$stderr" "ThreadSanitizer"
	[[ "$stderr" == *"detections in 5 targets"* ]]
}

@test "spoor-scan -j 2 of the scenario's E01 and memory image into one case: no TSan report" {
	need "$SCENARIO/web01.E01" "$SCENARIO/web01.lime"
	run -1 --separate-stderr tsan_scan -j 2 -c "$BATS_TEST_TMPDIR/case.db" \
		-r "$REPO/rules/index.yar" "$SCENARIO/web01.E01" "$SCENARIO/web01.lime"
	refute_regex "$stderr" "ThreadSanitizer"
	[[ "$stderr" == *"memory ranges"* ]]
}

@test "spoor-rca's reader thread and builder over the scenario's case: no TSan report" {
	need "$SCENARIO/web01.raw"
	db=$BATS_TEST_TMPDIR/case.db
	run -0 spoor-timeline -c "$db" --host web01 "$SCENARIO/web01.raw"
	run -1 spoor-scan -q -c "$db" "$SCENARIO/web01.raw"
	run -0 --separate-stderr env TSAN_OPTIONS="halt_on_error=1 exitcode=99 suppressions=$REPO/tests/tsan.supp" \
		"$TSAN_BUILD/bin/spoor-rca" -c "$db" --rebuild --json
	refute_regex "$stderr" "ThreadSanitizer"
	assert_equal "$(jq -r '.nodes[] | select(.root) | .address' <<<"$output")" 203.0.113.66
}
