#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-hashset: plain hash lists, an NSRL RDSv3 built here with sqlite3
# from a tiny sample with the real schema, the spoor hash database, and
# the lookups; md5sum, sha1sum and sha256sum are the oracles.

load helpers/common

setup() {
	cd "$BATS_TEST_TMPDIR"
	printf 'hello\n' > a.txt
	printf 'world\n' > b.txt
	printf 'not in any set\n' > c.txt
}

md5() { md5sum < "$1" | cut -c1-32; }
sha1() { sha1sum < "$1" | cut -c1-40; }
sha256() { sha256sum < "$1" | cut -c1-64; }
upper() { tr a-f A-F; }

# An NSRL RDSv3 with the tables and view of the minimal release's
# schema.sql; hashes upper case as NIST publishes them.  a.txt is in two
# packages (two FILE rows), b.txt in one.
make_rds() {
	sqlite3 "$1" <<-EOF
	.read "$REPO/tests/fixtures/nsrl-rdsv3-schema.sql"
	INSERT INTO MFG VALUES (1, 'Example Corp');
	INSERT INTO OS VALUES (10, 'Linux', '6', 1);
	INSERT INTO PKG VALUES (100, 'greeter', '1.0', 10, 1, 'English', 'Utility'),
	 (101, 'greeter-extra', '1.0', 10, 1, 'English', 'Utility');
	INSERT INTO VERSION VALUES ('2026.03.1', 'modern', '2026-03-01',
	 '2026-03-01', 'test sample');
	INSERT INTO FILE VALUES
	 ('$(sha256 a.txt | upper)', '$(sha1 a.txt | upper)', '$(md5 a.txt | upper)',
	  '363A3020', 'hello.txt', 6, 100),
	 ('$(sha256 a.txt | upper)', '$(sha1 a.txt | upper)', '$(md5 a.txt | upper)',
	  '363A3020', 'hello-copy.txt', 6, 101),
	 ('$(sha256 b.txt | upper)', '$(sha1 b.txt | upper)', '$(md5 b.txt | upper)',
	  '00000000', 'world.txt', 6, 100);
	EOF
}

@test "a sha256sum list: every listed hash is found with its name, others are not" {
	sha256sum a.txt b.txt > bad.sha256
	run -1 --separate-stderr spoor-hashset lookup --known-bad bad.sha256 \
	    "$(sha256 a.txt)" "$(sha256 b.txt)" "$(sha256 c.txt)"
	assert_equal "$output" "$(sha256 a.txt)	known-bad	bad.sha256	a.txt
$(sha256 b.txt)	known-bad	bad.sha256	b.txt
$(sha256 c.txt)	not-found"
	assert_equal "$stderr" ""
}

@test "lookup exits 0 when every hash is found" {
	md5sum a.txt > l.md5
	run -0 spoor-hashset lookup --known-good l.md5 "$(md5 a.txt)"
	assert_output "$(md5 a.txt)	known-good	l.md5	a.txt"
}

@test "md5, sha1 and sha256 lists, binary markers, --tag form, comments, CRLF and upper case" {
	{
		echo '# known-good test set'
		echo
		md5sum -b a.txt
		printf '%s  b.txt\r\n' "$(sha1 b.txt | upper)"
		sha256sum --tag c.txt
		printf '   %s\n' "$(md5 b.txt)"
	} > mixed.txt
	run -0 --separate-stderr spoor-hashset lookup --known-good --json mixed.txt \
	    "$(md5 a.txt)" "$(sha1 b.txt)" "$(sha256 c.txt | upper)" "$(md5 b.txt)"
	assert_equal "$stderr" ""
	assert_equal "$(echo "$output" | jq -r '[.algorithm, .name // "-", .kind] | join(" ")')" \
	    "md5 a.txt known-good
sha1 b.txt known-good
sha256 c.txt known-good
md5 - known-good"
}

