"""Load every file of spec/ and validate it, collecting all problems.

The generator is strict, like FreeBSD's makesyscalls: any unknown key, type,
set, duplicate name or number, or inconsistent status stops it, and each
problem is reported as `file:line: message`.
"""
import errno as errno_mod
import glob
import os
import re

from .loader import LDict, LList, SpecError, load_yaml
from .model import (Arg, ArgType, FlagSet, SeccompArg, SeccompFilter,
                    SeccompRule, SeccompSet, Spec, Syscall)
from .netopts import load_netopts

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PRINTERS = {"int", "uint", "long", "ulong", "hex", "octal", "fd", "dirfd",
            "signal", "string", "buf", "buf_out", "ptr", "flags", "enum",
            "argv"}
C_TYPES = {"int32_t", "uint32_t", "int64_t", "uint64_t"}
RET_KINDS = {"int", "long", "ssize", "pid", "fd", "zero", "ptr", "hex",
             "noreturn"}
STATUSES = {"supported", "partial", "unsupported"}
SUBSYSTEMS = {"fs", "mm", "process", "signal", "time", "net", "ipc", "io",
              "security", "misc"}
SECCOMP_WHO = ("sentry", "sentry_hostnet", "gofer", "gofer_rw", "stub")
SECCOMP_OPS = {"eq", "ne", "lt", "le", "gt", "ge", "masked_eq"}
DEFAULT_ACTIONS = {"kill_process", "kill_thread", "trap", "log", "errno"}
RULE_ACTIONS = {"allow", "errno", "log", "trap"}

SYSCALL_KEYS = {"name", "nr", "args", "ret", "status", "handler", "errno",
                "note", "strace"}
ARG_KEYS = {"name", "type", "set", "size", "reject_unknown", "struct", "when"}
ARGTYPE_KEYS = {"c", "print", "needs"}
FLAGSET_KEYS = {"kind", "zero", "field", "values"}
FIELD_KEYS = {"mask", "values", "print"}


class Errors:
    """Collects problems so one run reports all of them."""

    def __init__(self):
        self.items = []

    def add(self, where, message):
        path, line = where
        self.items.append(SpecError(path, line, message))

    def __bool__(self):
        return bool(self.items)

    def lines(self):
        def key(e):
            return (e.path, e.line, e.message)
        return [str(e) for e in sorted(self.items, key=key)]


def is_errno(name):
    return isinstance(name, str) and hasattr(errno_mod, name) \
        and name.startswith("E")


def errno_value(name):
    return getattr(errno_mod, name)


