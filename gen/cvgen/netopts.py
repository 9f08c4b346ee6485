"""Load and validate spec/netopts.yaml: socket options, socket ioctls and
control messages of internet and netlink sockets (what the Sentry's own
sockets do with each, what --network=host passes to a host socket)."""
import os

from .loader import LDict, load_yaml
from .model import NetCmsg, NetIoctl, NetLevel, NetOpt, NetOpts

LEVEL_KEYS = {"level", "value", "options", "shares"}
OPT_KEYS = {"name", "value", "type", "size", "sentry", "default", "min",
            "max", "host", "note"}
IOCTL_KEYS = {"name", "value", "size", "host", "note"}
CMSG_KEYS = {"level", "name", "value", "size", "send", "recv"}
OPT_TYPES = {"int", "bool", "struct", "string"}
SENTRY_KINDS = {"store", "special"}
HOST_KINDS = {"pass", "local", "deny"}
INT_MIN, INT_MAX = -2**31, 2**31 - 1


def load_netopts(errs, spec_dir, helpers):
    """Parse spec/netopts.yaml into NetOpts (None when it is broken)."""
    ident, as_int, unknown_keys = helpers
    path = os.path.join(spec_dir, "netopts.yaml")
    if not os.path.exists(path):
        errs.add((path, 1), "missing")
        return None
    doc = load_yaml(path)
    if not isinstance(doc, LDict):
        errs.add((path, 1), "netopts.yaml must be a mapping")
        return None
    unknown_keys(errs, doc, {"levels", "ioctls", "cmsgs"}, "netopts.yaml")
    names = {}   # constant name -> (value, where)
    levels = []
    for lv in doc.get("levels") or []:
        level = _level(errs, lv, ident, as_int, unknown_keys, names)
        if level:
            levels.append(level)
    by_level = {lv.name: lv for lv in levels}
    for lv in levels:
        _shares(errs, lv, by_level)
    ioctls = [i for i in (_ioctl(errs, e, helpers, names)
                          for e in doc.get("ioctls") or []) if i]
    cmsgs = [c for c in (_cmsg(errs, e, helpers, names, by_level)
                         for e in doc.get("cmsgs") or []) if c]
    return NetOpts(levels, ioctls, cmsgs)


def _name(errs, m, ident, names, value):
    """A constant name with one value wherever it appears."""
    n = m.get("name")
    if not isinstance(n, str) or not ident.match(n):
        errs.add(m.at("name"), "a name must be an identifier")
        return None
    old = names.get(n)
    if old and old[0] != value:
        errs.add(m.at("name"), f"'{n}' is {value} here but {old[0]} at line "
                 f"{old[1][1]}")
    names.setdefault(n, (value, m.at("name")))
    return n


def _level(errs, lv, ident, as_int, unknown_keys, names):
    if not isinstance(lv, LDict):
        errs.add(("netopts.yaml", 1), "each level must be a mapping")
        return None
    unknown_keys(errs, lv, LEVEL_KEYS, "a level")
    try:
        value = as_int(lv.get("value"))
    except ValueError:
        errs.add(lv.at("value"), "a level needs an integer value")
        return None
    lname = lv.get("level")
    if not isinstance(lname, str) or not ident.match(lname):
        errs.add(lv.at("level"), "a level needs an identifier name")
        return None
    shares = lv.get("shares")
    if shares is not None and (not isinstance(shares, str) or
                               not ident.match(shares)):
        errs.add(lv.at("shares"), f"{lname}: shares names a level")
        shares = None
    level = NetLevel(lname, value, [], shares, lv.at("shares"))
    seen = {}
    for o in lv.get("options") or []:
        opt = _option(errs, o, level, ident, as_int, unknown_keys, names)
        if not opt:
            continue
        if opt.value in seen:
            errs.add(o.at("value"), f"{lname}: value {opt.value} is both "
                     f"'{seen[opt.value]}' and '{opt.name}'")
        seen[opt.value] = opt.name
        level.options.append(opt)
    return level


def _shares(errs, lv, by_level):
    """`shares: OTHER`: the two levels are one table (each answers the
    other's options), so OTHER must be another level that shares with
    none, and no option number may mean one thing at one level and
    another at the other."""
    if lv.shares is None:
        return
    other = by_level.get(lv.shares)
    where = lv.shares_at
    if other is None or other is lv:
        errs.add(where, f"{lv.name}: shares '{lv.shares}', which is not "
                 "another level")
        lv.shares = None
        return
    if other.shares is not None or any(
            getattr(x.shares, "name", x.shares) == other.name
            for x in by_level.values() if x is not lv):
        errs.add(where, f"{lv.name}: {other.name} already shares a level")
        lv.shares = None
        return
    theirs = {o.value: o.name for o in other.options}
    for o in lv.options:
        if o.value in theirs:
            errs.add(where, f"{lv.name} shares {other.name}, but value "
                     f"{o.value} is both '{o.name}' and '{theirs[o.value]}'")
    lv.shares = other


