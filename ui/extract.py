"""The extract the app serves, read through :mod:`lib.db` and cached per build.

Every cached function takes the extract's path and build id as parameters, so a rebuilt
extract (a new build id) is read afresh on the next rerun, without restarting the app.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from lib import db
from lib.country import Country
from lib.i18n import has, t

ENV_VAR = "EMIS_DB"


def path() -> Path:
    """Where the extract is: ``$EMIS_DB``, else ``data/emis.duckdb``."""
    return Path(os.environ.get(ENV_VAR) or db.DEFAULT_EXTRACT)


def build_id() -> str | None:
    """The build id of the extract in place, or None when there is none."""
    try:
        return db.build_id(path())
    except FileNotFoundError:
        return None


def exists() -> bool:
    return build_id() is not None


def _release(con: duckdb.DuckDBPyConnection) -> None:
    con.close()


@st.cache_resource(max_entries=2, on_release=_release, show_spinner=False)
def _database(extract_path: str, extract_build_id: str) -> duckdb.DuckDBPyConnection:
    return db.connect_current(extract_path)


def connection() -> duckdb.DuckDBPyConnection:
    """A connection for this thread to the current build; use it in a ``with`` block."""
    bid = build_id()
    if bid is None:
        raise db.ExtractMissing(f"No extract at {path()}")
    return db.cursor(_database(str(path()), bid))


def _key() -> tuple[str, str]:
    bid = build_id()
    if bid is None:
        raise db.ExtractMissing(f"No extract at {path()}")
    return str(path()), bid


@st.cache_data(max_entries=4, show_spinner=False)
def _info(extract_path: str, extract_build_id: str) -> db.ExtractInfo:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.extract_info(con)


@st.cache_data(max_entries=4, show_spinner=False)
def _country(extract_path: str, extract_build_id: str) -> Country:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.country(con)


@st.cache_data(max_entries=4, show_spinner=False)
def _admin_units(extract_path: str, extract_build_id: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.admin_units(con)


@st.cache_data(max_entries=4, show_spinner=False)
def _problems(extract_path: str, extract_build_id: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.problems(con)


@st.cache_data(max_entries=4, show_spinner=False)
def _problem_summary(extract_path: str, extract_build_id: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.problem_summary(con)


@st.cache_data(max_entries=4, show_spinner=False)
def _problems_csv(extract_path: str, extract_build_id: str) -> bytes:
    return _problems(extract_path, extract_build_id).to_csv(index=False).encode("utf-8")


def info() -> db.ExtractInfo:
    return _info(*_key())


def country() -> Country:
    return _country(*_key())


def admin_units() -> pd.DataFrame:
    return _admin_units(*_key())


def problems() -> pd.DataFrame:
    return _problems(*_key())


def problem_summary(lang: str) -> pd.DataFrame:
    """Warnings counted by check, each check named in plain words."""
    summary = _problem_summary(*_key()).copy()
    summary["kind"] = [t(f"problem_kind.{kind}", lang) if has(f"problem_kind.{kind}", lang)
                       else kind for kind in summary["kind"]]
    return summary


def problems_csv() -> bytes:
    """The build's problems as CSV (UTF-8, machine column names), for download."""
    return _problems_csv(*_key())


def display_path() -> str:
    """The extract's path as a user would type it: relative to the working folder if inside."""
    where = path()
    try:
        return str(where.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(where)


def show_missing(lang: str) -> None:
    """Tell the user there is no extract yet and how to build one (instead of a traceback)."""
    st.title(t("app.title", lang))
    st.error(t("missing.title", lang), icon=":material/database_off:")
    st.markdown(t("missing.body", lang))
    st.code(str(path()), language=None)
    st.markdown(t("missing.demo", lang))
    st.code(t("missing.demo_command", lang), language="bash")
    st.markdown(t("missing.own", lang))
    st.code(t("missing.own_command", lang, db=display_path()), language="bash")
    st.markdown(t("missing.env", lang))