@test "malformed lines are reported with file and line, skipped, and give status 2" {
	{
		md5sum a.txt
		echo 'deadbeef  short.txt'
		echo "$(md5 b.txt)x  glued.txt"
		sha1sum b.txt
		printf '\001\002binary\n'
	} > some-bad.txt
	run -2 --separate-stderr spoor-hashset lookup --known-bad some-bad.txt \
	    "$(md5 a.txt)" "$(sha1 b.txt)"
	assert_equal "$stderr" "spoor-hashset: some-bad.txt:2: not an MD5, SHA-1 or SHA-256 hash
spoor-hashset: some-bad.txt:3: not an MD5, SHA-1 or SHA-256 hash
spoor-hashset: some-bad.txt:5: not an MD5, SHA-1 or SHA-256 hash
spoor-hashset: 3 problems skipped (partial results)"
	assert_line --index 0 "$(md5 a.txt)	known-bad	some-bad.txt	a.txt"
	assert_line --index 1 "$(sha1 b.txt)	known-bad	some-bad.txt	b.txt"
}

@test "a file with no hash at all is not a hash list (65)" {
	printf 'just some text\nmore\n' > prose.txt
	run -65 --separate-stderr spoor-hashset lookup --known-bad prose.txt "$(md5 a.txt)"
	assert_equal "$output" ""
	[[ "$stderr" == *"spoor-hashset: 'prose.txt': not a hash list (line 1: not an MD5, SHA-1 or SHA-256 hash)"* ]]
}

@test "a plain list needs --known-good or --known-bad" {
	md5sum a.txt > l.md5
	run -64 --separate-stderr spoor-hashset lookup l.md5 "$(md5 a.txt)"
	assert_equal "$stderr" "spoor-hashset: 'l.md5': a hash list needs a kind: known-good or known-bad"
	run -64 --separate-stderr spoor-hashset import x.db l.md5
	[ ! -e x.db ]
}

@test "NSRL RDSv3: import reads each distinct file once and lookups find all three digests" {
	make_rds rds.db
	run -0 --separate-stderr spoor-hashset import --json hashes.db rds.db
	assert_equal "$stderr" ""
	assert_equal "$(echo "$output" | jq -r '[.format, .set, .read, .added, .duplicates, .malformed, .source_sha256] | join(" ")')" \
	    "nsrl-rdsv3 rds.db 2 6 0 0 $(sha256 rds.db)"
	for f in a.txt b.txt; do
		run -0 spoor-hashset lookup --json hashes.db "$(md5 $f)" "$(sha1 $f)" "$(sha256 $f)"
		assert_equal "$(echo "$output" | jq -r '[.algorithm, .kind, .set, (.size | tostring)] | join(" ")')" \
		    "md5 known-good rds.db 6
sha1 known-good rds.db 6
sha256 known-good rds.db 6"
	done
	run -0 spoor-hashset lookup --json hashes.db "$(sha256 b.txt)"
	assert_equal "$(echo "$output" | jq -r .name)" world.txt
	run -1 spoor-hashset lookup hashes.db "$(sha256 c.txt)"
	assert_output "$(sha256 c.txt)	not-found"
}

@test "NSRL RDSv3 used directly is looked up by SHA-256" {
	make_rds rds.db
	run -1 --separate-stderr spoor-hashset lookup --json rds.db "$(sha256 b.txt)" "$(md5 b.txt)"
	assert_equal "$(echo "$output" | jq -r '[.found, .kind // "-", .name // "-", (.size // "-" | tostring)] | join(" ")')" \
	    "true known-good world.txt 6
false - - -"
}

