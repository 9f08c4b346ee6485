#!/bin/sh
# docs/compatibility.md is generated but committed: it must be what the
# spec renders now, byte for byte (`make compatibility-report` refreshes it).
set -u
: "${PYTHON:=python3}" "${top_srcdir:=.}"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" "$top_srcdir/gen/gen.py" --spec-dir "$top_srcdir/spec" \
	--report "$tmp/compatibility.md" || exit 1
if cmp -s "$tmp/compatibility.md" "$top_srcdir/docs/compatibility.md"; then
	echo "ok 1 - docs/compatibility.md is current"
	exit 0
fi
echo "not ok 1 - docs/compatibility.md is stale: run 'make compatibility-report'"
diff -u "$top_srcdir/docs/compatibility.md" "$tmp/compatibility.md" | head -20 | sed 's/^/# /'
exit 1
