#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor's YARA rule set (rules/): every family compiles without warnings,
# every rule carries valid meta, hits its positive fixture (and nothing
# else does), misses its near-miss fixture, stays quiet on the system's own
# programs and libraries, and finds the reference scenario's intrusion.

load helpers/common

RULES=$REPO/rules
FIX=$REPO/tests/fixtures/rules

setup_file() {
	# ELF fixtures are compiled, not stored: build them once per run.
	"$BATS_TEST_DIRNAME/fixtures/rules/mkelf.sh" "$BATS_FILE_TMPDIR/elf" >&2
}

# Every rule name, one a line.
all_rules() {
	sed -n 's/^rule \([A-Za-z0-9_]*\).*/\1/p' "$RULES"/*/*.yar
}

# The family (folder under rules/) defining rule $1.
family_of() {
	local f
	f=$(grep -l "^rule $1\$" "$RULES"/*/*.yar) || return 1
	basename "$(dirname "$f")"
}

# The fixture $1.$2 (pos or neg): stored text, or compiled by mkelf.sh.
fixture() {
	if [ -e "$FIX/$1.$2" ]; then
		echo "$FIX/$1.$2"
	elif [ -e "$BATS_FILE_TMPDIR/elf/$1.$2" ]; then
		echo "$BATS_FILE_TMPDIR/elf/$1.$2"
	else
		return 1
	fi
}

# The rule names in yara's output ($output), one a line, sorted.
hits() {
	echo "$output" | grep -v '^0x' | awk 'NF { print $1 }' | sort -u
}

# Scan a file of the scenario's E01 with the whole rule set.
scan_scenario() {
	need "$SCENARIO/web01.E01"
	run -0 spoor-cat "$SCENARIO/web01.E01" "$1"
	spoor-cat "$SCENARIO/web01.E01" "$1" > "$BATS_TEST_TMPDIR/file"
	run -0 --separate-stderr yara -s "$RULES/index.yar" "$BATS_TEST_TMPDIR/file"
}

# Accepted false positives: "fp-exception: RULE PATH" lines of rules/README.md.
fp_filter() {
	local ex
	ex=$(sed -n 's/^ *fp-exception: *\([^ ]*\) \([^ ]*\).*/\1 \2/p' "$RULES/README.md")
	if [ -n "$ex" ]; then
		echo "$output" | grep -vxF -f <(echo "$ex") || true
	else
		echo "$output"
	fi
}

@test "every family is one rules/<family>/<family>.yar and rules/index.yar includes them all" {
	local d fam n=0
	for d in "$RULES"/*/; do
		fam=$(basename "$d")
		[ -f "$d/$fam.yar" ] || fail "rules/$fam has no $fam.yar"
		[ "$(ls "$d")" = "$fam.yar" ] || fail "rules/$fam holds more than $fam.yar"
		grep -qx "include \"$fam/$fam.yar\"" "$RULES/index.yar" || fail "index.yar misses $fam"
		n=$((n + 1))
	done
	[ "$n" -ge 8 ]
	assert_equal "$(grep -c '^include ' "$RULES/index.yar")" "$n"
}

@test "every rule file and rules/index.yar compile with yarac, without warnings" {
	local f
	for f in "$RULES"/*/*.yar "$RULES/index.yar"; do
		run -0 --separate-stderr yarac --fail-on-warnings "$f" "$BATS_TEST_TMPDIR/out.yarc"
		assert_equal "$stderr" ""
		[ -s "$BATS_TEST_TMPDIR/out.yarc" ]
	done
}

@test "rule names are unique and the whole set loads" {
	run -0 all_rules
	[ "${#lines[@]}" -ge 20 ]
	assert_equal "$(all_rules | sort | uniq -d)" ""
	run -0 --separate-stderr yara "$RULES/index.yar" /dev/null
	assert_equal "$output" ""
}

