#!/bin/sh
# The Sentry must survive random system calls with hostile arguments
# (tests/robustness/syscall_fuzz.c). Runs in the sandbox only.
set -u
: "${top_builddir:=.}"
runsc=$(cd "$top_builddir/runsc" && pwd)/runsc
fuzz=$(cd "$top_builddir/tests/robustness" && pwd)/syscall_fuzz
if ! "$runsc" do /bin/true >/dev/null 2>&1; then
	echo "1..0 # SKIP runsc do cannot start a sandbox here"
	exit 77
fi
case $fuzz in
/tmp/*)
	copy=$(mktemp -d /var/tmp/cvisor-fuzz.XXXXXX) || exit 99
	trap 'rm -rf "$copy"' EXIT
	cp "$fuzz" "$copy/"
	fuzz=$copy/syscall_fuzz
	;;
esac
fail=0
n=0
for seed in 1 2 3; do
	n=$((n + 1))
	out=$(timeout -k 5 120 "$runsc" do "$fuzz" "$seed" 40 300 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^alive after 40 batches'; then
		echo "ok $n - seed $seed: $(printf '%s\n' "$out" | grep '^alive')"
	else
		echo "not ok $n - seed $seed: exit $rc"
		printf '%s\n' "$out" | tail -5 | sed 's/^/# /'
		fail=1
	fi
done
# Socket calls aimed at sockets of every family and state, on the
# sandbox's loopback and (where the Sentry holds host sockets, and a call
# outside its seccomp filter would kill it) on the host's network.
for net in none host; do
	n=$((n + 1))
	out=$(timeout -k 5 120 "$runsc" --network=$net do "$fuzz" 7 20 300 net 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q '^alive after 20 batches'; then
		echo "ok $n - sockets, --network=$net: $(printf '%s\n' "$out" | grep '^alive')"
	else
		echo "not ok $n - sockets, --network=$net: exit $rc"
		printf '%s\n' "$out" | tail -5 | sed 's/^/# /'
		fail=1
	fi
done
echo "1..$n"
exit $fail
