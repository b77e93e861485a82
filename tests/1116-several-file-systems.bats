#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-cat and spoor-ls on a disk with several file systems and no -f:
# the path is looked for in every file system; the one that has it is
# used, several that have it are named and -f is asked for, and a path
# none has says why for each.  The disk is made here as a responder meets
# it, a FAT (EFI) partition first and the ext4 root second, with sfdisk,
# mkfs.fat, mtools and mke2fs -d; icat and fls at each partition's offset
# are the oracles.

load helpers/common

FAT_START=2048
EXT_START=18432

setup_file() {
	local d=$BATS_FILE_TMPDIR tree=$BATS_FILE_TMPDIR/tree
	mkdir -p "$tree/etc" "$tree/var/log"
	printf 'web01\n' > "$tree/etc/hostname"
	printf 'the root file system readme\n' > "$tree/README.TXT"
	printf 'Mar 14 11:02:41 web01 sshd[1]: Accepted\n' > "$tree/var/log/auth.log"
	printf 'the EFI partition readme\n' > "$d/fat-readme"
	printf 'timeout 3\n' > "$d/boot.cfg"
	truncate -s 24M "$d/disk.img"
	printf 'label: dos\nstart=%d, size=16384, type=ef\nstart=%d, size=28672, type=83\n' \
	    "$FAT_START" "$EXT_START" | sfdisk -q "$d/disk.img"
	truncate -s 8M "$d/fat.img"
	mkfs.fat -F 16 -s 1 -n EFI "$d/fat.img" >/dev/null
	mmd -i "$d/fat.img" ::EFI
	mcopy -i "$d/fat.img" "$d/fat-readme" ::README.TXT
	mcopy -i "$d/fat.img" "$d/boot.cfg" ::EFI/BOOT.CFG
	dd if="$d/fat.img" of="$d/disk.img" bs=512 seek="$FAT_START" conv=notrunc status=none
	mke2fs -q -t ext4 -d "$tree" -E offset=$((EXT_START * 512)) "$d/disk.img" 14M
}

setup() {
	DISK=$BATS_FILE_TMPDIR/disk.img
	need "$DISK"
}

# The inode fls gives path $2 (relative, as fls -p prints it) at sector
# offset $1 of the disk.
fls_inode() {
	fls -r -p -o "$1" "$DISK" | awk -F'\t' -v n="$2" '$2 == n { sub(/:$/, "", $1); sub(/.* /, "", $1); print $1; exit }'
}

@test "several file systems: a path only the second (ext4) has is read from it, as icat at its offset" {
	run -0 mmls "$DISK"
	assert_line --partial "$(printf '%010d' "$FAT_START")"
	ino=$(fls_inode "$EXT_START" etc/hostname)
	[ -n "$ino" ] || fail "fls does not see etc/hostname"
	run -0 spoor-cat "$DISK" /etc/hostname
	assert_output "$(icat -o "$EXT_START" "$DISK" "$ino")"
	assert_output web01
	run -0 bash -c "spoor-cat '$DISK' /var/log/auth.log | sha256sum"
	assert_output "$(icat -o "$EXT_START" "$DISK" "$(fls_inode "$EXT_START" var/log/auth.log)" | sha256sum)"
}

@test "several file systems: a path only the first (FAT) has is read from it, names without case" {
	ino=$(fls_inode "$FAT_START" EFI/BOOT.CFG)
	[ -n "$ino" ] || fail "fls does not see EFI/BOOT.CFG"
	run -0 spoor-cat "$DISK" /efi/boot.cfg
	assert_output "$(icat -o "$FAT_START" "$DISK" "$ino")"
	assert_output "timeout 3"
}

@test "several file systems: a path both have is status 64 naming both and asking for -f" {
	run -64 --separate-stderr spoor-cat "$DISK" /README.TXT
	assert_output ""
	assert_equal "$stderr" "spoor-cat: '$DISK': '/README.TXT' is in 2 file systems, 0 (fat16 at offset 1048576), 1 (ext4 at offset 9437184): choose one with -f"
	run -0 spoor-cat -f 0 "$DISK" /README.TXT
	assert_output "$(icat -o "$FAT_START" "$DISK" "$(fls_inode "$FAT_START" README.TXT)")"
	run -0 spoor-cat -f 1 "$DISK" /README.TXT
	assert_output "$(icat -o "$EXT_START" "$DISK" "$(fls_inode "$EXT_START" README.TXT)")"
}

@test "several file systems: a path none has is status 66 saying why in each" {
	run -66 --separate-stderr spoor-cat "$DISK" /etc/shadow
	assert_equal "$stderr" "spoor-cat: '$DISK': '/etc/shadow': not found in any of the 2 file systems: fs 0 (fat16): 'etc' not found in '/'; fs 1 (ext4): 'shadow' not found in '/etc'"
	run -66 --separate-stderr spoor-cat "$DISK" /etc/hostname/x
	assert_equal "$stderr" "spoor-cat: '$DISK': '/etc/hostname/x': not found in any of the 2 file systems: fs 0 (fat16): 'etc' not found in '/'; fs 1 (ext4): '/etc/hostname' is not a directory"
}

@test "several file systems: an inode without -f is status 64 naming the file systems" {
	run -64 --separate-stderr spoor-cat "$DISK" 12
	assert_equal "$stderr" "spoor-cat: '$DISK': inode 12: the evidence has 2 file systems, 0 (fat16 at offset 1048576), 1 (ext4 at offset 9437184): choose one with -f"
	ino=$(fls_inode "$EXT_START" etc/hostname)
	run -0 spoor-cat -f 1 "$DISK" "$ino"
	assert_output web01
}

@test "several file systems: spoor-ls PATH lists it in the one file system that has it, as fls at its offset" {
	run -0 spoor-ls -r "$DISK" /var
	assert_equal "$output" "$(fls -r -p -o "$EXT_START" "$DISK" | grep -E $'\tvar/')"
	run -0 spoor-ls "$DISK" /EFI
	assert_equal "$output" "$(fls -r -p -o "$FAT_START" "$DISK" | grep -E $'\tEFI/')"
	# the root is in both: every file system, each under its header
	run -0 spoor-ls "$DISK" /
	assert_line "# fs 0: fat16 at offset 1048576"
	assert_line "# fs 1: ext4 at offset 9437184"
}

@test "several file systems: spoor-ls /missing says why (66), a path both have asks for -f (64)" {
	run -66 --separate-stderr spoor-ls "$DISK" /missing
	assert_output ""
	assert_equal "$stderr" "spoor-ls: '$DISK': '/missing': not found in any of the 2 file systems: fs 0 (fat16): 'missing' not found in '/'; fs 1 (ext4): 'missing' not found in '/'"
	run -64 --separate-stderr spoor-ls "$DISK" /README.TXT
	assert_equal "$stderr" "spoor-ls: '$DISK': '/README.TXT' is in 2 file systems, 0 (fat16 at offset 1048576), 1 (ext4 at offset 9437184): choose one with -f"
	run -66 --separate-stderr spoor-ls -f 0 "$DISK" /etc
	assert_equal "$stderr" "spoor-ls: '$DISK': '/etc': 'etc' not found in '/'"
}
