"""Server time to rebuild a page after a filter change (budget: p95 ≤ 300 ms on the demo).

Each page is opened once through AppTest (in process, like a session on a warm server),
then its filters are changed one at a time as a user would, and every rerun is timed:

- the sidebar: two years, three provinces and back to the whole country;
- the page's indicator, when it has one: several indicators, each seen for the first time,
  so its numbers, charts and map are computed, not read from a cache;
- the page's split (sex, locality, …) under each of those indicators;
- the Map page's own controls: areas, value shown, schools on and off;
- "equity inclusive", "trends inclusive": the same with the shares of groups, functional
  difficulty and representation, split by ethnicity, home language and functional domain;
- the Quality page's level shown on its map;
- "<page> public": the same page with sign-in configured and no one signed in, so every
  frame is read through the public view (lib.access.shown: small numbers hidden).

Timings go into the benchmark table, never into tests.
"""
from __future__ import annotations

import contextlib
import os
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUDGET = "p95 ≤ 300 ms"
PUBLIC = " public"
PAGES = ("overview", "map", "equity", "trends", "schools", "data-quality",
         "equity inclusive", "trends inclusive", "quality", "overview public", "map public",
         "equity public", "trends public")
# Sign-in configured for the public pages: a provider that is never called (no one signs
# in), and no access file, so everyone gets the public view with its default rules.
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "b" * 64,
        "client_id": "bench", "client_secret": "bench",
        "server_metadata_url": "http://localhost:9/.well-known/openid-configuration"}
INDICATORS = ("ger_primary", "ner_primary", "ptr_primary", "repetition_primary", "gir_g1",
              "qualified_teachers_primary", "ger_lower_secondary", "dropout_primary",
              "survival_last_primary", "oosr_primary")
SPLITS = ("sex", "locality", "priority", "ownership")
# The inclusive data: shares of groups, representation, functional difficulty, split by the
# package's dimensions and the functional domains (pages "equity inclusive" …).
INCLUSIVE_INDICATORS = ("female_share_primary", "group_share_ethnicity_hmong_mien_primary",
                        "functional_difficulty_primary", "enrolment_lower_secondary",
                        "representation_ethnicity_mon_khmer_upper_secondary")
INCLUSIVE_SPLITS = ("ethnicity", "home_language", "domain", "sex")
INCLUSIVE = " inclusive"
Row = tuple[str, str, str]


@contextlib.contextmanager
def extract_env(db: Path) -> Iterator[None]:
    """``$EMIS_DB`` set to ``db`` for the duration, as the app reads it."""
    saved = os.environ.get("EMIS_DB")
    os.environ["EMIS_DB"] = str(db)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("EMIS_DB", None)
        else:
            os.environ["EMIS_DB"] = saved


def open_page(page: str, public: bool = False, **query: str):
    """The app at ``page`` (``pages/<page>.py``) with a link's query, not yet run
    (``public``: with sign-in configured and no one signed in)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    if public:
        at.secrets["auth"] = AUTH
        os.environ["EMIS_ACCESS"] = str(REPO / "benchmarks" / "no-access-file.toml")
    at.switch_page(f"pages/{page}.py")
    at.query_params.update(query)
    return at


def _has(at, kind: str, key: str) -> bool:
    try:
        getattr(at, kind)(key=key)
        return True
    except KeyError:
        return False


def _offered(widget, values: tuple[str, ...]) -> list[str]:
    """Those of ``values`` the widget offers (its options are the values' labels)."""
    return [v for v in values if str(widget.format_func(v)) in widget.options]


def _changes(at, page: str, indicators: tuple[str, ...] = INDICATORS,
             split_ids: tuple[str, ...] = SPLITS) -> list[Callable[[], None]]:
    """The filter changes to time on ``page``, in the order a user might make them."""
    steps: list[Callable[[], None]] = []
    if _has(at, "selectbox", "url_indicator"):
        splits = (_offered(at.segmented_control(key="url_by"), split_ids)[:2]
                  if _has(at, "segmented_control", "url_by") else [])
        for indicator in _offered(at.selectbox(key="url_indicator"), indicators):
            steps.append(lambda i=indicator: at.selectbox(key="url_indicator").set_value(i))
            for by in splits:
                steps.append(lambda b=by: at.segmented_control(key="url_by").set_value(b))
            if splits:
                steps.append(lambda: at.segmented_control(key="url_by").set_value(None))
    if page == "map":
        for admin in ("province", "district"):
            steps.append(lambda a=admin: at.segmented_control(key="url_admin").set_value(a))
        for show in at.selectbox(key="map_show").options[:4]:
            steps.append(lambda s=show: at.selectbox(key="map_show").set_value(s))
        for on in (True, False):
            steps.append(lambda o=on: at.toggle(key="url_schools").set_value(o))
    if page == "quality" and _has(at, "selectbox", "url_quality_level"):
        for i in range(min(3, len(at.selectbox(key="url_quality_level").options))):
            steps.append(lambda i=i: at.selectbox(key="url_quality_level").select_index(i))
    for year in at.selectbox(key="url_year").options[:2]:
        steps.append(lambda y=year: at.selectbox(key="url_year").set_value(y))
    for province in [p for p in at.selectbox(key="url_area1").options if p][:3] + [""]:
        steps.append(lambda p=province: at.selectbox(key="url_area1").set_value(p))
    steps.append(lambda: None)  # a rerun with nothing changed (a click elsewhere)
    return steps


def page_reruns(db: Path, page: str, **query: str) -> list[float]:
    """Seconds of each rerun of ``page`` after each change of :func:`_changes` (a page
    named "<page> inclusive": with the inclusive indicators and splits)."""
    times: list[float] = []
    inclusive = page.endswith(INCLUSIVE)
    public = page.endswith(PUBLIC)
    page = page.removesuffix(INCLUSIVE).removesuffix(PUBLIC)
    with extract_env(db):
        at = open_page(page, public, **query).run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        changes = (_changes(at, page, INCLUSIVE_INDICATORS, INCLUSIVE_SPLITS) if inclusive
                   else _changes(at, page))
        for change in changes:
            change()
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].value}")
    return times


def summary(label: str, times: list[float], budget: str = BUDGET) -> list[Row]:
    """Median, p95 (nearest rank) and max of ``times``, in milliseconds."""
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return [(f"{label} rerun, median of {len(ms)}", f"{statistics.median(ms):.0f} ms", ""),
            (f"{label} rerun, p95", f"{p95:.0f} ms", budget),
            (f"{label} rerun, max", f"{ms[-1]:.0f} ms", "")]


def measure_reruns(db: Path, pages: tuple[str, ...] = PAGES) -> list[Row]:
    """The rerun times of every page with filters."""
    rows: list[Row] = []
    for page in pages:
        query = {"admin": "district"} if page.startswith("map") else {}
        rows += summary(page, page_reruns(db, page, **query))
    return rows


if __name__ == "__main__":
    import sys

    extract = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "data" / "emis.duckdb")
    chosen = tuple(sys.argv[2:]) or PAGES
    table = measure_reruns(extract, chosen)
    width = max(len(name) for name, _, _ in table)
    for name, value, budget in table:
        print(f"{name.ljust(width)}  {value:>10}  {budget}")
