"""The command line: `python -m lib <command>`; errors are printed without a traceback."""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from lib.problems import PackageError, Problem

EXAMPLES_PER_KIND = 3


class _Clock:
    """Prints progress lines with the time elapsed, so long steps never sit silent."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[{self.prefix} {time.perf_counter() - self.started:6.1f}s] {message}",
              flush=True)


def _years(text: str) -> tuple[int, int]:
    try:
        first, _, last = text.partition("-")
        span = (int(first), int(last or first))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year range like 2015-2024") from None
    if span[0] > span[1]:
        raise argparse.ArgumentTypeError(f"'{text}': the first year comes after the last")
    return span


def _print_warnings(warnings: list[Problem], show_all: bool) -> None:
    if not warnings:
        print("No warnings.")
        return
    counts = Counter(p.kind for p in warnings)
    print(f"{len(warnings):,} warnings (stored in the extract for the Data quality page):")
    shown: Counter[str] = Counter()
    for kind, n in counts.items():
        print(f"  {kind}: {n:,}")
        for problem in warnings:
            if problem.kind == kind and (show_all or shown[kind] < EXAMPLES_PER_KIND):
                shown[kind] += 1
                print(f"    {problem}")
        if not show_all and n > EXAMPLES_PER_KIND:
            print(f"    … and {n - EXAMPLES_PER_KIND:,} more (--all-warnings lists them)")


def _print_errors(exc: PackageError) -> int:
    print(f"The package has {len(exc.problems):,} error(s); nothing was written:",
          file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def cmd_demo(args: argparse.Namespace) -> int:
    from lib.demo import generate_package

    clock = _Clock("demo")
    manifest = generate_package(Path(args.out), seed=args.seed, scale=args.scale,
                                years=args.years, boundaries=args.boundaries, progress=clock)
    counts = manifest.get("counts", {})
    clock(f"wrote a synthetic package to {args.out}: {counts.get('schools', '?'):,} schools, "
          f"years {args.years[0]}–{args.years[1]}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from lib.template import write_template

    written = write_template(Path(args.out))
    print(f"Wrote an empty package to {args.out}: {len(written)} files. Fill in country.toml and "
          "the tables, add boundary files, then run `python -m lib validate --source "
          f"{args.out}`.")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from lib.build import validate_package

    result = validate_package(Path(args.source), _Clock("validate"), args.code_property)
    print(f"The package is valid: {result.n_schools:,} schools, years "
          f"{result.years[0]}–{result.years[-1]}.")
    _print_warnings(result.problems, args.all_warnings)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from lib.build import build_extract

    result = build_extract(Path(args.source), Path(args.db), _Clock("build"), args.code_property)
    size = Path(args.db).stat().st_size / 1e6
    print(f"Built {args.db} ({size:.1f} MB) in {result.seconds:.1f}s: {result.n_schools:,} "
          f"schools, years {result.years[0]}–{result.years[-1]}.")
    _print_warnings(result.problems, args.all_warnings)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m lib",
        description="Education data explorer: build and query the data extract.")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="write a synthetic data package modelled on Lao PDR",
                               description="Write a synthetic data package (same seed, same "
                                           "package).")
    demo.add_argument("--out", required=True, help="folder to write the package to")
    demo.add_argument("--boundaries", type=Path, default=None,
                      help="folder with real boundary files (else schematic polygons)")
    demo.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    demo.add_argument("--scale", type=float, default=1.0,
                      help="multiplies the number of schools and the population")
    demo.add_argument("--years", type=_years, default=(2015, 2024),
                      help="school years by start year, e.g. 2015-2024 (default)")
    demo.set_defaults(run=cmd_demo)

    template = commands.add_parser("template", help="write an empty package (headers only)",
                                   description="Write an empty data package: tables with "
                                               "their headers and a commented country.toml.")
    template.add_argument("--out", required=True, help="new folder for the package")
    template.set_defaults(run=cmd_template)

    for name, helptext in (("validate", "check a package and write nothing"),
                           ("build", "check a package and build the extract (atomic)")):
        cmd = commands.add_parser(name, help=helptext, description=helptext.capitalize() + ".")
        cmd.add_argument("--source", required=True, help="the data package folder")
        if name == "build":
            cmd.add_argument("--db", required=True, help="the extract to write, e.g. "
                                                         "data/emis.duckdb")
        cmd.add_argument("--code-property", default=None,
                         help="boundary property holding the admin codes (else detected)")
        cmd.add_argument("--all-warnings", action="store_true",
                         help="list every warning, not a few of each kind")
        cmd.set_defaults(run=cmd_validate if name == "validate" else cmd_build)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except PackageError as exc:
        return _print_errors(exc)
    except (ValueError, FileNotFoundError, NotADirectoryError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was changed", file=sys.stderr)
        return 130