@test "re-importing a source adds nothing and counts duplicates" {
	make_rds rds.db
	sha256sum a.txt c.txt > bad.sha256
	run -0 spoor-hashset import hashes.db rds.db
	run -0 spoor-hashset import --known-bad hashes.db bad.sha256
	assert_output "2 added to set 'bad.sha256' from 'bad.sha256' (list: 2 read, 0 duplicates, 0 malformed)"
	run -0 spoor-hashset import --json hashes.db rds.db
	assert_equal "$(echo "$output" | jq -r '[.read, .added, .duplicates] | join(" ")')" "2 0 6"
	run -0 spoor-hashset import --json --known-bad hashes.db bad.sha256
	assert_equal "$(echo "$output" | jq -r '[.read, .added, .duplicates] | join(" ")')" "2 0 2"
	assert_equal "$(sqlite3 hashes.db 'SELECT count(*) FROM hash')" 8
	run -0 spoor-hashset info --json hashes.db
	assert_equal "$(echo "$output" | jq -r 'select(.type == "set") | [.set, .kind, .md5, .sha1, .sha256] | join(" ")')" \
	    "rds.db known-good 2 2 2
bad.sha256 known-bad 0 0 2"
	assert_equal "$(echo "$output" | jq -r 'select(.type == "import") | [.id, .set, .added, .source_sha256] | join(" ")')" \
	    "1 rds.db 6 $(sha256 rds.db)
2 bad.sha256 2 $(sha256 bad.sha256)
3 rds.db 0 $(sha256 rds.db)
4 bad.sha256 0 $(sha256 bad.sha256)"
}

@test "known-bad wins over known-good for the same hash" {
	make_rds rds.db
	sha256sum a.txt > bad.sha256
	spoor-hashset import hashes.db rds.db
	spoor-hashset import --known-bad hashes.db bad.sha256
	run -0 spoor-hashset lookup hashes.db "$(sha256 a.txt)" "$(sha256 b.txt)"
	assert_output "$(sha256 a.txt)	known-bad	bad.sha256	a.txt
$(sha256 b.txt)	known-good	rds.db	world.txt"
	# --known-good overrides the recorded kinds
	run -0 spoor-hashset lookup --known-good hashes.db "$(sha256 a.txt)"
	assert_output --partial "	known-good	"
}

@test "a set keeps its kind" {
	md5sum a.txt > l.md5
	spoor-hashset import --known-good hashes.db l.md5
	run -64 --separate-stderr spoor-hashset import --known-bad hashes.db l.md5
	[[ "$stderr" == *"set 'l.md5' is known-good, not known-bad" ]]
	run -0 spoor-hashset import --known-bad -n other hashes.db l.md5
	assert_output "1 added to set 'other' from 'l.md5' (list: 1 read, 0 duplicates, 0 malformed)"
}

@test "the hash database is an SQLite file with spoor's application_id and indexed BLOB digests" {
	md5sum a.txt > l.md5
	spoor-hashset import --known-bad hashes.db l.md5
	assert_equal "$(sqlite3 hashes.db 'PRAGMA application_id')" $((0x53504853))
	assert_equal "$(sqlite3 hashes.db 'SELECT lower(hex(digest)), typeof(digest) FROM hash')" \
	    "$(md5 a.txt)|blob"
	run -0 sqlite3 hashes.db "EXPLAIN QUERY PLAN SELECT name FROM hash WHERE digest = x'00'"
	assert_output --partial "USING PRIMARY KEY (digest=?)"
}

@test "malformed lines on import are problems and status 2; the good lines are imported" {
	{ md5sum a.txt; echo 'xyz'; sha1sum b.txt; } > l.txt
	run -2 --separate-stderr spoor-hashset import --known-bad hashes.db l.txt
	assert_output "2 added to set 'l.txt' from 'l.txt' (list: 2 read, 0 duplicates, 1 malformed)"
	assert_equal "$stderr" "spoor-hashset: l.txt:2: not an MD5, SHA-1 or SHA-256 hash
spoor-hashset: 1 problem skipped (partial results)"
}

