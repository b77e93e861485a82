#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Containers in evidence, without a Docker daemon: the storage of two
# Docker containers built by tests/fixtures/mkcontainers (layers with
# files, a 0/0 character device whiteout, an opaque directory, Docker's
# legacy .wh. whiteout, the JSON configurations, a json-file log).  The
# merged view of EVIDENCE@container=ID is compared with an overlayfs
# mount of the same layers (the oracle) and with a listing worked out by
# hand; the same storage inside an ext4 image (mke2fs -d) is read through
# libtsk.

load helpers/common

C1=a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90
C2=a1c3e5f7091b2d3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9012

setup_file() {
	local d=$BATS_FILE_TMPDIR
	"$BATS_TEST_DIRNAME/fixtures/mkcontainers" "$d/root"
	"$BATS_TEST_DIRNAME/fixtures/mkcontainers" "$d/marker" marker
}

setup() {
	R=$BATS_FILE_TMPDIR/root
	D=$R/var/lib/docker
}

# The merged file system of web, worked out by hand from the fixture.
web_expected() {
	cat <<'LIST'
bin
bin/sh
etc
etc/hostname
etc/hosts
etc/nginx.conf
etc/passwd
etc/resolv.conf
opt
opt/old
opt/old/new.txt
tmp
tmp/x.sh
usr
usr/bin
usr/bin/tool
usr/local
usr/local/bin
usr/local/bin/miner
var
var/www
var/www/index.html
LIST
}

# names: the paths of spoor-ls's fls lines (after the tab)
names() {
	cut -f2- | sort
}

@test "the merged view of a container is its overlayfs mount's" {
	run -0 --separate-stderr spoor-ls -r "$R@container=web"
	printf '%s\n' "$output" | names >"$BATS_TEST_TMPDIR/spoor"
	web_expected | diff - "$BATS_TEST_TMPDIR/spoor"
	# the oracle: the kernel's overlayfs over the same directories
	local mnt=$BATS_TEST_TMPDIR/mnt o=$D/overlay2
	mkdir -p "$mnt"
	if mount -t overlay overlay -o "lowerdir=$o/rw1-init/diff:$o/cache2/diff:$o/cache1/diff,upperdir=$o/rw1/diff,workdir=$o/rw1/work" "$mnt"; then
		(cd "$mnt" && find . -mindepth 1 | sed 's|^\./||' | sort) \
		    >"$BATS_TEST_TMPDIR/kernel"
		umount "$mnt"
		diff "$BATS_TEST_TMPDIR/kernel" "$BATS_TEST_TMPDIR/spoor"
	else
		echo "# overlayfs mount not permitted here: compared with" \
		    "the listing worked out by hand only" >&3
	fi
}

@test "a container's entries keep the paths the container sees" {
	run -0 --separate-stderr spoor-ls --json -r "$R@container=$C1"
	run -0 jq -r 'select(.path == "/etc/passwd") | .path' <<<"$output"
	[ "$output" = /etc/passwd ]
	run -0 --separate-stderr spoor-ls "$R@container=web" /etc
	assert_line --partial $'\tetc/nginx.conf'
	refute_output --partial overlay2
}

@test "spoor-cat reads the upper layer, a lower layer and below an opaque directory" {
	run -0 --separate-stderr spoor-cat "$R@container=web" /etc/passwd
	assert_line 'evil:x:0:0::/:/bin/sh'
	run -0 --separate-stderr spoor-cat "$R@container=web" /var/www/index.html
	[ "$output" = 'index from L2' ]
	run -0 --separate-stderr spoor-cat "$R@container=web" /bin/sh
	assert_line 'echo base shell'
	run -0 --separate-stderr spoor-cat "$R@container=web" /etc/hostname
	[ "$output" = web1 ]
	run -0 --separate-stderr spoor-cat "$R@container=web" /opt/old/new.txt
	[ "$output" = new ]
}

