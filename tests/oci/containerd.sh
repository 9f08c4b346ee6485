#!/bin/sh
# containerd's `ctr run` with the runc shim pointed at runsc (its
# BinaryName, --runc-binary): a container from a busybox image, its
# output and exit status. The test runs its own containerd in a temporary
# directory; the image is built with podman (import, save as OCI).
set -u
: "${top_builddir:=.}"
runsc=$(cd "$top_builddir/runsc" && pwd)/runsc

for t in containerd ctr containerd-shim-runc-v2 podman busybox; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "1..0 # SKIP $t is not installed (.ci/packages installs it)"
		exit 77
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP containerd needs root"
	exit 77
fi
work=$(mktemp -d /var/tmp/cvisor-ctr.XXXXXX) || exit 99
image=localhost/cvisor-ctr-test:$$
C="ctr --address $work/c.sock"
cpid=
trap '$C tasks kill -s KILL c1 >/dev/null 2>&1; $C containers rm c1 >/dev/null 2>&1;
      test -n "$cpid" && kill $cpid; wait 2>/dev/null; podman rmi -f $image >/dev/null 2>&1;
      umount -R "$work/root" 2>/dev/null; rm -rf "$work"' EXIT
n=0
failed=0
check() {
	d=$1; shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $d"; else failed=$((failed + 1)); echo "not ok $n - $d"; fi
}

mkdir -p "$work/rootfs/bin" "$work/rootfs/proc" "$work/rootfs/dev" "$work/rootfs/tmp"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for a in sh echo cat true; do ln -s busybox "$work/rootfs/bin/$a"; done
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
if ! podman import "$work/rootfs.tar" "$image" >/dev/null 2>&1 ||
   ! podman save --format oci-archive -o "$work/image.tar" "$image" >/dev/null 2>&1; then
	echo "1..0 # SKIP cannot build the test image with podman here"
	exit 77
fi
containerd --root "$work/root" --state "$work/state" --address "$work/c.sock" \
	>"$work/containerd.log" 2>&1 &
cpid=$!
for i in $(seq 50); do $C version >/dev/null 2>&1 && break; sleep 0.1; done
if ! $C images import --base-name "${image%:*}" "$work/image.tar" >/dev/null 2>&1; then
	echo "1..0 # SKIP containerd cannot import the image here"
	exit 77
fi
out=$(timeout 60 $C run --rm --runc-binary "$runsc" --runtime io.containerd.runc.v2 \
	"$image" c1 /bin/sh -c 'echo hello ctr; cat /proc/version; exit 3' 2>&1); rc=$?
check "ctr run prints the container's output" sh -c "echo '$out' | grep -qx 'hello ctr'"
check "the container runs on cvisor's kernel" sh -c "echo '$out' | grep -q cvisor"
check "ctr run exits with the container's status" test $rc = 3
echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
test $failed = 0
