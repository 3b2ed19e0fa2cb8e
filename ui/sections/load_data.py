"""The Load data page's sections: the template, the upload, the dry run with every problem,
what would change, publish, and the history with its roll back.

The work is done by :mod:`lib.staging` (upload, dry run, failed rows),
:mod:`lib.differences` and :mod:`lib.publish`, as the command line does it; every action is
checked against :func:`ui.access.may_load_data` here, not only by the page's presence in
the navigation.
"""
from __future__ import annotations

import getpass
import shutil
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import differences, publish, staging
from lib.differences import Differences
from lib.i18n import format_datetime_utc, format_number, t
from lib.workbook import template_workbook
from ui import access, extract, tables
from ui.markdown import escape

STATE = "_load_data"  # session: the upload in hand (Checked) between reruns
ACTION = "_load_data_action"  # session: the button clicked, until the page carries it out
PACKAGES_ENV = "EMIS_PACKAGES"


@dataclass
class Checked:
    """One upload after its dry run, kept in the session until it is published or
    replaced."""

    work: Path
    received: staging.Received
    run: staging.DryRun
    served_build: str | None  # the served extract it was compared with
    changes: Differences | None
    source: str  # what it was built from, for the history


def _ask(action: str, argument: str = "") -> None:
    """A button's on_click: remember what was asked. The page carries it out where its
    section is drawn (so that its progress shows there), whatever reruns come between."""
    st.session_state[ACTION] = (action, argument)


def _asked(action: str) -> str | None:
    """The argument of ``action`` if it was asked (once), else None."""
    pending = st.session_state.get(ACTION)
    if pending is None or pending[0] != action:
        return None
    del st.session_state[ACTION]
    return pending[1]


def guard(lang: str) -> None:
    """At the top of the page: nothing of it for a session that may not load data (the
    page is not in its navigation, but a URL can still name it)."""
    _allowed(lang)


def _allowed(lang: str) -> None:
    """Before every action: stop unless this session may load data (a sign-out in another
    tab, a grant taken away since the page was drawn)."""
    if not access.may_load_data():
        st.error(t("load.not_allowed", lang), icon=":material/lock:")
        st.stop()


def _who() -> str:
    viewer = extract.viewer()
    if viewer.signed_in:
        return viewer.name or "administrator"
    return f"{getpass.getuser()} (local)"


# --- 1. template ------------------------------------------------------------------------

@st.cache_data(max_entries=2, show_spinner=False)  # ≈ 100 KB per build
def _template(extract_path: str, extract_build_id: str) -> bytes:
    return template_workbook(extract.country(), extract.admin_units())


def template(lang: str) -> None:
    st.subheader(t("load.template.heading", lang))
    st.caption(t("load.template.intro", lang))
    name = f"census-template-{extract.country().iso3.lower()}.xlsx"
    st.download_button(t("load.template.download", lang),
                       data=_template(str(extract.path()), extract.build_id() or ""),
                       file_name=name, icon=":material/table_view:",
                       mime=tables.XLSX, on_click=tables.on_download(name),
                       key="load_template")


# --- 2. upload and dry run ----------------------------------------------------------------

def package_folders() -> list[Path]:
    """Package folders on the server an administrator may load: the folders (one level
    down) of ``$EMIS_PACKAGES``, else of the extract's folder, that hold a country.toml."""
    import os

    root = Path(os.environ.get(PACKAGES_ENV) or extract.path().parent)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "country.toml").is_file())


def upload(lang: str) -> None:
    st.subheader(t("load.upload.heading", lang))
    st.caption(t("load.upload.intro", lang))
    source = st.radio(t("load.upload.source", lang), ("files", "folder"), horizontal=True,
                      format_func=lambda s: t(f"load.upload.source_{s}", lang),
                      key="load_source")
    if source == "files":
        files = st.file_uploader(t("load.upload.files", lang), accept_multiple_files=True,
                                 type=[s.lstrip(".") for s in staging.ACCEPTED_SUFFIXES],
                                 key="load_files")
        ready = bool(files)
    else:
        folders = {p.name: p for p in package_folders()}
        name = st.selectbox(t("load.upload.folder", lang), list(folders), index=None,
                            key="load_folder",
                            placeholder=t("load.upload.folder_none", lang) if not folders
                            else t("load.upload.folder_pick", lang))
        folder = folders.get(name)
        ready = folder is not None
    st.button(t("load.upload.check", lang), icon=":material/fact_check:", type="primary",
              disabled=not ready, key="load_check", on_click=_ask, args=("check",))
    if _asked("check") is not None and ready:
        _allowed(lang)
        _check(files if source == "files" else None, folder if source == "folder" else None,
               lang)


