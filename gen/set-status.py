#!/usr/bin/env python3
"""Set the status of syscalls in spec/syscalls/*.yaml, keeping the files' layout.

  set-status.py [--spec-dir spec] NAME supported
  set-status.py NAME partial --note "what is missing"
  set-status.py NAME unsupported [--errno ENOSYS] [--note ...]

`supported` and `partial` set `handler: kern_NAME`; `unsupported` removes it.
Several names may be given before the status. The generator validates the
result (`gen.py --check`) as usual.
"""
import argparse
import glob
import json
import os
import re
import sys

KEYS_DROPPED = ("status", "handler", "note", "errno")


def edit_entry(lines, start, end, name, status, note, errno):
    """Rewrite the status keys of the entry in lines[start:end]."""
    body = lines[start:end]
    indent = None
    kept = []
    for line in body[1:]:
        m = re.match(r"^(\s+)(\w+):", line)
        if m and indent is None:
            indent = m.group(1)
        if m and m.group(1) == indent and m.group(2) in KEYS_DROPPED:
            continue
        kept.append(line)
    indent = indent or "    "
    new = [f"{indent}status: {status}\n"]
    if status != "unsupported":
        new.append(f"{indent}handler: kern_{name}\n")
    elif errno:
        new.append(f"{indent}errno: {errno}\n")
    if note:
        new.append(f"{indent}note: {json.dumps(note)}\n")
    # Keep trailing blank lines after the entry's keys.
    tail = []
    while kept and not kept[-1].strip():
        tail.insert(0, kept.pop())
    return [body[0]] + kept + new + tail


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec-dir", default=os.path.join(os.path.dirname(__file__), "..", "spec"))
    ap.add_argument("args", nargs="+", help="NAME... STATUS")
    ap.add_argument("--note", default="")
    ap.add_argument("--errno")
    a = ap.parse_args()
    *names, status = a.args
    if status not in ("supported", "partial", "unsupported") or not names:
        ap.error("give NAME... and a status")
    if status == "partial" and not a.note:
        ap.error("a partial syscall needs --note")
    todo = set(names)
    for path in sorted(glob.glob(os.path.join(a.spec_dir, "syscalls", "*.yaml"))):
        lines = open(path, encoding="utf-8").readlines()
        # Entries are the list items of `syscalls:`, at the shallowest
        # indentation that holds a "- name:" (arguments are deeper).
        items = [(len(l) - len(l.lstrip()), i) for i, l in enumerate(lines)
                 if re.match(r"^\s*-\s+\{?name:", l)]
        if not items:
            continue
        top = min(ind for ind, _ in items)
        starts = [i for ind, i in items if ind == top]
        changed = False
        for k in reversed(range(len(starts))):
            s = starts[k]
            e = starts[k + 1] if k + 1 < len(starts) else len(lines)
            m = re.search(r"name:\s*([A-Za-z0-9_]+)", lines[s])
            if not m or m.group(1) not in todo:
                continue
            if lines[s].lstrip().startswith("- {"):
                sys.exit(f"{path}: {m.group(1)} is a flow mapping; edit it by hand")
            lines[s:e] = edit_entry(lines, s, e, m.group(1), status, a.note, a.errno)
            todo.discard(m.group(1))
            changed = True
        if changed:
            open(path, "w", encoding="utf-8").writelines(lines)
    if todo:
        sys.exit(f"not found: {' '.join(sorted(todo))}")


if __name__ == "__main__":
    main()
