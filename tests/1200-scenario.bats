#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The reference intrusion (tests/fixtures/mkscenario): built the same way
# every time, its E01 equal to its raw disk, and every artifact where the
# story puts it, checked with TSK, libewf and util-linux.

load helpers/common

setup() {
	need "$SCENARIO/scenario.env" "$SCENARIO/web01.raw" "$SCENARIO/web01.E01"
	. "$SCENARIO/scenario.env"
	RAW=$SCENARIO/web01.raw
	E01=$SCENARIO/web01.E01
}

@test "the fixture is deterministic: a second build gives the same disk and memory" {
	"$REPO/tests/fixtures/mkscenario" "$BATS_TEST_TMPDIR/again" >/dev/null
	assert_equal "$(sha256sum < "$BATS_TEST_TMPDIR/again/web01.raw")" "$DISK_SHA256  -"
	assert_equal "$(sha256sum < "$BATS_TEST_TMPDIR/again/web01.lime")" "$LIME_SHA256  -"
	assert_equal "$(sha256sum < "$RAW")" "$DISK_SHA256  -"
}

@test "the E01 spans several segments, verifies, and stores the disk's MD5" {
	run -0 ewfverify -q "$E01"
	run -0 spoor-info --json "$E01"
	assert_equal "$(echo "$output" | jq -r '.segments | length')" "$EWF_SEGMENTS"
	[ "$EWF_SEGMENTS" -ge 3 ]
	assert_equal "$(echo "$output" | jq -r .ewf.md5)" "$(md5sum < "$RAW" | cut -d' ' -f1)"
	assert_equal "$(echo "$output" | jq -r '.ewf | "\(.case_number)|\(.evidence_number)|\(.examiner)|\(.description)"')" \
	    "$EWF_CASE_NUMBER|$EWF_EVIDENCE_NUMBER|$EWF_EXAMINER|$EWF_DESCRIPTION"
}

@test "the disk has one Linux partition at sector 2048 holding ext4 web01-root" {
	run -0 spoor-info --json "$E01"
	assert_equal "$(echo "$output" | jq -r '.volumes[] | select(.allocated) | "\(.start) \(.length) \(.description)"')" \
	    "$PART_START_SECTOR $PART_SECTORS Linux (0x83)"
	assert_equal "$(echo "$output" | jq -r '.file_systems[0] | "\(.type) \(.offset) \(.label) \(.block_size)"')" \
	    "ext4 $PART_OFFSET_BYTES $FS_LABEL $FS_BLOCK_SIZE"
}

@test "spoor-ls on the E01 lists what fls lists on the raw disk" {
	run -0 spoor-ls -r "$E01"
	assert_equal "$output" "$(fls -r -p -o "$PART_START_SECTOR" "$RAW")"
	run -0 spoor-ls -r --bodyfile "$E01"
	assert_equal "$(echo "$output" | sort)" "$(fls -r -m / -o "$PART_START_SECTOR" "$RAW" | sort)"
}

