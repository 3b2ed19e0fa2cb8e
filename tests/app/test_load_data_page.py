"""The Load data page on the tiny package: a dry run of a package folder on the server with
its problems and differences, publish and roll back; and who may open it. (Uploading files
from the browser is tests/e2e/test_load_data.py.)"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from lib import publish
from lib.build import build_extract
from lib.i18n import t
from tests.app.pages import APP, AUTH, ok
from tests.fixtures.tiny_package import pupils, write_tiny_package

ACCESS = """\
[[grant]]
claim = "email"
equals = "admin@moes.example"
role = "admin"

[[grant]]
claim = "email"
equals = "north-admin@moes.example"
role = "admin"
areas = ["01"]

[[grant]]
claim = "email"
equals = "analyst@moes.example"
role = "analyst"
"""


def _person(email: str) -> dict:
    return {"is_logged_in": True, "sub": email, "email": email, "name": email.split("@")[0]}


@pytest.fixture
def served(tmp_path, monkeypatch) -> Path:
    """The tiny package served; beside it on the server a revised package (100 more pupils
    in 2023) and a broken one (a sex 'X' on row 5 of enrolment.csv)."""
    packages = tmp_path / "packages"
    base = write_tiny_package(packages / "base")
    revised = write_tiny_package(packages / "revised")
    text = (base / "enrolment.csv").read_text()
    (revised / "enrolment.csv").write_text(text.replace("2023,S1,1,F,6,11,1",
                                                        "2023,S1,1,F,6,111,1"))
    broken = write_tiny_package(packages / "broken")
    (broken / "enrolment.csv").write_text(text.replace("2022,S1,2,M,8,11,1",
                                                       "2022,S1,2,X,8,11,1"))
    db = tmp_path / "data" / "emis.duckdb"
    build_extract(base, db)
    monkeypatch.setenv("EMIS_DB", str(db))
    monkeypatch.setenv("EMIS_PACKAGES", str(packages))
    monkeypatch.setenv("EMIS_AUDIT", str(tmp_path / "audit.log"))
    return db


def _open(user: dict | None = None, signed: bool = False) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if signed:
        at.secrets["auth"] = AUTH
    if user:
        at.user.update(user)
    at.switch_page("pages/load-data.py")
    return ok(at.run())


def _check_folder(at: AppTest, name: str) -> AppTest:
    at.radio(key="load_source").set_value("folder").run()
    assert name in at.selectbox(key="load_folder").options
    at.selectbox(key="load_folder").set_value(name)
    ok(at.run())
    at.button(key="load_check").click()
    return ok(at.run())


def _table(at: AppTest, *columns: str):
    """The first table of the page with these columns (AppTest gives a table's data, by
    its frame's column names)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [s.value for s in at.success]
                     + [e.value for e in at.error] + [c.value for c in at.caption])


def test_the_local_user_checks_publishes_and_rolls_back(served):
    at = _open()
    assert at.title[0].value == t("load.title")
    assert t("load.history.none") in _texts(at)
    at = _check_folder(at, "revised")
    assert t("load.problems.none", warnings="0").split(".")[0] in _texts(at)
    years = _table(at, "year", "rows_changed")
    assert dict(zip(years["year"], years["change"])) == {
        "2022–23": t("load.changes.year.unchanged"), "2023–24": t("load.changes.year.replaced")}
    areas = _table(at, "measure", "code", "before", "after")
    alpha = areas[areas["code"] == "0101"].iloc[0]
    assert (alpha["before"], alpha["after"]) == ("42", "142")

    at.button(key="load_publish").click()
    ok(at.run())
    assert pupils(served) == 342
    entries = publish.history(served)
    assert [e.served for e in entries] == [True, False]
    assert entries[0].published_by.endswith("(local)")
    assert t("load.published", name=entries[0].name).split(":")[0].replace(
        "\\", "") in _texts(at).replace("\\", "")

    at.button(key=f"load_rollback_{entries[1].name}").click()
    ok(at.run())
    assert pupils(served) == 242
    assert publish.events(served)[-1]["action"] == "rollback"


def test_errors_are_listed_with_their_rows_and_nothing_can_be_published(served):
    at = _check_folder(_open(), "broken")
    table = _table(at, "severity", "file", "sheet", "row", "column", "message")
    errors = table[table["severity"] == t("about.validation.severity.error")]
    assert list(zip(errors["file"], errors["row"], errors["column"])) == [
        ("enrolment.csv", 5, "sex")]
    assert not [b for b in at.button if b.key == "load_publish"]
    assert [d for d in at.get("download_button") if d.proto.label ==
            t("load.problems.download_failed")]
    assert pupils(served) == 242


@pytest.mark.parametrize("email", ["analyst@moes.example", "north-admin@moes.example", None])
def test_only_an_administrator_of_the_whole_country_may_load_data(served, tmp_path,
                                                                   monkeypatch, email):
    (tmp_path / "access.toml").write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("EMIS_ACCESS", str(tmp_path / "access.toml"))
    at = _open(_person(email) if email else None, signed=True)
    assert t("load.title") not in [x.value for x in at.title]
    assert not [b for b in at.button if b.key in ("load_check", "load_publish")]


def test_a_signed_in_administrator_may(served, tmp_path, monkeypatch):
    (tmp_path / "access.toml").write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("EMIS_ACCESS", str(tmp_path / "access.toml"))
    at = _open(_person("admin@moes.example"), signed=True)
    assert at.title[0].value == t("load.title")


def test_without_sign_in_an_app_served_to_the_network_has_no_load_data(served):
    address = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = _open()
    finally:
        config.set_option("server.address", address)
    assert t("load.title") not in [x.value for x in at.title]