def _option(errs, o, level, ident, as_int, unknown_keys, names):
    if not isinstance(o, LDict):
        errs.add(("netopts.yaml", 1), "each option must be a mapping")
        return None
    unknown_keys(errs, o, OPT_KEYS, "an option")
    try:
        value = as_int(o.get("value"))
    except ValueError:
        errs.add(o.at("value"), "an option needs an integer value")
        return None
    name = _name(errs, o, ident, names, value)
    typ = o.get("type")
    if typ not in OPT_TYPES:
        errs.add(o.at("type"), f"{name}: type must be one of "
                 f"{', '.join(sorted(OPT_TYPES))}")
    size = 4
    if typ in ("struct", "string"):
        try:
            size = as_int(o.get("size"))
        except ValueError:
            errs.add(o.at(), f"{name}: a {typ} needs a size")
        if not 0 < size <= 256:
            errs.add(o.at("size"), f"{name}: size must be 1..256")
    elif "size" in o:
        errs.add(o.at("size"), f"{name}: only struct and string take a size")
    sentry = o.get("sentry")
    if level.name == "SOL_SOCKET":
        if sentry is not None:
            errs.add(o.at("sentry"), f"{name}: SOL_SOCKET options are the "
                     "socket layer's (sentry/net/sockopt.c), not a stack's")
    elif sentry is not None and sentry not in SENTRY_KINDS:
        errs.add(o.at("sentry"), f"{name}: sentry must be store or special")
    host = o.get("host", "deny")
    if host not in HOST_KINDS:
        errs.add(o.at("host"), f"{name}: host must be pass, local or deny")
    if host == "local" and level.name != "SOL_SOCKET":
        errs.add(o.at("host"), f"{name}: only SOL_SOCKET options are local")
    bounds = [0, 0, 1 if typ == "bool" else INT_MAX]
    for i, k in enumerate(("default", "min", "max")):
        if k not in o:
            if k == "min" and typ != "bool":
                bounds[1] = INT_MIN
            continue
        if sentry != "store":
            errs.add(o.at(k), f"{name}: {k} goes with sentry: store")
            continue
        try:
            bounds[i] = as_int(o[k])
        except ValueError:
            errs.add(o.at(k), f"{name}: {k} must be an integer")
    if sentry == "store":
        if typ not in ("int", "bool"):
            errs.add(o.at("sentry"), f"{name}: only int and bool are stored")
        d, lo, hi = bounds
        if not INT_MIN <= lo <= d <= hi <= INT_MAX:
            errs.add(o.at(), f"{name}: want min <= default <= max within int")
    return NetOpt(name, value, typ, size, sentry, bounds[0], bounds[1],
                  bounds[2], host, o.get("note", ""), level)


def _ioctl(errs, e, helpers, names):
    ident, as_int, unknown_keys = helpers
    if not isinstance(e, LDict):
        errs.add(("netopts.yaml", 1), "each ioctl must be a mapping")
        return None
    unknown_keys(errs, e, IOCTL_KEYS, "an ioctl")
    try:
        value, size = as_int(e.get("value")), as_int(e.get("size"))
    except ValueError:
        errs.add(e.at(), "an ioctl needs an integer value and size")
        return None
    if not 0 < size <= 64:
        errs.add(e.at("size"), "an ioctl's size must be 1..64")
    if e.get("host", "deny") not in ("pass", "deny"):
        errs.add(e.at("host"), "an ioctl's host must be pass or deny")
    name = _name(errs, e, ident, names, value)
    return NetIoctl(name, value, size, e.get("host", "deny") == "pass",
                    e.get("note", ""))


def _cmsg(errs, e, helpers, names, by_level):
    ident, as_int, unknown_keys = helpers
    if not isinstance(e, LDict):
        errs.add(("netopts.yaml", 1), "each cmsg must be a mapping")
        return None
    unknown_keys(errs, e, CMSG_KEYS, "a cmsg")
    level = by_level.get(e.get("level"))
    if not level:
        errs.add(e.at("level"), f"unknown level '{e.get('level')}'")
        return None
    try:
        value, size = as_int(e.get("value")), as_int(e.get("size"))
    except ValueError:
        errs.add(e.at(), "a cmsg needs an integer value and size")
        return None
    if not 0 < size <= 256:
        errs.add(e.at("size"), "a cmsg's size must be 1..256")
    send, recv = e.get("send", False), e.get("recv", False)
    if not isinstance(send, bool) or not isinstance(recv, bool) or \
            not (send or recv):
        errs.add(e.at(), "a cmsg is sent, received or both (true/false)")
    name = _name(errs, e, ident, names, value)
    return NetCmsg(level, name, value, size, bool(send), bool(recv))
