"""A package received for loading: unpacked into its own work folder, completed from the
served package, dry-run (checked and built, not served) and its failed rows given back.

Used by the Load data page and the command line alike; pure (no Streamlit).

What an administrator may hand in:

- a zip of a package folder (or of its files);
- one workbook with a sheet per table (:mod:`lib.workbook`'s template), or several table
  files (``enrolment.csv``, ``schools.xlsx`` …).

Whatever the upload lacks (``country.toml``, ``boundaries/``, tables it does not give) is
taken from the package the served extract was built from, so that an annual census can be
loaded as one workbook. Every upload is written inside its own work folder only: a zip
member whose path is absolute, climbs out with ``..`` or is a link is refused, as is a zip
that unpacks to more than :data:`MAX_UNPACKED_BYTES`.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import stat
import time
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from lib.build import BOUNDARIES_DIR, Progress, build_extract
from lib.package import TableFile, find_tables
from lib.problems import PackageError, Problem
from lib.publish import PackageFile, file_record
from lib.wide import MAPPING_FILE

MAX_UNPACKED_BYTES = 4 << 30  # a census package is at most a few hundred MB unpacked
MAX_MEMBERS = 20_000
WORK_ENV = "EMIS_UPLOADS"
COUNTRY_FILE = "country.toml"
CANDIDATE = "candidate.duckdb"
PACKAGE = "package"
KEEP_WORK_HOURS = 24
ACCEPTED_SUFFIXES = (".zip", ".csv", ".parquet", ".xlsx", ".toml", ".json")


class UploadRefused(Exception):
    """An upload that cannot be unpacked safely or at all, in the administrator's words."""


@dataclass(frozen=True)
class Received:
    """A package ready for a dry run."""

    folder: Path  # the package: the upload, completed from the base
    files: tuple[PackageFile, ...]  # what was uploaded (or the folder's files)
    kept_from_base: tuple[str, ...] = ()  # files of the served package used as they were
    base: str = ""  # the served package's folder they came from


@dataclass
class DryRun:
    """What a dry run found: every error and warning, and the built candidate when there
    were no errors."""

    problems: list[Problem]
    candidate: Path | None
    seconds: float
    stages: list[tuple[float, str]] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def work_root(db: Path) -> Path:
    """Where uploads are unpacked: ``$EMIS_UPLOADS``, else ``uploads/`` beside the extract."""
    return Path(os.environ.get(WORK_ENV) or Path(db).parent / "uploads")


def new_work_folder(db: Path) -> Path:
    """A fresh folder for one upload; folders of uploads older than a day are removed."""
    root = work_root(db)
    root.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_WORK_HOURS * 3600
    for old in root.iterdir():
        if old.is_dir() and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    folder = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    return folder


# --- unpacking --------------------------------------------------------------------------

def _safe_member(name: str) -> PurePosixPath:
    """A zip member's path, refused when it is absolute or climbs out of the folder."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or re.match(r"^[A-Za-z]:", name) or ".." in path.parts:
        raise UploadRefused(f"the zip holds {name!r}, a path outside its own folder; "
                            "zip the package folder again (nothing was unpacked)")
    return path


def unzip(archive: Path, target: Path) -> None:
    """Unpack a zip into ``target`` after checking every member (nothing is written when
    one is refused)."""
    try:
        book = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise UploadRefused(f"{archive.name} is not a readable zip file") from None
    with book:
        members = book.infolist()
        if len(members) > MAX_MEMBERS:
            raise UploadRefused(f"{archive.name} holds {len(members):,} files; a package has "
                                f"at most {MAX_MEMBERS:,}")
        total = 0
        for member in members:
            _safe_member(member.filename)
            if stat.S_ISLNK(member.external_attr >> 16):
                raise UploadRefused(f"{archive.name} holds {member.filename!r}, a link; zip "
                                    "the files themselves")
            total += member.file_size
        if total > MAX_UNPACKED_BYTES:
            raise UploadRefused(f"{archive.name} unpacks to {total / 1e9:.1f} GB, more than "
                                f"the {MAX_UNPACKED_BYTES / 1e9:.0f} GB a package may hold")
        for member in members:
            parts = _safe_member(member.filename).parts
            if not parts or parts[0] in ("__MACOSX",) or parts[-1].startswith("._"):
                continue  # macOS's resource forks: not part of the package
            out = target.joinpath(*parts)
            if member.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with book.open(member) as source, out.open("wb") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)


def _package_root(folder: Path) -> Path:
    """The folder holding the package: the unpacked folder, or its one sub-folder when the
    zip held a folder (as zipping a folder does)."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and entries[0].name != BOUNDARIES_DIR:
        return entries[0]
    return folder


