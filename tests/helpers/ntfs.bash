# SPDX-License-Identifier: Apache-2.0
# Shared by the tests that need NTFS data streams (tests/1101, 1121,
# 4205): an NTFS image made with mkntfs and ntfscp (ntfs-3g) as a plain
# file, without mounting anything.  The source files are kept beside it
# so a test can compare what it reads with what was written.

# Make $1/ntfs.img (8 MiB, 4 KiB clusters) holding:
#   /report.txt          main stream $1/main, streams "hidden" ($1/hidden)
#                        and "Second" ($1/second)
#   /notes.txt           main stream $1/notes, stream "ads" ($1/ads)
#   /notes.txt:ads       a file of that very name ($1/literal)
#   /$Extend:dirstream   a stream of the $Extend directory ($1/dirstream)
#   /.:rootstream        a stream of the root directory ($1/rootstream)
#                        (both non-resident)
# and nothing else but what mkntfs makes.
mk_ntfs_streams() {
	local d=$1
	command -v mkntfs >/dev/null && command -v ntfscp >/dev/null ||
		fail "mkntfs and ntfscp (ntfs-3g, scripts/install-deps) are needed"
	printf 'the main stream of report.txt\n' > "$d/main"
	printf 'what was hidden in the stream\n' > "$d/hidden"
	printf 'a second stream\n' > "$d/second"
	printf 'the file literally named notes.txt:ads\n' > "$d/literal"
	printf 'the ads stream of notes.txt\n' > "$d/ads"
	printf 'notes.txt itself\n' > "$d/notes"
	# long enough to live outside the MFT record (non-resident)
	{ printf 'a stream of the $Extend directory\n'; head -c 4000 /dev/zero | tr '\0' d; } > "$d/dirstream"
	{ printf 'a stream of the root directory\n'; head -c 4000 /dev/zero | tr '\0' r; } > "$d/rootstream"
	rm -f "$d/ntfs.img"
	truncate -s 8M "$d/ntfs.img"
	mkntfs -q -F -f -s 512 -c 4096 -L STREAMS "$d/ntfs.img" >/dev/null 2>&1 ||
		fail "mkntfs failed"
	ntfscp -q "$d/ntfs.img" "$d/main" /report.txt &&
	ntfscp -q -N hidden "$d/ntfs.img" "$d/hidden" /report.txt &&
	ntfscp -q -N Second "$d/ntfs.img" "$d/second" /report.txt &&
	ntfscp -q "$d/ntfs.img" "$d/notes" /notes.txt &&
	ntfscp -q -N ads "$d/ntfs.img" "$d/ads" /notes.txt &&
	ntfscp -q "$d/ntfs.img" "$d/literal" '/notes.txt:ads' &&
	# by inode: 11 is $Extend, 5 the root directory
	ntfscp -q -i -N dirstream "$d/ntfs.img" "$d/dirstream" 11 &&
	ntfscp -q -i -N rootstream "$d/ntfs.img" "$d/rootstream" 5 ||
		fail "ntfscp failed"
}

# The inode reference fls gives the entry named $2 in image $1
# ("r/r 64-128-4:<TAB>notes.txt:ads" gives 64-128-4); the first of them.
fls_ref() {
	fls -r -p "$1" | awk -F'\t' -v n="$2" '$2 == n { sub(/:$/, "", $1); sub(/.* /, "", $1); print $1; exit }'
}
