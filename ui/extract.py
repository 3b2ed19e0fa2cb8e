"""The extract the app serves, read through :mod:`lib.db` and cached per build.

Every cached function takes the extract's path and build id as parameters, so a rebuilt
extract (a new build id) is read afresh on the next rerun, without restarting the app.
"""
from __future__ import annotations

import atexit
import functools
import gc
import math
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from lib import access as access_rules
from lib import areas, db, districts, export, quality, targets, trends
from lib.access import OWNER, Policy, Viewer, load_policy
from lib.country import Country, country_words
from lib.equity import Disparity
from lib.groups import SplitWords
from lib.i18n import (DEFAULT_LANG, NO_COUNTRY, CountryWords, has, local_name,
                      set_country_words, t)
from lib.i18n import languages as catalogue_languages
from lib.indicators import ExtractContext, Registry, compute, compute_years, context
from lib.indicators.disparity import disparity
from lib.problems import message_in
from lib.quality import Framework
from lib.schools import SchoolQuery, SearchPlan, SearchResult
from lib.vocabulary import SCHOOL

ENV_VAR = "EMIS_DB"
# Counts of one school that the public view hides from 1 to its threshold.
SCHOOL_COUNTS = ("pupils", "teachers", "enrolled", "count", "female", "male")


def path() -> Path:
    """Where the extract is: ``$EMIS_DB``, else ``data/emis.duckdb``."""
    return Path(os.environ.get(ENV_VAR) or db.DEFAULT_EXTRACT)


def _build_id_now() -> str | None:
    try:
        return db.build_id(path())
    except FileNotFoundError:
        return None


_RUN = threading.local()  # .build_id: the build this thread's script run reads


def pin_build() -> None:
    """Called at the start of every run (``app.py``): the run reads the build in place now,
    all through, even if a new one is published meanwhile; the next run reads the new one.
    (One file check per run instead of one per read.)"""
    _RUN.build_id = _build_id_now()


def build_id() -> str | None:
    """The build id of the extract this run reads (:func:`pin_build`), else of the extract
    in place; None when there is none."""
    pinned = getattr(_RUN, "build_id", None)
    return pinned if pinned is not None else _build_id_now()


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
    found = _whole(db.problems, (extract_path, extract_build_id))
    return export.csv_bytes(found.drop(columns=list(WORDING), errors="ignore"))


