# SPDX-License-Identifier: Apache-2.0
# Shared setup for spoor's bats tests: the built commands first on PATH,
# bats-support and bats-assert, the shared test data and the reference
# scenario.  Missing test data fails a test; it never skips it.

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BUILD=${SPOOR_BUILD:-$REPO/build}
PATH="$BUILD/bin:$PATH"
TESTDATA=${SPOOR_TESTDATA:-$REPO/../shared/testdata}
IMAGES=$TESTDATA/images
SCENARIO=$BUILD/scenario
export PATH TZ=UTC LC_ALL=C
unset SPOOR_CASE

# Fail unless the file exists (shared data or a built fixture).
need() {
	local f
	for f; do
		[ -e "$f" ] || fail "missing test input '$f'"
	done
}

# Unzip a DFTT archive once per run into $BUILD/testdata.  Test files run
# side by side: each unzips into a directory of its own and renames the
# result into place, so none sees another's half-written copy.
dftt() {
	local zip=$1 dir=$BUILD/testdata name tmp
	name=$(basename "$zip" .zip)
	need "$zip"
	mkdir -p "$dir"
	if [ ! -d "$dir/$name" ]; then
		tmp=$(mktemp -d "$dir/.$name.XXXXXX")
		unzip -oq "$zip" -d "$tmp" || { rm -rf "$tmp"; fail "cannot unzip '$zip'"; }
		[ -d "$tmp/$name" ] || { rm -rf "$tmp"; fail "'$zip' holds no '$name/'"; }
		# another file may have won the race: its copy stands
		mv -T "$tmp/$name" "$dir/$name" 2>/dev/null || true
		rm -rf "$tmp"
	fi
	echo "$dir/$name"
}

# Every image of the shared test data, one path a line.
all_images() {
	local d
	echo "$IMAGES/ext2/tsk_image.dd"
	echo "$IMAGES/ext2/tsk_image.E01"
	echo "$IMAGES/ext2/dfvfs_ext2.E01"
	echo "$IMAGES/ext2/dfvfs_ext2.splitraw.000"
	echo "$IMAGES/ext3/ext3-img-kw-1.dd"
	echo "$IMAGES/ext4/hierarchy_64.ext4"
	echo "$IMAGES/ext4/tiny.ext4"
	echo "$IMAGES/fat/daylight.dd"
	echo "$IMAGES/fat/fat_very_small.dd"
	echo "$IMAGES/ntfs/test.ntfs.dd.E01"
	d=$(dftt "$IMAGES/fat/6-undel-fat.zip") && echo "$d/6-fat-undel.dd"
	d=$(dftt "$IMAGES/ntfs/7-undel-ntfs.zip") && echo "$d/7-ntfs-undel.dd"
}

# The byte offset of the scenario's file system.
scenario_offset() {
	need "$SCENARIO/scenario.env"
	( . "$SCENARIO/scenario.env"; echo "${PART_OFFSET_SECTORS:?}" )
}

# The -fsanitize= list the commands of $BUILD were built with (empty for
# a plain build), read from the sanitizer runtimes they link.
sanitizers() {
	local libs list=
	libs=$(ldd "$BUILD/bin/spoor-ls" 2>/dev/null)
	case $libs in *libasan*) list=address ;; esac
	case $libs in *libubsan*) list=${list:+$list,}undefined ;; esac
	case $libs in *libtsan*) list=${list:+$list,}thread ;; esac
	echo "$list"
}

# nine TIME: an RFC 3339 UTC time as Go writes it (trailing zeros of the
# fraction dropped) with nine fraction digits, as spoor writes times.
nine() {
	local t=${1%Z} f=
	case $t in
	*.*) f=${t#*.} t=${t%%.*} ;;
	esac
	while [ ${#f} -lt 9 ]; do f=${f}0; done
	echo "$t.${f}Z"
}

# fixture_run NAME SCRIPT ARGS...: run a fixture script once per file
# (in setup_file), keeping its status; fixture_need NAME WHY fails the
# test, saying WHY, when the script did not succeed (77: the engine it
# drives cannot run here; scripts/install-deps installs it).  Nothing is
# skipped: a test that did not run proves nothing.
fixture_run() {
	local name=$1 rc=0
	shift
	"$@" || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/$name.status"
}
fixture_need() {
	local rc
	rc=$(cat "$BATS_FILE_TMPDIR/$1.status")
	[ "$rc" = 0 ] || fail "$2 (fixture status $rc)"
}