def _check(files: list | None, folder: Path | None, lang: str) -> None:
    """Receive the upload, dry-run it with its stages shown, compare it with the served
    extract; the result stays in the session."""
    db = extract.path()
    previous = st.session_state.pop(STATE, None)
    if previous is not None:
        shutil.rmtree(previous.work, ignore_errors=True)
    work = staging.new_work_folder(db)
    with st.status(t("load.check.running", lang), expanded=True) as status:
        try:
            if files is not None:
                saved = []
                for i, file in enumerate(files):
                    path = work / f"upload-{i}"
                    with path.open("wb") as out:
                        shutil.copyfileobj(file, out, 1 << 20)
                    saved.append((file.name, path))
                base = Path(extract.info().source_dir)
                received = staging.receive(saved, work, base if base.is_dir() else None)
                source = "upload" + (f" (the rest from {received.base})"
                                     if received.base else "")
            else:
                received = staging.Received(folder, publish.package_files(folder))
                source = str(folder.resolve())
        except staging.UploadRefused as refused:
            shutil.rmtree(work, ignore_errors=True)
            status.update(label=t("load.check.refused", lang), state="error")
            st.error(escape(str(refused)), icon=":material/block:")
            return
        if received.kept_from_base:
            status.write(t("load.check.completed_from", lang,
                           files=escape(", ".join(received.kept_from_base)),
                           base=escape(received.base)))
        run = staging.dry_run(received.folder, work,
                              lambda stage: status.write(f"{escape(stage)}"))
        changes = None
        served = publish.served_build(db)
        if run.candidate is not None:
            status.write(t("load.check.comparing", lang))
            changes = differences.compare(db, run.candidate)
        state = "error" if run.errors else "complete"
        status.update(label=t("load.check.done_errors" if run.errors else "load.check.done",
                              lang, seconds=f"{run.seconds:.0f}",
                              errors=format_number(len(run.errors), lang)),
                      state=state, expanded=False)
    st.session_state[STATE] = Checked(work, received, run, served, changes, source)


# --- 3. problems --------------------------------------------------------------------------

def problems(lang: str) -> None:
    checked: Checked | None = st.session_state.get(STATE)
    if checked is None:
        return
    run = checked.run
    frame = extract.in_language(staging.problems_frame(run.problems, checked.received.folder),
                                lang)
    n_errors, n_warnings = len(run.errors), len(run.problems) - len(run.errors)
    st.subheader(t("load.problems.heading", lang))
    files = ", ".join(f.name for f in checked.received.files)
    st.caption(t("load.problems.of", lang, files=escape(files, 200)))
    if n_errors:
        st.error(t("load.problems.errors", lang, errors=format_number(n_errors, lang),
                   warnings=format_number(n_warnings, lang)), icon=":material/error:")
    else:
        st.success(t("load.problems.none", lang, warnings=format_number(n_warnings, lang)),
                   icon=":material/check_circle:")
    if frame.empty:
        return
    left, middle, right = st.columns([1, 1, 2])
    severities = left.multiselect(t("load.problems.severity", lang), ["error", "warning"],
                                  default=["error"] if n_errors else ["warning"],
                                  format_func=lambda s: t(f"about.validation.severity.{s}",
                                                          lang),
                                  key="load_problems_severity")
    file_names = sorted(set(frame["file"]) - {""})
    chosen_files = middle.multiselect(t("load.problems.file", lang), file_names,
                                      placeholder=t("load.problems.file_all", lang),
                                      key="load_problems_file")
    search = right.text_input(t("load.problems.search", lang), key="load_problems_search")
    shown = frame[frame["severity"].isin(severities)]
    if chosen_files:
        shown = shown[shown["file"].isin(chosen_files)]
    if search:
        needle = search.casefold()
        text = (shown["message"].fillna("") + " " + shown["column"].fillna("") + " "
                + shown["file"].fillna(""))
        shown = shown[text.str.casefold().str.contains(needle, regex=False)]
    st.caption(t("load.problems.shown", lang, n=format_number(len(shown), lang),
                 total=format_number(len(frame), lang)))
    columns = {c: t(f"load.problems.column.{c}", lang)
               for c in ("severity", "file", "sheet", "row", "column", "message")}
    tables.table(shown.assign(severity=[t(f"about.validation.severity.{v}", lang)
                                        for v in shown["severity"]]),
                 columns, lang=lang, integers=("row",), max_rows=15, key="load_problems_table")
    buttons = st.columns(2)
    with buttons[0]:
        tables.download_csv(tables.csv_file(frame.drop(columns=["template", "params"])),
                            "problems.csv", lang=lang,
                            label_key="load.problems.download_all", key="load_problems_csv")
    if staging.has_failed_rows(run.problems):  # the files are read again only when clicked
        buttons[1].download_button(
            t("load.problems.download_failed", lang),
            data=partial(staging.failed_rows, checked.received.folder, run.problems),
            file_name="failed-rows.xlsx", mime=tables.XLSX, icon=":material/download:",
            on_click=tables.on_download("failed-rows.xlsx"), key="load_failed_rows")


