"""The extract the app serves, read through :mod:`lib.db` and cached per build.

Every cached function takes the extract's path and build id as parameters, so a rebuilt
extract (a new build id) is read afresh on the next rerun, without restarting the app.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from lib import db, districts, export, targets
from lib.country import Country, admin_level_name
from lib.equity import Disparity, disparity
from lib.i18n import DEFAULT_LANG, has, local_name, t
from lib.indicators import Registry, compute, compute_years, registry_for
from lib.problems import message_in

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


WORDING = ("template", "params")  # how a warning is worded: for the app, not for a reader


@st.cache_data(max_entries=4, show_spinner=False)
def _problems_csv(extract_path: str, extract_build_id: str) -> bytes:
    found = _read(extract_path, extract_build_id, "problems", ())
    return export.csv_bytes(found.drop(columns=list(WORDING), errors="ignore"))


def in_language(found: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Problems (rows of the extract's ``problems``) with each message in ``lang``
    (:func:`lib.problems.message_in`): admin levels and areas named as the language names
    them; the stored English words where a message has no template."""
    if lang == DEFAULT_LANG or found.empty or "template" not in found:
        return found
    words = {level: admin_level_name(country(), level, lang) for level in (1, 2)}
    units = admin_units()
    names = {code: local_name(en, lo, lang) for code, en, lo in
             zip(units["code"], units["name_en"], units["name_local"])}

    def localised(values: dict) -> dict:
        out = {}
        if "level" in values:
            out["word"] = words.get(int(values["level"]), values.get("word", ""))
        if "parent_word" in values:
            out["parent_word"] = words[1]
        if values.get("code") in names:
            out["name"] = names[values["code"]]
        if "levels" in values:
            levels = [country().level(i) for i in values["levels"] if i in country().level_ids]
            out["level_names"] = ", ".join(local_name(lv.name_en, lv.name_local, lang)
                                           for lv in levels)
        return out

    out = found.copy()
    out["message"] = [message_in(lang, m, tp, pr, localised) for m, tp, pr in
                      zip(found["message"], found["template"], found["params"])]
    return out


@st.cache_data(max_entries=8, show_spinner=False)  # 2 lists × 2 languages × 2 builds
def _worded(extract_path: str, extract_build_id: str, name: str, lang: str) -> pd.DataFrame:
    # Rewording every warning costs a rerun tens of milliseconds on a real census: once.
    return in_language(_read(extract_path, extract_build_id, name, ()), lang)


def problems_named(lang: str) -> pd.DataFrame:
    """The build's warnings with their school's and area's names
    (:func:`lib.db.problems_named`), each message in ``lang``."""
    return _worded(*_key(), "problems_named", lang)


@st.cache_resource(max_entries=2, show_spinner=False)
def _registry(extract_path: str, extract_build_id: str) -> Registry:
    # A resource, not data: the registry is immutable and holds read-only mappings that
    # st.cache_data could not copy.
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return registry_for(con)


