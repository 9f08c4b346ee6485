"""The validated spec as plain objects the templates read."""
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class ArgType:
    name: str
    c: str            # C type of the decoded argument
    print: str        # printer kind
    needs: Optional[str] = None   # "set" | "size" | None


@dataclass
class FlagSet:
    name: str
    kind: str                      # "flags" | "enum"
    values: list                   # [(name, value)] in spec order
    zero: Optional[str] = None
    field_mask: int = 0
    field_values: list = field(default_factory=list)
    field_print: Optional[str] = None   # "signal" or None

    @property
    def mask(self):
        m = self.field_mask
        for _, v in self.values:
            m |= v
        return m


@dataclass
class Arg:
    name: str
    type: ArgType
    set: Optional[FlagSet] = None
    size: Optional[int] = None         # index of the size argument
    reject_unknown: Optional[str] = None
    struct: Optional[str] = None
    when: Optional[tuple] = None       # (arg index, mask): print only if set


@dataclass
class Syscall:
    name: str
    nr: int
    subsystem: str
    args: list
    ret: str
    status: str
    handler: Optional[str]
    errno: str
    note: str
    strace: str
    path: str
    line: int

    @property
    def checks(self):
        return [a for a in self.args if a.reject_unknown]


@dataclass
class SeccompArg:
    index: int
    op: str
    value: int
    mask: int = 0


@dataclass
class SeccompRule:
    syscall: Syscall
    args: list
    action: str          # "allow" | "errno" | "log" | "trap"
    errno: Optional[str]
    why: Optional[str]


@dataclass
class SeccompSet:
    name: str
    why: str
    rules: list


@dataclass
class SeccompFilter:
    who: str
    default_action: str
    default_errno: Optional[str]
    sets: list

    @property
    def rules(self):
        return [r for s in self.sets for r in s.rules]


@dataclass
class NetLevel:
    name: str             # SOL_IP ...
    value: int
    options: list         # [NetOpt]
    shares: object = None  # the NetLevel that is one table with this one
    shares_at: tuple = None  # where `shares:` is written (for errors)


@dataclass
class NetOpt:
    name: str
    value: int
    type: str             # int | bool | struct | string
    size: int             # bytes; 4 for int and bool
    sentry: Optional[str]  # store | special | None (ENOPROTOOPT)
    default: int
    min: int
    max: int
    host: str             # pass | local | deny
    note: str
    level: NetLevel


@dataclass
class NetIoctl:
    name: str
    value: int
    size: int
    host: bool
    note: str


@dataclass
class NetCmsg:
    level: NetLevel
    name: str
    value: int
    size: int
    send: bool
    recv: bool


@dataclass
class NetOpts:
    levels: list
    ioctls: list
    cmsgs: list

    @property
    def options(self):
        return [o for lv in self.levels for o in lv.options]

    @property
    def constants(self):
        """Every name with its value, once, the levels first."""
        seen = {}
        for lv in self.levels:
            seen.setdefault(lv.name, lv.value)
        for o in self.options:
            seen.setdefault(o.name, o.value)
        for c in self.cmsgs:
            seen.setdefault(c.name, c.value)
        for i in self.ioctls:
            seen.setdefault(i.name, i.value)
        return list(seen.items())


@dataclass
class Spec:
    argtypes: dict
    flagsets: dict
    syscalls: list          # sorted by number
    seccomp: dict           # who -> SeccompFilter
    netopts: Optional[NetOpts] = None

    @property
    def table_size(self):
        return max(s.nr for s in self.syscalls) + 1 if self.syscalls else 0

    def by_name(self, name):
        for s in self.syscalls:
            if s.name == name:
                return s
        return None