# --- 4. what would change ------------------------------------------------------------------

def changes(lang: str) -> None:
    checked: Checked | None = st.session_state.get(STATE)
    if checked is None or checked.changes is None:
        return
    found = checked.changes
    st.subheader(t("load.changes.heading", lang))
    if found.first_publish:
        st.info(t("load.changes.first", lang), icon=":material/info:")
    else:
        st.markdown(_summary(found, lang))
    years, schools, areas, indicators, polygons = st.tabs(
        [t(f"load.changes.tab.{k}", lang) for k in
         ("years", "schools", "areas", "indicators", "polygons")])
    with years:
        frame = found.years.assign(change=[t(f"load.changes.year.{c}", lang)
                                           for c in found.years["change"]])
        tables.table(frame, {c: t(f"load.changes.column.{c}", lang) for c in
                             ("year", "change", "pupils_before", "pupils_after",
                              "rows_changed")},
                     lang=lang, school_years=("year",),
                     counts=("pupils_before", "pupils_after", "rows_changed"),
                     key="load_changes_years")
    _change_table(schools, found.schools, ("school_id", "name", "change", "before", "after"),
                  "schools", lang, translate="change")
    _change_table(areas, found.areas, ("measure", "level", "code", "name", "year", "before",
                                       "after", "change"), "areas", lang,
                  counts=("before", "after", "change"), translate="measure")
    with indicators:
        st.caption(t("load.changes.indicators_rule", lang,
                     points=format_number(differences.RATE_POINTS, lang, 1),
                     share=format_number(differences.RELATIVE * 100, lang)))
    _change_table(indicators, found.indicators.round({"before": 2, "after": 2, "change": 2}),
                  ("indicator", "code", "name", "year", "before", "after", "change"),
                  "indicators", lang)
    _change_table(polygons, found.boundaries, ("level", "code", "name", "change"), "polygons",
                  lang, translate="change")


def _summary(found: Differences, lang: str) -> str:
    """The differences in one line per part, counted."""
    def counted(frame: pd.DataFrame, column: str, prefix: str) -> str:
        counts = frame[column].value_counts()
        return ", ".join(f"{format_number(int(n), lang)} {t(f'{prefix}.{v}', lang)}"
                         for v, n in counts.items()) or t("load.changes.summary.nothing", lang)

    areas = found.areas
    return "\n".join([
        "- " + t("load.changes.summary.years", lang,
                 what=counted(found.years, "change", "load.changes.year")),
        "- " + t("load.changes.summary.schools", lang,
                 what=counted(found.schools, "change", "load.changes.value")),
        "- " + t("load.changes.summary.areas", lang,
                 pupils=format_number(areas.loc[areas["measure"] == "pupils", "code"].nunique(),
                                      lang),
                 teachers=format_number(
                     areas.loc[areas["measure"] == "teachers", "code"].nunique(), lang)),
        "- " + t("load.changes.summary.indicators", lang,
                 n=format_number(found.indicators["indicator"].nunique(), lang)),
        "- " + t("load.changes.summary.polygons", lang,
                 what=counted(found.boundaries, "change", "load.changes.value"))])


