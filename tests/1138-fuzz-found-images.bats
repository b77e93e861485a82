#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The images fuzz_evidence found that make libtsk or libewf ask for
# gigabytes or work for seconds (tests/fixtures/fuzz-found/, gzipped):
# two E01 sets whose chunk table makes libewf allocate 4 GiB, ext2 images
# that make libtsk allocate 3 and 10 GiB (fls itself takes 47 s and
# 10 GB on the second), and ext2 images on which libtsk spends 12 s in
# one directory or one deleted file.  spoor's guard is what is checked:
# inside --max-memory every command ends quickly, inside the bound, with
# one verdict from ls, timeline and scan (0 only when the listing is
# fls's).  The round2-* images came from a later, longer run of the same
# target: E01 chunk tables, ext superblocks that make libtsk allocate
# gigabytes in smaller pieces, and an image that timed out under the
# fuzzer's instrumentation.  On ext4-orphan-search-2g libtsk's orphan
# search fails an allocation and returns as if whole: a problem says so.
# A sanitizer build sets no address-space bound, so there the
# sanitizer's own cap on one allocation stands in for it.

load helpers/common

F=$BATS_TEST_DIRNAME/fixtures/fuzz-found

setup_file() {
	local f
	for f in "$BATS_TEST_DIRNAME"/fixtures/fuzz-found/*.gz; do
		gunzip -c "$f" >"$BATS_FILE_TMPDIR/$(basename "$f" .gz)"
	done
}

setup() {
	if [ -n "$(sanitizers)" ]; then
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}max_allocation_size_mb=512:allocator_may_return_null=1"
	fi
}

# bounded CMD...: run with a 60 s timeout; st, secs and kb after it.
bounded() {
	st=0
	/usr/bin/time -f '%e %M' -o "$BATS_TEST_TMPDIR/time" timeout 60 "$@" \
	    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || st=$?
	read -r secs kb < <(tail -n 1 "$BATS_TEST_TMPDIR/time")
}

# verdicts IMG MAXSECS [scan]: ls, timeline (and scan) agree, each quick
# and inside 512 MiB; prints the status.
verdicts() {
	local img=$BATS_FILE_TMPDIR/$1 max=$2 ls_st
	# the run's problems stay in ls.db for the test to read
	rm -f "$BATS_TEST_TMPDIR/ls.db"
	bounded spoor-ls --max-memory 512M -c "$BATS_TEST_TMPDIR/ls.db" -r "$img"
	ls_st=$st
	case $st in 0 | 2 | 65) ;; *) fail "$1: spoor-ls status $st: $(cat "$BATS_TEST_TMPDIR/err")" ;; esac
	awk -v s="$secs" -v m="$max" 'BEGIN { exit !(s < m) }' || fail "$1: spoor-ls $secs s"
	[ "$kb" -lt $((512 * 1024)) ] || fail "$1: spoor-ls $kb KB"
	if [ "$st" -eq 0 ]; then
		fls -r -p "$img" >"$BATS_TEST_TMPDIR/fls" 2>/dev/null
		diff "$BATS_TEST_TMPDIR/fls" "$BATS_TEST_TMPDIR/out" || fail "$1: status 0 but not fls's listing"
	fi
	rm -f "$BATS_TEST_TMPDIR/case.db"
	bounded spoor-timeline --max-memory 512M -c "$BATS_TEST_TMPDIR/case.db" "$img"
	assert_equal "$1 timeline $st" "$1 timeline $ls_st"
	[ "$kb" -lt $((512 * 1024)) ] || fail "$1: timeline $kb KB"
	if [ "${3:-}" = scan ]; then
		bounded spoor-scan --max-memory 512M --no-heuristics -r "$BATS_TEST_DIRNAME/../rules" "$img"
		# a raw image without a file system: spoor-scan reads its
		# bytes as the file they are; an E01 stays evidence (65)
		if [ "$ls_st" -eq 65 ] && [ "${img%.E01}" = "$img" ]; then
			assert_equal "$1 scan $st" "$1 scan 0"
		else
			assert_equal "$1 scan $st" "$1 scan $ls_st"
		fi
		[ "$kb" -lt $((512 * 1024)) ] || fail "$1: scan $kb KB"
	fi
	echo "$ls_st"
}

@test "E01 chunk tables that make libewf allocate 4 GiB: no file system (65), quick" {
	for img in e01-chunk-4g-a.E01 e01-chunk-4g-b.E01; do
		run -0 verdicts "$img" 10 scan
		assert_output 65
	done
}

@test "ext2 images that make libtsk allocate 3 and 10 GiB: a problem (2) inside --max-memory, not gigabytes" {
	for img in ext-alloc-3g.raw ext-alloc-10g.raw; do
		run -0 verdicts "$img" 10 scan
		assert_output 2
		# each names what was lost
		run -0 sqlite3 "$BATS_TEST_TMPDIR/ls.db" 'SELECT count(*) FROM problems'
		[ "$output" -ge 1 ] || fail "$img: no problem recorded"
	done
}

@test "ext2 images on which libtsk spends 12 s in one directory: a problem naming it (2), libtsk's time only" {
	for img in ext-dir-12s-a.raw ext-dir-12s-b.raw; do
		run -0 verdicts "$img" 40
		assert_output 2
		run -0 sqlite3 "$BATS_TEST_TMPDIR/ls.db" 'SELECT message FROM problems'
		assert_output --partial "directory cannot be read"
	done
}

@test "an ext4 image whose orphan search libtsk cuts short when an allocation fails: what libtsk returned is listed, and a problem says what may be missing" {
	local img=$BATS_FILE_TMPDIR/ext4-orphan-search-2g.raw
	# libtsk's inode walk asks for more and more memory, up to 1.3 GB at
	# once (fls: 100 s, 7 GB); under a bound the allocation fails, libtsk
	# skips the inode and returns the search as if it were whole.  A
	# sanitizer build caps one allocation, not the sum, and keeps freed
	# memory in quarantine: here the cap is the size of libtsk's first
	# large piece (120 MiB) and the quarantine small.
	if [ -n "$(sanitizers)" ]; then
		export ASAN_OPTIONS="$ASAN_OPTIONS:max_allocation_size_mb=128:quarantine_size_mb=16"
	fi
	rm -f "$BATS_TEST_TMPDIR/c.db"
	bounded spoor-ls --max-memory 512M -c "$BATS_TEST_TMPDIR/c.db" -r "$img"
	[ "$st" -eq 2 ] || fail "spoor-ls status $st: $(cat "$BATS_TEST_TMPDIR/err")"
	awk -v s="$secs" 'BEGIN { exit !(s < 10) }' || fail "spoor-ls $secs s"
	[ "$kb" -lt $((512 * 1024)) ] || fail "spoor-ls $kb KB"
	# what libtsk did return is listed; fls's orphans are among it
	grep -q '\$OrphanFiles/OrphanFile-' "$BATS_TEST_TMPDIR/out"
	run -0 sqlite3 "$BATS_TEST_TMPDIR/c.db" 'SELECT subject || ": " || message FROM problems'
	assert_output --partial '/$OrphanFiles: orphan file search ran out of memory and went on, orphan files may be missing'
	run -0 verdicts ext4-orphan-search-2g.raw 10 scan
	assert_output 2
}

@test "an ext2 image whose deleted file libtsk reads for 12 s: listed as fls lists it, the file unrecoverable" {
	run -0 verdicts ext-deleted-read-12s.raw 10
	assert_output 0
	bounded spoor-scan --max-memory 512M --no-heuristics -r "$BATS_TEST_DIRNAME/../rules" "$BATS_FILE_TMPDIR/ext-deleted-read-12s.raw"
	[ "$st" -eq 0 ] || fail "scan status $st: $(cat "$BATS_TEST_TMPDIR/err")"
	[ "$kb" -lt $((512 * 1024)) ] || fail "scan $kb KB"
	grep -q "1 deleted and unrecoverable" "$BATS_TEST_TMPDIR/err"
}

@test "the images of a longer fuzz run (round2-*): one verdict from ls, timeline and scan, fls's listing when it is 0" {
	local img n=0
	for img in "$BATS_FILE_TMPDIR"/round2-*; do
		run -0 verdicts "$(basename "$img")" 10 scan
		case $output in
		*0 | *2 | *65) ;;
		*) fail "$img: $output" ;;
		esac
		n=$((n + 1))
	done
	[ "$n" -ge 13 ]
}

@test "without --max-memory the bound follows the inputs' size: the image that asks libtsk for 10 GiB is refused at once, as inside 512M" {
	local img=$BATS_FILE_TMPDIR/ext-alloc-10g.raw rule
	unset SPOOR_MAX_MEMORY
	rule=$(ls "$BATS_TEST_DIRNAME"/../rules/*.yar | head -n 1)
	# a 180 KB image: a bound of 64 times its size is the floor, 2 GiB and
	# 256 MiB a processor, far below the 10 GiB libtsk asks for
	bounded spoor-ls -r "$img"
	assert_equal "ls $st" "ls 2"
	awk -v s="$secs" 'BEGIN { exit !(s < 10) }' || fail "spoor-ls $secs s"
	[ "$kb" -lt $((3 * 1024 * 1024)) ] || fail "spoor-ls $kb KB"
	rm -f "$BATS_TEST_TMPDIR/case.db"
	bounded spoor-timeline -c "$BATS_TEST_TMPDIR/case.db" "$img"
	assert_equal "timeline $st" "timeline 2"
	awk -v s="$secs" 'BEGIN { exit !(s < 10) }' || fail "spoor-timeline $secs s"
	bounded spoor-scan --no-heuristics -r "$rule" "$img"
	assert_equal "scan $st" "scan 2"
	awk -v s="$secs" 'BEGIN { exit !(s < 10) }' || fail "spoor-scan $secs s"
	[ "$kb" -lt $((3 * 1024 * 1024)) ] || fail "spoor-scan $kb KB"
}
