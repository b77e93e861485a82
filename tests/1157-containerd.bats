#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# containerd's containers in evidence, read from its bbolt metadata and
# its overlayfs snapshotter's, without the daemon.  The storage is
# written by a real containerd (tests/fixtures/mkcontainerd: a private
# daemon, an OCI image archive built there, two containers in two
# namespaces); the oracles are what containerd itself says of it: ctr's
# container info, its snapshot mounts, its differ's layer for the rw
# snapshot, and the kernel's overlayfs mount of those layers.

load helpers/common

setup_file() {
	fixture_run containerd "$BATS_TEST_DIRNAME/fixtures/mkcontainerd" \
	    "$BATS_FILE_TMPDIR/root" "$BATS_FILE_TMPDIR/oracle"
}

setup() {
	R=$BATS_FILE_TMPDIR/root
	O=$BATS_FILE_TMPDIR/oracle
	fixture_need containerd "containerd cannot run here (tests/fixtures/mkcontainerd)"
}

# the overlayfs options of ctr's snapshot mount line, paths from $R
mount_opt() {
	sed -n "s/.*[-,]$2=\([^,]*\).*/\1/p" "$O/$1.mounts" | sed "s|$R||g"
}

@test "spoor-info --containers says what ctr says of each container" {
	run -0 --separate-stderr spoor-info --containers --json "$R"
	local out=$output id ns
	[ "$(jq -s length <<<"$out")" = 2 ]
	for id in web job; do
		local o=$O/$id.json
		ns=$([ $id = web ] && echo default || echo batch)
		run -0 jq -r "select(.id == \"$id\") | [.engine, .namespace, .name // \"-\", .image, .command, .created, .state, .upper, (.lower | join(\":\"))] | join(\"|\")" <<<"$out"
		assert_output "containerd|$ns|$(jq -r '.Labels["nerdctl/name"] // "-"' "$o")|$(jq -r .Image "$o")|$(jq -r '.Spec.process.args | join(" ")' "$o")|$(nine "$(jq -r .CreatedAt "$o")")|unknown|$(mount_opt $id upperdir)|$(mount_opt $id lowerdir)"
		# the bind mounts of its OCI spec, read-only where it says "ro"
		run -0 jq -c "select(.id == \"$id\") | .mounts" <<<"$out"
		assert_output "$(jq -c '[.Spec.mounts[] | select(.options | index("rbind")) | {source, destination, type: "bind", rw: (.options | index("ro") | not)}]' "$o")"
	done
	# the image id is the manifest digest ctr lists for the image
	run -0 jq -r 'select(.id == "web") | .image_id' <<<"$out"
	assert_output --regexp '^sha256:[0-9a-f]{64}$'
	run -0 jq -r '.problem' <<<"$out"
	refute_output --partial snapshot
}

@test "the merged view of a containerd container is its overlayfs mount's" {
	run -0 --separate-stderr spoor-ls -r "$R@container=web"
	cut -f2- <<<"$output" | sort >"$BATS_TEST_TMPDIR/spoor"
	# worked out from the fixture: layer 2 removed base.conf, the rw
	# snapshot more.conf; app.conf changed, the miner added
	printf '%s\n' bin bin/app etc etc/app.conf srv srv/www \
	    srv/www/index.html tmp tmp/.x tmp/.x/miner |
	    diff - "$BATS_TEST_TMPDIR/spoor"
	local mnt=$BATS_TEST_TMPDIR/mnt work=$BATS_TEST_TMPDIR/work
	mkdir -p "$mnt" "$work"
	cp -a "$R$(mount_opt web upperdir)" "$BATS_TEST_TMPDIR/upper"
	if mount -t overlay overlay -o "lowerdir=$(mount_opt web lowerdir | sed "s|/var/lib|$R/var/lib|g"),upperdir=$BATS_TEST_TMPDIR/upper,workdir=$work" "$mnt"; then
		(cd "$mnt" && find . -mindepth 1 | sed 's|^\./||' | sort) >"$BATS_TEST_TMPDIR/kernel"
		umount "$mnt"
		diff "$BATS_TEST_TMPDIR/kernel" "$BATS_TEST_TMPDIR/spoor"
	else
		echo "# overlayfs mount not permitted here: compared with the listing worked out from the fixture only" >&3
	fi
	run -0 --separate-stderr spoor-cat "$R@container=web" /etc/app.conf
	assert_line 'proxy http://203.0.113.9/'
	run -66 --separate-stderr spoor-cat "$R@container=web" /etc/more.conf
	# the other namespace's container: the image untouched
	run -0 --separate-stderr spoor-cat "$R@container=job" /etc/more.conf
	assert_output more
}

