#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# spoor-ls against The Sleuth Kit's fls on every shared image: the same
# entries (paths, inodes, allocation state, types), and the same bodyfile
# (sizes, modes, owners and times) as fls -m, also through mactime.

load helpers/common

@test "spoor-ls -r lists exactly what fls -r -p lists, on every shared image" {
	while read -r img; do
		need "$img"
		expected=$(fls -r -p "$img")
		run -0 spoor-ls -r "$img"
		[ "$output" = "$expected" ] || {
			diff <(echo "$expected") <(echo "$output") | head -20
			fail "spoor-ls -r differs from fls -r -p on $img"
		}
	done < <(all_images)
}

@test "spoor-ls --bodyfile gives the rows fls -m gives, on every shared image" {
	while read -r img; do
		expected=$(fls -r -m / "$img" | sort)
		run -0 spoor-ls -r --bodyfile "$img"
		got=$(echo "$output" | sort)
		[ "$got" = "$expected" ] || {
			diff <(echo "$expected") <(echo "$got") | head -20
			fail "bodyfile differs from fls -m on $img"
		}
	done < <(all_images)
}

@test "spoor-ls --bodyfile through mactime equals fls -m through mactime" {
	while read -r img; do
		expected=$(fls -r -m / "$img" | mactime -b - -d -y -z UTC)
		got=$(spoor-ls -r --bodyfile "$img" | mactime -b - -d -y -z UTC)
		[ "$got" = "$expected" ] || {
			diff <(echo "$expected") <(echo "$got") | head -20
			fail "mactime output differs on $img"
		}
	done < <(all_images)
}

@test "the sleuthkit expected bodyfile of the ext3 keyword image is reproduced" {
	img=$IMAGES/ext3/ext3-img-kw-1.dd
	need "$img" "$img.expected-fls-m.bodyfile"
	run -0 spoor-ls -r --bodyfile "$img"
	assert_equal "$(echo "$output" | sort)" \
	    "$(sort "$img.expected-fls-m.bodyfile")"
}

@test "the root of tsk_image.dd matches sleuthkit's expected fls output" {
	img=$IMAGES/ext2/tsk_image.dd
	need "$img.expected-fls.txt"
	run -0 spoor-ls "$img"
	assert_equal "$output" "$(cat "$img.expected-fls.txt")"
}

@test "go-ext4's 16 allocated entries of hierarchy_64.ext4 with their inodes" {
	img=$IMAGES/ext4/hierarchy_64.ext4
	run -0 spoor-ls -r -u --json "$img"
	got=$(echo "$output" | jq -r 'select(.name_type != "V") | "\(.path): \(.inode)"' | sort -t: -k1,1)
	expected="/directory1: 12
/directory1/fortune1: 17
/directory1/fortune2: 18
/directory1/fortune5: 19
/directory1/fortune6: 20
/directory1/subdirectory1: 14
/directory1/subdirectory1/fortune3: 21
/directory1/subdirectory1/fortune4: 22
/directory1/subdirectory2: 15
/directory1/subdirectory2/fortune7: 23
/directory1/subdirectory2/fortune8: 24
/directory2: 13
/directory2/fortune10: 25
/directory2/fortune9: 26
/lost+found: 11
/thejungle.txt: 16"
	assert_equal "$got" "$expected"
}

@test "deleted entries are marked and -d lists only them" {
	img=$IMAGES/ext2/tsk_image.dd
	run -0 spoor-ls -r -d "$img"
	assert_equal "$output" "$(fls -r -p -d "$img")"
	assert_line --partial "* 0:	a_directory/.another_file.swp"
	run -0 spoor-ls -r -u "$img"
	assert_equal "$output" "$(fls -r -p -u "$img")"
}

@test "NTFS streams and \$FILE_NAME times appear as in fls -m" {
	d=$(dftt "$IMAGES/ntfs/7-undel-ntfs.zip")
	run -0 spoor-ls -r --bodyfile "$d/7-ntfs-undel.dd"
	assert_line --partial "|/mult1.dat:ADS (deleted)|32-128-6|"
	assert_line --regexp '\|/res1\.dat \(\$FILE_NAME\) \(deleted\)\|37-48-[0-9]+\|'
}

@test "--ns writes nanoseconds that plain --bodyfile rounds away" {
	img=$IMAGES/ntfs/test.ntfs.dd.E01
	run -0 spoor-ls -r --bodyfile --ns "$img"
	assert_line --regexp '\|[0-9]+\.[0-9]{9}\|'
	# the whole-second part equals fls's value on every row
	got=$(echo "$output" | awk -F'|' -v OFS='|' '{for(i=8;i<=11;i++) sub(/\..*/,"",$i); print}' | sort)
	assert_equal "$got" "$(fls -r -m / "$img" | sort)"
}

@test "--json emits one valid record per entry with the fls inode and path" {
	img=$IMAGES/ext2/dfvfs_ext2.E01
	run -0 spoor-ls -r --json "$img"
	echo "$output" | jq -e . >/dev/null
	n=$(echo "$output" | wc -l)
	assert_equal "$n" "$(fls -r -p "$img" | wc -l)"
	row=$(echo "$output" | jq -c 'select(.path == "/passwords.txt") | [.inode, .size, .schema, .deleted]')
	assert_equal "$row" "[14,116,1,false]"
}

@test "a start path lists that directory like fls does with its inode" {
	img=$IMAGES/ext4/hierarchy_64.ext4
	run -0 spoor-ls -u --json "$img" /directory1/subdirectory1
	got=$(echo "$output" | jq -r '.path' | sort)
	assert_equal "$got" "/directory1/subdirectory1/fortune3
/directory1/subdirectory1/fortune4"
}

@test "a start path that does not exist is an error naming it and the missing name, status 66" {
	run -66 --separate-stderr spoor-ls "$IMAGES/ext4/tiny.ext4" /no/such/dir
	assert_equal "$stderr" "spoor-ls: '$IMAGES/ext4/tiny.ext4': '/no/such/dir': 'no' not found in '/'"
}