def _change_table(tab, frame: pd.DataFrame, columns: tuple[str, ...], name: str, lang: str,
                  counts: tuple[str, ...] = (), translate: str = "") -> None:
    with tab:
        if frame.empty:
            st.caption(t(f"load.changes.none.{name}", lang))
            return
        shown = frame.copy()
        if translate:
            shown[translate] = [t(f"load.changes.value.{v}", lang) for v in shown[translate]]
        tables.table(shown, {c: t(f"load.changes.column.{c}", lang) for c in columns},
                     lang=lang, counts=counts, school_years=("year",) if "year" in columns
                     else (), max_rows=12, key=f"load_changes_{name}")
        tables.download_csv(tables.csv_file(frame), f"changes-{name}.csv", lang=lang,
                            key=f"load_changes_{name}_csv")


# --- 5. publish ---------------------------------------------------------------------------

def publish_button(lang: str) -> None:
    checked: Checked | None = st.session_state.get(STATE)
    if checked is None or checked.run.candidate is None:
        return
    st.subheader(t("load.publish.heading", lang))
    st.caption(t("load.publish.intro", lang, keep=publish.keep_count()))
    st.button(t("load.publish.button", lang), icon=":material/publish:", type="primary",
              key="load_publish", on_click=_ask, args=("publish",))
    if _asked("publish") is not None:
        _allowed(lang)
        try:
            with st.spinner(t("load.publish.running", lang)):
                entry = publish.publish(
                    checked.run.candidate, extract.path(), _who(), checked.received.files,
                    checked.source, expected_served=checked.served_build,
                    package=checked.received.folder if _is_upload(checked) else None)
        except publish.PublishError as refused:
            st.error(t("load.publish.refused", lang, reason=escape(str(refused))),
                     icon=":material/block:")
            return
        access.log("publish", entry.name)
        shutil.rmtree(checked.work, ignore_errors=True)
        st.session_state.pop(STATE, None)
        st.session_state["_load_data_done"] = ("published", entry.name)
        st.rerun()


# --- 6. history and roll back -------------------------------------------------------------

def _is_upload(checked: Checked) -> bool:
    """Whether the package is an upload (in its work folder, removed once published), not
    a folder on the server."""
    return checked.received.folder.resolve().is_relative_to(checked.work.resolve())


def done(lang: str) -> None:
    """What the last action did, said once after its rerun."""
    action = st.session_state.pop("_load_data_done", None)
    if action:
        what, name = action
        st.success(t(f"load.{what}", lang, name=escape(name)), icon=":material/check_circle:")


def history(lang: str) -> None:
    st.subheader(t("load.history.heading", lang))
    entries = publish.history(extract.path())
    if not any(e.served for e in entries):  # built outside the explorer, not yet kept
        info = extract.info()
        st.markdown(t("load.history.served_outside", lang,
                      when=format_datetime_utc(info.built_at, lang),
                      source=escape(info.source_dir, 160)))
    if not entries:
        st.caption(t("load.history.none", lang))
        return
    st.caption(t("load.history.intro", lang, keep=publish.keep_count()))
    for entry in entries:
        when = format_datetime_utc(entry.published_at or entry.built_at, lang)
        who = escape(entry.published_by) if entry.published_by else \
            t("load.history.outside", lang)
        uploaded = entry.source.startswith("upload")
        files = ", ".join(f.name for f in entry.files) if uploaded and entry.files else \
            entry.source
        years = f"{min(entry.years)}–{max(entry.years)}" if entry.years else ""
        text, action = st.columns([5, 1], vertical_alignment="center")
        text.markdown(t("load.history.entry", lang, when=when, who=who,
                        years=years, files=escape(files, 160),
                        schools=format_number(entry.schools, lang)))
        if entry.served:
            action.markdown(t("load.history.served", lang))
        else:
            action.button(t("load.history.rollback", lang), icon=":material/undo:",
                          key=f"load_rollback_{entry.name}", on_click=_ask,
                          args=("rollback", entry.name))
    name = _asked("rollback")
    if name:
        _allowed(lang)
        try:
            publish.rollback(extract.path(), _who(), name)
        except publish.PublishError as refused:
            st.error(t("load.publish.refused", lang, reason=escape(str(refused))),
                     icon=":material/block:")
            return
        access.log("rollback", name)
        st.session_state["_load_data_done"] = ("rolled_back", name)
        st.rerun()
