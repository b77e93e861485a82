#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# NTFS directories with data streams, against fls: fls lists a directory's
# stream as "dir:stream" and again, when it descends into the directory,
# as "dir/.:stream" (and the root's as ".:stream"); spoor-ls lists both,
# line for line, in text and bodyfile.  The repeat is marked and has no
# content of its own, so a stream is hashed and scanned once.  The image
# is made here (tests/helpers/ntfs.bash).

load helpers/common
load helpers/ntfs

setup_file() {
	mk_ntfs_streams "$BATS_FILE_TMPDIR"
}

setup() {
	IMG=$BATS_FILE_TMPDIR/ntfs.img
	need "$IMG"
}

@test "NTFS directory streams: spoor-ls -r lists fls -r -p's lines, 'dir/.:stream' and '.:stream' included" {
	expected=$(fls -r -p "$IMG")
	# the image has what the test is about
	echo "$expected" | grep -q $'\t\\$Extend/\\.:dirstream$' || fail "fls lists no \$Extend/.:dirstream"
	echo "$expected" | grep -q $'\t\\.:rootstream$' || fail "fls lists no .:rootstream"
	run -0 spoor-ls -r "$IMG"
	assert_equal "$output" "$expected"
}

@test "NTFS directory streams: --bodyfile gives fls -m's rows and the same mactime" {
	run -0 spoor-ls -r --bodyfile "$IMG"
	assert_equal "$(echo "$output" | sort)" "$(fls -r -m / "$IMG" | sort)"
	assert_line --partial '|/$Extend/.:dirstream|'
	assert_equal "$(echo "$output" | mactime -b - -d -y -z UTC)" \
	    "$(fls -r -m / "$IMG" | mactime -b - -d -y -z UTC)"
}

@test "NTFS directory streams: the '.' repeat has no digest of its own, 'dir:stream' and the root's '.:stream' have icat's" {
	run -0 spoor-ls -r --json --hash sha256 "$IMG"
	dir=$(echo "$output" | jq -r 'select(.path == "/$Extend" and .stream == "dirstream") | .sha256')
	assert_equal "$dir" "$(icat "$IMG" "$(fls_ref "$IMG" '$Extend:dirstream')" | sha256sum | cut -d' ' -f1)"
	assert_equal "$dir" "$(sha256sum < "$BATS_FILE_TMPDIR/dirstream" | cut -d' ' -f1)"
	assert_equal "$(echo "$output" | jq -c 'select(.path == "/$Extend/." and .stream == "dirstream") | has("sha256")')" false
	assert_equal "$(echo "$output" | jq -r 'select(.path == "/." and .stream == "rootstream") | .sha256')" \
	    "$(sha256sum < "$BATS_FILE_TMPDIR/rootstream" | cut -d' ' -f1)"
}

@test "NTFS directory streams are scanned once, under 'dir:stream', and the root's under '.:stream'" {
	cat > "$BATS_TEST_TMPDIR/streams.yar" <<-'EOF'
	rule dir_stream { strings: $a = "a stream of the $Extend directory" condition: $a }
	rule root_stream { strings: $a = "a stream of the root directory" condition: $a }
	EOF
	run -1 --separate-stderr spoor-scan --json --no-heuristics -r "$BATS_TEST_TMPDIR/streams.yar" "$IMG"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "yara") | "\(.rule) \(.target.path)"' | sort)" \
	    'dir_stream /$Extend:dirstream
root_stream /.:rootstream'
}