@test "spoor-cat of a whited-out file or one under an opaque directory is not found (66)" {
	run -66 --separate-stderr spoor-cat "$R@container=web" /var/www/old.html
	[[ $stderr == *"no such file"* ]]
	run -66 --separate-stderr spoor-cat "$R@container=web" /opt/old/a.txt
	run -66 --separate-stderr spoor-cat "$R@container=web" /opt/old/sub/b.txt
	# Docker's legacy whiteout
	run -66 --separate-stderr spoor-cat "$R@container=db" /etc/motd
	run -0 --separate-stderr spoor-cat "$R@container=db" /etc/os-release
}

@test "spoor-info --containers gives what the configurations say" {
	run -0 --separate-stderr spoor-info --containers --json "$R"
	[ "$(jq -s length <<<"$output")" = 2 ]
	run -0 jq -r "select(.id == \"$C1\") | [.engine, .name, .image, .image_id, .command, .created, .started, .state, .pid, .mounts[0].source, .mounts[0].destination, .networks[0].name, .networks[0].ip, .upper, (.lower | length)] | map(tostring) | join(\"|\")" <<<"$output"
	[ "$output" = "docker|web|nginx:1.25|sha256:1111111111111111111111111111111111111111111111111111111111111111|/docker-entrypoint.sh nginx -g daemon off;|2024-05-01T09:59:58.123456789Z|2024-05-01T10:00:00.500000000Z|running|4242|/srv/data|/srv|bridge|172.17.0.2|/var/lib/docker/overlay2/rw1/diff|3" ]
	run -0 --separate-stderr spoor-info --containers --json "$R"
	run -0 jq -r "select(.name == \"db\") | [.id, .image, .command, .state, .exit_code, .finished] | map(tostring) | join(\"|\")" <<<"$output"
	[ "$output" = "$C2|alpine:3.19|/bin/sh -c sleep 3600|exited|137|2024-04-30T09:00:00.000000000Z" ]
	run -0 --separate-stderr spoor-info --containers "$R"
	assert_line "container $C1"
	assert_line --regexp '^  name: +web$'
	assert_line --regexp '^  state: +exited$'
}

@test "spoor-ls --drift lists the rw layer as docker diff does, new executables marked" {
	run -0 --separate-stderr spoor-ls --drift "$R@container=web"
	assert_output - <<'DIFF'
C /etc
C /etc/passwd
C /opt
C /opt/old
A /opt/old/new.txt
A /tmp
A /tmp/x.sh *
C /usr
A /usr/local
A /usr/local/bin
A /usr/local/bin/miner *
C /var
C /var/www
D /var/www/old.html
DIFF
	run -0 --separate-stderr spoor-ls --drift --json "$R@container=web"
	run -0 jq -r 'select(.executable) | .path' <<<"$output"
	assert_output $'/tmp/x.sh\n/usr/local/bin/miner'
	run -0 --separate-stderr spoor-ls --drift "$R@container=db"
	assert_output $'A /data\nA /data/file\nC /etc\nD /etc/motd'
	run -64 --separate-stderr spoor-ls --drift "$R"
}

@test "spoor-timeline of the storage holds the container's json-file log" {
	local c=$BATS_TEST_TMPDIR/case.db
	run -0 --separate-stderr spoor-timeline -c "$c" "$R"
	run -0 --separate-stderr spoor-export -c "$c" --jsonl --artifact container_log
	run -0 jq -r '[.time, .extra.container_id, .extra.stream, .message] | join("|")' <<<"$output"
	assert_output - <<LOG
2024-05-01T10:00:01.123456789Z|$C1|stdout|a1b2c3d4e5f6 stdout: starting nginx
2024-05-01T10:05:00.000000001Z|$C1|stderr|a1b2c3d4e5f6 stderr: GET /x.sh 200
LOG
}

@test "spoor-timeline of a container says whose events they are" {
	local c=$BATS_TEST_TMPDIR/case.db
	run -0 --separate-stderr spoor-timeline -c "$c" "$R@container=web"
	run -0 --separate-stderr spoor-export -c "$c" --jsonl --artifact fs
	run -0 jq -r 'select(.path == "/tmp/x.sh") | .source' <<<"$output"
	assert_line "$R@container=web"
	run -0 sqlite3 "$c" "select json_extract(details, '\$.container.id') || '|' || json_extract(details, '\$.container.name') from sources"
	[ "$output" = "$C1|web" ]
}

