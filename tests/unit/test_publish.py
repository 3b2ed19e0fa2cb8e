"""Publishing, history and roll back (lib.publish), uploads (lib.staging) and the
difference report (lib.differences), on the tiny hand-made package."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from lib import differences, publish, staging
from lib.build import build_extract
from tests.fixtures.tiny_package import pupils, write_tiny_package

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(tmp_path: Path) -> tuple[Path, Path]:
    """(the base package, the extract served from it)."""
    base = write_tiny_package(tmp_path / "base")
    db = tmp_path / "data" / "emis.duckdb"
    build_extract(base, db)
    return base, db


def _candidate(db: Path, base: Path, enrolment: str) -> tuple[staging.DryRun,
                                                                staging.Received]:
    """A dry run of an upload of one enrolment.csv over the served package."""
    work = staging.new_work_folder(db)
    saved = work / "upload.csv"
    saved.write_text(enrolment, encoding="utf-8")
    received = staging.receive([("enrolment.csv", saved)], work, base)
    return staging.dry_run(received.folder, work), received


def _morepupils(base: Path, extra: int) -> str:
    """The tiny enrolment with ``extra`` more girls in grade 1 of S1 in 2023 (11 before)."""
    return (base / "enrolment.csv").read_text().replace("2023,S1,1,F,6,11,1",
                                                        f"2023,S1,1,F,6,{11 + extra},1")


def test_publish_serves_the_candidate_and_keeps_the_one_before(served):
    base, db = served
    assert pupils(db) == 242
    run, received = _candidate(db, base, _morepupils(base, 100))
    assert run.errors == [] and run.candidate is not None
    entry = publish.publish(run.candidate, db, "alice", received.files, "upload",
                            expected_served=publish.served_build(db))
    assert pupils(db) == 342
    assert entry.served and entry.published_by == "alice"
    assert [f.name for f in entry.files] == ["enrolment.csv"]
    kept = publish.history(db)
    # the extract served before (built with `lib build`) was kept, publisher unknown
    assert [(e.published_by, e.served) for e in kept] == [("alice", True), ("", False)]
    assert not run.candidate.exists()  # moved into the history, not copied

    replaced, now_served = publish.rollback(db, "bob")
    assert replaced.name == entry.name and now_served.name == kept[1].name
    assert pupils(db) == 242
    assert [e["action"] for e in publish.events(db)] == ["publish", "rollback"]
    assert publish.events(db)[-1]["by"] == "bob"
    with pytest.raises(publish.PublishError, match="no earlier extract"):
        publish.rollback(db, "bob")
    publish.rollback(db, "bob", to=entry.build_id[:8])  # forward again, by name
    assert pupils(db) == 342


def test_only_the_last_n_are_kept_and_never_the_served_one(served):
    base, db = served
    for extra in (1, 2, 3):
        run, _ = _candidate(db, base, _morepupils(base, extra))
        publish.publish(run.candidate, db, f"user{extra}", keep=2)
    kept = publish.history(db)
    assert [e.published_by for e in kept] == ["user3", "user2"]
    folder = publish.history_dir(db)
    assert len(list(folder.glob("*.duckdb"))) == 2 == len(list(folder.glob("*.json")))
    publish.rollback(db, "ops")  # user2 served
    run, _ = _candidate(db, base, _morepupils(base, 4))
    publish.publish(run.candidate, db, "user4", keep=1)
    assert [e.published_by for e in publish.history(db)] == ["user4"]


def test_a_publish_checked_against_another_extract_is_refused(served):
    base, db = served
    checked_against = publish.served_build(db)
    first, _ = _candidate(db, base, _morepupils(base, 1))
    second, _ = _candidate(db, base, _morepupils(base, 2))
    publish.publish(first.candidate, db, "alice", expected_served=checked_against)
    with pytest.raises(publish.Stale, match="published by alice"):
        publish.publish(second.candidate, db, "bob", expected_served=checked_against)
    assert pupils(db) == 243  # alice's


def test_a_second_publish_while_one_runs_is_refused_at_once(served):
    base, db = served
    run, _ = _candidate(db, base, _morepupils(base, 1))
    # another process holds the lock (as a publish in the other administrator's session)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from lib.publish import locked\n"
         f"with locked(Path({str(db)!r}), 'carol', 'publish'):\n"
         "    print('held', flush=True); time.sleep(30)"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(publish.Busy, match="carol started to publish"):
            publish.publish(run.candidate, db, "dave")
    finally:
        holder.kill()
        holder.wait()
    assert pupils(db) == 242 and run.candidate.exists()
    publish.publish(run.candidate, db, "dave")  # the lock died with its process
    assert pupils(db) == 243


def test_an_interrupted_publish_changes_nothing(served, monkeypatch):
    base, db = served
    publish.publish(_candidate(db, base, _morepupils(base, 1))[0].candidate, db, "alice")
    before = sorted(p.name for p in publish.history_dir(db).iterdir())
    run, _ = _candidate(db, base, _morepupils(base, 2))

    def killed(extract: Path, target: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(publish, "_serve", killed)
    with pytest.raises(KeyboardInterrupt):
        publish.publish(run.candidate, db, "bob")
    monkeypatch.undo()
    assert pupils(db) == 243
    assert sorted(p.name for p in publish.history_dir(db).iterdir()) == before
    assert [e.published_by for e in publish.history(db)] == ["alice", ""]


def test_what_a_killed_publish_left_is_tidied_by_the_next(served):
    base, db = served
    publish.publish(_candidate(db, base, _morepupils(base, 1))[0].candidate, db, "alice")
    folder = publish.history_dir(db)
    older = next(e for e in publish.history(db) if not e.served)
    orphan = folder / "20990101T000000Z-deadbeef.duckdb"  # moved in, never served
    orphan.write_bytes((folder / f"{older.name}.duckdb").read_bytes())
    (folder / ".x.json.tmp").write_text("{")
    with publish.locked(db, "ops", "publish"):
        pass
    assert not orphan.exists() and not (folder / ".x.json.tmp").exists()
    # a publish killed after its swap and before its record: the served file is adopted
    record = next(folder.glob("*.json"))
    served_name = next(e.name for e in publish.history(db) if e.served)
    (folder / f"{served_name}.json").unlink()
    with publish.locked(db, "ops", "publish"):
        pass
    assert (folder / f"{served_name}.duckdb").exists()
    assert any(e.served for e in publish.history(db)), record


def test_an_uploaded_package_is_kept_as_the_base_of_the_next_upload(served):
    base, db = served
    work = staging.new_work_folder(db)
    saved = work / "upload.csv"
    saved.write_text(_morepupils(base, 1), encoding="utf-8")
    received = staging.receive([("enrolment.csv", saved)], work, base)
    run = staging.dry_run(received.folder, work)
    entry = publish.publish(run.candidate, db, "alice", received.files, package=received.folder)
    shutil.rmtree(work)  # as the page does once published
    kept = publish.history_dir(db) / f"{entry.name}{publish.PACKAGE_SUFFIX}"
    assert sorted(p.name for p in kept.iterdir()) == sorted(p.name for p in base.iterdir())
    assert not any(p.is_symlink() for p in kept.rglob("*"))
    assert publish.extract_meta(db)["source_dir"] == str(kept.resolve())
    # the next census: one more file, the rest from the kept package
    run, _ = _candidate(db, Path(publish.extract_meta(db)["source_dir"]), _morepupils(base, 2))
    assert run.errors == [], [str(p) for p in run.errors]
    publish.publish(run.candidate, db, "bob", keep=1)
    assert pupils(db) == 244
    assert not kept.exists()  # pruned with its extract


# --- uploads ----------------------------------------------------------------------------

def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        for name, text in members.items():
            book.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["../evil.csv", "package/../../evil.csv", "/etc/evil.csv",
                                  "C:/evil.csv", "..\\evil.csv"])
def test_a_zip_reaching_out_of_its_folder_is_refused_and_nothing_is_written(tmp_path, name):
    work = tmp_path / "work" / "upload-1"
    work.mkdir(parents=True)
    archive = tmp_path / "package.zip"
    archive.write_bytes(_zip({"country.toml": "x", name: "pwned"}))
    with pytest.raises(staging.UploadRefused, match="outside its own folder"):
        staging.receive([("package.zip", archive)], work, None)
    assert not (tmp_path / "evil.csv").exists() and not (tmp_path / "work" / "evil.csv").exists()
    assert list((work / "uploaded").iterdir()) == []


def test_a_zip_holding_a_link_is_refused(tmp_path):
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as book:
        info = zipfile.ZipInfo("schools.csv")
        info.external_attr = (0o120777 << 16)  # a symbolic link
        book.writestr(info, "/etc/passwd")
    with pytest.raises(staging.UploadRefused, match="a link"):
        staging.receive([("package.zip", archive)], tmp_path / "w", None)


def test_a_zipped_package_folder_is_read_from_its_folder(tmp_path):
    package = write_tiny_package(tmp_path / "mine")
    archive = tmp_path / "mine.zip"
    with zipfile.ZipFile(archive, "w") as book:
        for path in package.rglob("*"):
            book.write(path, Path("mine") / path.relative_to(package))
    received = staging.receive([("mine.zip", archive)], tmp_path / "w", None)
    assert (received.folder / "country.toml").is_file()
    assert received.kept_from_base == () and [f.name for f in received.files] == ["mine.zip"]
    run = staging.dry_run(received.folder, tmp_path / "w")
    assert run.errors == [] and run.candidate.is_file()


def test_an_upload_without_country_takes_the_rest_from_the_served_package(served, tmp_path):
    base, db = served
    work = staging.new_work_folder(db)
    saved = work / "x.xlsx"
    # one workbook whose sheet gives the enrolment; the other tables come from the base
    pd.read_csv(base / "enrolment.csv", dtype=str).to_excel(saved, sheet_name="Enrolment",
                                                            index=False)
    received = staging.receive([("census 2023.xlsx", saved)], work, base)
    assert "enrolment.csv" not in received.kept_from_base
    assert {"country.toml", "boundaries/", "schools.csv"} <= set(received.kept_from_base)
    run = staging.dry_run(received.folder, work)
    assert run.errors == [] and pupils(run.candidate) == 242


def test_errors_are_listed_with_file_sheet_row_and_column_and_their_rows_given_back(served):
    base, db = served
    work = staging.new_work_folder(db)
    saved = work / "x.xlsx"
    rows = pd.read_csv(base / "enrolment.csv", dtype=str)
    rows.loc[3, "sex"] = "X"  # spreadsheet row 5
    rows.loc[7, "enrolled"] = "many"  # row 9
    rows.to_excel(saved, sheet_name="enrolment", index=False)
    received = staging.receive([("census.xlsx", saved)], work, base)
    run = staging.dry_run(received.folder, work)
    assert run.candidate is None
    table = staging.problems_frame(run.problems, received.folder)
    errors = table[table["severity"] == "error"]
    assert set(zip(errors["file"], errors["sheet"], errors["row"], errors["column"])) == {
        ("census.xlsx", "enrolment", 5, "sex"), ("census.xlsx", "enrolment", 9, "enrolled")}
    book = pd.read_excel(io.BytesIO(staging.failed_rows(received.folder, run.problems)),
                         sheet_name=None, dtype=str)
    failed = book["enrolment"]
    assert failed["row"].tolist() == ["5", "9"]
    assert failed["sex"].tolist() == ["X", "M"] and failed["enrolled"].tolist() == ["11", "many"]
    assert "sex" in failed["problems"][0] and "enrolled" in failed["problems"][1]


# --- what would change ------------------------------------------------------------------

def test_differences_against_the_served_extract(served):
    base, db = served
    work = staging.new_work_folder(db)
    enrolment = _morepupils(base, 100) + "2024,S1,1,F,6,10,1\n2024,S3,1,M,6,5,0\n"
    schools = (base / "schools.csv").read_text().replace(
        "S3,Charlie school,Charlie school,0201,15.5,102.5",
        "S3,Charlie school,Charlie school,0201,15.6,102.5").replace(
        "S2,Bravo school,Bravo school,0102,15.5,101.5",
        "S2,Bravo school,Bravo school,0101,15.5,100.6") + \
        "S4,Delta school,Delta school,0102,15.5,101.6,public,rural,primary,1,0,1,2020,\n"
    for name, text in (("enrolment.csv", enrolment), ("schools.csv", schools)):
        (work / name).write_text(text, encoding="utf-8")
    received = staging.receive([(n, work / n) for n in ("enrolment.csv", "schools.csv")],
                               work, base)
    run = staging.dry_run(received.folder, work)
    assert run.errors == []
    found = differences.compare(db, run.candidate)

    years = found.years.set_index("year")
    assert years.loc[2022, "change"] == "unchanged" and years.loc[2023, "change"] == "replaced"
    assert years.loc[2024, "change"] == "added" and int(years.loc[2024, "pupils_after"]) == 15
    assert int(years.loc[2023, "pupils_before"]) == 122
    assert int(years.loc[2023, "pupils_after"]) == 222
    assert int(years.loc[2023, "rows_changed"]) == 2  # one row out, its new version in

    schools = {(r.school_id, r.change) for r in found.schools.itertuples()}
    assert schools == {("S2", "moved"), ("S3", "moved"), ("S4", "added")}
    s3 = found.schools[found.schools["school_id"] == "S3"].iloc[0]
    assert "(11.1 km)" in s3["after"]  # 0.1 degree of latitude

    pupils = found.areas[found.areas["measure"] == "pupils"].set_index(["code", "year"])
    # 2023: S1 +100 in Alpha; S2 (70 pupils in 2023) moved from Bravo to Alpha
    assert (pupils.loc[("0101", 2023), "before"], pupils.loc[("0101", 2023), "after"]) == \
        (42, 42 + 100 + 69)
    assert pupils.loc[("0102", 2023), "after"] is pd.NA or pd.isna(
        pupils.loc[("0102", 2023), "after"])
    assert ("02", 2022) not in pupils.index  # unchanged
    teachers = found.areas[found.areas["measure"] == "teachers"]
    assert set(teachers["code"]) == {"0101", "0102"}  # S2's teachers moved with it

    ger = found.indicators[(found.indicators["indicator"] == "ger_primary")
                           & (found.indicators["code"] == "TST")].iloc[0]
    assert ger["year"] == 2023 and ger["change"] == pytest.approx(100 / 198 * 100)
    assert found.boundaries.empty
    assert "years added: 2024" in found.summary()


def test_the_first_publish_is_all_new(tmp_path):
    package = write_tiny_package(tmp_path / "p")
    run = staging.dry_run(package, tmp_path)
    found = differences.compare(None, run.candidate)
    assert found.first_publish and found.years["change"].tolist() == ["added", "added"]


def test_history_records_are_plain_json(served):
    base, db = served
    run, received = _candidate(db, base, _morepupils(base, 1))
    entry = publish.publish(run.candidate, db, "alice", received.files, "upload")
    record = json.loads((publish.history_dir(db) / f"{entry.name}.json").read_text())
    assert record["published_by"] == "alice" and record["files"][0]["bytes"] > 0
    assert record["years"] == [2022, 2023] and record["schools"] == 3
