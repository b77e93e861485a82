#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Podman's containers in evidence, as podman itself wrote them
# (tests/fixtures/mkpodman: a private storage root, an OCI archive
# loaded, two containers created): the list against podman inspect
# (libpod's bolt_state.db gives state and creation), the drift against
# podman diff, the merged view against the kernel's overlayfs.

load helpers/common

setup_file() {
	local d=$BATS_FILE_TMPDIR rc=0
	"$BATS_TEST_DIRNAME/fixtures/mkpodman" "$d/root" "$d/oracle" || rc=$?
	echo "$rc" >"$d/status"
}

setup() {
	R=$BATS_FILE_TMPDIR/root
	O=$BATS_FILE_TMPDIR/oracle
	if [ "$(cat "$BATS_FILE_TMPDIR/status")" = 77 ]; then
		skip "podman cannot create containers here (tests/fixtures/mkpodman)"
	fi
	[ "$(cat "$BATS_FILE_TMPDIR/status")" = 0 ]
}

@test "spoor-info --containers says what podman inspect says" {
	run -0 --separate-stderr spoor-info --containers --json "$R"
	local out=$output id
	[ "$(jq -s length <<<"$out")" = 2 ]
	for id in web job; do
		local o=$O/$id.json
		run -0 jq -r "select(.name == \"$id\") | [.engine, .id, .image, .image_id, .command, .created, .state, .upper, (.lower | join(\":\"))] | join(\"|\")" <<<"$out"
		assert_output "podman|$(jq -r '[.Id, .ImageName, .Image, ([.Path] + .Args | join(" ")), .Created, .State.Status, (.GraphDriver.Data.UpperDir | sub("^'"$R"'"; "")), (.GraphDriver.Data.LowerDir | gsub("'"$R"'"; ""))] | join("|")' "$o")"
		run -0 jq -c "select(.name == \"$id\") | .mounts" <<<"$out"
		assert_output "$(jq -c '[.Mounts[] | {source: .Source, destination: .Destination, type: .Type, rw: .RW}]' "$o")"
	done
}

@test "spoor-ls --drift of a Podman container is podman diff" {
	for id in web job; do
		run -0 --separate-stderr spoor-ls --drift "$R@container=$id"
		# spoor marks new executables with '*'; podman does not
		assert_equal "$(sed 's/ \*$//' <<<"$output")" "$(cat "$O/$id.diff")"
	done
	run -0 --separate-stderr spoor-ls --drift "$R@container=web"
	assert_line 'A /tmp/.x/miner *'
}

@test "the merged view of a Podman container is its overlayfs mount's" {
	run -0 --separate-stderr spoor-ls -r "$R@container=web"
	cut -f2- <<<"$output" | sort >"$BATS_TEST_TMPDIR/spoor"
	grep -qx 'tmp/.x/miner' "$BATS_TEST_TMPDIR/spoor"
	! grep -qx 'etc/more.conf' "$BATS_TEST_TMPDIR/spoor"
	! grep -qx 'etc/base.conf' "$BATS_TEST_TMPDIR/spoor"
	local mnt=$BATS_TEST_TMPDIR/mnt work=$BATS_TEST_TMPDIR/work
	mkdir -p "$mnt" "$work"
	cp -a "$(jq -r .GraphDriver.Data.UpperDir "$O/web.json")" "$BATS_TEST_TMPDIR/upper"
	if mount -t overlay overlay -o "lowerdir=$(jq -r .GraphDriver.Data.LowerDir "$O/web.json"),upperdir=$BATS_TEST_TMPDIR/upper,workdir=$work" "$mnt"; then
		(cd "$mnt" && find . -mindepth 1 | sed 's|^\./||' | sort) >"$BATS_TEST_TMPDIR/kernel"
		umount "$mnt"
		diff "$BATS_TEST_TMPDIR/kernel" "$BATS_TEST_TMPDIR/spoor"
	else
		echo "# overlayfs mount not permitted here: checked by names only" >&3
	fi
}

@test "a damaged libpod state is a problem (2); the containers are listed, state unknown" {
	local d=$BATS_TEST_TMPDIR/bad
	cp -a "$R" "$d"
	printf 'no bbolt\n' >"$d/var/lib/containers/storage/libpod/bolt_state.db"
	run -2 --separate-stderr spoor-info --containers --json "$d"
	[[ $stderr == *"libpod state unreadable"* ]]
	run -0 jq -r '[.name, .state] | join("|")' <<<"$output"
	assert_line 'web|unknown'
	assert_line 'job|unknown'
}