@test "spoor-ls --drift of a containerd container is containerd's own diff" {
	run -0 --separate-stderr spoor-ls --drift "$R@container=web"
	local drift=$output
	if [ -f "$O/web.diff" ]; then
		# the differ's layer: directories end in /, deletions are .wh.
		sed -e 's|/$||' -e 's|^\(.*/\)\{0,1\}\.wh\.\(.*\)$|D /\1\2|' \
		    -e '/^D /!s|^|/|' "$O/web.diff" | sort >"$BATS_TEST_TMPDIR/differ"
		awk '{ print ($1 == "D" ? "D " $2 : $2) }' <<<"$drift" | sort |
		    diff "$BATS_TEST_TMPDIR/differ" -
	else
		echo "# containerd could not mount overlayfs here: its differ gave no layer" >&3
	fi
	assert_equal "$drift" "$(printf '%s\n' 'C /etc' 'C /etc/app.conf' 'D /etc/more.conf' 'A /tmp' 'A /tmp/.x' 'A /tmp/.x/miner *')"
	run -0 --separate-stderr spoor-ls --drift "$R@container=job"
	assert_output ''
}

@test "a containerd container through timeline, scan and rca: each says whose it is" {
	local c=$BATS_TEST_TMPDIR/case.db
	run -0 --separate-stderr spoor-timeline -c "$c" "$R@container=web"
	run -0 sqlite3 "$c" "select json_extract(details, '\$.container.engine') || '|' || json_extract(details, '\$.container.id') from sources"
	assert_output 'containerd|web'
	printf 'rule elf_file { strings: $e = { 7f 45 4c 46 } condition: $e at 0 }\n' >"$BATS_TEST_TMPDIR/elf.yar"
	run -1 --separate-stderr spoor-scan -q -c "$c" -r "$BATS_TEST_TMPDIR/elf.yar" --json "$R@container=web"
	run -0 jq -r 'select(.type == "yara") | [.name, .target.path, .target.container.engine, .target.container.id, .target.container.name] | join("|")' <<<"$output"
	assert_output 'elf_file|/tmp/.x/miner|containerd|web|web'
	run -0 --separate-stderr spoor-rca -c "$c" --json
	run -0 jq -r '.nodes[] | select(.root) | .path' <<<"$output"
	assert_output /tmp/.x/miner
	# the image's own files are scanned clean in the other container
	run -0 --separate-stderr spoor-scan -q -r "$BATS_TEST_TMPDIR/elf.yar" "$R@container=job"
}

@test "the same containerd storage in an ext4 image, read through libtsk" {
	local img=$BATS_TEST_TMPDIR/host.img
	truncate -s 64M "$img"
	mke2fs -q -F -t ext4 -d "$R" "$img"
	run -0 --separate-stderr spoor-info --containers --json "$img"
	run -0 jq -r '[.id, .namespace, .upper] | join("|")' <<<"$output"
	assert_line "web|default|$(mount_opt web upperdir)"
	assert_line "job|batch|$(mount_opt job upperdir)"
	run -0 --separate-stderr spoor-ls --drift "$img@container=web"
	assert_equal "$output" "$(printf '%s\n' 'C /etc' 'C /etc/app.conf' 'D /etc/more.conf' 'A /tmp' 'A /tmp/.x' 'A /tmp/.x/miner *')"
}