@test "the same storage in an ext4 image gives the same merged view" {
	command -v mke2fs >/dev/null || fail "mke2fs missing"
	local img=$BATS_TEST_TMPDIR/docker.img
	# no xattr is read through libtsk: the image marks /opt/old opaque
	# with .wh..wh..opq, and so does the directory it is compared with
	mke2fs -q -t ext4 -d "$BATS_FILE_TMPDIR/marker" "$img" 16M
	run -0 --separate-stderr spoor-ls -r "$BATS_FILE_TMPDIR/marker@container=web"
	printf '%s\n' "$output" | names >"$BATS_TEST_TMPDIR/dir"
	web_expected | diff - "$BATS_TEST_TMPDIR/dir"
	run -0 --separate-stderr spoor-ls -r "$img@container=web"
	printf '%s\n' "$output" | names >"$BATS_TEST_TMPDIR/img"
	diff "$BATS_TEST_TMPDIR/dir" "$BATS_TEST_TMPDIR/img"
	run -0 --separate-stderr spoor-cat "$img@container=$C1" /etc/passwd
	assert_line 'evil:x:0:0::/:/bin/sh'
	run -66 --separate-stderr spoor-cat "$img@container=web" /var/www/old.html
	run -0 --separate-stderr spoor-ls --drift "$img@container=web"
	assert_line 'A /usr/local/bin/miner *'
	assert_line 'D /var/www/old.html'
	run -0 --separate-stderr spoor-info --containers --json "$img"
	[ "$(jq -s length <<<"$output")" = 2 ]
}

@test "a container id that matches nothing is 66, one that matches several 64" {
	run -66 --separate-stderr spoor-ls "$R@container=nosuch"
	[[ $stderr == *"no container 'nosuch'"* ]]
	run -64 --separate-stderr spoor-ls "$R@container=a1"
	[[ $stderr == *"ambiguous"* ]]
	run -0 --separate-stderr spoor-ls "$R@container=a1c"
	run -64 --separate-stderr spoor-ls "$R@container="
}

@test "a configuration that is no JSON is a problem, the others are listed" {
	local r=$BATS_TEST_TMPDIR/root
	cp -a "$R" "$r"
	mkdir -p "$r/var/lib/docker/containers/ffff"
	printf 'not json {' >"$r/var/lib/docker/containers/ffff/config.v2.json"
	run -2 --separate-stderr spoor-info --containers --json "$r"
	[ "$(jq -s length <<<"$output")" = 2 ]
	[[ $stderr == *"ffff/config.v2.json"* ]]
}

@test "a missing layer directory is a problem, the rest of the view is kept" {
	local r=$BATS_TEST_TMPDIR/root
	cp -a "$R" "$r"
	rm -rf "$r/var/lib/docker/overlay2/cache2"
	run -2 --separate-stderr spoor-ls -r "$r@container=web"
	[[ $stderr == *"layer directory '/var/lib/docker/overlay2/cache2/diff' missing"* ]]
	assert_line --partial $'\tbin/sh'
	refute_line --partial 'nginx.conf'
}

@test "a layer chain that loops or is too deep is cut, bounded" {
	local r=$BATS_TEST_TMPDIR/root l=$BATS_TEST_TMPDIR/root/var/lib/docker/image/overlay2/layerdb/sha256 i
	cp -a "$R" "$r"
	# cache1's chain names cache2's as its parent: a loop
	printf 'sha256:%s' c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2 \
	    >"$l/c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1/parent"
	run -2 --separate-stderr timeout 20 spoor-ls -r "$r@container=web"
	[[ $stderr == *"layer chain loops"* ]]
	assert_line --partial $'\tetc/nginx.conf'
	# db: a chain of 200 layers
	for i in $(seq 1 200); do
		mkdir -p "$l/deep$i"
		printf 'cache3' >"$l/deep$i/cache-id"
		printf 'sha256:deep%d' $((i + 1)) >"$l/deep$i/parent"
	done
	printf 'sha256:deep1' >"$r/var/lib/docker/image/overlay2/layerdb/mounts/$C2/parent"
	run -2 --separate-stderr timeout 20 spoor-ls "$r@container=db"
	[[ $stderr == *"layer chain loops"* || $stderr == *"more than 128 layers"* ]]
}

