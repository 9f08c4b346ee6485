#!/bin/sh
# Run every integration test natively and under `runsc do`, comparing the
# two (tests/integration/run-tests). The sandbox's /tmp is its own tmpfs,
# so test binaries built below /tmp are copied somewhere the sandbox sees.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
bindir=$(cd "$top_builddir/tests/integration" && pwd)
runsc=$(cd "$top_builddir/runsc" && pwd)/runsc
if ! "$runsc" do /bin/true >/dev/null 2>&1; then
	echo "1..0 # SKIP runsc do cannot start a sandbox here (ptrace not permitted?)"
	"$runsc" do /bin/true
	exit 77
fi
case $bindir in
/tmp/*)
	copy=$(mktemp -d /var/tmp/cvisor-itest.XXXXXX) || exit 99
	trap 'rm -rf "$copy"' EXIT
	cp "$bindir"/t_* "$copy"/
	bindir=$copy
	;;
esac
exec sh "$top_srcdir/tests/integration/run-tests" --runsc "$runsc" --dir "$bindir"
