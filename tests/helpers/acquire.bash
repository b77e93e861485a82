# SPDX-License-Identifier: Apache-2.0
# Shared by the spoor-acquire tests (tests/60xx-acquire-*.bats): the
# fault-injection shim and deterministic source files.

# Build tests/fixtures/faultread.c into $BUILD once; print its path.
faultread() {
	local so=$BUILD/faultread.so src=$REPO/tests/fixtures/faultread.c
	need "$src"
	if [ ! -e "$so" ] || [ "$src" -nt "$so" ]; then
		cc -shared -fPIC -O2 -Wall -o "$so.$$" "$src" -ldl -lpthread ||
			fail "cannot build $src"
		mv "$so.$$" "$so"
	fi
	echo "$so"
}

# Run a command with reads of file $1 failing at the byte ranges $2
# (OFFSET+LENGTH[xCOUNT],...; see faultread.c); the rest are its arguments.
# A sanitizer build must let the shim come before its runtime.
with_faults() {
	local file=$1 bad=$2 so
	shift 2
	so=$(faultread)
	SPOOR_FAULT_FILE=$file SPOOR_FAULT_BAD=$bad LD_PRELOAD=$so \
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		"$@"
}

# Write $2 bytes of seeded pseudo-random data mixed with runs of zeros (so
# E01 chunks both compress and do not) to $1.
mksource() {
	python3 - "$1" "$2" <<'PY'
import random, sys
path, size = sys.argv[1], int(sys.argv[2])
r = random.Random(20261126)
out = bytearray()
while len(out) < size:
    n = r.choice([512, 4096, 65536, 300000])
    out += bytes(n) if r.random() < 0.3 else r.randbytes(n)
open(path, "wb").write(out[:size])
PY
}
