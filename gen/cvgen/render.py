"""Render the validated spec through one jinja2 template per output."""
import os

import jinja2

from .spec import errno_value

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "templates")

# output file -> template; one template per output, as the house style asks.
C_OUTPUTS = {
    "syscall_names.h": "syscall_names.h.j2",
    "syscall_table.c": "syscall_table.c.j2",
    "validate.c": "validate.c.j2",
    "strace_print.c": "strace_print.c.j2",
    "linux_flags.h": "linux_flags.h.j2",
    "seccomp_tables.c": "seccomp_tables.c.j2",
    "netopts.h": "netopts.h.j2",
    "netopts.c": "netopts.c.j2",
}
REPORT_TEMPLATE = "compatibility.md.j2"


def _env():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)
    env.filters["hex"] = lambda v: f"0x{v:x}" if v >= 0 else f"(-0x{-v:x})"
    env.filters["u64"] = lambda v: f"0x{v:x}ULL" if v >= 0 else f"(uint64_t)-0x{-v:x}"
    env.filters["errno"] = errno_value
    env.filters["cstr"] = _cstr
    env.filters["cint"] = lambda v: "(-2147483647 - 1)" if v == -2**31 else str(v)
    env.filters["mdcell"] = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    return env


def _cstr(s):
    """A C string literal for s."""
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{out}"'


def _write_if_changed(path, text):
    """Keep the old file (and its mtime) when nothing changed, so make does not rebuild."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _context(spec):
    table = [None] * spec.table_size
    for s in spec.syscalls:
        table[s.nr] = s
    counts = {st: sum(1 for s in spec.syscalls if s.status == st)
              for st in ("supported", "partial", "unsupported")}
    constants = {}
    for f in sorted(spec.flagsets.values(), key=lambda f: f.name):
        for n, v in f.field_values + f.values:
            constants.setdefault(n, v)
    return {"spec": spec, "table": table, "counts": counts,
            "constants": sorted(constants.items()),
            "flagsets": sorted(spec.flagsets.values(), key=lambda f: f.name),
            "seccomp": [spec.seccomp[w] for w in sorted(spec.seccomp)],
            "netopts": spec.netopts}


def render_c(spec, spec_dir, out_dir):
    env = _env()
    ctx = _context(spec)
    os.makedirs(out_dir, exist_ok=True)
    for out, tmpl in C_OUTPUTS.items():
        text = env.get_template(tmpl).render(**ctx)
        _write_if_changed(os.path.join(out_dir, out), text)


def render_report(spec, spec_dir, path):
    env = _env()
    text = env.get_template(REPORT_TEMPLATE).render(**_context(spec))
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    _write_if_changed(path, text)