def receive(uploads: Iterable[tuple[str, Path]], work: Path, base: Path | None) -> Received:
    """The uploaded files (name as uploaded, where it was saved) as a package folder in
    ``work``, completed from ``base`` (the served package's folder) where it lacks a file."""
    uploads = list(uploads)
    if not uploads:
        raise UploadRefused("no file was uploaded")
    landed = work / "uploaded"
    landed.mkdir(parents=True, exist_ok=True)
    records = []
    for name, saved in uploads:
        plain = Path(name).name
        suffix = Path(plain).suffix.lower()
        if suffix not in ACCEPTED_SUFFIXES:
            raise UploadRefused(f"{plain}: a package holds .zip, .csv, .parquet, .xlsx, "
                                ".toml or .json files, not {suffix or 'a file without type'}")
        records.append(file_record(saved, plain))
        if suffix == ".zip":
            unzip(saved, landed)
        else:
            _move(saved, landed / plain)
    root = _package_root(landed)
    if (root / COUNTRY_FILE).is_file() or base is None or not base.is_dir():
        return Received(root, tuple(records))
    return _complete(root, work / PACKAGE, base, tuple(records))


def _move(source: Path, target: Path) -> None:
    if Path(source).resolve() != target.resolve():
        shutil.move(str(source), target)


def tables_given(folder: Path) -> set[str]:
    """The tables a folder gives (own files, sheets of a workbook, or wide files)."""
    found, _ = find_tables(folder)
    return set(found)


def _complete(upload: Path, package: Path, base: Path, files: tuple[PackageFile, ...]
              ) -> Received:
    """A package of the upload's files and, for what it lacks, links to the base's: every
    file of the base but the tables the upload gives (in whatever form); a workbook or the
    wide files of the base's mapping.toml only when the upload gives none of their tables."""
    package.mkdir(parents=True)
    for path in upload.iterdir():
        os.replace(path, package / path.name)
    given = tables_given(package)
    base_tables, _ = find_tables(base)
    from_files: dict[Path, set[str]] = {}  # base file -> the tables it gives
    for tf in base_tables.values():
        paths = [e.path for e in tf.entries] or [tf.path]
        for path in paths:
            from_files.setdefault(path.resolve(), set()).add(tf.table)
    mapped = {t for t, tf in base_tables.items() if tf.entries}
    take_mapping = not (package / MAPPING_FILE).exists() and not (mapped & given)
    kept = []
    for path in sorted(base.iterdir()):
        if path.name.startswith(".") or (package / path.name).exists():
            continue
        if path.name == MAPPING_FILE and not take_mapping:
            continue
        if path.suffix.lower() in (".csv", ".parquet", ".xlsx"):
            tables = from_files.get(path.resolve(), set())
            if not tables or tables & given:
                continue  # given by the upload, or no table of the package at all
        (package / path.name).symlink_to(path.resolve(), target_is_directory=path.is_dir())
        kept.append(path.name + ("/" if path.is_dir() else ""))
    return Received(package, files, tuple(kept), str(base))


# --- the dry run ------------------------------------------------------------------------

def dry_run(package: Path, work: Path, progress: Progress | None = None,
            code_property: str | None = None, report_frames: bool = True) -> DryRun:
    """Check the package and build it into ``work`` (not served): every error and warning,
    and the candidate extract when there is no error (with the frames the reports read,
    unless ``report_frames`` is False: for a candidate that will not be published)."""
    started = time.perf_counter()
    stages: list[tuple[float, str]] = []

    def stage(message: str) -> None:
        stages.append((time.perf_counter() - started, message))
        if progress:
            progress(message)

    candidate = work / CANDIDATE
    try:
        result = build_extract(package, candidate, stage, code_property, report_frames)
    except PackageError as exc:
        return DryRun(exc.problems + exc.warnings, None, time.perf_counter() - started,
                      stages)
    return DryRun(result.problems, candidate, time.perf_counter() - started, stages)


