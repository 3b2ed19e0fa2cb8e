"""Publishing an extract, keeping the ones before it, and rolling back: one implementation
for the Load data page and the command line (``python -m lib publish``, ``rollback``,
``history``).

The served extract is one file (``data/emis.duckdb``); the app reads it afresh when its file
changes (:mod:`ui.extract`). Every extract published is kept in a history folder beside it
(``data/history/``, or ``$EMIS_HISTORY``) as ``<name>.duckdb`` with a record
``<name>.json`` saying who published it, when, and from which files; the last
``$EMIS_KEEP_EXTRACTS`` (default 5) are kept, and always the one served.

Nothing here can lose data:

- an extract is put in service by one ``os.replace`` of a hard link (or, where the file
  system has none, a full copy) onto the served file, the last step of a publish: a
  publish that fails or is stopped before it leaves the served extract as it was, and its
  own files are removed (then, or by the next publish if the process was killed);
- a history record is written only after its extract is in service;
- one publish or roll back at a time, across processes and threads (a lock file held with
  ``flock``, which the system releases when its process dies): a second one is refused at
  once, naming who holds the lock since when;
- a publish of a candidate checked against one served extract is refused when another
  has been published since (its differences were computed against the old one).
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

HISTORY_ENV = "EMIS_HISTORY"
KEEP_ENV = "EMIS_KEEP_EXTRACTS"
DEFAULT_KEEP = 5
LOCK_FILE = ".lock"
PACKAGE_SUFFIX = ".package"  # beside <name>.duckdb: the package it was built from, kept
EVENTS_FILE = "events.jsonl"
Progress = Callable[[str], None]


class PublishError(Exception):
    """A publish or roll back refused, in words for the administrator."""


class Busy(PublishError):
    """Another publish or roll back is running."""


class Stale(PublishError):
    """The served extract changed since the candidate was compared with it."""


@dataclass(frozen=True)
class PackageFile:
    """One file a package was built from, as the history names it."""

    name: str  # path inside the package (or the uploaded file's name)
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Entry:
    """One extract of the history."""

    name: str  # file stem in the history folder: <published at>-<build id>
    build_id: str  # the build's own id (its meta), not the file's
    built_at: str
    published_at: str  # ISO 8601, UTC; empty for an extract built outside the explorer
    published_by: str  # empty: unknown (built with `python -m lib build`, e.g. `make demo`)
    source: str  # what it was built from: the package folder or the uploaded files
    files: tuple[PackageFile, ...] = ()
    years: tuple[int, ...] = ()
    schools: int | None = None
    seq: int = 0  # the order it entered the history in (1, 2, …)
    served: bool = field(default=False, compare=False)

    def record(self) -> dict:
        out = asdict(self)
        out.pop("served")
        return out

    @classmethod
    def from_record(cls, record: dict, served: bool = False) -> "Entry":
        return cls(name=record["name"], build_id=record["build_id"],
                   built_at=record.get("built_at", ""),
                   published_at=record.get("published_at", ""),
                   published_by=record.get("published_by", ""),
                   source=record.get("source", ""),
                   files=tuple(PackageFile(**f) for f in record.get("files", ())),
                   years=tuple(record.get("years", ())), schools=record.get("schools"),
                   seq=int(record.get("seq", 0)), served=served)


def history_dir(db: Path) -> Path:
    """Where the extracts published to ``db`` are kept."""
    return Path(os.environ.get(HISTORY_ENV) or Path(db).parent / "history")


def keep_count() -> int:
    """How many published extracts to keep (``$EMIS_KEEP_EXTRACTS``, at least 1)."""
    try:
        return max(1, int(os.environ.get(KEEP_ENV, DEFAULT_KEEP)))
    except ValueError:
        return DEFAULT_KEEP


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def package_files(source: Path) -> tuple[PackageFile, ...]:
    """Every file of a package folder, with its size and SHA-256, for the history."""
    source = Path(source)
    return tuple(file_record(path, path.relative_to(source).as_posix())
                 for path in sorted(source.rglob("*")) if path.is_file())


def file_record(path: Path, name: str) -> PackageFile:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return PackageFile(name, Path(path).stat().st_size, digest.hexdigest())


def extract_meta(path: Path) -> dict[str, str]:
    """The meta table of an extract file (opened read-only, then closed)."""
    con = duckdb.connect(":memory:")
    try:
        quoted = str(Path(path).resolve()).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS x (READ_ONLY)")
        meta = dict(con.execute("SELECT key, value FROM x.meta").fetchall())
        schools = None
        if json.loads(meta.get("optional_tables", "{}")).get("schools", True):
            schools = int(con.execute("SELECT count(*) FROM x.schools").fetchone()[0])
        meta["_schools"] = "" if schools is None else str(schools)
        return meta
    finally:
        con.close()


def served_build(db: Path) -> str | None:
    """The build id (meta) of the served extract, None when there is none."""
    return extract_meta(db)["build_id"] if Path(db).is_file() else None


# --- the history -----------------------------------------------------------------------

def history(db: Path) -> list[Entry]:
    """The kept extracts, newest first, the served one marked."""
    folder = history_dir(db)
    served = served_build(db)
    entries = []
    for path in folder.glob("*.json"):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not a record of ours
        if isinstance(record, dict) and (folder / f"{record.get('name')}.duckdb").is_file():
            entries.append(Entry.from_record(record, served=record["build_id"] == served))
    return sorted(entries, key=lambda e: (e.seq, e.name), reverse=True)


def events(db: Path) -> list[dict]:
    """What was published and rolled back, by whom and when, oldest first."""
    path = history_dir(db) / EVENTS_FILE
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a crash
    return out


def _log_event(folder: Path, **event: object) -> None:
    with (folder / EVENTS_FILE).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"at": now(), **event}, ensure_ascii=False) + "\n")


def _next_seq(folder: Path) -> int:
    seqs = []
    for path in folder.glob("*.json"):
        try:
            seqs.append(int(json.loads(path.read_text(encoding="utf-8")).get("seq", 0)))
        except (OSError, ValueError, AttributeError):
            continue
    return max(seqs, default=0) + 1


def _write_record(folder: Path, entry: Entry) -> None:
    target = folder / f"{entry.name}.json"
    work = folder / f".{entry.name}.json.tmp"
    work.write_text(json.dumps(entry.record(), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(work, target)


def _entry_name(stamp: str, build_id: str) -> str:
    compact = stamp.replace("-", "").replace(":", "")  # 20261207T143000
    return f"{compact[:15]}Z-{build_id[:8]}"


# --- the lock --------------------------------------------------------------------------

@contextmanager
def locked(db: Path, who: str, action: str) -> Iterator[Path]:
    """Hold the publish lock of ``db`` for the block; :class:`Busy` at once if another
    publish or roll back holds it. Yields the history folder."""
    folder = history_dir(db)
    folder.mkdir(parents=True, exist_ok=True)
    handle = (folder / LOCK_FILE).open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            try:
                holder = json.loads(handle.read() or "{}")
            except ValueError:
                holder = {}
            raise Busy(f"{holder.get('who') or 'another administrator'} started to "
                       f"{holder.get('action', 'publish')} at {holder.get('since', '?')}; "
                       "try again when it is done") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"who": who, "action": action, "since": now(),
                                 "pid": os.getpid()}))
        handle.flush()
        try:
            _tidy(folder, db)
            yield folder
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _tidy(folder: Path, db: Path) -> None:
    """Under the lock: remove what a killed publish left (an extract without its record,
    work files); an extract without a record that is in service is kept and recorded."""
    for work in folder.glob(".*.tmp"):
        if work.is_dir():
            shutil.rmtree(work, ignore_errors=True)
        else:
            work.unlink(missing_ok=True)
    for stale in Path(db).parent.glob(f".{Path(db).name}.serving-*"):
        stale.unlink(missing_ok=True)
    served = served_build(db)
    for path in folder.glob("*.duckdb"):
        if (folder / f"{path.stem}.json").is_file():
            continue
        try:
            meta = extract_meta(path)
        except duckdb.Error:
            meta = {}
        if meta.get("build_id") == served:
            _write_record(folder, _entry(path.stem, meta, "", "", (), seq=_next_seq(folder)))
        else:
            path.unlink(missing_ok=True)
    for package in folder.glob(f"*{PACKAGE_SUFFIX}"):
        if not (folder / f"{package.name.removesuffix(PACKAGE_SUFFIX)}.duckdb").is_file():
            shutil.rmtree(package, ignore_errors=True)


def _entry(name: str, meta: dict[str, str], published_at: str, by: str,
           files: tuple[PackageFile, ...], source: str | None = None, seq: int = 0) -> Entry:
    return Entry(name=name, seq=seq, build_id=meta["build_id"], built_at=meta.get("built_at", ""),
                 published_at=published_at, published_by=by,
                 source=meta.get("source_dir", "") if source is None else source,
                 files=files, years=tuple(json.loads(meta.get("years", "[]"))),
                 schools=int(meta["_schools"]) if meta.get("_schools") else None)


# --- putting a file in service ----------------------------------------------------------

def _link_or_copy(source: Path, target: Path) -> None:
    """``target`` as a second name of ``source`` (the same file, no copy), or a copy where
    the file system has no hard links."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _serve(extract: Path, db: Path) -> None:
    """Put ``extract`` in service at ``db`` in one atomic rename."""
    db = Path(db)
    work = db.parent / f".{db.name}.serving-{os.getpid()}"
    try:
        _link_or_copy(extract, work)
        os.replace(work, db)
    finally:
        work.unlink(missing_ok=True)