def _int(value):
    """An integer from YAML: an int, or a string in C notation (0x.., 0o..)."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 0)
    raise ValueError


def _unknown_keys(errs, m, allowed, what):
    for k in m:
        if k not in allowed:
            errs.add(m.at(k), f"unknown key '{k}' in {what}")


def _require_map(errs, value, where, what):
    if not isinstance(value, LDict):
        errs.add(where, f"{what} must be a mapping")
        return False
    return True


def load_types(errs, path):
    """Parse types.yaml into argtypes and flagsets."""
    doc = load_yaml(path)
    argtypes, flagsets = {}, {}
    if not _require_map(errs, doc, (path, 1), "types.yaml"):
        return argtypes, flagsets
    _unknown_keys(errs, doc, {"argtypes", "flagsets"}, "types.yaml")
    for name, t in (doc.get("argtypes") or {}).items():
        where = doc["argtypes"].at(name)
        if not _require_map(errs, t, where, f"argtype '{name}'"):
            continue
        _unknown_keys(errs, t, ARGTYPE_KEYS, f"argtype '{name}'")
        if t.get("c") not in C_TYPES:
            errs.add(t.at("c"), f"argtype '{name}': c must be one of "
                     f"{', '.join(sorted(C_TYPES))}")
        if t.get("print") not in PRINTERS:
            errs.add(t.at("print"), f"argtype '{name}': unknown printer "
                     f"'{t.get('print')}'")
        if t.get("needs") not in (None, "set", "size"):
            errs.add(t.at("needs"), f"argtype '{name}': needs must be "
                     "'set' or 'size'")
        argtypes[name] = ArgType(name, t.get("c"), t.get("print"),
                                 t.get("needs"))
    for name, s in (doc.get("flagsets") or {}).items():
        where = doc["flagsets"].at(name)
        if not IDENT.match(str(name)):
            errs.add(where, f"flagset name '{name}' is not an identifier")
        if _require_map(errs, s, where, f"flagset '{name}'"):
            fs = _load_flagset(errs, name, s)
            if fs:
                flagsets[name] = fs
    return argtypes, flagsets


def _load_values(errs, m, what):
    out = []
    if not isinstance(m, LDict):
        errs.add(getattr(m, "at", lambda k=None: ("?", 0))(), f"{what}: values must be a mapping")
        return out
    for vname, v in m.items():
        if not IDENT.match(str(vname)):
            errs.add(m.at(vname), f"{what}: '{vname}' is not an identifier")
        try:
            out.append((vname, _int(v)))
        except ValueError:
            errs.add(m.at(vname), f"{what}: value of '{vname}' is not an integer")
    return out


def _load_flagset(errs, name, s):
    _unknown_keys(errs, s, FLAGSET_KEYS, f"flagset '{name}'")
    kind = s.get("kind")
    if kind not in ("flags", "enum"):
        errs.add(s.at("kind"), f"flagset '{name}': kind must be flags or enum")
        return None
    values = _load_values(errs, s.get("values", LDict()), f"flagset '{name}'")
    fs = FlagSet(name, kind, values)
    seen = {}
    for vname, v in values:
        if vname in seen:
            errs.add(s["values"].at(vname), f"flagset '{name}': duplicate '{vname}'")
        seen[vname] = v
        if kind == "flags" and v == 0:
            errs.add(s["values"].at(vname), f"flagset '{name}': flag "
                     f"'{vname}' is 0 (use zero:)")
    if kind == "enum":
        if "zero" in s or "field" in s:
            errs.add(s.at(), f"flagset '{name}': enum sets take only values")
        return fs
    fs.zero = s.get("zero")
    f = s.get("field")
    if f is not None:
        if not _require_map(errs, f, s.at("field"), f"flagset '{name}' field"):
            return fs
        _unknown_keys(errs, f, FIELD_KEYS, f"flagset '{name}' field")
        try:
            fs.field_mask = _int(f.get("mask"))
        except ValueError:
            errs.add(f.at("mask"), f"flagset '{name}': field mask must be an integer")
        if ("values" in f) == ("print" in f):
            errs.add(f.at(), f"flagset '{name}': field needs values or print, not both")
        if "print" in f and f["print"] != "signal":
            errs.add(f.at("print"), f"flagset '{name}': field print must be signal")
        fs.field_print = f.get("print")
        if "values" in f:
            fs.field_values = _load_values(errs, f["values"], f"flagset '{name}' field")
            for vname, v in fs.field_values:
                if v & ~fs.field_mask:
                    errs.add(f["values"].at(vname), f"flagset '{name}': "
                             f"'{vname}' is outside the field mask")
        for vname, v in values:
            if v & fs.field_mask:
                errs.add(s["values"].at(vname), f"flagset '{name}': flag "
                         f"'{vname}' overlaps the field mask")
    return fs


def load_syscall_file(errs, path, argtypes, flagsets):
    """Parse one spec/syscalls/<area>.yaml into Syscall objects."""
    doc = load_yaml(path)
    out = []
    if not _require_map(errs, doc, (path, 1), "a syscall file"):
        return out
    _unknown_keys(errs, doc, {"subsystem", "syscalls"}, "a syscall file")
    stem = os.path.splitext(os.path.basename(path))[0]
    sub = doc.get("subsystem")
    if sub != stem:
        errs.add(doc.at("subsystem"), f"subsystem '{sub}' must equal the file name '{stem}'")
    elif sub not in SUBSYSTEMS:
        errs.add(doc.at("subsystem"), f"unknown subsystem '{sub}'")
    entries = doc.get("syscalls")
    if not isinstance(entries, LList):
        errs.add(doc.at("syscalls"), "syscalls must be a list")
        return out
    for e in entries:
        if not isinstance(e, LDict):
            errs.add((path, entries.line), "each syscall must be a mapping")
            continue
        sc = _load_syscall(errs, e, stem, argtypes, flagsets)
        if sc:
            out.append(sc)
    return out


def _load_syscall(errs, e, sub, argtypes, flagsets):
    _unknown_keys(errs, e, SYSCALL_KEYS, "a syscall")
    name = e.get("name")
    if not isinstance(name, str) or not IDENT.match(name):
        errs.add(e.at("name"), "syscall needs a name that is a C identifier")
        return None
    nr = e.get("nr")
    if not isinstance(nr, int) or isinstance(nr, bool) or not 0 <= nr < 1024:
        errs.add(e.at("nr"), f"{name}: nr must be an integer in [0, 1024)")
        return None
    args = _load_args(errs, e, name, argtypes, flagsets)
    ret = e.get("ret")
    if ret not in RET_KINDS:
        errs.add(e.at("ret"), f"{name}: unknown return kind '{ret}'")
    status = e.get("status")
    handler = e.get("handler")
    note = e.get("note", "")
    err = e.get("errno")
    if status not in STATUSES:
        errs.add(e.at("status"), f"{name}: status must be supported, partial or unsupported")
    elif status == "unsupported":
        if handler is not None:
            errs.add(e.at("handler"), f"{name}: an unsupported syscall has no handler")
        if err is not None and not is_errno(err):
            errs.add(e.at("errno"), f"{name}: unknown errno '{err}'")
    else:
        if not isinstance(handler, str) or not IDENT.match(handler):
            errs.add(e.at("handler") if "handler" in e else e.at("status"),
                     f"{name}: a {status} syscall needs a handler (a C identifier)")
        if err is not None:
            errs.add(e.at("errno"), f"{name}: errno is only for unsupported syscalls")
        if status == "partial" and not note:
            errs.add(e.at("status"), f"{name}: a partial syscall needs a note")
    if not isinstance(note, str):
        errs.add(e.at("note"), f"{name}: note must be a string")
        note = str(note)
    strace = e.get("strace", "exit")
    if strace not in ("enter", "exit"):
        errs.add(e.at("strace"), f"{name}: strace must be enter or exit")
    path, line = e.at()
    return Syscall(name, nr, sub, args, ret, status,
                   handler if status != "unsupported" else None,
                   err or "ENOSYS", note, strace, path, line)


def _load_args(errs, e, name, argtypes, flagsets):
    raw = e.get("args", LList())
    if raw is None:
        raw = LList()
    if not isinstance(raw, list):
        errs.add(e.at("args"), f"{name}: args must be a list")
        return []
    if len(raw) > 6:
        errs.add(e.at("args"), f"{name}: more than six arguments")
    args, names = [], {}
    for i, a in enumerate(raw):
        if not isinstance(a, LDict):
            errs.add(e.at("args"), f"{name}: argument {i} must be a mapping")
            continue
        _unknown_keys(errs, a, ARG_KEYS, f"an argument of {name}")
        aname = a.get("name")
        if not isinstance(aname, str) or not IDENT.match(aname):
            errs.add(a.at("name"), f"{name}: argument {i} needs a C identifier name")
            aname = f"arg{i}"
        if aname in names:
            errs.add(a.at("name"), f"{name}: duplicate argument '{aname}'")
        names[aname] = i
        t = argtypes.get(a.get("type"))
        if t is None:
            errs.add(a.at("type"), f"{name}: unknown type '{a.get('type')}'")
            continue
        arg = Arg(aname, t, struct=a.get("struct"))
        setname = a.get("set")
        if t.needs == "set":
            fs = flagsets.get(setname)
            if fs is None:
                errs.add(a.at("set") if "set" in a else a.at("type"),
                         f"{name}.{aname}: unknown flag set '{setname}'")
            elif fs.kind != t.print:
                errs.add(a.at("set"), f"{name}.{aname}: set '{setname}' is "
                         f"{fs.kind}, type '{t.name}' needs {t.print}")
            else:
                arg.set = fs
        elif setname is not None:
            errs.add(a.at("set"), f"{name}.{aname}: type '{t.name}' takes no set")
        if t.needs != "size" and "size" in a:
            errs.add(a.at("size"), f"{name}.{aname}: type '{t.name}' takes no size")
        ru = a.get("reject_unknown")
        if ru is not None:
            if not is_errno(ru):
                errs.add(a.at("reject_unknown"), f"{name}.{aname}: unknown errno '{ru}'")
            elif t.needs != "set":
                errs.add(a.at("reject_unknown"), f"{name}.{aname}: reject_unknown "
                         "needs a flags or enum type")
            else:
                arg.reject_unknown = ru
        args.append((arg, a))
    # Sizes may name a later argument, so resolve them once all are known.
    for arg, a in args:
        if arg.type.needs == "size":
            sz = a.get("size")
            if sz not in names:
                errs.add(a.at("size") if "size" in a else a.at("type"),
                         f"{name}.{arg.name}: size must name another argument")
            elif sz == arg.name:
                errs.add(a.at("size"), f"{name}.{arg.name}: size names itself")
            else:
                arg.size = names[sz]
        if "when" in a:
            _resolve_when(errs, name, arg, a, args, names)
    return [arg for arg, _ in args]


def _resolve_when(errs, name, arg, a, args, names):
    """`when: {arg: flags, any_of: [O_CREAT]}`: print only if those bits are set."""
    w = a["when"]
    if not isinstance(w, LDict) or set(w) != {"arg", "any_of"}:
        errs.add(a.at("when"), f"{name}.{arg.name}: when needs arg and any_of")
        return
    other = names.get(w["arg"])
    fs = args[other][0].set if other is not None else None
    if fs is None or fs.kind != "flags":
        errs.add(w.at("arg"), f"{name}.{arg.name}: when.arg must name a flags argument")
        return
    values = dict(fs.values)
    mask = 0
    for v in w["any_of"] or []:
        if v not in values:
            errs.add(w.at("any_of"), f"{name}.{arg.name}: '{v}' is not in set '{fs.name}'")
        else:
            mask |= values[v]
    arg.when = (other, mask)


def load_seccomp(errs, path, who, by_name):
    """Parse spec/seccomp/<who>.yaml into a SeccompFilter."""
    doc = load_yaml(path)
    if not _require_map(errs, doc, (path, 1), "a seccomp file"):
        return None
    _unknown_keys(errs, doc, {"filter", "default_action", "sets"}, "a seccomp file")
    if doc.get("filter") != who:
        errs.add(doc.at("filter"), f"filter must be '{who}' (the file's name)")
    da, de = _action(errs, doc, "default_action", DEFAULT_ACTIONS)
    sets, seen_sets = [], set()
    for s in doc.get("sets") or []:
        if not isinstance(s, LDict):
            errs.add(doc.at("sets"), "each set must be a mapping")
            continue
        _unknown_keys(errs, s, {"name", "why", "rules"}, "a seccomp set")
        sname = s.get("name")
        if not isinstance(sname, str) or not IDENT.match(sname):
            errs.add(s.at("name"), "a seccomp set needs an identifier name")
        elif sname in seen_sets:
            errs.add(s.at("name"), f"duplicate seccomp set '{sname}'")
        seen_sets.add(sname)
        if not s.get("why"):
            errs.add(s.at(), f"seccomp set '{sname}' needs a why")
        rules = []
        for r in s.get("rules") or []:
            rule = _seccomp_rule(errs, r, by_name)
            if rule:
                rules.append(rule)
        sets.append(SeccompSet(sname, s.get("why", ""), rules))
    return SeccompFilter(who, da, de, sets)


def _action(errs, m, key, allowed):
    """Parse `allow`, `kill_process`, `errno EPERM`… into (action, errno)."""
    v = m.get(key, "allow")
    parts = str(v).split()
    if not parts or parts[0] not in allowed:
        errs.add(m.at(key), f"unknown action '{v}'")
        return "kill_process", None
    if parts[0] == "errno":
        if len(parts) != 2 or not is_errno(parts[1]):
            errs.add(m.at(key), f"action '{v}' needs one errno name")
            return "errno", "EPERM"
        return "errno", parts[1]
    if len(parts) != 1:
        errs.add(m.at(key), f"action '{v}' takes no argument")
    return parts[0], None


def _seccomp_rule(errs, r, by_name):
    if not isinstance(r, LDict):
        errs.add(getattr(r, "at", lambda k=None: ("?", 0))(), "each rule must be a mapping")
        return None
    _unknown_keys(errs, r, {"syscall", "args", "action", "why"}, "a seccomp rule")
    sc = by_name.get(r.get("syscall"))
    if sc is None:
        errs.add(r.at("syscall"), f"unknown syscall '{r.get('syscall')}'")
        return None
    action, err = _action(errs, r, "action", RULE_ACTIONS)
    args = []
    for a in r.get("args") or []:
        if not isinstance(a, LDict):
            errs.add(r.at("args"), "each argument matcher must be a mapping")
            continue
        _unknown_keys(errs, a, {"index", "op", "value", "mask"}, "an argument matcher")
        idx = a.get("index")
        if not isinstance(idx, int) or not 0 <= idx < 6:
            errs.add(a.at("index"), "index must be 0..5")
            continue
        if a.get("op") not in SECCOMP_OPS:
            errs.add(a.at("op"), f"unknown op '{a.get('op')}'")
            continue
        try:
            value = _int(a.get("value"))
            mask = _int(a.get("mask", 0))
        except ValueError:
            errs.add(a.at(), "value and mask must be integers")
            continue
        if (a["op"] == "masked_eq") != ("mask" in a):
            errs.add(a.at(), "mask goes with op masked_eq, and only with it")
        args.append(SeccompArg(idx, a["op"], value, mask))
    return SeccompRule(sc, args, action, err, r.get("why"))


def load_spec(spec_dir):
    """Load and validate the whole spec; returns (Spec or None, Errors)."""
    errs = Errors()
    try:
        return _load_spec(errs, spec_dir), errs
    except SpecError as e:
        errs.items.append(e)
        return None, errs


def _load_spec(errs, spec_dir):
    types_path = os.path.join(spec_dir, "types.yaml")
    if not os.path.exists(types_path):
        errs.add((types_path, 1), "missing")
        return None
    argtypes, flagsets = load_types(errs, types_path)
    _check_constant_names(errs, types_path, flagsets)
    files = sorted(glob.glob(os.path.join(spec_dir, "syscalls", "*.yaml")))
    if not files:
        errs.add((os.path.join(spec_dir, "syscalls"), 1), "no syscall files")
    syscalls = []
    for path in files:
        try:
            syscalls += load_syscall_file(errs, path, argtypes, flagsets)
        except SpecError as e:
            errs.items.append(e)
    by_name, by_nr = {}, {}
    for s in syscalls:
        if s.name in by_name:
            o = by_name[s.name]
            errs.add((s.path, s.line), f"duplicate syscall name '{s.name}' "
                     f"(also at {o.path}:{o.line})")
        else:
            by_name[s.name] = s
        if s.nr in by_nr:
            o = by_nr[s.nr]
            errs.add((s.path, s.line), f"duplicate syscall number {s.nr}: "
                     f"'{s.name}' and '{o.name}' (at {o.path}:{o.line})")
        else:
            by_nr[s.nr] = s
    seccomp = {}
    for who in SECCOMP_WHO:
        path = os.path.join(spec_dir, "seccomp", f"{who}.yaml")
        if not os.path.exists(path):
            errs.add((path, 1), "missing")
            continue
        try:
            f = load_seccomp(errs, path, who, by_name)
        except SpecError as e:
            errs.items.append(e)
            continue
        if f:
            seccomp[who] = f
    try:
        netopts = load_netopts(errs, spec_dir, (IDENT, _int, _unknown_keys))
    except SpecError as e:
        errs.items.append(e)
        netopts = None
    if netopts:
        _check_netopt_names(errs, flagsets, netopts)
    return Spec(argtypes, flagsets, sorted(by_nr.values(), key=lambda s: s.nr),
                seccomp, netopts)


def _check_netopt_names(errs, flagsets, netopts):
    """netopts.yaml names become LINUX_<NAME> too: none may clash with a
    flag set's constant."""
    flags = {n: v for fs in flagsets.values()
             for n, v in fs.field_values + fs.values}
    for name, value in netopts.constants:
        if name in flags:
            errs.add((os.path.join("netopts.yaml"), 1),
                     f"'{name}' is also a constant of spec/types.yaml")


def _check_constant_names(errs, path, flagsets):
    """A name becomes one LINUX_<NAME> constant, so it has one value everywhere."""
    seen = {}
    for fs in flagsets.values():
        for n, v in fs.field_values + fs.values:
            if n in seen and seen[n][1] != v:
                errs.add((path, 1), f"'{n}' is {v:#x} in set '{fs.name}' but "
                         f"{seen[n][1]:#x} in set '{seen[n][0]}'")
            seen.setdefault(n, (fs.name, v))