@test "every rule has description, severity, attack, author and date with valid values" {
	run -0 awk '
	function check() {
		if (rule == "") return
		if (meta["description"] !~ /^".*"$/ || length(meta["description"]) < 12) bad("description")
		if (meta["severity"] !~ /^"(low|medium|high|critical)"$/) bad("severity")
		if (meta["attack"] !~ /^"T[0-9][0-9][0-9][0-9](\.[0-9][0-9][0-9])?"$/) bad("attack")
		if (meta["author"] != "\"spoor\"") bad("author")
		if (meta["date"] != "\"2026-11-25\"") bad("date")
		delete meta
	}
	function bad(k) { printf "%s: %s %s: bad or missing %s\n", file, rule, meta[k], k; errors++ }
	FNR == 1 { check(); rule = ""; file = FILENAME }
	/^rule / { check(); rule = $2; inmeta = 0; next }
	/^[ \t]*meta:/ { inmeta = 1; next }
	/^[ \t]*(strings|condition):/ { inmeta = 0; next }
	inmeta && /=/ {
		k = $1; v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
		if (k in meta) { printf "%s: %s: %s twice\n", file, rule, k; errors++ }
		meta[k] = v
	}
	END { check(); exit errors > 0 }' "$RULES"/*/*.yar
	assert_output ""
}

@test "every rule has a .pos and a .neg fixture, and every fixture a rule" {
	local r f k
	for r in $(all_rules); do
		for k in pos neg; do
			fixture "$r" "$k" >/dev/null || fail "rule $r has no $k fixture"
		done
	done
	for f in "$FIX"/*.pos "$FIX"/*.neg "$BATS_FILE_TMPDIR"/elf/*; do
		r=$(basename "$f"); r=${r%.*}
		all_rules | grep -qx "$r" || fail "fixture $f has no rule"
	done
}

@test "yara -s on each .pos reports exactly its rule (so nothing outside its family)" {
	local r f
	for r in $(all_rules); do
		f=$(fixture "$r" pos)
		run -0 --separate-stderr yara -s "$RULES/index.yar" "$f"
		assert_line "$r $f"
		assert_line --regexp '^0x[0-9a-f]+:\$'
		assert_equal "$(hits)" "$r"
		assert_equal "$(family_of "$(hits)")" "$(family_of "$r")"
	done
}

@test "yara -s on each .neg reports nothing" {
	local r f
	for r in $(all_rules); do
		f=$(fixture "$r" neg)
		run -0 --separate-stderr yara -s "$RULES/index.yar" "$f"
		[ -z "$output" ] || fail "$r.neg hit: $output"
	done
}

@test "ELF-only rules check the ELF magic, and only ELF fixtures hit them" {
	local r f
	for r in $(all_rules); do
		if awk -v r="$r" '$1 == "rule" { on = ($2 == r) } on && /condition:/ { c = 1 } on && c && /uint32\(0\) == 0x464c457f/ { found = 1 } END { exit !found }' "$RULES"/*/*.yar; then
			f=$(fixture "$r" pos)
			assert_equal "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" 7f454c46
		fi
	done
}

@test "no false positive on /usr/bin and /usr/sbin" {
	local d
	for d in /usr/bin /usr/sbin; do
		run -0 --separate-stderr yara -r -N -p 2 "$RULES/index.yar" "$d"
		assert_equal "$(fp_filter)" ""
	done
}

@test "no false positive on /usr/lib (symbolic links not followed; about 30 s)" {
	run -0 --separate-stderr yara -r -N -p 2 "$RULES/index.yar" /usr/lib
	assert_equal "$(fp_filter)" ""
}

@test "scenario: the web shell uploads/thumb.php hits the webshells family" {
	scan_scenario /var/www/html/uploads/thumb.php
	[ -n "$(hits)" ]
	for r in $(hits); do assert_equal "$(family_of "$r")" webshells; done
}

@test "scenario: the miner kswapd0 and its config.json hit the miners family" {
	local p r
	for p in /tmp/.X11-unix/.x/kswapd0 /tmp/.X11-unix/.x/config.json; do
		scan_scenario "$p"
		[ -n "$(hits)" ] || fail "$p hit nothing"
		for r in $(hits); do assert_equal "$(family_of "$r")" miners; done
	done
}

@test "scenario: the LiME memory image hits the miners family" {
	need "$SCENARIO/web01.lime"
	run -0 --separate-stderr yara -s "$RULES/index.yar" "$SCENARIO/web01.lime"
	[ -n "$(hits)" ]
	for r in $(hits); do assert_equal "$(family_of "$r")" miners; done
}

@test "scenario: www-data's crontab hits the persistence family" {
	scan_scenario /var/spool/cron/crontabs/www-data
	[ -n "$(hits)" ]
	for r in $(hits); do assert_equal "$(family_of "$r")" persistence; done
}

@test "scenario: index.php, upload.php and /etc/crontab hit nothing" {
	local p
	for p in /var/www/html/index.php /var/www/html/upload.php /etc/crontab; do
		scan_scenario "$p"
		[ -z "$output" ] || fail "$p hit: $output"
	done
}