def problems_frame(problems: list[Problem], package: Path | None = None) -> pd.DataFrame:
    """Problems as the page's table: severity, file, sheet, row, column, message, kind (and
    the template and params a warning is worded from, for another language)."""
    sheets = _sheets(package) if package else {}
    rows = []
    for p in problems:
        file, sheet = sheets.get(p.file, (p.file, ""))
        rows.append({"severity": p.severity, "file": file, "sheet": sheet,
                     "row": p.row, "column": p.column, "message": p.message, "kind": p.kind,
                     "template": p.template, "params": p.params})
    frame = pd.DataFrame(rows, columns=["severity", "file", "sheet", "row", "column",
                                        "message", "kind", "template", "params"])
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _table_files(package: Path) -> dict[str, TableFile]:
    try:
        found, _ = find_tables(package)
    except Exception:  # a package too broken to list: its problems say why
        return {}
    return {tf.name: tf for tf in found.values()}


def _sheets(package: Path) -> dict[str, tuple[str, str]]:
    """Problem file name -> (the file, the sheet) for tables read from workbooks."""
    out = {}
    for name, tf in _table_files(package).items():
        if tf.path.suffix == ".xlsx" and not tf.entries:
            out[name] = (tf.path.name, tf.sheet or _first_or_named_sheet(tf))
    return out


def _first_or_named_sheet(tf: TableFile) -> str:
    import openpyxl

    try:
        book = openpyxl.load_workbook(tf.path, read_only=True)
        names = list(book.sheetnames)
        book.close()
    except Exception:
        return ""
    return next((n for n in names if n.strip().lower() == tf.table), names[0] if names else "")


def has_failed_rows(problems: list[Problem]) -> bool:
    """Whether an error names a row of a file (what :func:`failed_rows` gives back)."""
    return any(p.severity == "error" and p.row is not None and p.file for p in problems)


def failed_rows(package: Path, problems: list[Problem]) -> bytes | None:
    """A workbook of the rows with errors, a sheet per table file: each row as the file has
    it, with its row number and what is wrong; None when no error names a row."""
    if not has_failed_rows(problems):
        return None
    by_file: dict[str, dict[int, list[str]]] = {}
    for p in problems:
        if p.severity == "error" and p.row is not None and p.file:
            where = f"{p.column}: " if p.column else ""
            by_file.setdefault(p.file, {}).setdefault(int(p.row), []).append(
                where + p.message)
    files = _table_files(package)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, rows in by_file.items():
            tf = files.get(name)
            frame = _rows_of(tf, sorted(rows)) if tf is not None else None
            if frame is None:  # not a table file of its own (a wide file, country.toml …)
                frame = pd.DataFrame({"row": sorted(rows)})
            frame.insert(1, "problems", ["; ".join(rows[r]) for r in frame["row"]])
            sheet = _sheet_name(tf.table if tf is not None else name, used)
            frame.to_excel(writer, sheet_name=sheet, index=False)
            writer.sheets[sheet].freeze_panes = "C2"
        _readme(writer)
    return buffer.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:28] or "rows"
    out, n = base, 2
    while out in used:
        out, n = f"{base[:25]}_{n}", n + 1
    used.add(out)
    return out


def _rows_of(tf: TableFile, rows: list[int]) -> pd.DataFrame | None:
    """The given spreadsheet rows of a table file (header: row 1), every value as text."""
    if tf.entries:
        return None
    suffix = tf.path.suffix
    if suffix == ".csv":
        from lib.table_files import csv_header

        delimiter, _ = csv_header(tf.path)
        frame = pd.read_csv(tf.path, dtype=str, keep_default_na=False, sep=delimiter,
                            encoding="utf-8-sig", skip_blank_lines=False)
    elif suffix == ".xlsx":
        from lib.table_files import read_excel

        frame = read_excel(tf.path, tf.sheet or tf.table)
    elif suffix == ".parquet":
        frame = pd.read_parquet(tf.path).astype(str)
    else:
        return None
    index = [r - tf.first_data_row for r in rows if 0 <= r - tf.first_data_row < len(frame)]
    out = frame.iloc[index].copy()
    out.insert(0, "row", [i + tf.first_data_row for i in index])
    return out.reset_index(drop=True)


def _readme(writer: pd.ExcelWriter) -> None:
    pd.DataFrame({"How to use this workbook": [
        "Each sheet holds the rows of one table file that have errors, as the file has them.",
        "'row' is the row's number in your file (the header is row 1); 'problems' says "
        "what is wrong.",
        "Correct these rows in your file (or workbook), then upload the package again.",
    ]}).to_excel(writer, sheet_name="how_to_fix", index=False)