@test "missing, non-SQLite, foreign SQLite and corrupt inputs give clear errors" {
	run -66 --separate-stderr spoor-hashset lookup --known-bad missing.txt "$(md5 a.txt)"
	assert_equal "$stderr" "spoor-hashset: 'missing.txt': open: No such file or directory"
	run -66 --separate-stderr spoor-hashset import --known-bad hashes.db missing.txt
	[ ! -e hashes.db ]
	sqlite3 other.db 'CREATE TABLE t (x)'
	run -65 --separate-stderr spoor-hashset lookup other.db "$(md5 a.txt)"
	assert_equal "$stderr" "spoor-hashset: 'other.db': an SQLite database that is neither a spoor hash database nor an NSRL RDSv3 (no FILE table with sha256, sha1, md5, file_name, file_size)"
	md5sum a.txt > l.md5
	run -65 --separate-stderr spoor-hashset import --known-bad other.db l.md5
	assert_equal "$stderr" "spoor-hashset: hash database 'other.db': not a spoor hash database"
	{ printf 'SQLite format 3\0'; head -c 8192 /dev/zero | tr '\0' x; } > corrupt.db
	run -65 --separate-stderr spoor-hashset lookup corrupt.db "$(md5 a.txt)"
	[[ "$stderr" == "spoor-hashset: 'corrupt.db': "*"not a database" ]]
	run -65 --separate-stderr spoor-hashset info l.md5
	assert_equal "$stderr" "spoor-hashset: 'l.md5': not a spoor hash database"
	spoor-hashset import --known-bad hashes.db l.md5
	run -64 --separate-stderr spoor-hashset import hashes2.db hashes.db
	assert_equal "$stderr" "spoor-hashset: 'hashes.db': a spoor hash database cannot be imported; load it directly"
}

@test "an NSRL without an index on FILE.sha256 must be imported (69)" {
	sqlite3 noindex.db "CREATE TABLE FILE (sha256, sha1, md5, crc32, file_name, file_size, package_id);
	    INSERT INTO FILE VALUES ('$(sha256 a.txt)', '$(sha1 a.txt)', '$(md5 a.txt)', '', 'a', 6, 1)"
	run -69 --separate-stderr spoor-hashset lookup noindex.db "$(sha256 a.txt)"
	[[ "$stderr" == *"FILE has no index on sha256; import it with spoor-hashset import" ]]
	run -0 spoor-hashset import hashes.db noindex.db
	run -0 spoor-hashset lookup hashes.db "$(md5 a.txt)"
}

@test "a newer hash database schema is refused" {
	md5sum a.txt > l.md5
	spoor-hashset import --known-bad hashes.db l.md5
	sqlite3 hashes.db 'PRAGMA user_version = 99'
	run -65 --separate-stderr spoor-hashset lookup hashes.db "$(md5 a.txt)"
	[[ "$stderr" == *"hash database schema 99 is newer than this program's 1" ]]
}

@test "usage errors: no verb, unknown verb, bad hash, both kinds" {
	run -64 spoor-hashset
	run -64 spoor-hashset frobnicate x
	md5sum a.txt > l.md5
	run -64 --separate-stderr spoor-hashset lookup --known-bad l.md5 nothex
	assert_equal "$stderr" "spoor-hashset: 'nothex': not an MD5, SHA-1 or SHA-256 hash"
	run -64 spoor-hashset lookup --known-bad --known-good l.md5 "$(md5 a.txt)"
	run -64 spoor-hashset info --name x hashes.db
}

@test "-c records the import in the case with the source's SHA-256" {
	md5sum a.txt > l.md5
	run -0 spoor-hashset -c case.db import --known-bad hashes.db l.md5
	assert_equal "$(sqlite3 case.db "SELECT tool, exit_status FROM runs")" "spoor-hashset|0"
	assert_equal "$(sqlite3 case.db "SELECT json_extract(inputs, '\$[0].sha256') FROM runs")" "$(sha256 l.md5)"
}
