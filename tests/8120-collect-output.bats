#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The output of a live collection (lib/live/collect-out.c), driven by
# tests/helpers/collect-triage.c: the same items written to a directory
# and to a pax archive, checked against tar(1), sha256sum and jq; names
# with a newline, ESC, invalid UTF-8 and 300 bytes kept byte for byte; an
# existing output refused; a write that fails is an error.

load helpers/common

setup() {
	prog=$BUILD/tests/collect-triage
	need "$prog"
	cd "$BATS_TEST_TMPDIR"
	printf 'first file\n' >plain
	head -c 200000 /dev/urandom >random
	: >empty
	long=files/$(printf 'd%.0s' {1..120})/$(printf 'n%.0s' {1..175})
	items=(
		add volatile/processes.jsonl '{"schema":1,"pid":1}'
		copy files/etc/plain plain
		copy files/var/random random
		copy files/empty empty
		copy $'files/new\nline' plain
		copy $'files/esc\e[31m' plain
		copy $'files/bad\xff\xfe\xc3' random
		copy "$long" plain
	)
}

# Check every item line of the manifest DIR/manifest.jsonl against the
# files below DIR: byte-exact path (path_hex when JSON cannot hold it),
# size and sha256.  Prints one line per mismatch.
check_manifest() {
	python3 - "$1" <<-'EOF'
	import hashlib, json, os, sys
	root = sys.argv[1].encode()
	lines = open(os.path.join(root, b"manifest.jsonl"), "rb").read().splitlines()
	for raw in lines:
	    o = json.loads(raw)
	    if o.get("kind") != "item":
	        continue
	    p = bytes.fromhex(o["path_hex"]) if "path_hex" in o else o["path"].encode()
	    data = open(os.path.join(root, p), "rb").read()
	    if len(data) != o["size"]:
	        print("size", p, len(data), o["size"])
	    if hashlib.sha256(data).hexdigest() != o["sha256"]:
	        print("sha256", p)
	EOF
}

@test "a directory output holds every item, hashed as its manifest says" {
	run -0 --separate-stderr "$prog" --items out "${items[@]}"
	[ -z "$stderr" ]
	run -0 check_manifest out
	assert_output ""
	# the same bytes as the sources, under the same names
	cmp plain out/files/etc/plain
	cmp random out/files/var/random
	cmp plain out/files/$'new\nline'
	cmp plain out/files/$'esc\e[31m'
	cmp random out/files/$'bad\xff\xfe\xc3'
	cmp plain "out/$long"
	# and sha256sum agrees with the manifest
	want=$(jq -r 'select(.path == "files/var/random") | .sha256' out/manifest.jsonl)
	[ "$want" = "$(sha256sum <random | cut -d' ' -f1)" ]
}

@test "every manifest line is a JSON object: the header first, the end last" {
	run -0 "$prog" --items out "${items[@]}"
	[ "$(jq -r 'type' out/manifest.jsonl | sort -u)" = object ]
	[ "$(head -n1 out/manifest.jsonl | jq -r .kind)" = collection ]
	[ "$(tail -n1 out/manifest.jsonl | jq -r .kind)" = end ]
	[ "$(tail -n1 out/manifest.jsonl | jq -r .status)" = complete ]
	# nine items: eight and collection.log
	[ "$(jq -s '[.[] | select(.kind == "item")] | length' out/manifest.jsonl)" -eq 9 ]
	[ "$(tail -n1 out/manifest.jsonl | jq -r .items)" -eq 9 ]
	[ "$(jq -r 'select(.kind == "item") | .schema' out/manifest.jsonl | sort -u)" = 1 ]
	# a name that is not UTF-8 carries its bytes in hex
	run -0 jq -r 'select(.path_hex) | .path_hex' out/manifest.jsonl
	assert_output "$(printf 'files/bad\xff\xfe\xc3' | od -An -tx1 | tr -d ' \n')"
}

