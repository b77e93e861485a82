#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Podman's containers in evidence, as podman itself wrote them
# (tests/fixtures/mkpodman: a private storage root, an OCI archive
# loaded, two containers created): the list against podman inspect
# (libpod's bolt_state.db gives state and creation), the drift against
# podman diff, the merged view against the kernel's overlayfs.

load helpers/common

setup_file() {
	fixture_run podman "$BATS_TEST_DIRNAME/fixtures/mkpodman" \
	    "$BATS_FILE_TMPDIR/root" "$BATS_FILE_TMPDIR/oracle"
}

setup() {
	R=$BATS_FILE_TMPDIR/root
	O=$BATS_FILE_TMPDIR/oracle
	fixture_need podman "podman cannot create containers here (tests/fixtures/mkpodman)"
}

@test "spoor-info --containers says what podman inspect says" {
	run -0 --separate-stderr spoor-info --containers --json "$R"
	local out=$output id
	[ "$(jq -s length <<<"$out")" = 2 ]
	for id in web job; do
		local o=$O/$id.json
		run -0 jq -r "select(.name == \"$id\") | [.engine, .id, .image, .image_id, .command, .created, .state, .upper, (.lower | join(\":\"))] | join(\"|\")" <<<"$out"
		assert_output "podman|$(jq -r '[.Id, .ImageName, .Image, ([.Path] + .Args | join(" "))] | join("|")' "$o")|$(nine "$(jq -r .Created "$o")")|$(jq -r '[.State.Status, (.GraphDriver.Data.UpperDir | sub("^'"$R"'"; "")), (.GraphDriver.Data.LowerDir | gsub("'"$R"'"; ""))] | join("|")' "$o")"
		run -0 jq -c "select(.name == \"$id\") | .mounts" <<<"$out"
		assert_output "$(jq -c '[.Mounts[] | {source: .Source, destination: .Destination, type: .Type, rw: .RW}]' "$o")"
	done
}

@test "spoor-ls --drift of a Podman container is podman diff" {
	for id in web job; do
		run -0 --separate-stderr spoor-ls --drift "$R@container=$id"
		# spoor marks new executables with '*'; podman does not, and
		# its order varies from run to run
		assert_equal "$(sed 's/ \*$//' <<<"$output" | sort)" "$(sort "$O/$id.diff")"
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

@test "Podman 4.8 and later: the state from db.sql (SQLite, WAL mode) when there is no bolt_state.db" {
	local d=$BATS_TEST_TMPDIR/sql s web job
	cp -a "$R" "$d"
	s=$d/var/lib/containers/storage
	rm "$s/libpod/bolt_state.db"
	web=$(jq -r .Id "$O/web.json")
	job=$(jq -r .Id "$O/job.json")
	# libpod's tables, with the JSON it keeps: web as podman inspect
	# says, job exited after a kill
	sqlite3 "$s/db.sql" >/dev/null <<SQL
PRAGMA journal_mode=WAL;
CREATE TABLE ContainerConfig(ID TEXT PRIMARY KEY NOT NULL, Name TEXT UNIQUE NOT NULL, PodID TEXT, JSON TEXT NOT NULL);
CREATE TABLE ContainerState(ID TEXT PRIMARY KEY NOT NULL, State INTEGER NOT NULL, ExitCode INTEGER, JSON TEXT NOT NULL);
INSERT INTO ContainerConfig VALUES('$web', 'web', NULL, '{"id":"$web","name":"web","createdTime":"$(jq -r .Created "$O/web.json")"}');
INSERT INTO ContainerState VALUES('$web', 1, 0, '{"state":1,"startedTime":"0001-01-01T00:00:00Z","finishedTime":"0001-01-01T00:00:00Z"}');
INSERT INTO ContainerConfig VALUES('$job', 'job', NULL, '{"id":"$job","name":"job","createdTime":"2024-06-01T09:59:59.25Z"}');
INSERT INTO ContainerState VALUES('$job', 6, 137, '{"state":6,"startedTime":"2024-06-01T10:00:00.5Z","finishedTime":"2024-06-01T10:05:00Z","exitCode":137,"exited":true,"pid":0}');
SQL
	[ "$(od -An -tu1 -j18 -N2 "$s/db.sql" | tr -s ' ')" = " 2 2" ]
	run -0 --separate-stderr spoor-info --containers --json "$d"
	run -0 jq -r '[.name, .state, .created, .started, .finished, .exit_code] | map(tostring) | join("|")' <<<"$output"
	assert_line "web|$(jq -r .State.Status "$O/web.json")|$(nine "$(jq -r .Created "$O/web.json")")|null|null|-1"
	assert_line 'job|exited|2024-06-01T09:59:59.250000000Z|2024-06-01T10:00:00.500000000Z|2024-06-01T10:05:00.000000000Z|137'
	# a log not yet checkpointed is said; the file as it is still read
	printf 'wal' >"$s/db.sql-wal"
	run -2 --separate-stderr spoor-info --containers --json "$d"
	[[ $stderr == *"write-ahead log not read"* ]]
	run -0 jq -r 'select(.name == "job") | .state' <<<"$output"
	assert_output exited
	# no SQLite database: a problem, states unknown
	rm "$s/db.sql-wal"
	printf 'garbage' >"$s/db.sql"
	run -2 --separate-stderr spoor-info --containers --json "$d"
	[[ $stderr == *"libpod state unreadable"* ]]
	run -0 jq -r '.state' <<<"$output"
	assert_output $'unknown\nunknown'
}