def _keep_served(folder: Path, db: Path) -> None:
    """The served extract in the history, if it is not there yet (one built outside the
    explorer, e.g. by `make demo`), so that a roll back can return to it."""
    if not Path(db).is_file():
        return
    meta = extract_meta(db)
    if any(e.build_id == meta["build_id"] for e in history(db)):
        return
    name = _entry_name(meta.get("built_at") or now(), meta["build_id"])
    _link_or_copy(Path(db), folder / f"{name}.duckdb")
    _write_record(folder, _entry(name, meta, "", "", (), seq=_next_seq(folder)))


def _prune(folder: Path, db: Path, keep: int) -> list[str]:
    """Remove the oldest extracts beyond ``keep``, never the served one."""
    removed = []
    for entry in history(db)[keep:]:
        if entry.served:
            continue
        (folder / f"{entry.name}.duckdb").unlink(missing_ok=True)
        (folder / f"{entry.name}.json").unlink(missing_ok=True)
        shutil.rmtree(folder / f"{entry.name}{PACKAGE_SUFFIX}", ignore_errors=True)
        removed.append(entry.name)
    return removed


# --- publish and roll back --------------------------------------------------------------

def publish(candidate: Path, db: Path, by: str, files: tuple[PackageFile, ...] = (),
            source: str = "", expected_served: str | None = "", keep: int | None = None,
            package: Path | None = None) -> Entry:
    """Put a built extract (``candidate``, e.g. a dry run's) in service at ``db`` and keep
    it in the history; the candidate file is moved into the history folder.

    ``package``: the package it was built from, when that folder will not last (an upload's
    work folder): it is kept beside the extract (``<name>.package/``, its files hard-linked
    where the file system allows) and the extract names it as its source, so that the next
    upload can take from it what it lacks.

    ``expected_served``: the build id of the served extract the candidate was compared with
    (None: there was none); a publish is refused when another has been published since.
    The empty string skips the check (a build published at once, from the command line)."""
    candidate, db = Path(candidate), Path(db)
    if not candidate.is_file():
        raise PublishError("the checked extract is no longer there (checked more than a day "
                           "ago, or published already): check the package again")
    with locked(db, by, "publish") as folder:
        if expected_served != "" and served_build(db) != expected_served:
            latest = next((e for e in history(db) if e.served), None)
            who = f" by {latest.published_by}" if latest and latest.published_by else ""
            when = f" at {latest.published_at}" if latest and latest.published_at else ""
            raise Stale(f"another extract was published{who}{when} after this one was "
                        "checked: run the dry run again to see what would change against "
                        "it, then publish")
        meta = extract_meta(candidate)
        if any(e.build_id == meta["build_id"] for e in history(db)):
            raise PublishError("this extract is already in the history: roll back to it "
                               "instead")
        _keep_served(folder, db)
        published_at = now()
        entry = _entry(_entry_name(published_at, meta["build_id"]), meta, published_at, by,
                       files, source or None, seq=_next_seq(folder))
        kept = folder / f"{entry.name}.duckdb"
        kept_package = folder / f"{entry.name}{PACKAGE_SUFFIX}"
        try:
            _move(candidate, kept)
            if package is not None:
                _keep_package(Path(package), kept_package)
                _set_source(kept, kept_package)
            _serve(kept, db)
        except BaseException:
            if served_build(db) != meta["build_id"]:  # not in service: as it was
                if kept.is_file():
                    _move(kept, candidate)
                shutil.rmtree(kept_package, ignore_errors=True)
            raise
        _write_record(folder, entry)
        _log_event(folder, action="publish", by=by, name=entry.name)
        _prune(folder, db, keep or keep_count())
        return Entry.from_record(entry.record(), served=True)