@test "a tar output lists the items and extracts to the same bytes" {
	run -0 --separate-stderr "$prog" --items --tar out.tar "${items[@]}"
	[ -z "$stderr" ]
	run -0 --separate-stderr tar -tvf out.tar
	[ -z "$stderr" ]
	assert_line --partial ' files/etc/plain'
	assert_line --partial ' files/new\nline'
	assert_line --partial ' files/bad\377\376\303'
	assert_line --partial " $long"
	[ "${lines[-1]##* }" = manifest.jsonl ]
	[ "${lines[-2]##* }" = collection.log ]
	mkdir x
	run -0 --separate-stderr tar -xf out.tar -C x
	[ -z "$stderr" ]
	run -0 check_manifest x
	assert_output ""
	cmp random x/files/$'bad\xff\xfe\xc3'
	cmp plain x/files/$'esc\e[31m'
	cmp plain "x/$long"
	# the directory and the archive hold the same tree
	"$prog" --items out "${items[@]}"
	diff <(cd out && find . -type f ! -name manifest.jsonl | sort) \
		<(cd x && find . -type f ! -name manifest.jsonl | sort)
	diff -r -x manifest.jsonl out x
	# and the same manifest but for the times
	diff <(jq -c 'del(.started_ns, .started, .ended_ns, .options)' out/manifest.jsonl) \
		<(jq -c 'del(.started_ns, .started, .ended_ns, .options)' x/manifest.jsonl)
}

@test "a tar output to standard output is the same archive" {
	run -0 bash -c '"$1" --items --tar - copy files/etc/plain plain >s.tar' _ "$prog"
	mkdir x
	tar -xf s.tar -C x
	cmp plain x/files/etc/plain
	run -0 check_manifest x
	assert_output ""
}

@test "a file over the cap is cut and flagged truncated" {
	run -0 "$prog" --items --cap 1000 out copy files/random random copy files/plain plain
	[ "$(stat -c %s out/files/random)" -eq 1000 ]
	cmp -n 1000 random out/files/random
	[ "$(jq -r 'select(.path == "files/random") | .truncated' out/manifest.jsonl)" = true ]
	[ "$(jq -r 'select(.path == "files/random") | .size' out/manifest.jsonl)" = 1000 ]
	[ "$(jq -r 'select(.path == "files/plain") | .truncated' out/manifest.jsonl)" = false ]
	run -0 check_manifest out
	assert_output ""
}

@test "an existing non-empty output directory is refused and left alone" {
	mkdir out
	echo keep >out/x
	run -73 --separate-stderr "$prog" --items out copy files/plain plain
	[ "$stderr" = "collect-triage: 'out': exists and is not empty" ]
	[ "$(ls out)" = x ]
	[ "$(cat out/x)" = keep ]
}

@test "an existing archive or a symbolic link as output is refused" {
	echo keep >out.tar
	run -73 --separate-stderr "$prog" --items --tar out.tar copy files/plain plain
	[[ $stderr == *"'out.tar'"*"File exists" ]]
	[ "$(cat out.tar)" = keep ]
	mkdir real
	ln -s real link
	run -73 --separate-stderr "$prog" --items link copy files/plain plain
	[[ $stderr == *"not a directory"* ]]
	[ -z "$(ls real)" ]
}

@test "an item name with '..', an absolute name or a link in the way is refused" {
	run -64 --separate-stderr "$prog" --items out copy files/../x plain
	[[ $stderr == *"'..' component"* ]]
	rm -rf out
	run -64 --separate-stderr "$prog" --items out copy /etc/x plain
	[[ $stderr == *"absolute"* ]]
	rm -rf out
	# the same name twice
	run -73 --separate-stderr "$prog" --items out copy files/a plain copy files/a plain
	[[ $stderr == *"already in the collection"* ]]
	rm -rf out
	# a name whose folder is a file already
	run -73 --separate-stderr "$prog" --items out copy files/a plain copy files/a/b plain
	[[ $stderr == *"in the way"* ]]
	[ ! -e out/files/a/b ]
}

@test "a write that fails is an error, never a complete collection" {
	# a full disk
	run -73 --separate-stderr bash -c '"$1" --items --tar - copy files/random random >/dev/full' _ "$prog"
	[[ $stderr == "collect-triage: '-': write: No space left on device" ]]
	# a reader that goes away
	run -74 --separate-stderr bash -c 'set -o pipefail; "$1" --items --tar - copy files/random random | head -c 10 >/dev/null' _ "$prog"
	[[ $stderr == *"Broken pipe"* ]]
	# a directory that cannot grow past 100 KiB
	run -74 --separate-stderr bash -c 'trap "" XFSZ; ulimit -f 100; exec "$1" --items out copy files/random random' _ "$prog"
	[[ $stderr == *"File too large"* ]]
	# no end line: the collection does not say it is complete
	! grep -q '"kind":"end"' out/manifest.jsonl
	[ ! -e out/files/random ]
}
