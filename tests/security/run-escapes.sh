#!/bin/sh
# Run tests/security/escape inside a sandbox made as podman would make it
# (runsc create/start with --network=none, a busybox rootfs, a host file
# bound read-only), aimed at the host's files, cvisor's own processes and
# the host's loopback; try to write or get past the file bind; then check
# from the host that nothing changed.
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
runsc=$(cd "$top_builddir/runsc" && pwd)/runsc
escape=$(cd "$top_builddir/tests/security" && pwd)/escape
PY=${PYTHON:-python3}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the OCI runtime needs root"
	exit 77
fi
if ! command -v busybox >/dev/null 2>&1; then
	echo "1..0 # SKIP busybox-static is not installed"
	exit 77
fi
if ! "$runsc" do /bin/true >/dev/null 2>&1; then
	echo "1..0 # SKIP runsc cannot start a sandbox here"
	exit 77
fi
work=$(mktemp -d /var/tmp/cvisor-sec.XXXXXX) || exit 99
R="$runsc --root $work/state --network=none"
listener=
trap '$R delete --force esc >/dev/null 2>&1; test -n "$listener" && kill $listener 2>/dev/null; rm -rf "$work"' EXIT

secret=$work/secret.txt
echo "HOST-SECRET $$" > "$secret"
rootfs=$work/bundle/rootfs
mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/dev" "$rootfs/tmp"
cp "$(command -v busybox)" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"
ln -s busybox "$rootfs/bin/sleep"
cp "$escape" "$rootfs/escape"
# Symlinks a malicious image could ship: to the host path, and upwards.
ln -s "$secret" "$rootfs/escape-link"
ln -s ../../../../../../../.. "$rootfs/up"
# A host file bound read-only: nothing below or beside it is reachable,
# and root inside (with CAP_SYS_ADMIN) cannot make it writable.
bound=$work/bound.txt
echo "BOUND $$" > "$bound"
sum_before=$(md5sum "$runsc" "$secret" "$bound")

# Something on the host's loopback for the sandbox to try to reach.
port=$((20000 + $$ % 20000))
"$PY" -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(8); s.settimeout(60)
try:
    while True:
        c, _ = s.accept(); open('$work/reached', 'w').write('yes'); c.close()
except Exception:
    pass
" &
listener=$!

cd "$work/bundle" || exit 99
$R spec
"$PY" - <<'PYEOF'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sleep", "1000"]
c["root"]["path"] = "rootfs"
c["mounts"].append({"destination": "/etc/bound", "type": "bind",
                    "source": "BOUND", "options": ["rbind", "ro"]})
json.dump(c, open("config.json", "w"))
PYEOF
sed -i "s|BOUND|$bound|" config.json
if ! $R run --detach esc; then
	echo "not ok 1 - the sandbox did not start"
	exit 1
fi
pid=$(sed -n 's/.*"pid":\([0-9]*\),"pidStart".*/\1/p' "$work/state/esc/state.json")
gofers=$(sed -n 's/.*"gofers":\[\(.*\)\].*/\1/p' "$work/state/esc/state.json" | grep -o '"pid":[0-9]*' | cut -d: -f2)
stubs=$(cat /proc/$pid/task/*/children)
sleep 0.2
$R exec esc /escape "$secret" "$runsc" $pid $gofers $stubs --port $port
rc=$?
n=1
failed=0
if [ $rc = 0 ]; then echo "ok $n - every escape failed inside"; else echo "not ok $n - an escape succeeded"; failed=1; fi
n=$((n + 1))
out=$($R exec --cap CAP_SYS_ADMIN esc /bin/sh -c '
	/bin/busybox cat /etc/bound/../secret.txt 2>/dev/null && echo REACHED-SECRET
	echo x > /etc/bound 2>/dev/null && echo WROTE
	/bin/busybox mount -o remount,rw /etc/bound 2>/dev/null
	echo x > /etc/bound 2>/dev/null && echo WROTE-REMOUNTED
	/bin/busybox mkdir -p /tmp/b && /bin/busybox touch /tmp/b/f &&
		/bin/busybox mount --bind /etc/bound /tmp/b/f 2>/dev/null
	echo x > /tmp/b/f 2>/dev/null && echo WROTE-REBOUND
	/bin/busybox cat /etc/bound' 2>/dev/null)
if [ "$out" = "BOUND $$" ]; then
	echo "ok $n - a read-only file bind stays read-only and alone"
else
	echo "not ok $n - a read-only file bind: $out"; failed=$((failed + 1))
fi
n=$((n + 1))
if [ "$(md5sum "$runsc" "$secret" "$bound")" = "$sum_before" ]; then
	echo "ok $n - the runtime binary and the host files are unchanged"
else
	echo "not ok $n - a host file changed"; failed=$((failed + 1))
fi
n=$((n + 1))
if [ ! -e "$work/reached" ]; then
	echo "ok $n - the host's loopback was not reached"
else
	echo "not ok $n - the sandbox reached the host's loopback"; failed=$((failed + 1))
fi
n=$((n + 1))
if kill -0 "$pid" 2>/dev/null && grep -q running "$work/state/esc/state.json"; then
	echo "ok $n - the sandbox is still running"
else
	echo "not ok $n - the sandbox died"; failed=$((failed + 1))
fi
echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
test $failed = 0