@st.cache_data(max_entries=32, show_spinner=False)  # schools, a year: 1-5 MB each
def _indicator(extract_path: str, extract_build_id: str, indicator_id: str, level: str,
               year: int, by: str | None, area: str | None, lang: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return compute(con, indicator_id, level, year, by=by, area=area, lang=lang)


def registry() -> Registry:
    """The indicators of this extract (its country, quality standards and tables)."""
    return _registry(*_key())


@st.cache_data(max_entries=512, show_spinner=False)  # 0.1-0.5 MB: 139 indicators × 3 levels
def _indicator_every_year(extract_path: str, extract_build_id: str, indicator_id: str,
                          level: str, by: str | None, area: str | None,
                          lang: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return compute_years(con, indicator_id, level, None, by=by, area=area, lang=lang)


def indicator(indicator_id: str, level: str, year: int, by: str | None = None,
              area: str | None = None, lang: str = "en") -> pd.DataFrame:
    """The engine's :func:`lib.indicators.compute`, cached per extract build.

    Areas are computed for every year at once (one query costs about what one year does),
    so a page that moves through the years, or a trend, finds them ready. Schools, many
    more rows, are computed a year at a time.
    """
    year = int(year)
    if level == "school" or year not in info().years:  # an unknown year: compute says so
        return _indicator(*_key(), indicator_id, level, year, by, area, lang)
    every_year = _indicator_every_year(*_key(), indicator_id, level, by, area, lang)
    return every_year[every_year["year"] == year].reset_index(drop=True)


def indicator_years(indicator_id: str, level: str, years: Sequence[int],
                    by: str | None = None, area: str | None = None,
                    lang: str = "en") -> pd.DataFrame:
    """The engine's :func:`lib.indicators.compute_years` for an admin level, from the same
    cached all-years answer as :func:`indicator`: a series is one cache read, not one per
    year (each read copies the cached frame)."""
    wanted = sorted({int(y) for y in years})
    if level == "school" or not set(wanted) <= set(info().years):
        with connection() as con:  # schools, or a year not in the extract: the engine says
            return compute_years(con, indicator_id, level, wanted, by=by, area=area,
                                 lang=lang)
    every_year = _indicator_every_year(*_key(), indicator_id, level, by, area, lang)
    return every_year[every_year["year"].isin(wanted)].reset_index(drop=True)


@st.cache_resource(max_entries=8, show_spinner=False)
def _read_immutable(extract_path: str, extract_build_id: str, name: str) -> object:
    # A resource, not data: frozen values read on every rerun, many times, need no copy.
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return getattr(db, name)(con)


def info() -> db.ExtractInfo:
    return _read_immutable(*_key(), "extract_info")


def country() -> Country:
    return _read_immutable(*_key(), "country")


def admin_units() -> pd.DataFrame:
    return _read(*_key(), "admin_units", ())


def problems(lang: str | None = None) -> pd.DataFrame:
    """The build's problems; with ``lang``, each check and severity named in plain words."""
    if not lang:
        return _read(*_key(), "problems", ())
    return _named(_worded(*_key(), "problems", lang), lang)


def problem_summary(lang: str) -> pd.DataFrame:
    """Warnings counted by check, each check named in plain words."""
    return _named(_read(*_key(), "problem_summary", ()).copy(), lang)


def _named(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    for column, prefix in (("kind", "problem_kind"), ("severity", "about.validation.severity")):
        if column in frame:
            frame[column] = [t(f"{prefix}.{code}", lang) if has(f"{prefix}.{code}", lang)
                             else code for code in frame[column]]
    return frame


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


@st.cache_data(max_entries=64, show_spinner=False)  # ≤ 0.4 MB: 2 levels × 3 details × a parent
def _boundaries(extract_path: str, extract_build_id: str, level: int, detail: str,
                parent: str | None) -> dict[str, bytes]:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        frame = db.boundaries(con, level, detail, parent)
    return {str(code): bytes(wkb) for code, wkb in zip(frame["code"], frame["geometry"])}


@st.cache_data(max_entries=32, show_spinner=False)  # 0.2-2 MB: a level, a year, an area
def _school_points(extract_path: str, extract_build_id: str, level_id: str,
                   grades: tuple[int, ...], year: int, province: str | None) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.school_points(con, level_id, list(grades), year, province)


def boundaries(level: int, detail: str, parent: str | None = None) -> dict[str, bytes]:
    """Admin code -> polygon (WKB) of one admin level at one map detail (see
    ``geo.simplify.DETAIL_TOLERANCES``), only ``parent``'s children when given."""
    return _boundaries(*_key(), int(level), detail, parent or None)


def school_points(level_id: str, year: int, province: str | None = None) -> pd.DataFrame:
    """The schools of an education level open in ``year``, for the map
    (:func:`lib.db.school_points`)."""
    grades = tuple(int(g) for g in country().level(level_id).grades)
    return _school_points(*_key(), level_id, grades, int(year), province or None)


@st.cache_data(max_entries=256, show_spinner=False)
def _disparity(extract_path: str, extract_build_id: str, indicator_id: str, level: str,
               year: int, area: str | None) -> Disparity:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return disparity(con, indicator_id, level, year, area=area)


@st.cache_data(max_entries=4, show_spinner=False)
def _targets(extract_path: str, extract_build_id: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return targets.read(con)


@st.cache_data(max_entries=4, show_spinner=False)
def _district_attributes(extract_path: str, extract_build_id: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return districts.attributes(con)


def disparity_between(indicator_id: str, level: str, year: int,
                      area: str | None = None) -> Disparity:
    """Inequality between areas (:func:`lib.equity.disparity`), cached per extract build."""
    return _disparity(*_key(), indicator_id, level, int(year), area or None)


def national_targets() -> pd.DataFrame:
    """The package's targets (:func:`lib.targets.read`); no rows when it has none."""
    return _targets(*_key())


def district_attributes() -> pd.DataFrame:
    """Each district's province and priority flag (:func:`lib.districts.attributes`)."""
    return _district_attributes(*_key())


@st.cache_data(max_entries=512, show_spinner=False)  # school profiles, searches: a few KB
def _read(extract_path: str, extract_build_id: str, name: str, args: tuple) -> object:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return getattr(db, name)(con, *args)


def read(name: str, *args: object) -> object:
    """``lib.db.<name>(con, *args)``, cached per extract build (the Schools and Data quality
    pages' queries); ``args`` must be hashable values."""
    if not callable(getattr(db, name, None)):
        raise AttributeError(f"lib.db has no read function {name!r}")
    return _read(*_key(), name, tuple(args))