def _keep_package(package: Path, target: Path) -> None:
    """A lasting copy of a package folder: every file (links followed) hard-linked, or
    copied where the file system has no hard links."""
    work = target.parent / f".{target.name}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for where, _, names in os.walk(package, followlinks=True):  # boundaries/ may be a link
        out = work / Path(where).relative_to(package)
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            _link_or_copy((Path(where) / name).resolve(), out / name)
    os.replace(work, target)


def _set_source(extract: Path, package: Path) -> None:
    """Name ``package`` as the source of an extract not yet served."""
    con = duckdb.connect(str(extract))
    try:
        con.execute("UPDATE meta SET value = ? WHERE key = 'source_dir'",
                    [str(package.resolve())])
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        work = target.parent / f".{target.name}.tmp"
        shutil.copyfile(source, work)
        os.replace(work, target)
        source.unlink(missing_ok=True)


def rollback(db: Path, by: str, to: str | None = None) -> tuple[Entry | None, Entry]:
    """Serve an earlier extract of the history again: ``to`` (an entry's name or the start
    of its build id), else the one published before the served one. Returns (the extract
    taken out of service, the one now served)."""
    db = Path(db)
    with locked(db, by, "roll back") as folder:
        _keep_served(folder, db)
        entries = history(db)
        served = next((e for e in entries if e.served), None)
        if to:
            matches = [e for e in entries if e.name == to or e.build_id.startswith(to)]
            if len(matches) != 1:
                names = ", ".join(e.name for e in entries) or "none"
                raise PublishError(f"{to!r} names {'no' if not matches else 'more than one'} "
                                   f"extract of the history (kept: {names})")
            target = matches[0]
        else:
            older = entries[entries.index(served) + 1:] if served else entries
            if not older:
                raise PublishError("there is no earlier extract in the history to roll "
                                   "back to")
            target = older[0]
        if target.served:
            raise PublishError(f"{target.name} is the extract in service already")
        _serve(folder / f"{target.name}.duckdb", db)
        _log_event(folder, action="rollback", by=by, name=target.name,
                   replaced=served.name if served else "")
        return served, Entry.from_record(target.record(), served=True)
