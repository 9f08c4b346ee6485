#!/usr/bin/env python3
"""cvisor's generator: validate spec/ and render C tables and the report.

  gen.py --spec-dir DIR --check               validate only (exit 0, or 1 with errors)
  gen.py --spec-dir DIR --out-dir DIR         render every C output into DIR
  gen.py --spec-dir DIR --report FILE         render docs/compatibility.md into FILE

Every problem is printed as `file:line: message`; nothing is written unless
the whole spec is valid.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cvgen.render import C_OUTPUTS, render_c, render_report  # noqa: E402
from cvgen.spec import load_spec  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(prog="gen.py", description=__doc__.split("\n")[0])
    ap.add_argument("--spec-dir", required=True, help="the spec/ folder")
    ap.add_argument("--check", action="store_true", help="validate only")
    ap.add_argument("--out-dir", help="where the generated C goes")
    ap.add_argument("--report", help="write the compatibility report here")
    ap.add_argument("--list-outputs", action="store_true",
                    help="print the names of the C outputs and exit")
    args = ap.parse_args(argv)
    if args.list_outputs:
        print("\n".join(C_OUTPUTS))
        return 0
    spec, errs = load_spec(args.spec_dir)
    if errs or spec is None:
        for line in errs.lines():
            print(line, file=sys.stderr)
        print(f"gen.py: {len(errs.items)} error(s) in {args.spec_dir}", file=sys.stderr)
        return 1
    if args.check:
        return 0
    if not args.out_dir and not args.report:
        ap.error("nothing to do: give --check, --out-dir or --report")
    if args.out_dir:
        render_c(spec, args.spec_dir, args.out_dir)
    if args.report:
        render_report(spec, args.spec_dir, args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
