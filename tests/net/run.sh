#!/bin/sh
# tests/net/run.sh: runsc's network modes from outside the sandbox.
#
#   --network=none  the sandbox's loopback is its own: a server on the
#                   host's 127.0.0.1 cannot be reached from inside, a
#                   server inside cannot be reached from the host; every
#                   other address is unreachable; `ip` sees what a fresh
#                   network namespace has; an http.server inside answers
#                   a client inside; /etc/hostname, /etc/hosts and
#                   /etc/resolv.conf agree with the sandbox.
#   --network=host  the host's network: a program inside fetches a page
#                   from a server on the host's loopback, and a server
#                   inside is reachable from the host; UDP-Lite sockets
#                   and their options work as natively.
#
# TAP output; exit 77 (skip) when a sandbox cannot start here or python3
# is missing. Ports come from bind(0); nothing listens on a fixed port of
# the host.
set -u
: "${top_builddir:=.}"
runsc=$(cd "$top_builddir/runsc" && pwd)/runsc
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null) || PY=
if [ -z "$PY" ]; then
	echo "1..0 # SKIP python3 is needed for the servers and clients"
	exit 77
fi
if ! "$runsc" do /bin/true >/dev/null 2>&1; then
	echo "1..0 # SKIP runsc do cannot start a sandbox here"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
n=0
fail=0

check() { # check WHAT EXPECTED-PATTERN OUTPUT
	n=$((n + 1))
	case $3 in
	$2) echo "ok $n - $1" ;;
	*)
		echo "not ok $n - $1"
		printf '%s\n' "$3" | sed 's/^/# /'
		fail=1
		;;
	esac
}

# An HTTP server on 127.0.0.1, port from bind(0), printed first; it
# serves for at most 60 s.
SERVER='import http.server, sys, threading
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
print(s.server_address[1], flush=True)
threading.Timer(60, s.shutdown).start()
s.serve_forever()'
# Fetch / from 127.0.0.1:PORT: "fetched 200", or why it failed.
CLIENT='import sys, urllib.request
try:
    r = urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=10)
    print("fetched", r.status)
except Exception as e:
    print("failed:", getattr(e, "reason", e))'

# Start a server (COMMAND... through sh) whose first line is its port;
# the port, or nothing after 20 s.
start_server() {
	out=$tmp/port.$n.$$
	: >"$out"
	"$@" >"$out" 2>"$out.err" &
	pids="$pids $!"
	i=0
	while [ $i -lt 200 ] && ! grep -q '^[0-9]' "$out"; do
		sleep 0.1
		i=$((i + 1))
	done
	head -n 1 "$out"
}

cd / || exit 99

# The host's server, for both modes.
hport=$(start_server "$PY" -c "$SERVER")
if [ -z "$hport" ]; then
	echo "1..0 # SKIP a server cannot listen on the host's 127.0.0.1"
	exit 77
fi

# --network=none
out=$("$runsc" --network=none do "$PY" -c "$CLIENT" "$hport" 2>&1)
check "none: the host's loopback server is unreachable from inside" \
	"failed:*Connection refused*" "$out"
iport=$(start_server "$runsc" --network=none do "$PY" -c "$SERVER")
check "none: a server starts inside" "[0-9]*" "$iport"
out=$("$PY" -c "$CLIENT" "${iport:-1}" 2>&1)
check "none: the inside server is unreachable from the host" \
	"failed:*Connection refused*" "$out"