@test "hostile container names are escaped on output" {
	local r=$BATS_TEST_TMPDIR/root f
	cp -a "$R" "$r"
	f=$r/var/lib/docker/containers/$C2/config.v2.json
	sed -i 's|"Name":"/db"|"Name":"/db\\u001b[31mred"|' "$f"
	run -0 --separate-stderr spoor-info --containers "$r"
	refute_output --partial $'\e'
	assert_line --partial 'db\x1b[31mred'
}

@test "a Podman container: discovery from containers.json, layers.json and its OCI config; merged view, cat and drift" {
	P=$BATS_TEST_TMPDIR/podman
	"$BATS_TEST_DIRNAME/fixtures/mkcontainers" "$P" podman
	S=$P/var/lib/containers/storage
	P1=b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf
	BASE=d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef
	RW=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f
	run -0 --separate-stderr spoor-info --containers --json "$P"
	# what the fixture's JSON says, field by field
	assert_equal "$(jq -r '[.engine, .id, .name, .image, .image_id, .command, .hostname, .created, .upper, (.lower | join(","))] | join("|")' <<<"$output")" \
	    "podman|$P1|cache|$(jq -r '.[0].metadata | fromjson | .["image-name"]' "$S/overlay-containers/containers.json")|$(jq -r '.[0].image' "$S/overlay-containers/containers.json")|$(jq -r '.process.args | join(" ")' "$S/overlay-containers/$P1/userdata/config.json")|cache1|2024-06-01T12:00:00.250000000Z|/var/lib/containers/storage/overlay/$RW/diff|/var/lib/containers/storage/overlay/$BASE/diff"
	# the merged view against the kernel's overlayfs of the same layers
	run -0 --separate-stderr spoor-ls -r "$P@container=cache"
	printf '%s\n' "$output" | names >"$BATS_TEST_TMPDIR/spoor"
	printf '%s\n' etc etc/redis.conf tmp tmp/dropper usr usr/bin usr/bin/redis-server usr/share usr/share/doc |
	    diff - "$BATS_TEST_TMPDIR/spoor"
	local mnt=$BATS_TEST_TMPDIR/mnt work=$BATS_TEST_TMPDIR/work
	mkdir -p "$mnt" "$work"
	cp -a "$S/overlay/$RW/diff" "$BATS_TEST_TMPDIR/upper"
	if mount -t overlay overlay -o "lowerdir=$S/overlay/$BASE/diff,upperdir=$BATS_TEST_TMPDIR/upper,workdir=$work" "$mnt"; then
		(cd "$mnt" && find . -mindepth 1 | sed 's|^\./||' | sort) >"$BATS_TEST_TMPDIR/kernel"
		umount "$mnt"
		diff "$BATS_TEST_TMPDIR/kernel" "$BATS_TEST_TMPDIR/spoor"
	else
		echo "# overlayfs mount not permitted here: compared with the listing worked out by hand only" >&3
	fi
	run -0 --separate-stderr spoor-cat "$P@container=$P1" /etc/redis.conf
	assert_line 'protected-mode no'
	run -66 --separate-stderr spoor-cat "$P@container=cache" /usr/share/doc/README
	run -0 --separate-stderr spoor-ls --drift "$P@container=cache"
	assert_output - <<'DIFF'
C /etc
C /etc/redis.conf
A /tmp
A /tmp/dropper *
C /usr
C /usr/share
C /usr/share/doc
D /usr/share/doc/README
DIFF
}
