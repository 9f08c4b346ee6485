#!/bin/sh
# The sandbox-only checks of the overlay root and of --rw-dir, which look
# at the host after `runsc do`: what the sandbox writes on its root stays
# in the sandbox (the acceptance test: echo x > /etc/cvisor-test), host
# files it changes (tests/overlay/ov_lower.c, on a directory prepared
# here) are unchanged on the host; a --rw-dir directory is written
# through, and links planted in it to /etc/shadow (absolute, or a chain
# of "..") read the sandbox's /etc/shadow, never the host's.
set -u
: "${top_builddir:=.}"
runsc=$(cd "$top_builddir/runsc" && pwd)/runsc
helper=$(cd "$top_builddir/tests/overlay" && pwd)/ov_lower
if ! "$runsc" do /bin/true >/dev/null 2>&1; then
	echo "1..0 # SKIP runsc do cannot start a sandbox here"
	exit 77
fi
# Not below /tmp: the sandbox's /tmp is a tmpfs of its own.
fix=$(mktemp -d /var/tmp/cvisor-overlay.XXXXXX) || exit 99
trap 'rm -rf "$fix"' EXIT
cp "$helper" "$fix/ov_lower"
helper=$fix/ov_lower

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	fail=1
}
check() { # check WHAT CMD...: ok if CMD succeeds
	what=$1
	shift
	if "$@"; then ok "$what"; else notok "$what"; fi
}

# What a file tree is: names, types, modes, sizes, links, mtimes, data.
manifest() {
	(cd "$1" && find . -printf '%p %y %m %s %n %T@ %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}

# 1. The acceptance test.
if [ -e /etc/cvisor-test ]; then
	notok "the host already has /etc/cvisor-test: cannot check"
else
	out=$("$runsc" do sh -c 'echo x > /etc/cvisor-test && cat /etc/cvisor-test' 2>&1)
	check "echo x > /etc/cvisor-test && cat /etc/cvisor-test prints x" [ "$out" = x ]
	if [ -e /etc/cvisor-test ]; then
		notok "the host has no /etc/cvisor-test afterwards"
		rm -f /etc/cvisor-test
	else
		ok "the host has no /etc/cvisor-test afterwards"
	fi
fi

# 2. Host files changed in the sandbox are unchanged on the host.
before=$(sha256sum /etc/hostname /etc/passwd /etc/hosts 2>&1; ls -la /etc)
out=$("$runsc" do sh -c 'echo y >> /etc/hostname && rm /etc/hosts &&
	mkdir -p /etc/cvisor-dir/x && chmod 600 /etc/passwd &&
	mv /etc/passwd /etc/passwd.moved && cat /etc/passwd.moved >/dev/null &&
	test ! -e /etc/hosts && echo done' 2>&1)
check "the sandbox changes /etc/hostname, /etc/hosts and /etc/passwd" [ "$out" = done ]
after=$(sha256sum /etc/hostname /etc/passwd /etc/hosts 2>&1; ls -la /etc)
check "the host's /etc is unchanged" [ "$before" = "$after" ]

# 3. Copy-up of a prepared host directory, checked inside, then outside.
low=$fix/lower
mkdir -p "$low/dir/sub" "$low/tree/x/y"
printf 'hello\n' >"$low/file.txt"
printf '#!/bin/sh\n' >"$low/tool"
chmod 04755 "$low/tool"
printf 'a\n' >"$low/dir/a"
printf 'b\n' >"$low/dir/b"
printf 'c\n' >"$low/dir/sub/c"
printf 'deep\n' >"$low/tree/x/y/z"
ln -s file.txt "$low/link"
printf 'hl\n' >"$low/h1"
ln "$low/h1" "$low/h2"
printf 'head' >"$low/big"
truncate -s 2097152 "$low/big"
printf 'end' >>"$low/big"
before=$(manifest "$low")
out=$("$runsc" do "$helper" "$low" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
	ok "ov_lower: $(printf '%s\n' "$out" | grep -c '^ok:') checks in the sandbox"
else
	notok "ov_lower in the sandbox: exit $rc"
	printf '%s\n' "$out" | grep -v '^ok:' | sed 's/^/# /'
fi
check "the prepared host directory is unchanged" [ "$before" = "$(manifest "$low")" ]
check "the host has no /etc/cvisor-ov-lower" [ ! -e /etc/cvisor-ov-lower ]

# 4. --rw-dir: written through; planted links read the sandbox's view.
rw=$fix/rw
mkdir "$rw"
printf 'hi\n' >"$rw/old"
ln -s /etc/shadow "$rw/abs"
ln -s ../../../../../../../../../../etc/shadow "$rw/up"
shadow=$(sha256sum /etc/shadow 2>&1)
out=$("$runsc" do --rw-dir "$rw:/mnt/rw" sh -c '
	echo sandbox-view > /etc/shadow &&
	cat /mnt/rw/abs /mnt/rw/up &&
	echo data > /mnt/rw/new && mkdir /mnt/rw/d &&
	mv /mnt/rw/old /mnt/rw/d/old && echo more >> /mnt/rw/d/old &&
	rm /mnt/rw/abs && sync' 2>&1)
check "links to /etc/shadow in a --rw-dir read the sandbox's /etc/shadow" \
	[ "$out" = "sandbox-view
sandbox-view" ]
check "the host's /etc/shadow is unchanged" [ "$shadow" = "$(sha256sum /etc/shadow 2>&1)" ]
check "a new file reaches the host" [ "$(cat "$rw/new" 2>&1)" = data ]
check "mkdir, rename and append reach the host" [ "$(cat "$rw/d/old" 2>&1)" = "hi
more" ]
check "rm of a link removes the link" [ ! -L "$rw/abs" ]
check "the other link is still a link" [ -L "$rw/up" ]
out=$("$runsc" do --rw-dir "$rw:/tmp/made/here" cat /tmp/made/here/new 2>&1)
check "a --rw-dir below /tmp, its mount point made" [ "$out" = data ]
"$runsc" do --rw-dir "$fix/none:/x" /bin/true >/dev/null 2>&1
check "a missing host directory is a usage error" [ $? -eq 2 ]
out=$("$runsc" do --no-overlay sh -c 'echo z > /etc/cvisor-test' 2>&1)
check "--no-overlay keeps the root read-only" [ ! -e /etc/cvisor-test ]

echo "1..$n"
exit $fail