out=$("$runsc" --network=none do "$PY" -c '
import socket
for a in [("192.0.2.1", 80), ("8.8.8.8", 53)]:
    s = socket.socket()
    try:
        s.connect(a)
    except OSError as e:
        print(e.strerror)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.sendto(b"x", ("192.0.2.1", 53))
except OSError as e:
    print(e.strerror)' 2>&1)
check "none: every other address is unreachable (ENETUNREACH)" \
	"Network is unreachable
Network is unreachable
Network is unreachable" "$out"
out=$("$runsc" --network=none do sh -c '
python3 -m http.server 8000 --bind 127.0.0.1 >/dev/null 2>&1 &
server=$!
i=0
while [ $i -lt 50 ]; do
	python3 -c "
import urllib.request
print(urllib.request.urlopen(\"http://127.0.0.1:8000/\", timeout=5).status)" 2>/dev/null && break
	sleep 0.2
	i=$((i + 1))
done
kill $server' 2>&1)
check "none: python3 -m http.server inside answers a client inside" "200" "$out"
out=$("$runsc" --network=none do "$PY" -c '
import socket
print("127.0.0.1" in {a[4][0] for a in socket.getaddrinfo("localhost", 80)})
print(socket.if_nameindex() == [(1, "lo")])' 2>&1)
check "none: localhost resolves, lo is the one interface" "True
True" "$out"
# The names glibc reads agree with the sandbox: its hostname resolves to
# its loopback, and there is no name server to wait for.
out=$("$runsc" --network=none do --hostname box "$PY" -c '
import socket
print(socket.gethostname(), open("/etc/hostname").read().strip())
print(socket.gethostbyname(socket.gethostname()))
print("nameserver" in open("/etc/resolv.conf").read())' 2>&1)
check "none: hostname, /etc/hostname and /etc/hosts agree" "box box
127.0.1.1
False" "$out"
if command -v ip >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
	for c in "ip addr" "ip link" "ip route show table all"; do
		want=$(unshare -n sh -c "ip link set lo up && $c" 2>&1)
		got=$("$runsc" --network=none do $c 2>&1)
		check "none: '$c' shows what a fresh network namespace has" "$want" "$got"
	done
else
	n=$((n + 1))
	echo "ok $n - # SKIP ip or unshare -n is not available here"
fi

# --network=host
out=$("$runsc" --network=host do "$PY" -c "$CLIENT" "$hport" 2>&1)
check "host: a program inside fetches a page from the host's loopback" \
	"fetched 200" "$out"
iport=$(start_server "$runsc" --network=host do "$PY" -c "$SERVER")
check "host: a server starts inside" "[0-9]*" "$iport"
out=$("$PY" -c "$CLIENT" "${iport:-1}" 2>&1)
check "host: the inside server is reachable from the host's loopback" \
	"fetched 200" "$out"
out=$("$runsc" --network=host do "$PY" -c '
import socket
print((1, "lo") in socket.if_nameindex())
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0)
try:
    s.setsockopt(socket.SOL_SOCKET, 26, b"\0" * 16)  # SO_ATTACH_FILTER
except OSError as e:
    print(e.strerror)' 2>&1)
check "host: interfaces, options passed, filters refused" \
	"True
True
Protocol not available" "$out"
# UDP-Lite through host sockets: its coverage options (SOL_UDPLITE, which
# shares SOL_UDP's table) pass, and a datagram arrives, as natively (a
# host without UDP-Lite fails the same way on both sides).
LITE='import socket
try:
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, 136)
    r.bind(("127.0.0.1", 0))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, 136)
    s.setsockopt(136, 10, 3)  # UDPLITE_SEND_CSCOV: 3 becomes 8
    s.setsockopt(17, 1, 1)    # UDP_CORK at SOL_UDP
    print(s.getsockopt(136, 10), s.getsockopt(136, 1), r.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL))
    s.setsockopt(17, 1, 0)
    s.sendto(b"lite", r.getsockname())
    r.settimeout(5)
    print(r.recv(16))
except OSError as e:
    print(e.strerror)'
want=$("$PY" -c "$LITE" 2>&1)
out=$("$runsc" --network=host do "$PY" -c "$LITE" 2>&1)
check "host: UDP-Lite sockets and their options, as natively" "$want" "$out"
out=$("$runsc" --network=host do sh -c 'hostname; cat /etc/resolv.conf' 2>&1)
check "host: the host's hostname and resolv.conf" \
	"$(uname -n; cat /etc/resolv.conf 2>&1)" "$out"

echo "1..$n"
exit $fail
