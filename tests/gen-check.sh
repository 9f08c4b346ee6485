#!/bin/sh
# The generator accepts the real spec and refuses each broken fixture with
# the right file:line. A fixture is tests/gen-fixtures/<case>/: files laid
# over tests/gen-fixtures/base/, and `expect`, the start of the error line.
set -u
: "${PYTHON:=python3}" "${top_srcdir:=.}"
gen="$top_srcdir/gen/gen.py"
fixtures="$top_srcdir/tests/gen-fixtures"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

n=$((n + 1))
if "$PYTHON" "$gen" --spec-dir "$top_srcdir/spec" --check; then
	echo "ok $n - spec/ validates"
else
	echo "not ok $n - spec/ validates"
	fail=1
fi

n=$((n + 1))
if "$PYTHON" "$gen" --spec-dir "$fixtures/base" --check; then
	echo "ok $n - the base fixture validates"
else
	echo "not ok $n - the base fixture validates"
	fail=1
fi

for dir in "$fixtures"/*/; do
	case=$(basename "$dir")
	[ "$case" = base ] && continue
	n=$((n + 1))
	rm -rf "$tmp/spec"
	cp -R "$fixtures/base" "$tmp/spec"
	(cd "$dir" && find . -type f ! -name expect) | while read -r f; do
		cp "$dir/$f" "$tmp/spec/$f"
	done
	expect=$(cat "$dir/expect")
	out=$("$PYTHON" "$gen" --spec-dir "$tmp/spec" --check 2>&1)
	rc=$?
	# Paths are printed as given; make them relative to the spec dir.
	out=$(printf '%s\n' "$out" | sed "s|$tmp/spec/||g")
	if [ $rc -eq 1 ] && printf '%s\n' "$out" | grep -qF -- "$expect"; then
		echo "ok $n - $case: $expect"
	else
		echo "not ok $n - $case: exit $rc, want 1 and '$expect'"
		printf '%s\n' "$out" | sed 's/^/# /'
		fail=1
	fi
done
echo "1..$n"
exit $fail
