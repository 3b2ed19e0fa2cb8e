"""The command line: `python -m lib <command>`; errors are printed without a traceback."""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb

from lib.problems import PackageError, Problem
from lib.publish import PublishError
from lib.vocabulary import PARITY_SPLITS, SMALL_COUNT_THRESHOLD, SPLITS

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

    if args.workbook:
        return _template_workbook(args)
    if not args.out:
        raise ValueError("give --out FOLDER (an empty package) or --workbook FILE (one "
                         "Excel workbook, a sheet per table)")
    written = write_template(Path(args.out), wide=args.wide)
    print(f"Wrote an empty package to {args.out}: {len(written)} files. Fill in country.toml and "
          "the tables, add boundary files, then run `python -m lib validate --source "
          f"{args.out}`.")
    if args.wide:
        print("The enrolment is a worked example of a wide census file (census_2023.csv) "
              "read through mapping.toml: replace it with your own census and edit the mapping.")
    return 0


def _template_workbook(args: argparse.Namespace) -> int:
    """`template --workbook FILE`: the Excel template of the country of --db (its admin codes
    in the drop-downs), else of the generic profile."""
    from lib.country import parse_country
    from lib.template import COUNTRY_TEMPLATE
    from lib.workbook import write_template_workbook

    country, areas = parse_country(COUNTRY_TEMPLATE), None
    if args.db:
        from lib.db import admin_units, country as extract_country

        con = _open_extract(args.db)
        try:
            country, areas = extract_country(con), admin_units(con)
        finally:
            con.close()
    path = write_template_workbook(Path(args.workbook), country, areas)
    print(f"Wrote {path}: a sheet per table of {country.name}'s profile, header notes and "
          "drop-down lists. Fill it in and load it on the Load data page, or put it in a "
          "package folder beside country.toml and boundaries/.")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from lib.build import validate_package

    result = validate_package(Path(args.source), _Clock("validate"), args.code_property)
    print(f"The package is valid: {result.units}, years "
          f"{result.years[0]}–{result.years[-1]}.")
    _print_boundary_report(result)
    _print_warnings(result.problems, args.all_warnings)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from lib.build import build_extract

    if args.dry_run:
        return _dry_run(args)
    result = build_extract(Path(args.source), Path(args.db), _Clock("build"), args.code_property,
                           report_frames=not args.no_report_frames)
    size = Path(args.db).stat().st_size / 1e6
    print(f"Built {args.db} ({size:.1f} MB) in {result.seconds:.1f}s: {result.units}, "
          f"years {result.years[0]}–{result.years[-1]}.")
    _print_warnings(result.problems, args.all_warnings)
    return 0


def _candidate(args: argparse.Namespace, work: Path, clock: _Clock,
               published: bool = False):
    """The package of --source checked and built into ``work`` (lib.staging.dry_run, as the
    Load data page does; with the reports' frames when it is to be ``published``); its
    errors raised as a PackageError."""
    from lib.problems import PackageError
    from lib.staging import dry_run

    result = dry_run(Path(args.source), work, clock, getattr(args, "code_property", None),
                     report_frames=published)
    if result.errors:
        raise PackageError(result.errors, [p for p in result.problems
                                           if p.severity == "warning"])
    return result


def _print_differences(db: Path, candidate: Path) -> None:
    import pandas as pd

    from lib.differences import compare

    found = compare(db if db.is_file() else None, candidate)
    print(f"What would change against {db}:")
    for line in found.summary():
        print(f"  {line}")
    with pd.option_context("display.width", 120, "display.max_columns", 12):
        for title, frame in (("Schools", found.schools), ("Areas", found.areas),
                             ("Indicators", found.indicators),
                             ("Map polygons", found.boundaries)):
            if len(frame):
                shown = frame.head(20).to_string(index=False)
                more = f"\n  … and {len(frame) - 20:,} more" if len(frame) > 20 else ""
                print(f"{title}:\n{shown}{more}")


