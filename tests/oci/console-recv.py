#!/usr/bin/env python3
"""Receive a pty master over a console socket, as podman's conmon does,
and print what the container writes to it (tests/oci/lifecycle.sh).

usage: console-recv.py SOCKET OUTFILE [INPUT]
Listens on SOCKET, takes one SCM_RIGHTS message, writes INPUT (if any)
to the master, copies the master's output to OUTFILE until EOF/EIO.
INPUT "@jobctl" plays a console owner instead: once the container says
"ready", a ^C; once it says "got INT", a resize to 44x99; once it shows
"44 99", the line "q"."""
import array, fcntl, os, socket, struct, sys, termios

path, out = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else b""
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
open(path + ".ready", "w").close()
c, _ = s.accept()
fds = array.array("i")
msg, anc, flags, addr = c.recvmsg(256, socket.CMSG_LEN(4))
for level, typ, d in anc:
    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(d[: len(d) - (len(d) % 4)])
if not fds:
    sys.exit("no fd received")
master = fds[0]


def winch(fd):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 44, 99, 0, 0))


steps = []
if data == b"@jobctl":
    steps = [(b"ready", lambda: os.write(master, b"\x03")),
             (b"got INT", lambda: winch(master)),
             (b"44 99", lambda: os.write(master, b"q\n"))]
elif data:
    os.write(master, data)
seen = b""
with open(out, "wb") as f:
    f.write(b"name=" + msg + b"\n")
    while True:
        try:
            b = os.read(master, 4096)
        except OSError:
            break
        if not b:
            break
        f.write(b)
        f.flush()
        seen += b
        while steps and steps[0][0] in seen:
            steps.pop(0)[1]()