@test "a damaged or foreign containerd metadata file is a problem (2), never silence" {
	local d=$BATS_TEST_TMPDIR/bad m
	cp -a "$R" "$d"
	m=$d/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db
	# no bbolt file at all
	printf 'not a bbolt file\n' >"$m"
	run -2 --separate-stderr spoor-info --containers "$d"
	[[ $stderr == *"containerd metadata unreadable"* ]]
	# both meta pages' checksums broken: byte 40 of page 0 and of page 1
	cp "$R/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db" "$m"
	printf '\377' | dd of="$m" bs=1 seek=40 conv=notrunc 2>/dev/null
	printf '\377' | dd of="$m" bs=1 seek=$((4096 + 40)) conv=notrunc 2>/dev/null
	run -2 --separate-stderr spoor-info --containers "$d"
	[[ $stderr == *"containerd metadata unreadable"* ]]
	# the file cut after its meta pages: its tree points past the end
	head -c 8192 "$R/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db" >"$m"
	run -2 --separate-stderr spoor-info --containers "$d"
	[[ $stderr == *"containerd metadata unreadable"* ]]
	# larger than spoor reads (sparse here): said, not skipped
	truncate -s 300M "$m"
	run -2 --separate-stderr spoor-info --containers "$d"
	[[ $stderr == *"larger than spoor reads"* ]]
	# the snapshotter's metadata gone: the containers, each with a problem
	cp "$R/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db" "$m"
	rm "$d/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/metadata.db"
	run -0 --separate-stderr spoor-info --containers --json "$d"
	run -0 jq -r '[.id, .problem] | join("|")' <<<"$output"
	assert_line 'web|no overlayfs snapshotter metadata'
	run -65 --separate-stderr spoor-ls "$d@container=web"
	[[ $stderr == *"no overlayfs snapshotter metadata"* ]]
}

@test "CRI logs (Kubernetes pods, Podman k8s-file) enter the timeline as container_log events" {
	local r=$BATS_TEST_TMPDIR/node c=$BATS_TEST_TMPDIR/case.db
	local pod=$r/var/log/pods/shop_web-7d9f6c_0b1c2d3e-aaaa-bbbb-cccc-000000000001/nginx
	local pm=$r/var/lib/containers/storage/overlay-containers/0123456789abcdef/userdata
	mkdir -p "$pod" "$pm"
	# the CRI format: TIME STREAM TAG TEXT; P is part of a longer line
	printf '%s\n' \
	    '2024-05-01T10:00:01.123456789Z stdout F GET / 200' \
	    '2024-05-01T10:00:02.5+02:00 stderr P first half ' \
	    '2024-05-01T10:00:02.600000000Z stderr F second half' \
	    '2024-05-01T10:00:03.000000001Z stdout F' >"$pod/0.log"
	printf '%s\n' '2024-05-02T08:00:00.000000000Z stdout F cron: beacon sent' \
	    'no time here' >"$pm/ctr.log"
	run -2 --separate-stderr spoor-timeline -c "$c" "$r"
	local problems=$stderr
	run -0 --separate-stderr spoor-export -c "$c" --jsonl --artifact container_log
	run -0 jq -r '[.time, .extra.container_id, .extra.stream, .extra.format, (.extra.partial // false), .message] | map(tostring) | join("|")' <<<"$output"
	assert_output - <<'LOG'
2024-05-01T08:00:02.500000000Z|nginx|stderr|cri|true|nginx stderr: first half 
2024-05-01T10:00:01.123456789Z|nginx|stdout|cri|false|nginx stdout: GET / 200
2024-05-01T10:00:02.600000000Z|nginx|stderr|cri|false|nginx stderr: second half
2024-05-01T10:00:03.000000001Z|nginx|stdout|cri|false|nginx stdout: 
2024-05-02T08:00:00.000000000Z|0123456789abcdef|stdout|cri|false|0123456789ab stdout: cron: beacon sent
LOG
	# the line that is no record is the run's one problem (status 2)
	[[ $problems == *"1 problem skipped"* ]] || fail "$problems"
	run -0 sqlite3 "$c" "select subject || '|' || message from problems"
	assert_output --regexp 'ctr\.log.*\|.*not a json-file or CRI log record'
}