def in_language(found: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Problems (rows of the extract's ``problems``) with each message in ``lang``
    (:func:`lib.problems.message_in`): admin levels and areas named as the language names
    them; the stored English words where a message has no template."""
    if lang == DEFAULT_LANG or found.empty or "template" not in found:
        return found
    names = area_names(lang)

    def localised(values: dict) -> dict:
        out = {}
        if values.get("code") in names:
            out["name"] = names[values["code"]]
        if "levels" in values:
            out["level_names"] = ", ".join(level_name(i, lang) for i in values["levels"]
                                           if i in country().level_ids)
        return out

    out = found.copy()
    out["message"] = [message_in(lang, m, tp, pr, localised) for m, tp, pr in
                      zip(found["message"], found["template"], found["params"])]
    return out


# Rewording every warning costs a rerun tens of milliseconds on a real census: once per
# language and build (2 languages × 2 builds).
@st.cache_data(max_entries=4, show_spinner=False)
def _problems_worded(extract_path: str, extract_build_id: str, lang: str) -> pd.DataFrame:
    return in_language(_whole(db.problems, (extract_path, extract_build_id)), lang)


@st.cache_data(max_entries=4, show_spinner=False)
def _problems_named_worded(extract_path: str, extract_build_id: str,
                           lang: str) -> pd.DataFrame:
    return in_language(_whole(db.problems_named, (extract_path, extract_build_id)), lang)


def problems_named(lang: str) -> pd.DataFrame:
    """The build's warnings with their school's and area's names
    (:func:`lib.db.problems_named`), each message in ``lang``."""
    return in_scope(_problems_named_worded(*_key(), lang))


@st.cache_data(max_entries=32, show_spinner=False)  # schools, a year: 1-5 MB each
def _indicator(extract_path: str, extract_build_id: str, indicator_id: str, level: str,
               year: int, by: str | None, area: str | None, lang: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return compute(con, indicator_id, level, year, by=by, area=area, lang=lang)


@st.cache_resource(max_entries=2, show_spinner=False)
def _context(extract_path: str, extract_build_id: str) -> ExtractContext:
    # A resource, not data: the context is immutable and holds read-only mappings that
    # st.cache_data could not copy.
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        built = context(con)
    settle_heap()
    return built


def settle_heap() -> None:
    """Keep what the server has loaded for good (its modules, the extract's context) out of
    the garbage collector's full passes: a full pass over the whole heap took 120–180 ms
    every few reruns, the slowest rerun of a page; after this it walks only what later
    runs make. Garbage of the moment is collected first, so nothing is kept that is not
    in use. At exit they are handed back, so that the interpreter's last collection frees
    them (DuckDB's bindings report what is left as leaks)."""
    gc.collect()
    gc.freeze()
    atexit.unregister(gc.unfreeze)  # once, however many builds this process has served
    atexit.register(gc.unfreeze)


def registry() -> Registry:
    """The indicators of this extract (its country, quality standards and tables)."""
    return _context(*_key()).registry


def split_words() -> SplitWords:
    """The words of this extract's splits and groups (the package's dimensions too)."""
    found = _context(*_key())
    return SplitWords(found.registry.splits, found.group_names)


def split_groups(split: str) -> tuple[str, ...]:
    """The groups of a split of this extract, in order."""
    return registry().split(split).groups


def has_data(indicator_id: str, year: int | None) -> bool:
    """Whether the extract has data for the indicator in ``year`` (a page opens on one)."""
    registry_ = registry()
    return (year is not None and indicator_id in registry_
            and _context(*_key()).has_data(registry_.get(indicator_id), int(year)))


def has_values(table: str, column: str | None = None) -> bool:
    """Whether the package gave ``table`` and, with ``column``, some value in it: a filter
    or a column with nothing to show is left out."""
    return _context(*_key()).has_values(table, column)


@st.cache_data(max_entries=512, show_spinner=False)  # 0.1-0.5 MB: 139 indicators × 3 levels
def _indicator_every_year(extract_path: str, extract_build_id: str, indicator_id: str,
                          level: str, by: str | None, area: str | None,
                          lang: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return compute_years(con, indicator_id, level, None, by=by, area=area, lang=lang)


# ------------------------------------------------------------------ who is looking
# Sign-in is Streamlit's own OpenID Connect (``st.login``, ``st.user``), configured in
# ``.streamlit/secrets.toml`` under ``[auth]``; roles and areas come from the access file
# (``$EMIS_ACCESS``, else ``.streamlit/access.toml``; :mod:`lib.access`). Without ``[auth]``
# the app is one person's on their own machine and shows everything, as it always has.
ACCESS_ENV_VAR = "EMIS_ACCESS"
ACCESS_FILE = Path(".streamlit") / "access.toml"


def access_file() -> Path:
    return Path(os.environ.get(ACCESS_ENV_VAR) or ACCESS_FILE)


@functools.cache
def _secrets_files() -> tuple[str, ...]:
    return tuple(st.config.get_option("secrets.files"))


def sign_in_configured() -> bool:
    """Whether sign-in is set up (an ``[auth]`` section in the secrets)."""
    loaded = getattr(st.secrets, "_secrets", None) is not None  # files read, or set by a test
    if not loaded and not any(os.path.exists(where) for where in _secrets_files()):
        return False  # Streamlit would look for the files again at every read, in vain
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


@st.cache_resource(max_entries=4, show_spinner=False)
def _policy(path: str, modified: float, area_codes: tuple[str, ...]) -> Policy:
    return load_policy(Path(path), area_codes)


def policy() -> Policy:
    """The access file, read again when it changes (raises
    :class:`lib.access.AccessFileError`)."""
    found = access_file()
    modified = found.stat().st_mtime if found.exists() else 0.0
    return _policy(str(found), modified, tuple(area_lines()))


def logged_in() -> bool:
    """Whether this session's person has signed in (``st.user`` has no ``is_logged_in``
    until the secrets' ``[auth]`` is read; that is a "no")."""
    return bool(st.user.get("is_logged_in", False))


def viewer() -> Viewer:
    """Who this session is: the owner (no sign-in configured), a signed-in person with
    their grant, or the public. Every read below of area or school rows shows them what
    they may see, and no more."""
    if not sign_in_configured():
        return OWNER
    rules = policy()
    return rules.viewer(st.user.to_dict() if logged_in() else None)


def _sees_all(seen: Viewer) -> bool:
    return seen.exact and seen.areas is None


@st.cache_data(max_entries=4, show_spinner=False)  # one dict per build: ≤ 1 MB
def _school_areas(extract_path: str, extract_build_id: str) -> dict[str, str]:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.school_areas(con)


@st.cache_resource(max_entries=16, show_spinner=False)
def _visible(extract_path: str, extract_build_id: str,
             scope: tuple[str, ...] | None) -> frozenset[str] | None:
    return access_rules.visible_areas(Viewer(areas=scope), _lines(extract_path,
                                                                 extract_build_id))


def visible_areas() -> frozenset[str] | None:
    """The admin codes this session may see rows of (None: every one)."""
    return _visible(*_key(), viewer().areas)


def may_see_area(code: str) -> bool:
    found = visible_areas()
    return found is None or code in found


def school_in_scope(school_id: str) -> bool:
    """Whether this session may see the school: its area lies in their scope (a school
    the register does not have is no one's to hide: :func:`school_exists` says so)."""
    seen = viewer()
    if seen.areas is None:
        return True
    area = _school_areas(*_key()).get(str(school_id))
    return area is None or access_rules.within_scope(seen, area_lines(), area)


def in_scope(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a table of schools or areas (a build warning, a school's location) that
    this session may see: by the row's district, else its school, else its area; a row of
    no area (a warning about a whole file) stays."""
    seen = viewer()
    if seen.areas is None or frame.empty:
        return frame
    lines, key = area_lines(), _key()

    def area_of(row: dict) -> str | None:
        for column in ("district_code", "unit_code"):
            if isinstance(row.get(column), str) and row[column]:
                return row[column]
        school = row.get("school_id")
        return _school_areas(*key).get(str(school)) if isinstance(school, str) else None

    visible = visible_areas() or frozenset()
    keep = []
    for row in frame[[c for c in ("district_code", "unit_code", "school_id")
                      if c in frame]].to_dict("records"):
        area = area_of(row)
        keep.append(area is None or (area in visible if not row.get("school_id") and
                                     not row.get("district_code")
                                     else access_rules.within_scope(seen, lines, area)))
    return frame[keep].reset_index(drop=True)


def _shown(frame: pd.DataFrame, indicator_id: str, level: str, by: str | None,
           seen: Viewer, key: tuple[str, str]) -> pd.DataFrame:
    return access_rules.shown(frame, _context(*key).registry.get(indicator_id), level, by,
                              seen, _lines(*key),
                              _school_areas(*key) if level == SCHOOL else None)


@st.cache_data(max_entries=512, show_spinner=False)  # as the frames it protects
def _indicator_seen(extract_path: str, extract_build_id: str, indicator_id: str, level: str,
                    year: int | None, by: str | None, area: str | None, lang: str,
                    seen_key: tuple, _seen: Viewer) -> pd.DataFrame:
    key = (extract_path, extract_build_id)
    frame = (_indicator_every_year(*key, indicator_id, level, by, area, lang) if year is None
             else _indicator(*key, indicator_id, level, year, by, area, lang))
    return _shown(frame, indicator_id, level, by, _seen, key)


def _indicator_for(indicator_id: str, level: str, year: int | None, by: str | None,
                   area: str | None, lang: str) -> pd.DataFrame:
    """One year (``year``) or every year (None) of an indicator, as this session may see
    it: cached per build and per what the viewer may see."""
    seen = viewer()
    if _sees_all(seen):
        return (_indicator_every_year(*_key(), indicator_id, level, by, area, lang)
                if year is None else _indicator(*_key(), indicator_id, level, year, by, area,
                                                 lang))
    return _indicator_seen(*_key(), indicator_id, level, year, by, area, lang, seen.key(),
                           seen)


def indicator(indicator_id: str, level: str, year: int, by: str | None = None,
              area: str | None = None, lang: str = "en") -> pd.DataFrame:
    """The engine's :func:`lib.indicators.compute`, cached per extract build, as this
    session may see it (:func:`lib.access.shown`: the areas of its scope; for the public,
    small numbers hidden).

    Areas are computed for every year at once (one query costs about what one year does),
    so a page that moves through the years, or a trend, finds them ready. Schools, many
    more rows, are computed a year at a time.
    """
    year = int(year)
    if level == SCHOOL or year not in info().years:  # an unknown year: compute says so
        return _indicator_for(indicator_id, level, year, by, area, lang)
    every_year = _indicator_for(indicator_id, level, None, by, area, lang)
    return every_year[every_year["year"] == year].reset_index(drop=True)


@st.cache_data(max_entries=64, show_spinner=False)  # a few kB: one row per grade and rate
def _flows(extract_path: str, extract_build_id: str, level_id: str, year: int,
           where: trends.Area, lang: str, seen_key: tuple) -> pd.DataFrame:
    # seen_key: the rates are read through indicator(), as the viewer may see them
    return trends.flows(functools.partial(indicator, lang=lang), registry(), level_id, year,
                        where)


def flows(level_id: str, year: int, where: trends.Area, lang: str) -> pd.DataFrame:
    """:func:`lib.trends.flows` (repetition, promotion and dropout by grade), cached as one
    table: a rerun that changes only the indicator reads it once, not once per grade and
    rate."""
    return _flows(*_key(), level_id, int(year), where, lang, viewer().key())


def indicator_years(indicator_id: str, level: str, years: Sequence[int],
                    by: str | None = None, area: str | None = None,
                    lang: str = "en") -> pd.DataFrame:
    """The engine's :func:`lib.indicators.compute_years` for an admin level, from the same
    cached all-years answer as :func:`indicator`: a series is one cache read, not one per
    year (each read copies the cached frame)."""
    wanted = sorted({int(y) for y in years})
    if level == SCHOOL or not set(wanted) <= set(info().years):
        with connection() as con:  # schools, or a year not in the extract: the engine says
            frame = compute_years(con, indicator_id, level, wanted, by=by, area=area,
                                  lang=lang)
        seen = viewer()
        return frame if _sees_all(seen) else _shown(frame, indicator_id, level, by, seen,
                                                    _key())
    every_year = _indicator_for(indicator_id, level, None, by, area, lang)
    return every_year[every_year["year"].isin(wanted)].reset_index(drop=True)


# Resources, not data: frozen values read on every rerun, many times, need no copy.
@st.cache_resource(max_entries=2, show_spinner=False)
def _info(extract_path: str, extract_build_id: str) -> db.ExtractInfo:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.extract_info(con)


@st.cache_resource(max_entries=2, show_spinner=False)
def _country(extract_path: str, extract_build_id: str) -> Country:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.country(con)


def info() -> db.ExtractInfo:
    """What the extract holds and where it came from (:func:`lib.db.extract_info`)."""
    return _info(*_key())


def country() -> Country:
    """The country profile of the extract (levels, grades, names)."""
    return _country(*_key())


@st.cache_resource(max_entries=2, show_spinner=False)
def _words(extract_path: str, extract_build_id: str) -> CountryWords:
    return country_words(_country(extract_path, extract_build_id))


def use_country_words() -> None:
    """Name the admin levels as the extract's country does in every text of this run
    (:func:`lib.i18n.set_country_words`); generic words when there is no extract.
    ``app.py`` calls it first on every run."""
    set_country_words(_words(*_key()) if exists() else NO_COUNTRY)


def languages() -> tuple[str, ...]:
    """The languages the interface offers: English, then the profile's ``languages`` that
    have a catalogue (every catalogue when there is no extract)."""
    available = catalogue_languages()
    if not exists():
        return available
    wanted = [DEFAULT_LANG, *country().languages]
    return tuple(lang for lang in dict.fromkeys(wanted) if lang in available)


def country_name(lang: str) -> str:
    """The country's name in ``lang``."""
    return areas.country_name(country(), lang)


def level_name(level_id: str, lang: str) -> str:
    """An education level's name in ``lang`` (``level_id`` one of the country's)."""
    level = country().level(level_id)
    return local_name(level.name_en, level.name_local, lang)


@st.cache_data(max_entries=24, show_spinner=False)  # about ten tables × 2 builds
def _table(extract_path: str, extract_build_id: str,
           _read: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame],
           name: str) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return _read(con)


def _whole(read: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame],
           key: tuple[str, str] | None = None) -> pd.DataFrame:
    """``read(con)``, a whole table of the extract (``key``'s, else the current one),
    cached per build under ``read``'s name."""
    return _table(*(key or _key()), read, f"{read.__module__}.{read.__qualname__}")


def admin_units() -> pd.DataFrame:
    """Every area of every admin level (:func:`lib.db.admin_units`)."""
    return _whole(db.admin_units)


@st.cache_data(max_entries=4, show_spinner=False)  # one dict per build: codes, ≤ 100 KB
def _lines(extract_path: str, extract_build_id: str) -> dict[str, tuple[str, ...]]:
    return areas.ancestors(_whole(db.admin_units, (extract_path, extract_build_id)))


def area_lines() -> dict[str, tuple[str, ...]]:
    """Admin code -> the codes of the areas it lies in, level 1 first, and itself
    (:func:`lib.areas.ancestors`)."""
    return _lines(*_key())


def areas_within(level: int, within: str | None = None) -> list[str]:
    """The codes of the areas of admin level ``level``, all or those lying in ``within``
    (an area of a larger level), in code order."""
    found = areas.areas_in(area_lines(), level, within)
    visible = visible_areas()
    return found if visible is None else [code for code in found if code in visible]


@st.cache_data(max_entries=8, show_spinner=False)  # 2 languages × with English or not
def _area_names(extract_path: str, extract_build_id: str, lang: str,
                with_english: bool) -> dict[str, str]:
    return areas.area_names(_whole(db.admin_units, (extract_path, extract_build_id)), lang,
                            with_english=with_english)


def area_names(lang: str, *, with_english: bool = False) -> dict[str, str]:
    """Admin code -> name in ``lang``, every area (:func:`lib.areas.area_names`;
    ``with_english``: the English name after the local one, for lists to pick from)."""
    return _area_names(*_key(), lang, with_english)


def problems(lang: str | None = None) -> pd.DataFrame:
    """The build's problems; with ``lang``, each check and severity named in plain words."""
    if not lang:
        return in_scope(_whole(db.problems))
    return _named(in_scope(_problems_worded(*_key(), lang)), lang)


def problem_summary(lang: str) -> pd.DataFrame:
    """Warnings counted by check, each check named in plain words."""
    return _named(_whole(db.problem_summary), lang)


def _named(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    for column, prefix in (("kind", "problem_kind"), ("severity", "about.validation.severity")):
        if column in frame:
            frame[column] = [t(f"{prefix}.{code}", lang) if has(f"{prefix}.{code}", lang)
                             else code for code in frame[column]]
    return frame


def problems_csv() -> bytes:
    """The build's problems as CSV (UTF-8, machine column names), for download: those of
    this session's areas."""
    if viewer().areas is None:
        return _problems_csv(*_key())
    return export.csv_bytes(problems().drop(columns=list(WORDING), errors="ignore"))


def display_path() -> str:
    """The extract's path as a user would type it: relative to the working folder if inside."""
    where = path()
    try:
        return str(where.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(where)


@st.cache_data(max_entries=2, show_spinner=False)
def _outdated(extract_path: str, extract_build_id: str) -> list[str]:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.outdated(con)


def outdated() -> bool:
    """Whether the extract was built by an older version of the explorer (it lacks a table
    this version reads: :func:`lib.db.outdated`)."""
    return bool(_outdated(*_key()))


def show_outdated(lang: str) -> None:
    """Tell the user to rebuild an extract of an older version (instead of a traceback)."""
    st.title(t("app.title", lang))
    st.error(t("missing.outdated_title", lang), icon=":material/update:")
    st.markdown(t("missing.outdated_body", lang))
    st.code(str(path()), language=None)
    st.markdown(t("missing.own", lang))
    st.code(t("missing.own_command", lang, db=display_path()), language="bash")
    st.markdown(t("missing.outdated_demo", lang))
    st.code(t("missing.demo_command", lang), language="bash")


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
                   grades: tuple[int, ...], year: int, area: str | None) -> pd.DataFrame:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.school_points(con, level_id, list(grades), year, area)


def boundaries(level: int, detail: str, parent: str | None = None) -> dict[str, bytes]:
    """Admin code -> polygon (WKB) of one admin level at one map detail (see
    ``geo.simplify.DETAIL_TOLERANCES``), only ``parent``'s children when given, and only
    the areas this session may see (a map of an analyst's province frames that province)."""
    found = _boundaries(*_key(), int(level), detail, parent or None)
    visible = visible_areas()
    return found if visible is None else {code: shape for code, shape in found.items()
                                          if code in visible}


def school_points(level_id: str, year: int, area: str | None = None) -> pd.DataFrame:
    """The schools of an education level open in ``year`` (in ``area``, if given), for the
    map (:func:`lib.db.school_points`)."""
    grades = tuple(int(g) for g in country().level(level_id).grades)
    found = _school_points(*_key(), level_id, grades, int(year), area or None)
    seen = viewer()
    if seen.areas is not None:
        lines = area_lines()  # once: each call copies the cached dict
        found = found[found["district_code"].astype(str).map(
            lambda code: access_rules.within_scope(seen, lines, code))]
    if not seen.exact:
        found = access_rules.hide_small(found, SCHOOL_COUNTS, seen.rules)
    return found.reset_index(drop=True)


@st.cache_data(max_entries=256, show_spinner=False)
def _disparity(extract_path: str, extract_build_id: str, indicator_id: str, level: str,
               year: int, area: str | None) -> Disparity:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return disparity(con, indicator_id, level, year, area=area)


def disparity_between(indicator_id: str, level: str, year: int,
                      area: str | None = None) -> Disparity:
    """Inequality between areas (:func:`lib.indicators.disparity.disparity`), cached per extract build."""
    return _disparity(*_key(), indicator_id, level, int(year), area or None)


def national_targets() -> pd.DataFrame:
    """The package's targets (:func:`lib.targets.read`); no rows when it has none."""
    return _whole(targets.read)


def district_attributes() -> pd.DataFrame:
    """Each area of the finest level: its area of level 1 and priority flag
    (:func:`lib.districts.attributes`)."""
    return _whole(districts.attributes)


# --------------------------------------------------------------------------- Data quality


def reporting_counts() -> pd.DataFrame:
    """Schools open and reporting, by district and year (:func:`lib.db.reporting_counts`)."""
    return in_scope(_whole(db.reporting_counts))


def location_issues() -> pd.DataFrame:
    """Schools without usable coordinates or outside their district
    (:func:`lib.db.location_issues`)."""
    return in_scope(_whole(db.location_issues))


def shared_points() -> pd.DataFrame:
    """Schools that share one point (:func:`lib.db.shared_points`)."""
    return in_scope(_whole(db.shared_points))


@st.cache_data(max_entries=16, show_spinner=False)
def _area_pupils(extract_path: str, extract_build_id: str, year: int) -> dict[str, int]:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.area_pupils(con, year)


def area_pupils(year: int) -> dict[str, float]:
    """Pupils of ``year`` in every area (:func:`lib.db.area_pupils`); in the public view a
    count from 1 to the threshold is unknown (NaN), and so is any sum of it."""
    found = _area_pupils(*_key(), int(year))
    seen = viewer()
    if seen.exact:
        return found
    return {code: (math.nan if 1 <= n <= seen.rules.threshold else n)
            for code, n in found.items()}


def boundary_report() -> pd.DataFrame:
    """Every boundary file layer read by the build (:func:`lib.db.boundary_report`)."""
    return _whole(db.boundary_report)


# --------------------------------------------------------------------------- Schools
# A school's profile and a search are a few KB each: many are kept.


@st.cache_data(max_entries=128, show_spinner=False)
def _similar_words(extract_path: str, extract_build_id: str, words: tuple[str, ...],
                   min_similarity: float, per_word: int) -> dict[str, list[str]]:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.similar_words(con, list(words), min_similarity, per_word)


@st.cache_data(max_entries=128, show_spinner=False)
def _search_schools(extract_path: str, extract_build_id: str, query: SchoolQuery,
                    plan: SearchPlan, limit: int) -> SearchResult:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.search_schools(con, query, plan, limit)


def similar_words(words: Sequence[str], min_similarity: float,
                  per_word: int) -> dict[str, list[str]]:
    """For each word, the words of the school names most like it
    (:func:`lib.db.similar_words`)."""
    return _similar_words(*_key(), tuple(words), float(min_similarity), int(per_word))


def search_schools(query: SchoolQuery, plan: SearchPlan, limit: int) -> SearchResult:
    """The schools that match ``plan`` and the filters of ``query``
    (:func:`lib.db.search_schools`), within the areas this session may see."""
    seen = viewer()
    found = _search_schools(*_key(), replace(query, scope=seen.areas), plan, int(limit))
    if seen.exact:
        return found
    return replace(found, rows=access_rules.hide_small(found.rows, SCHOOL_COUNTS,
                                                        seen.rules))


@st.cache_data(max_entries=128, show_spinner=False)
def _school_exists(extract_path: str, extract_build_id: str, school_id: str) -> bool:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.school_exists(con, school_id)


@dataclass(frozen=True)
class SchoolRecords:
    """Everything the extract holds about one school, as its profile shows it."""

    school: dict  # the register's row with its areas' names (:func:`lib.db.school`)
    enrolment: pd.DataFrame  # pupils by year, grade and sex
    teachers: pd.DataFrame  # teachers by year and level
    facilities: pd.DataFrame  # by year
    quality: quality.Scorecard  # its quality results, every year
    problems: pd.DataFrame  # the build's warnings about it, as stored
    groups: pd.DataFrame  # pupils by year, dimension, group and sex
    functioning: pd.DataFrame  # pupils at the functioning cut-off by year, domain and sex


@st.cache_data(max_entries=64, show_spinner=False)
def _school_records(extract_path: str, extract_build_id: str,
                    school_id: str) -> SchoolRecords | None:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        record = db.school(con, school_id)
        if record is None:
            return None
        return SchoolRecords(record, db.school_enrolment(con, school_id),
                             db.school_teachers(con, school_id),
                             db.school_facilities(con, school_id),
                             quality.scorecard(con, school_id),
                             db.school_problems(con, school_id),
                             db.school_groups(con, school_id),
                             db.school_functioning(con, school_id))


@st.cache_data(max_entries=2, show_spinner=False)
def _first_school(extract_path: str, extract_build_id: str) -> tuple[str, str, str] | None:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return db.first_school(con)


def example_school(lang: str) -> tuple[str, str]:
    """A school of this extract to show as an example of what to search for: the first of
    the register, its name in ``lang`` and its code (empty texts when it has none)."""
    first = _first_school(*_key())
    if first is None:
        return "", ""
    school_id, name_en, name_local = first
    return local_name(name_en, name_local, lang), school_id


def school_exists(school_id: str) -> bool:
    """Whether the register has a school of this id (a package of area totals has none);
    a school outside this session's areas is not one it can reach (see
    :func:`school_in_scope` to tell the two apart)."""
    return has_values("schools") and _school_exists(*_key(), str(school_id)) and \
        school_in_scope(school_id)


def school_records(school_id: str, lang: str) -> SchoolRecords | None:
    """One school's register row, pupils, teachers, facilities, quality scores and
    warnings (each message in ``lang``); None when the register has no such school."""
    if not school_in_scope(school_id):
        return None
    found = _school_records(*_key(), str(school_id))
    if found is None:
        return None
    found = replace(found, problems=in_language(found.problems, lang))
    seen = viewer()
    return found if seen.exact else public_records(found, seen)


def public_records(found: SchoolRecords, seen: Viewer) -> SchoolRecords:
    """A school's records as the public sees them (:func:`lib.access.public_enrolment`:
    pupils by grade, not by sex, small grades hidden with a complement); teachers' small
    counts hidden; no pupils by group or functional difficulty, and none of the build's
    warnings about it (they quote its counts)."""
    grade_levels = {int(grade): level.id for level in country().levels
                    for grade in level.grades}
    enrolment = access_rules.public_enrolment(found.enrolment, grade_levels, seen.rules)
    teachers = access_rules.hide_small(found.teachers, SCHOOL_COUNTS, seen.rules)
    return replace(found, enrolment=enrolment, teachers=teachers,
                   groups=found.groups.iloc[0:0], functioning=found.functioning.iloc[0:0],
                   problems=found.problems.iloc[0:0])


def quality_framework() -> Framework:
    """The words of this extract's quality framework (empty without one)."""
    return _context(*_key()).quality


# The reads of lib.quality the Quality page makes (nothing else may be called by name).
QUALITY_READS = ("assessed", "level_counts", "coverage", "frequent_issues", "movement",
                 "self_and_external", "assessed_and_not", "schools_to_support")


@st.cache_data(max_entries=64, show_spinner=False)  # a few KB each: a page's sections
def _quality(extract_path: str, extract_build_id: str, read: str, args: tuple
             ) -> pd.DataFrame | dict | tuple:
    with db.cursor(_database(extract_path, extract_build_id)) as con:
        return getattr(quality, read)(con, *args)


def quality_read(read: str, *args: object):
    """``lib.quality.<read>(con, *args)`` (a read of the Quality page), cached per build;
    ``args`` must be hashable (a district list as a tuple). Every read but the framework's
    ("assessed") takes the districts it covers after its year, if it has one: a session
    with areas reads theirs only."""
    if read not in QUALITY_READS:
        raise ValueError(f"not a read of lib.quality: {read}")
    seen = viewer()
    if seen.areas is not None and read != "assessed":
        at = 0 if read == "level_counts" else 1  # the districts' place among the args
        asked = args[at] if len(args) > at else None
        finest = tuple(areas_within(len(country().admin_levels)))
        lines = area_lines()
        mine = tuple(c for c in finest if access_rules.within_scope(seen, lines, c))
        args = (*args[:at], mine if asked is None else
                tuple(c for c in asked if c in set(mine)), *args[at + 1:])
    return _quality(*_key(), read, tuple(args))