@test "the timestomped miner: times to the nanosecond as istat prints them" {
	run -0 spoor-ls --json "$E01" /tmp/.X11-unix/.x/kswapd0
	ist=$(istat -o "$PART_START_SECTOR" "$RAW" "$KSWAPD0_INODE")
	for t in "File Created:crtime" "File Modified:mtime" Accessed:atime "Inode Modified:ctime"; do
		label=${t%:*} key=${t#*:}
		want=$(echo "$ist" | sed -n "s/^${label}:[[:space:]]*//p" | head -1 |
		    sed 's/ (UTC)//; s/ /T/; s/$/Z/')
		assert_equal "$(echo "$output" | jq -r ".$key")" "$want"
	done
	# modified in 2025, created on the day of the intrusion
	assert_equal "$(echo "$output" | jq -r '.mtime[0:10] + " " + .crtime[0:10]')" "2025-11-02 2026-03-14"
}

@test "the deleted access.log.1 is listed as a deleted name" {
	run -0 spoor-ls -r -d "$E01" /var/log
	assert_output "r/r * $ACCESS_LOG1_INODE:	var/log/apache2/access.log.1"
}

@test "the web shell and the miner read back with the fixture's hashes" {
	run -0 bash -c "spoor-cat '$E01' /var/www/html/uploads/thumb.php | sha256sum"
	assert_output "$WEBSHELL_SHA256  -"
	run -0 bash -c "spoor-cat '$E01' $KSWAPD0_INODE | sha256sum"
	assert_output "$KSWAPD0_SHA256  -"
	run -0 bash -c "icat -o $PART_START_SECTOR '$RAW' $KSWAPD0_INODE | sha256sum"
	assert_output "$KSWAPD0_SHA256  -"
}

@test "wtmp holds real utmp records: root from the attacker on pts/0" {
	spoor-cat "$E01" /var/log/wtmp > "$BATS_TEST_TMPDIR/wtmp"
	assert_equal "$(( $(stat -c %s "$BATS_TEST_TMPDIR/wtmp") % 384 ))" 0
	run -0 utmpdump "$BATS_TEST_TMPDIR/wtmp"
	assert_line --regexp "^\[7\] \[[0-9 ]+\] \[[^]]*\] \[root +\] \[pts/0 +\] \[$ATTACKER_IP +\] \[$ATTACKER_IP +\] \[2026-03-14T11:02:41"
	assert_line --regexp "^\[7\] .*\[deploy +\] .*\[$ADMIN_IP +\] .*\[2026-03-14T09:12:03"
}

@test "the story's artifacts are all in the file system" {
	run -0 spoor-ls -r -u --json "$E01"
	paths=$(echo "$output" | jq -r .path)
	for p in /var/log/apache2/access.log /var/log/auth.log /var/log/audit/audit.log \
	    /var/log/wtmp /var/log/dpkg.log /var/log/apt/history.log /root/.bash_history \
	    /var/spool/cron/crontabs/www-data /root/.ssh/authorized_keys \
	    /var/www/html/uploads/thumb.php /tmp/.X11-unix/.x/config.json \
	    /etc/sudoers.d/www-data; do
		grep -qxF -- "$p" <<< "$paths" || fail "missing $p"
	done
}

@test "the logs tell the story at the story's times" {
	run -0 spoor-cat "$E01" /var/log/apache2/access.log
	assert_line --regexp "^$ATTACKER_IP .*\[14/Mar/2026:10:42:17 \+0000\] \"POST /upload.php"
	run -0 spoor-cat "$E01" /var/log/auth.log
	assert_line --regexp "^Mar 14 11:02:41 web01 sshd\[[0-9]+\]: Accepted publickey for root from $ATTACKER_IP"
	run -0 spoor-cat "$E01" /var/spool/cron/crontabs/www-data
	assert_line "@reboot $MINER_CMDLINE >/dev/null 2>&1"
	run -0 spoor-cat "$E01" /root/.ssh/authorized_keys
	assert_line --partial "$ATTACKER_KEY_COMMENT"
	run -0 spoor-cat "$E01" /var/log/audit/audit.log
	assert_line --regexp "^type=SYSCALL msg=audit\([0-9.]+:[0-9]+\): .* ppid=$PID_SH pid=$PID_MINER .*"
}

@test "the LiME image: valid headers and the miner's memory at its offset" {
	lime=$SCENARIO/web01.lime
	# an independent reader: walk the 32-byte headers with od
	ranges= off=0 size=$(stat -c %s "$lime")
	while [ "$off" -lt "$size" ]; do
		read -r magic version < <(od -An -t u4 -j "$off" -N 8 "$lime")
		[ "$magic" = 1281969477 ] || fail "bad magic at $off"
		[ "$version" = 1 ] || fail "bad version at $off"
		read -r start end < <(od -An -t u8 -j $((off + 8)) -N 16 "$lime")
		ranges="$ranges $(printf '0x%x-0x%x' "$start" "$end")"
		off=$((off + 32 + end - start + 1))
	done
	assert_equal "$off" "$size"
	assert_equal "${ranges# }" "$LIME_RANGES"
	want=$(spoor-cat "$E01" "$KSWAPD0_INODE" | sha256sum)
	got=$(tail -c +$((LIME_MINER_OFFSET + 1)) "$lime" | head -c "$(spoor-cat "$E01" "$KSWAPD0_INODE" | wc -c)" | sha256sum)
	assert_equal "$got" "$want"
}
