#!/bin/sh
# podman drives runsc as its OCI runtime, unchanged: an image imported
# from a busybox rootfs tarball this test builds; echo, exit status, the
# files podman binds one by one (/etc/hosts...) and a -v of a host file, -i
# with stdin piped, -t with a tty, exec into a running container, stop
# (SIGTERM, then SIGKILL), ps, rm; and nothing of cvisor left behind.
set -u
: "${top_builddir:=.}"
runsc=$(cd "$top_builddir/runsc" && pwd)/runsc

if ! command -v podman >/dev/null 2>&1; then
	echo "1..0 # SKIP podman is not installed (.ci/packages installs it)"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP rootful podman needs root"
	exit 77
fi
if ! command -v busybox >/dev/null 2>&1; then
	echo "1..0 # SKIP busybox-static is not installed"
	exit 77
fi
work=$(mktemp -d /var/tmp/cvisor-podman.XXXXXX) || exit 99
image=localhost/cvisor-podman-test:$$
name=cvisor-podman-$$
P="podman --runtime $runsc --runtime-flag network=none"
trap '$P rm -f $name >/dev/null 2>&1; podman rmi -f $image >/dev/null 2>&1; rm -rf "$work"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() {
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/proc" \
	"$work/rootfs/dev" "$work/rootfs/sys" "$work/rootfs/tmp"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for a in sh echo cat sleep id ls true hostname env grep test; do
	ln -s busybox "$work/rootfs/bin/$a"
done
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
if ! podman import "$work/rootfs.tar" "$image" >/dev/null 2>&1; then
	echo "1..0 # SKIP podman cannot import an image here"
	exit 77
fi

out=$($P run --rm --ulimit host "$image" /bin/echo hello 2>&1)
check "podman run echo" test "$out" = hello
out=$($P run --rm --ulimit host "$image" /bin/sh -c 'cat /proc/version; exit 42' 2>&1); rc=$?
check "the container runs on cvisor's kernel" sh -c "echo '$out' | grep -q cvisor"
check "podman run exits with the container's status" test $rc = 42
# Files podman binds one by one (/etc/hosts, /etc/hostname, resolv.conf,
# /run/.containerenv) and a -v of a single host file, read-only.
echo "a host file" > "$work/hostfile"
out=$($P run --rm --ulimit host --hostname cvisorbox -v "$work/hostfile:/etc/x:ro" "$image" \
	/bin/sh -c 'cat /etc/x; grep -c cvisorbox /etc/hosts; echo $(cat /etc/hostname); test -e /run/.containerenv && echo containerenv; echo y > /etc/x || echo refused' 2>/dev/null)
check "-v of a host file shows its content" sh -c "echo '$out' | sed -n 1p | grep -qx 'a host file'"
check "/etc/hosts is podman's (has the container's hostname)" sh -c "echo '$out' | sed -n 2p | grep -qx '[1-9]'"
check "/etc/hostname is podman's" sh -c "echo '$out' | sed -n 3p | grep -qx cvisorbox"
check "/run/.containerenv is there" sh -c "echo '$out' | grep -qx containerenv"
check "a :ro file bind can not be written" sh -c "echo '$out' | grep -qx refused && grep -qx 'a host file' '$work/hostfile'"
out=$(echo "piped in" | $P run --rm -i --ulimit host "$image" /bin/cat 2>&1)
check "podman run -i with stdin piped" test "$out" = "piped in"
if command -v script >/dev/null 2>&1; then
	out=$(script -qec "$P run --rm -t --ulimit host $image /bin/sh -c 'test -t 0 && test -t 1 && echo has-tty'" /dev/null </dev/null 2>&1)
	check "podman run -t gives a tty" sh -c "echo '$out' | grep -q has-tty"
fi
$P run -d --name "$name" --ulimit host "$image" /bin/sh -c \
	'trap "echo got TERM; exit 0" TERM; while true; do sleep 0.2; done' >/dev/null
check "podman run -d" test $? = 0
sleep 0.5
check "podman ps lists it" sh -c "$P ps | grep -q $name"
out=$($P exec "$name" /bin/sh -c 'echo in exec; exit 4' 2>&1); rc=$?
check "podman exec runs in it" test "$out" = "in exec"
check "podman exec exits with the process's status" test $rc = 4
check "podman stop (SIGTERM)" $P stop -t 5 "$name"
check "it stopped on SIGTERM" sh -c "$P inspect -f '{{.State.ExitCode}}' $name | grep -qx 0"
check "podman logs has its output" sh -c "$P logs $name | grep -q 'got TERM'"
check "podman rm" $P rm "$name"
# A container that ignores SIGTERM is killed after the timeout.
$P run -d --name "$name" --ulimit host "$image" /bin/sh -c \
	'trap "" TERM; while true; do sleep 0.2; done' >/dev/null
sleep 0.5
check "podman stop falls back to SIGKILL" $P stop -t 1 "$name"
check "it was killed" sh -c "$P inspect -f '{{.State.ExitCode}}' $name | grep -qx 137"
check "podman rm" $P rm "$name"
check "podman ps -a no longer has it" sh -c "! $P ps -a | grep -q $name"
leftovers() {
	for p in /proc/[0-9]*; do
		cmd=$( (tr '\0' ' ' < "$p/cmdline") 2>/dev/null)
		case $cmd in "runsc "*"$work"*|"runsc boot --config /run/cvisor/"*) echo "$cmd" ;; esac
	done
}
sleep 0.3
check "no cvisor process is left" test -z "$(leftovers)"
echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
test $failed = 0
