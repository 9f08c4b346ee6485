#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""compat.py: `make compat`. Runs real, independently written test suites
natively and under `runsc do`, and prints per-suite and total pass counts
(tests/compat/README.md).

Suites:
  python  CPython's regression tests (`python3.11 -m test -v MODULE`), one
          module at a time, with a per-module timeout enforced from outside;
  shell   tests/compat/workloads/*.sh, whose stdout and exit status under
          the sandbox must equal the native run's, byte for byte.

Everything a run leaves goes to the results folder: one log per module and
side, the workloads' outputs and diffs, causes.txt (why the sandbox failed)
and summary.txt (what was printed)."""

import argparse
import collections
import difflib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Inside the sandbox /tmp is the sandbox's own tmpfs, new for every
# `runsc do`, so one fixed folder there never collides with anything.
SANDBOX_WORK = "/tmp/compat-work"
# Runs a command in $WORK, which it makes first (with $TMPDIR below it).
PRELUDE = 'mkdir -p "$WORK" "$TMPDIR" && cd "$WORK" && exec "$@"'
KILL_GRACE = 10          # timeout(1) -k: SIGKILL this long after SIGTERM
INNER_MARGIN = 20        # regrtest's own --timeout fires this much earlier
SHELL_TIMEOUT = 60       # native timeout of one shell workload
SOURCE_DATE_EPOCH = "1700000000"

# Statuses of one module on one side. ABSENT modules count nowhere.
OK, FAILED, SKIPPED, TIMEOUT, CRASH, ABSENT = (
    "OK", "FAILED", "SKIPPED", "TIMEOUT", "CRASH", "ABSENT")


class Result:
    """One module (or workload) on one side: counts, status and why."""

    def set_status(self, status):
        """Change the status; TIMEOUT and CRASH count every case failed."""
        self.status = status
        self.all_failed = status in (TIMEOUT, CRASH)

    def __init__(self, status, secs=0.0):
        self.status = status
        self.secs = secs
        self.run = self.failures = self.errors = self.skipped = 0
        self.xpass = 0
        self.reason = ""        # one line: why it did not pass
        self.failing = {}       # test id -> (exception key, call site)
        self.ok_seen = 0        # "... ok" lines (how far a dead run got)
        # Every case counts failed: the run timed out or died, or the
        # sandbox skipped a whole module that runs natively.
        self.all_failed = status in (TIMEOUT, CRASH)

    @property
    def failed(self):
        """Failures, errors and unexpected successes, as unittest counts
        them (one per failed subtest)."""
        if self.all_failed:
            return self.run
        return self.failures + self.errors + self.xpass

    @property
    def passed(self):
        """Tests run, less those skipped and those failed (never < 0)."""
        if self.all_failed or self.status == ABSENT:
            return 0
        return max(0, self.run - self.skipped - self.failed)


# ---------------------------------------------------------------- running


def run_timed(argv, timeout, out_path, err_path=None, env=None, cwd=None):
    """Run argv under timeout(1) with stdin /dev/null and stdout (and
    stderr, unless err_path) to files; return (exit status, seconds,
    timed out). A backstop kills the whole process group if even
    timeout(1) does not come back."""
    start = time.monotonic()
    cmd = ["timeout", "-k", str(KILL_GRACE), str(timeout)] + list(argv)
    with open(out_path, "wb") as out:
        err = open(err_path, "wb") if err_path else subprocess.STDOUT
        try:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=err, env=env, cwd=cwd,
                                 start_new_session=True)
            try:
                rc = p.wait(timeout=timeout + KILL_GRACE + 30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                rc = p.wait()
        finally:
            if err_path:
                err.close()
    secs = time.monotonic() - start
    return rc, secs, rc in (124, 137, -9) and secs >= timeout - 1


class Sides:
    """How to run a command natively and in the sandbox: same argv, same
    environment, in a fresh $WORK on each side."""

    def __init__(self, runsc):
        self.runsc = runsc

    def env_argv(self, work, extra, tmpdir):
        """env -i with the clean environment every run gets, then PRELUDE."""
        env = {"PATH": SAFE_PATH, "HOME": work, "WORK": work,
               "TMPDIR": tmpdir.replace("@WORK@", work)}
        env.update(extra)
        return (["env", "-i"] + ["%s=%s" % kv for kv in sorted(env.items())]
                + ["/bin/sh", "-c", PRELUDE, "sh"])

    def native(self, argv, timeout, out, err=None, extra=(), tmpdir="@WORK@"):
        """Run argv natively in a fresh temporary $WORK; return
        run_timed's tuple and the $WORK path the output may mention."""
        top = tempfile.mkdtemp(prefix="cvisor-compat.")
        work = os.path.join(top, "work")
        try:
            full = self.env_argv(work, dict(extra), tmpdir) + list(argv)
            return run_timed(full, timeout, out, err, cwd=top), work
        finally:
            shutil.rmtree(top, ignore_errors=True)

    def sandbox(self, argv, timeout, out, err=None, extra=(),
                tmpdir="@WORK@", debug_log=None):
        """Run argv under `runsc do` in $WORK on the sandbox's tmpfs, the
        Sentry's debug log (which names unsupported syscalls) to
        debug_log."""
        pre = [self.runsc]
        if debug_log:
            pre += ["--debug", "--debug-log", debug_log]
        pre += ["do", "--cwd", "/tmp"]
        full = pre + self.env_argv(SANDBOX_WORK, dict(extra), tmpdir) + list(argv)
        return run_timed(full, timeout, out, err), SANDBOX_WORK


# ---------------------------------------------------------------- parsing

SEP1 = "=" * 70
SEP2 = "-" * 70
RAN_RE = re.compile(r"^Ran (\d+) tests? in ")
RESULT_RE = re.compile(r"^(OK|FAILED)(?: \((.*)\))?\s*$")
HEAD_RE = re.compile(r"^(FAIL|ERROR|UNEXPECTED SUCCESS): (\S+)(?: \(([^)]*)\))?(.*)$")
FILE_RE = re.compile(r'^\s*File "([^"]*)", line (\d+), in (\S+)')
HANG_RE = re.compile(r'^\s*File "([^"]*)", line (\d+) in (\S+)')
ERRNO_RE = re.compile(r"^([\w.]+): \[Errno (\d+)\] ([^:']*?)(?::.*)?$")
VERBOSE_RE = re.compile(r"^(\w+) \(([\w.]+)\)(?: \[.*\])?(?: \.\.\. |$)")
TIMEOUT_RE = re.compile(r"Timeout \(\d+:\d\d:\d\d\)!")
LOAD_ERROR = "Exception: errors while loading tests"


def exception_key(line):
    """A failure's exception line with what varies between tests (file
    names, numbers, addresses) taken out, so causes can be counted."""
    line = line.strip()
    m = ERRNO_RE.match(line)
    if m:
        return "%s: [Errno %s] %s" % (m.group(1), m.group(2), m.group(3).strip())
    line = re.sub(r"0x[0-9a-fA-F]+", "0x?", line)
    line = re.sub(r"'[^']*'|\"[^\"]*\"", "'?'", line)
    line = re.sub(r"\d+", "N", line)
    return line[:90]


def last_exception(lines):
    """(exception line, call site) of the last Python traceback in lines:
    the first unindented line after the last `File ...` frame, and that
    frame's source line."""
    last = None
    for i, line in enumerate(lines):
        if FILE_RE.match(line):
            last = i
    if last is None:
        text = [x for x in lines if x.strip()]
        return (text[-1].strip() if text else "?"), ""
    site = ""
    for line in lines[last + 1:]:
        if not line.strip():
            continue
        if line.startswith(" "):
            if not site and line.strip().strip("^~ "):
                site = line.strip()
            continue
        return line.strip(), site[:100]
    return "?", site[:100]


def import_failure(lines):
    """(exception line, call site) of a module that died before its tests
    ran: its last traceback, or for unittest's "errors while loading
    tests" the first submodule that failed to import."""
    starts = [i for i, x in enumerate(lines)
              if "Traceback (most recent call last):" in x] + [len(lines)]
    found = [last_exception(lines[a:b]) for a, b in zip(starts, starts[1:])]
    found = [f for f in found if f[0] != LOAD_ERROR] or found
    if not found:
        return last_exception(lines)
    return found[0] if any("Failed to import test module" in x
                           for x in lines) else found[-1]


def exit_status(rc):
    """An exit status in words (runsc exits 128+N for a death by signal N)."""
    if rc > 128 and rc - 128 < signal.NSIG:
        try:
            return "killed by %s" % signal.Signals(rc - 128).name
        except ValueError:
            pass
    return "exit status %d" % rc


def failure_blocks(lines):
    """Yield (test id, exception line, call site) for each FAIL/ERROR
    report unittest printed after its run."""
    i, n = 0, len(lines)
    while i < n:
        if (lines[i] == SEP1 and i + 2 < n and HEAD_RE.match(lines[i + 1])
                and lines[i + 2] == SEP2):
            m = HEAD_RE.match(lines[i + 1])
            tid = m.group(3) or m.group(2)
            if m.group(2) in ("setUpClass", "tearDownClass", "setUpModule",
                              "tearDownModule"):
                tid = "%s.%s" % (tid, m.group(2))
            j = i + 3
            while j < n and lines[j] != SEP1 and not (
                    lines[j] == SEP2 and j + 1 < n and RAN_RE.match(lines[j + 1])):
                j += 1
            exc, site = last_exception(lines[i + 3:j])
            yield tid, exc, site
            i = j
        else:
            i += 1


def hang_location(lines):
    """Where regrtest's faulthandler timeout found the main thread, or the
    last test that had started when the run was killed from outside."""
    started = [x for x in lines if VERBOSE_RE.match(x)]
    test = VERBOSE_RE.match(started[-1]).group(2) if started else None
    for i, line in enumerate(lines):
        if TIMEOUT_RE.search(line):
            cur = None
            for j in range(i + 1, min(i + 400, len(lines))):
                if lines[j].startswith("Current thread") or (
                        cur is None and lines[j].startswith("Thread 0x")):
                    cur = j
                m = HANG_RE.match(lines[j])
                if cur is not None and j > cur and m:
                    return "hung in %s (%s:%s)%s" % (
                        m.group(3), os.path.basename(m.group(1)), m.group(2),
                        " in " + test if test else "")
    if test:
        return "killed; last test started: %s" % test
    return "killed before any test started"


def parse_regrtest(module, text, rc, secs, timed_out):
    """Turn one `python -m test -v MODULE` log into a Result."""
    lines = text.splitlines()
    ran = [i for i, x in enumerate(lines) if RAN_RE.match(x)]
    r = Result(OK, secs)
    r.ok_seen = sum(1 for x in lines if x.endswith(" ... ok"))
    if ran:
        i = ran[-1]
        r.run = int(RAN_RE.match(lines[i]).group(1))
        for x in lines[i + 1:i + 6]:
            m = RESULT_RE.match(x)
            if m:
                r.set_status(OK if m.group(1) == "OK" else FAILED)
                for part in (m.group(2) or "").split(","):
                    k, _, v = part.strip().partition("=")
                    v = int(v) if v.isdigit() else 0
                    if k == "failures":
                        r.failures = v
                    elif k == "errors":
                        r.errors = v
                    elif k == "skipped":
                        r.skipped = v
                    elif k == "unexpected successes":
                        r.xpass = v
                break
        else:
            r.set_status(CRASH)
            r.reason = "no result line after 'Ran %d tests'" % r.run
        for tid, exc, site in failure_blocks(lines):
            r.failing.setdefault(tid, (exception_key(exc), site, exc))
    if timed_out or any(TIMEOUT_RE.search(x) for x in lines):
        r.set_status(TIMEOUT)
        where = hang_location(lines)
        r.reason = "timed out after %ds: %s" % (secs, where)
        r.failing = {module + ".<module>": (
            "timed out, " + where.split(" in test.")[0], "", where)}
    elif not ran:
        if "No module named 'test.%s'" % module in text:
            r.set_status(ABSENT)
            r.reason = "not installed on the host"
        elif re.search(r"^%s skipped\b" % re.escape(module), text, re.M):
            r.set_status(SKIPPED)
            m = re.search(r"^%s skipped -- (.*)$" % re.escape(module), text, re.M)
            r.reason = "skipped: " + (m.group(1) if m else "?")
        else:
            r.set_status(CRASH)
            started = [VERBOSE_RE.match(x) for x in lines if VERBOSE_RE.match(x)]
            if started:
                # It died while tests ran: name the last one that started.
                exc = "died (%s) during a test" % exit_status(rc)
                site = started[-1].group(2)
                r.reason = "%s: %s (%d ok before)" % (exc, site, r.ok_seen)
            else:
                # It died before any test: usually an import that failed.
                exc, site = import_failure(lines)
                r.reason = "%s before any test ran: %s%s" % (
                    exit_status(rc), exc[:120], " (at %s)" % site if site else "")
            r.failing[module + ".<module>"] = (exception_key(exc), site, exc)
    elif r.status == CRASH and not r.reason:
        r.reason = "exit status %d" % rc
    return r


# ---------------------------------------------------------------- suites


def fmt_secs(s):
    """Seconds as 9s / 12m05s."""
    s = int(round(s))
    return "%ds" % s if s < 60 else "%dm%02ds" % (s // 60, s % 60)


class Report:
    """What the run prints: to stdout as it goes, and to summary.txt."""

    def __init__(self):
        self.lines = []

    def __call__(self, line=""):
        print(line, flush=True)
        self.lines.append(line)


def read_modules(path):
    """The module list: [(name, native timeout or None, regrtest args)]."""
    mods = []
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            timeout, args = None, []
            for w in words[1:]:
                if w.startswith("timeout="):
                    timeout = int(w[len("timeout="):])
                else:
                    args.append(w)
            mods.append((words[0], timeout, args))
    return mods


def expected_count(py, module, args, sides, logdir):
    """How many test cases the module has natively (`--list-cases`), the
    number a TIMEOUT or CRASH counts as failed; at least 1."""
    out = os.path.join(logdir, module + ".cases")
    sides.native([py, "-m", "test", "--list-cases"] + args
                                 + [module], 60, out, os.devnull)
    with open(out, errors="replace") as f:
        n = sum(1 for x in f if x.startswith("test."))
    return max(n, 1)


def module_columns(r):
    """run pass fail err skip status time, for one side of a module row."""
    if r.status == ABSENT:
        return "%5s %5s %5s %5s %5s %-7s %6s" % ("-", "-", "-", "-", "-", r.status, "")
    fail = r.failed if r.all_failed else r.failures + r.xpass
    err = 0 if r.all_failed else r.errors
    return "%5d %5d %5d %5d %5d %-7s %6s" % (r.run, r.passed, fail, err,
                                            r.skipped, r.status, fmt_secs(r.secs))


def run_python(opts, sides, report, modules):
    """The python suite: each module natively, then in the sandbox."""
    logdir = os.path.join(opts.results, "python")
    os.makedirs(logdir, exist_ok=True)
    report("== Python regression tests: %s -m test -v MODULE ==" % opts.python)
    report("pass = run - skip - fail - err. TIMEOUT, CRASH (no unittest result) "
           "and a whole-module skip in the sandbox of a module that runs "
           "natively count all its cases failed.")
    report("timeouts: %ds natively, %ds in the sandbox (per module)"
           % (opts.timeout, opts.timeout * opts.factor))
    report("%-30s %s  %s" % ("", "-" * 17 + " sandbox " + "-" * 18,
                               "-" * 18 + " native " + "-" * 18))
    cols = "%5s %5s %5s %5s %5s %-7s %6s" % ("run", "pass", "fail", "err",
                                            "skip", "status", "time")
    report("%-30s %s  %s" % ("module", cols, cols))
    rows = []
    for name, tmo, args in modules:
        tmo = tmo or opts.timeout
        res = {}
        for side in ("native", "sandbox"):
            t = tmo if side == "native" else tmo * opts.factor
            log = os.path.join(logdir, "%s.%s.log" % (name, side))
            argv = [opts.python, "-m", "test", "-v", "--timeout",
                    str(max(t - INNER_MARGIN, 10))] + args + [name]
            extra = {"LANG": "C.UTF-8"}
            if side == "native":
                (rc, secs, to), _ = sides.native(argv, t, log, extra=extra)
            else:
                dbg = os.path.join(logdir, "%s.runsc.log" % name)
                (rc, secs, to), _ = sides.sandbox(argv, t, log, extra=extra,
                                                  debug_log=dbg)
            with open(log, errors="replace") as f:
                res[side] = parse_regrtest(name, f.read(), rc, secs, to)
        sb, nat = res["sandbox"], res["native"]
        if sb.status == SKIPPED and nat.run > 0:
            sb.all_failed = True
            why = sb.reason[len("skipped: "):]
            sb.failing[name + ".<module>"] = ("module skipped: " + why, "", why)
            sb.reason += " (runs natively: all its cases count failed)"
        if sb.all_failed or nat.all_failed:
            n = expected_count(opts.python, name, args, sides, logdir)
            for r in res.values():
                if r.all_failed:
                    r.run = max(r.run, n)
        rows.append((name, res["sandbox"], res["native"]))
        report("%-30s %s  %s" % (name, module_columns(res["sandbox"]),
                                 module_columns(res["native"])))
    return rows


def first_difference(a, b):
    """The unified diff between two outputs, as lines."""
    return list(difflib.unified_diff(a.decode(errors="replace").splitlines(),
                                  b.decode(errors="replace").splitlines(),
                                  "native", "sandbox", lineterm="", n=1))


def run_shell(opts, sides, report, workloads):
    """The shell suite: each workload natively, then in the sandbox; the
    sandbox passes when its stdout and exit status equal the native ones."""
    outdir = os.path.join(opts.results, "shell")
    os.makedirs(outdir, exist_ok=True)
    report("== Shell workloads: stdout and exit status under runsc do must "
           "equal the native run's ==")
    report("timeouts: %ds natively, %ds in the sandbox (per workload)"
           % (SHELL_TIMEOUT, SHELL_TIMEOUT * opts.factor))
    report("%-30s %-24s %6s  %-10s %6s" % ("workload", "sandbox", "time",
                                          "native", "time"))
    env = {"TZ": "UTC", "LC_ALL": "C", "LANG": "C",
           "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    rows = []
    for name, path in workloads:
        with open(path) as f:
            script = f.read()
        argv = ["/bin/sh", "-c", script, name]
        got = {}
        for side in ("native", "sandbox"):
            out = os.path.join(outdir, "%s.%s.out" % (name, side))
            err = os.path.join(outdir, "%s.%s.err" % (name, side))
            t = SHELL_TIMEOUT if side == "native" else SHELL_TIMEOUT * opts.factor
            if side == "native":
                (rc, secs, to), work = sides.native(
                    argv, t, out, err, extra=env, tmpdir="@WORK@/.tmp")
            else:
                (rc, secs, to), work = sides.sandbox(
                    argv, t, out, err, extra=env, tmpdir="@WORK@/.tmp",
                    debug_log=os.path.join(outdir, "%s.runsc.log" % name))
            # $WORK differs between the sides; outputs name it "$WORK".
            with open(out, "rb") as f:
                data = f.read().replace(work.encode(), b"$WORK")
            with open(out, "wb") as f:
                f.write(data)
            got[side] = (rc, secs, to, data)
        nrc, nsecs, nto, ndata = got["native"]
        src, ssecs, sto, sdata = got["sandbox"]
        r = Result(OK, ssecs)
        r.run = 1
        if sto or sdata != ndata or src != nrc:
            diff = first_difference(ndata, sdata)
            with open(os.path.join(outdir, name + ".diff"), "w") as f:
                f.write("native exit status %d, sandbox exit status %d%s\n"
                        % (nrc, src, " (timed out)" if sto else ""))
                f.write("\n".join(diff) + "\n")
        if sto:
            last = sdata.decode(errors="replace").rstrip("\n").split("\n")[-1]
            r.set_status(TIMEOUT)
            r.reason = "timed out after %ds; its output stops after: %s" % (
                ssecs, last[:80])
        elif sdata != ndata or src != nrc:
            r.set_status(FAILED)
            r.failures = 1
            what = []
            if src != nrc:
                what.append("exit status %d, native %d" % (src, nrc))
            if sdata != ndata:
                first = [x for x in diff[2:] if x[:1] in "+-"][:1]
                what.append("output differs: %s" % (first[0][:100] if first else "?"))
            r.reason = "; ".join(what)
        n = Result(OK if nrc == 0 and not nto else (TIMEOUT if nto else FAILED), nsecs)
        n.run = 1
        n.failures = 0 if n.status == OK else 1
        if n.status != OK:
            n.reason = "native exit status %d" % nrc
        rows.append((name, r, n))
        sb = r.status if r.status != FAILED else "FAILED (%s)" % (
            "status" if src != nrc and sdata == ndata else "output")
        report("%-30s %-24s %6s  %-10s %6s" % (name, sb, fmt_secs(ssecs),
                                              n.status, fmt_secs(nsecs)))
    return rows


# ---------------------------------------------------------------- causes

UNSUP_RE = re.compile(r"unsupported syscall (\S+) \((-?\d+)\): returning (\w+)")


def causes(opts, py_rows, sh_rows):
    """Why the sandbox failed where Linux did not: failure exceptions
    (grouped), dead modules, unsupported syscalls; as report lines."""
    per_cause = collections.Counter()
    per_exc = collections.Counter()
    example = {}
    modules_of = collections.defaultdict(set)
    for name, sb, nat in py_rows:
        for tid, (key, site, exc) in sb.failing.items():
            if tid in nat.failing:
                continue
            w = sb.run if tid.endswith(".<module>") else 1
            per_cause[(key, site)] += w
            per_exc[key] += w
            example.setdefault(key, exc)
            modules_of[(key, site)].add(name)
    unsup = collections.defaultdict(set)
    other = collections.defaultdict(set)     # the rest of the Sentry's log
    for sub in ("python", "shell"):
        d = os.path.join(opts.results, sub)
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            if not fn.endswith(".runsc.log"):
                continue
            who = fn[:-len(".runsc.log")]
            with open(os.path.join(d, fn), errors="replace") as f:
                for line in f:
                    m = UNSUP_RE.search(line)
                    if m:
                        unsup["%s -> %s" % (m.group(1), m.group(3))].add(who)
                    elif line.strip():
                        other[re.sub(r"\d{5,}", "N", line.strip())[:120]].add(who)
    out = ["Failing tests by exception and call site (sandbox failures of "
           "tests that pass natively; a CRASHed module counts all its cases):"]
    for (key, site), n in per_cause.most_common():
        mods = sorted(modules_of[(key, site)])
        out.append("%6d  %s%s  [%s]" % (n, key, "  <- " + site if site else "",
                                       ", ".join(mods[:6]) + (" ..." if len(mods) > 6 else "")))
    out.append("")
    out.append("The same by exception only:")
    for key, n in per_exc.most_common():
        out.append("%6d  %s" % (n, key))
    out.append("")
    out.append("Unsupported syscalls the Sentry saw (modules/workloads that hit each):")
    for sc, who in sorted(unsup.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append("%6d  %-36s %s" % (len(who), sc, " ".join(sorted(who))))
    out.append("")
    out.append("Other messages in the Sentry's logs (modules/workloads that logged each):")
    for msg, who in sorted(other.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append("%6d  %s  [%s]" % (len(who), msg, " ".join(sorted(who)[:8])))
    out.append("")
    out.append("Modules and workloads that did not pass in the sandbox:")
    for name, sb, _ in py_rows + sh_rows:
        if sb.status not in (OK, ABSENT) and sb.reason:
            out.append("  %s: %s: %s" % (name, sb.status, sb.reason))
    return out, per_cause, unsup, other


# ---------------------------------------------------------------- main


def totals(rows):
    """(passed, failed, skipped) over rows for each side."""
    t = {"sandbox": [0, 0, 0], "native": [0, 0, 0]}
    for _, sb, nat in rows:
        for side, r in (("sandbox", sb), ("native", nat)):
            if r.status == ABSENT:
                continue
            t[side][0] += r.passed
            t[side][1] += r.failed
            t[side][2] += r.skipped
    return t


def select(names, only):
    """The names COMPAT_ONLY keeps (all when it is empty)."""
    return [n for n in names if not only or n in only]


def git_describe(srcdir):
    """The commit the sources are at, for the summary's header."""
    try:
        return subprocess.run(["git", "-C", srcdir, "describe", "--always",
                               "--dirty"], capture_output=True, text=True,
                              timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def main():
    """Parse the options, run the chosen suites, write the summary."""
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runsc", required=True, help="the runsc binary")
    ap.add_argument("--results", required=True, help="folder for logs and summary.txt")
    ap.add_argument("--python", default=os.environ.get("COMPAT_PYTHON") or "/usr/bin/python3.11",
                    help="interpreter whose test suite runs (needs libpython3.11-testsuite)")
    ap.add_argument("--only", default=os.environ.get("COMPAT_ONLY", ""),
                    help="comma/space separated modules or workloads to run (default: all)")
    ap.add_argument("--suite", default=os.environ.get("COMPAT_SUITE", ""),
                    help="python or shell (default: both)")
    ap.add_argument("--timeout", type=int, default=int(os.environ.get("COMPAT_TIMEOUT") or 300),
                    help="native per-module timeout in seconds (default 300)")
    ap.add_argument("--factor", type=int, default=int(os.environ.get("COMPAT_SANDBOX_FACTOR") or 3),
                    help="the sandbox's timeouts are this many times the native ones (default 3)")
    opts = ap.parse_args()
    opts.runsc = os.path.abspath(opts.runsc)
    opts.results = os.path.abspath(opts.results)
    only = set(re.split(r"[\s,]+", opts.only.strip())) - {""}
    suites = {"": ("python", "shell"), "python": ("python",), "shell": ("shell",)}
    if opts.suite not in suites:
        sys.exit("compat: COMPAT_SUITE must be python or shell, not %r" % opts.suite)
    suites = suites[opts.suite]

    modules = read_modules(os.path.join(here, "python-modules.txt"))
    wdir = os.path.join(here, "workloads")
    workloads = sorted((fn[:-3], os.path.join(wdir, fn))
                       for fn in (os.listdir(wdir) if os.path.isdir(wdir) else [])
                       if fn.endswith(".sh"))
    unknown = only - {m[0] for m in modules} - {w[0] for w in workloads}
    if unknown:
        sys.exit("compat: COMPAT_ONLY names no module or workload: %s"
                 % " ".join(sorted(unknown)))
    modules = [m for m in modules if "python" in suites and (not only or m[0] in only)]
    workloads = [w for w in workloads if "shell" in suites and (not only or w[0] in only)]
    if modules and not os.access(opts.python, os.X_OK):
        sys.exit("compat: %s not found (apt-get install python3.11 "
                 "libpython3.11-testsuite, or set COMPAT_PYTHON)" % opts.python)
    probe = subprocess.run([opts.runsc, "do", "/bin/true"], capture_output=True,
                           text=True, stdin=subprocess.DEVNULL)
    if probe.returncode != 0:
        sys.exit("compat: `runsc do /bin/true` fails here (ptrace not "
                 "permitted?): %s" % probe.stderr.strip()[-300:])

    os.makedirs(opts.results, exist_ok=True)
    for sub in ("python", "shell"):
        shutil.rmtree(os.path.join(opts.results, sub), ignore_errors=True)
    summary = os.path.join(opts.results, "summary.txt")
    if os.path.exists(summary):
        os.replace(summary, os.path.join(opts.results, "summary.prev.txt"))

    start = time.monotonic()
    report = Report()
    sides = Sides(opts.runsc)
    report("cvisor compat: sources at %s, %s, %s" % (
        git_describe(here), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "only " + " ".join(sorted(only)) if only else "all suites" if len(suites) == 2
        else "suite " + suites[0]))
    report("results in %s" % opts.results)
    report()
    py_rows = run_python(opts, sides, report, modules) if modules else []
    if py_rows:
        report()
    sh_rows = run_shell(opts, sides, report, workloads) if workloads else []
    if sh_rows:
        report()

    lines, per_cause, unsup, other = causes(opts, py_rows, sh_rows)
    with open(os.path.join(opts.results, "causes.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    report("== Sandbox failures (all of them in results/causes.txt) ==")
    for name, sb, _ in py_rows + sh_rows:
        if sb.status not in (OK, ABSENT) and sb.reason:
            report("  %s: %s: %s" % (name, sb.status, sb.reason[:160]))
    absent = [name for name, sb, nat in py_rows if nat.status == ABSENT]
    if absent:
        report("  not installed on the host, counted nowhere: " + " ".join(absent))
    if per_cause:
        report("Top causes (tests failing in the sandbox only):")
        for (key, site), n in per_cause.most_common(12):
            report("%6d  %s%s" % (n, key, "  <- " + site[:60] if site else ""))
    if unsup:
        report("Unsupported syscalls hit (modules/workloads): " + ", ".join(
            "%s %d" % (sc.split(" ")[0], len(who)) for sc, who in
            sorted(unsup.items(), key=lambda kv: (-len(kv[1]), kv[0]))))
    for msg, who in sorted(other.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:5]:
        report("Sentry log: %s [%s]" % (msg, " ".join(sorted(who)[:6])))
    report()

    report("== Totals (%s) ==" % fmt_secs(time.monotonic() - start))
    all_t = {"sandbox": [0, 0, 0], "native": [0, 0, 0]}
    for label, rows in (("python", py_rows), ("shell", sh_rows)):
        if not rows:
            continue
        t = totals(rows)
        report("%-7s sandbox %d passed, %d failed, %d skipped;  native %d "
               "passed, %d failed, %d skipped" % tuple([label + ":"] + t["sandbox"] + t["native"]))
        for side in all_t:
            all_t[side] = [a + b for a, b in zip(all_t[side], t[side])]
    report("native: %d passed, %d failed, %d skipped" % tuple(all_t["native"]))
    report("sandbox: %d passed, %d failed, %d skipped" % tuple(all_t["sandbox"]))
    with open(summary, "w") as f:
        f.write("\n".join(report.lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