def _dry_run(args: argparse.Namespace) -> int:
    """`build --dry-run`: check and build into a temporary folder, print the warnings and
    what would change against --db; the extract at --db is not touched."""
    import tempfile

    clock = _Clock("dry run")
    with tempfile.TemporaryDirectory(prefix="emis-dry-run-",
                                     dir=Path(args.db).parent if Path(args.db).parent.is_dir()
                                     else None) as work:
        result = _candidate(args, Path(work), clock)
        print(f"The package is valid ({result.seconds:.1f}s); nothing was published.")
        _print_warnings([p for p in result.problems if p.severity == "warning"],
                        args.all_warnings)
        _print_differences(Path(args.db), result.candidate)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    import tempfile

    if args.candidate:
        _print_differences(Path(args.db), Path(args.candidate))
        return 0
    with tempfile.TemporaryDirectory(prefix="emis-diff-") as work:
        result = _candidate(args, Path(work), _Clock("diff"))
        _print_differences(Path(args.db), result.candidate)
    return 0


def _who(args: argparse.Namespace) -> str:
    import getpass

    return args.by or getpass.getuser()


def cmd_publish(args: argparse.Namespace) -> int:
    import tempfile

    from lib import publish, staging

    db = Path(args.db)
    served = publish.served_build(db)  # a publish by someone else meanwhile is refused
    work_root = staging.work_root(db)
    work_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="publish-", dir=work_root) as work:
        clock = _Clock("publish")
        result = _candidate(args, Path(work), clock, published=True)
        entry = publish.publish(result.candidate, db, _who(args),
                                publish.package_files(Path(args.source)),
                                str(Path(args.source).resolve()), expected_served=served,
                                keep=args.keep)
    clock(f"published {entry.name} to {db} (by {entry.published_by}); the app shows it on "
          "its next page view")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from lib import publish

    replaced, served = publish.rollback(Path(args.db), _who(args), args.to)
    print(f"Rolled back: {served.name} is served again"
          + (f" (instead of {replaced.name})" if replaced else "") + ".")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from lib import publish

    entries = publish.history(Path(args.db))
    if not entries:
        print(f"No extract has been published to {args.db} yet.")
        return 0
    rows = [["*" if e.served else "", e.name, e.published_at or e.built_at,
             e.published_by or "(built outside the explorer)", ", ".join(map(str, e.years)),
             "" if e.schools is None else e.schools, e.source,
             "; ".join(f.name for f in e.files)] for e in entries]
    _write_rows(["served", "name", "published_at", "published_by", "years", "schools",
                 "source", "files"], rows, args.format)
    return 0


def _print_boundary_report(result) -> None:
    """Every boundary file layer read: its level and why, or why it was skipped."""
    from lib.country import admin_level_plural

    print("Boundary files read:")
    for r in result.boundary_report:
        where = r.file + (f" (layer {r.layer})" if r.layer else "")
        if r.skipped:
            print(f"  {where}: not used: {r.skipped}")
            continue
        level = admin_level_plural(result.country, r.level, "en").lower()
        props = "; ".join(x for x in (f"codes: {r.code_property}" if r.code_property else "",
                                      f"names: {r.name_property}" if r.name_property else "")
                          if x)
        print(f"  {where}: {r.features:,} features ({r.format}, {r.crs}) -> {level}: "
              f"{r.why}; {props or 'no code or name property'}; {r.matched:,} matched")


def _open_extract(path: str):
    """A read-only connection; the errors are ones :func:`main` prints without a traceback."""
    import duckdb

    from lib.db import ExtractMissing, connect

    try:
        return connect(Path(path))
    except ExtractMissing as exc:
        raise FileNotFoundError(str(exc)) from None
    except duckdb.Error as exc:
        raise ValueError(f"cannot open the extract {path}: "
                         f"{str(exc).strip().splitlines()[0]}") from None


def _number(value: object) -> object:
    """A value as printed: integers without a decimal point, other numbers at full
    precision, missing values empty."""
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    number = float(value)  # type: ignore[arg-type]
    if number.is_integer() and abs(number) < 2 ** 53:
        return int(number)
    return number


def _write_rows(columns: list[str], rows: list[list[object]], fmt: str) -> None:
    import csv
    import json

    if fmt == "json":
        json.dump([dict(zip(columns, row)) for row in rows], sys.stdout, ensure_ascii=False,
                  indent=1)
        sys.stdout.write("\n")
        return
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else repr(v) if isinstance(v, float) else v
                         for v in row])


def _threshold(text: str) -> int:
    """--public's N: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1: a threshold hides counts "
                                         "from 1 to it")
    return value


def cmd_indicators(args: argparse.Namespace) -> int:
    import duckdb

    from lib.indicators import COLUMNS, compute

    con = _open_extract(args.db)
    try:
        frame = compute(con, args.indicator, args.level, args.year, by=args.by)
        if args.public is not None:  # as the app's public view shows it (lib.access)
            from lib.access import Viewer, shown
            from lib.areas import ancestors
            from lib.db import admin_units, school_areas
            from lib.disclosure import Rules
            from lib.indicators.context import registry_for

            frame = shown(frame, registry_for(con).get(args.indicator), args.level, args.by,
                          Viewer(rules=Rules(threshold=args.public)),
                          ancestors(admin_units(con)), school_areas(con))
    except duckdb.Error as exc:
        raise ValueError(f"the extract {args.db} cannot be read (rebuild it with `python -m "
                         f"lib build`): {str(exc).strip().splitlines()[0]}") from None
    finally:
        con.close()
    rows = [[r.unit_code, r.unit_name, int(r.year), r.group, _number(r.value),
             _number(r.numerator), _number(r.denominator), r.flags]
            for r in frame.itertuples(index=False)]
    _write_rows(COLUMNS, rows, args.format)
    return 0


def _bar(done: int, total: int, what: str, started: float) -> None:
    """One line of progress, rewritten in place on a terminal."""
    width = 30
    filled = round(width * done / total) if total else width
    line = (f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} "
            f"{time.perf_counter() - started:6.1f}s {what}")
    end = "\n" if done == total or not sys.stdout.isatty() else ""
    print(("\r" if sys.stdout.isatty() else "") + line[:120].ljust(120 if sys.stdout.isatty()
                                                                    else 0), end=end,
          flush=True)


def cmd_report(args: argparse.Namespace) -> int:
    import re

    from lib.report import ExtractReports

    con = _open_extract(args.db)
    try:
        reports = ExtractReports(con, args.public)
        country = reports.country
        if args.year not in reports.info.years:
            raise ValueError(f"no school year {args.year} in {args.db}; years are "
                             f"{', '.join(map(str, reports.info.years))}")
        if args.lang not in reports_languages():
            raise ValueError(f"no language {args.lang!r}; languages are "
                             f"{', '.join(reports_languages())}")
        units = reports.units
        if args.school:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"school-{args.school}")
            path = out / f"{name}-{args.year}-{args.lang}.pdf"
            started = time.perf_counter()
            _bar(0, 1, args.school, started)
            work = path.with_suffix(".pdf.tmp")
            work.write_bytes(reports.school_pdf(args.school, args.year, args.lang))
            work.replace(path)
            _bar(1, 1, f"written to {out}", started)
            return 0
        if bool(args.level) != args.all:
            raise ValueError("give --level ID with --all (every area of a level), or --area "
                             "CODE for one area")
        if args.level:
            if args.level not in country.admin_ids:
                raise ValueError(f"unknown level {args.level!r}; admin levels are "
                                 f"{', '.join(country.admin_ids)}")
            number = country.admin_ids.index(args.level) + 1
            codes = sorted(units.loc[units["level"] == number, "code"])
        elif args.area:
            if args.area not in set(units["code"]) and args.area != country.iso3:
                raise ValueError(f"unknown area {args.area!r}: not an admin code of the "
                                 f"extract (or {country.iso3} for the whole country)")
            codes = [None if args.area == country.iso3 else args.area]
        else:
            codes = [None]
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        for i, code in enumerate(codes):
            where = reports.place(code, args.lang)
            _bar(i, len(codes), where.name, started)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{where.admin_level}-{where.code}")
            path = out / f"{name}-{args.year}-{args.lang}.pdf"
            work = path.with_suffix(".pdf.tmp")
            work.write_bytes(reports.area_pdf(code, args.year, args.lang))
            work.replace(path)
        _bar(len(codes), len(codes), f"written to {out}", started)
    finally:
        con.close()
    return 0


def reports_languages() -> tuple[str, ...]:
    from lib.i18n import languages

    return tuple(languages())


def cmd_disparity(args: argparse.Namespace) -> int:
    import duckdb

    from lib.indicators.disparity import disparity

    con = _open_extract(args.db)
    try:
        result = disparity(con, args.indicator, args.level, args.year)
    except duckdb.Error as exc:
        raise ValueError(f"the extract {args.db} cannot be read (rebuild it with `python -m "
                         f"lib build`): {str(exc).strip().splitlines()[0]}") from None
    finally:
        con.close()
    table = result.frame()
    _write_rows(["measure", "value"],
                [[m, _number(v)] for m, v in zip(table["measure"], table["value"])],
                args.format)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
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
    template.add_argument("--out", default=None, help="new folder for the package")
    template.add_argument("--workbook", default=None, metavar="FILE",
                          help="instead: one Excel workbook (.xlsx), a sheet per table, with "
                               "header notes and drop-down lists")
    template.add_argument("--db", default=None,
                          help="with --workbook: the extract whose country profile and admin "
                               "codes the workbook follows")
    template.add_argument("--wide", action="store_true",
                          help="give the enrolment as a worked example of a wide census file "
                               "(a column per grade and sex) with its commented mapping.toml")
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
        if name == "build":
            cmd.add_argument("--dry-run", action="store_true",
                             help="check and build in a temporary folder, and say what would "
                                  "change against --db; --db is not touched")
            cmd.add_argument("--no-report-frames", action="store_true",
                             help="do not store the figures the profile reports and the Quality "
                                  "page read (a quicker build; they compute them: slower)")
        cmd.set_defaults(run=cmd_validate if name == "validate" else cmd_build)

    diff = commands.add_parser(
        "diff", help="what publishing a package would change",
        description="What publishing a package (or a built extract) would change against "
                    "the served extract: years, schools, pupils and teachers by area, "
                    "indicators that move, map polygons.")
    diff.add_argument("--db", required=True, help="the served extract, e.g. data/emis.duckdb")
    given = diff.add_mutually_exclusive_group(required=True)
    given.add_argument("--source", help="the data package folder (built in a temporary folder)")
    given.add_argument("--candidate", help="an extract already built")
    diff.set_defaults(run=cmd_diff)

    publish = commands.add_parser(
        "publish", help="build a package and serve it, keeping the extract before it",
        description="Check and build a package, then put it in service at --db in one atomic "
                    "step; the extracts before it are kept (the last $EMIS_KEEP_EXTRACTS, "
                    "default 5) for `rollback`. Refused while another publish runs.")
    publish.add_argument("--source", required=True, help="the data package folder")
    publish.add_argument("--db", required=True, help="the served extract, e.g. data/emis.duckdb")
    publish.add_argument("--by", default=None, help="who publishes (default: your user name)")
    publish.add_argument("--keep", type=int, default=None,
                         help="how many published extracts to keep (default $EMIS_KEEP_EXTRACTS "
                              "or 5)")
    publish.add_argument("--code-property", default=None,
                         help="boundary property holding the admin codes (else detected)")
    publish.set_defaults(run=cmd_publish)

    rollback = commands.add_parser(
        "rollback", help="serve an earlier extract again",
        description="Serve an earlier extract of the history again: --to NAME (see `history`), "
                    "else the one published before the served one.")
    rollback.add_argument("--db", required=True, help="the served extract, e.g. data/emis.duckdb")
    rollback.add_argument("--to", default=None, help="the name (or build id) of an extract of "
                                                     "the history")
    rollback.add_argument("--by", default=None, help="who rolls back (default: your user name)")
    rollback.set_defaults(run=cmd_rollback)

    hist = commands.add_parser("history", help="the extracts kept, newest first",
                               description="The extracts kept for roll back, newest first: "
                                           "who published each, when, from which files.")
    hist.add_argument("--db", required=True, help="the served extract, e.g. data/emis.duckdb")
    hist.add_argument("--format", choices=("csv", "json"), default="csv",
                      help="csv (default) or json (a list of objects)")
    hist.set_defaults(run=cmd_history)

    indicators = commands.add_parser(
        "indicators", help="print one indicator for every area of a level",
        description="Print one indicator for every area of a level in one school year: one "
                    "row per area (and group), sorted by unit_code, values at full "
                    "precision. An unknown indicator or year lists what exists.")
    indicators.add_argument("--db", required=True, help="the extract, e.g. data/emis.duckdb")
    indicators.add_argument("--indicator", required=True,
                            help="indicator id, e.g. ger_primary or repetition_g1")
    indicators.add_argument("--level", required=True,
                            help="national, an admin level id of the country profile (e.g. "
                                 "province, district) or school; an unknown one lists them")
    indicators.add_argument("--year", required=True, type=int,
                            help="school year by the year it starts (2023 = 2023-24)")
    indicators.add_argument("--by", default=None,
                            help=f"split into groups: {', '.join(SPLITS)} or a dimension of "
                                 "the package (e.g. ethnicity); an unknown one lists them "
                                 f"(with a parity row for {', '.join(PARITY_SPLITS)})")
    indicators.add_argument("--format", choices=("csv", "json"), default="csv",
                            help="csv (default) or json (a list of objects)")
    indicators.add_argument("--public", type=_threshold, nargs="?", const=SMALL_COUNT_THRESHOLD,
                            default=None, metavar="N",
                            help="a table to publish: counts from 1 to N (default "
                                 f"{SMALL_COUNT_THRESHOLD}), rates over a small denominator and "
                                 "the group that would give one back are left empty, "
                                 "flagged 'suppressed'")
    indicators.set_defaults(run=cmd_indicators)

    report = commands.add_parser(
        "report", help="profile reports as PDF (the country, an area, or every area of a level)",
        description="Profile reports as PDF (A4): key figures, equity, efficiency, teachers, "
                    "facilities, quality, a map of the sub-areas, trends and notes. One file "
                    "per area in --out, named <level>-<code>-<year>-<lang>.pdf.")
    report.add_argument("--db", required=True, help="the extract, e.g. data/emis.duckdb")
    which = report.add_mutually_exclusive_group()
    which.add_argument("--area", default=None,
                       help="an admin code (or the country's ISO3 code); default: the country")
    which.add_argument("--level", default=None,
                       help="with --all: every area of this admin level, e.g. district")
    which.add_argument("--school", default=None, help="a school's code: its profile")
    report.add_argument("--all", action="store_true", help="every area of --level")
    report.add_argument("--year", required=True, type=int,
                        help="school year by the year it starts (2023 = 2023-24)")
    report.add_argument("--lang", default="en", help="language of the report (en, lo …)")
    report.add_argument("--out", required=True, help="folder for the PDF files")
    report.add_argument("--public", type=_threshold, nargs="?", const=SMALL_COUNT_THRESHOLD,
                        default=None, metavar="N",
                        help="as the public view shows it: counts from 1 to N hidden")
    report.set_defaults(run=cmd_report)

    disparity = commands.add_parser(
        "disparity", help="inequality of one indicator between areas",
        description="Inequality of one indicator between the areas of one admin level "
                    "(--level: an admin level id of the country profile, e.g. province) in one "
                    "school year, each area weighted by the indicator's denominator: min, max, "
                    "max_min_ratio, cv, gini, theil_t, and below level 1 theil_between and "
                    "theil_within (between and within the areas one level up).")
    disparity.add_argument("--db", required=True, help="the extract, e.g. data/emis.duckdb")
    disparity.add_argument("--indicator", required=True, help="indicator id (not a count)")
    disparity.add_argument("--level", required=True,
                           help="an admin level id of the country profile, e.g. district")
    disparity.add_argument("--year", required=True, type=int,
                           help="school year by the year it starts (2023 = 2023-24)")
    disparity.add_argument("--format", choices=("csv", "json"), default="csv",
                           help="csv (default) or json (a list of objects)")
    disparity.set_defaults(run=cmd_disparity)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except PackageError as exc:
        return _print_errors(exc)
    except PublishError as exc:  # refused: busy, stale, nothing to roll back to
        print(f"refused: {exc}", file=sys.stderr)
        return 3
    except (ValueError, OSError) as exc:  # a path, a permission, a full disk: said in a line
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"error: the database refused: {first}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM during a build (lib.build.Terminated)
        print(f"{exc or 'interrupted'}; nothing was changed", file=sys.stderr)
        return getattr(exc, "exit_code", 130)
