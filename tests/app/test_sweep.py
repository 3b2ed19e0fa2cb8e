"""Every valid combination of each page's own choices draws without an exception.

A shared link can hold any indicator a page offers with any split it offers for that
indicator, so each of those combinations is opened the way a user reaches it: the sidebar's
education level, then the indicator, then the split. Every education level, every indicator
of it, every split (no split included). On the Map a split is the value shown: the total and
each split's parity index (computed from both groups, so a group without values shows as a
missing index; the groups themselves are drawn on Equity and Trends for every split).

Equity and Trends open every indicator, but their splits only for one indicator of each
family (e.g. ``repetition_primary`` of the grade-by-grade repetition rates): a split view
costs a second or more in CPU, the pages handle the indicators of one family alike, and the
engine's answer for every indicator × level × split is checked in
tests/unit/test_indicator_years.py. The Map shows every indicator with every value shown.

The shares and representation indices of a package's groups (one indicator per group of a
dimension and level) are swept for the first group of each dimension: the groups of a
dimension differ only in the group the same SQL picks. Splits include the package's
dimensions (ethnicity, home language) and the functional domains.

Overview and Trends are swept in the last year (the default of a link; Trends draws every
year anyway), Equity (provinces, where the priority split exists) and the Map (districts) in
the first year, where flow rates have values (in the last year they need the next year and
the page says so). One test per page and level, so that the two test processes share them.
A found crash is reported with the combination that raised it, all of them at once. The
first crash this found: ``/trends?indicator=dropout_primary&by=locality`` (a negative flow
rate in every year leaves no parity index to draw).
"""
from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import t
from lib.indicators import registry_for
from lib.vocabulary import PARITY_SPLITS
from tests.app.pages import APP

TIMEOUT = 120
SWEEPS = {  # page: (year, the page's own query)
    "overview": ("last", {}),
    "trends": ("last", {}),
    "equity": ("first", {"admin": "province"}),
    "map": ("first", {"admin": "district"}),
}
LEVELS = ("pre_primary", "primary", "lower_secondary", "upper_secondary")  # the demo's
MAP_SHOWN = {t("map.show.total")} | {t(f"map.show.{by}.parity") for by in PARITY_SPLITS}
PER_GROUP = ("group_share", "representation")  # families with one indicator per group


def indicator_id(label: str) -> str:
    """The id of an indicator picker's option ("Name (id)"; "" for none)."""
    return label.rsplit("(", 1)[1].rstrip(")") if label.endswith(")") else ""


class Sweep:
    """One page opened in AppTest, stepped through its choices; every exception kept."""

    def __init__(self, at: AppTest, page: str, family: Callable[[str], str],
                 families_only: bool = False, splits: tuple[str, ...] = (),
                 group_of: Callable[[str], tuple] = lambda indicator: ()):
        self.at, self.page = at, page
        self.splits = splits  # every split of the extract, in order
        self.group_of = group_of  # (family, dimension) of a per-group indicator, else ()
        self.groups_seen: set[tuple] = set()
        self.views = 0
        self.failures: list[str] = []
        self.family = family  # of an indicator id
        self.families_only = families_only  # splits for one indicator of each family
        self.split_families: set[str] = set()

    def open(self, what: str, change: Callable[[AppTest], None]) -> bool:
        change(self.at)
        self.at.run()
        self.views += 1
        if self.at.exception:
            self.failures.append(f"{self.page} {what}: {self.at.exception[0].value}")
            return False
        return True

    def split_choices(self) -> tuple[object, list[tuple[object, Callable[[AppTest], None]]]]:
        """The split chosen now and a step to each split the page offers (no split included).
        On the Map a split is the value shown (total, each group, each parity index)."""
        at = self.at
        if self.page == "map":
            show = at.selectbox(key="map_show")
            return show.index, [(i, lambda a, i=i: a.selectbox(key="map_show").select_index(i))
                                for i, label in enumerate(show.options) if label in MAP_SHOWN]
        try:
            split = at.segmented_control(key="url_by")
        except KeyError:
            return None, []
        labels = list(split.options)
        offered = [None] + [by for by in self.splits if str(split.format_func(by)) in labels]
        return split.value or None, [
            (by, lambda a, by=by: a.segmented_control(key="url_by").set_value(by))
            for by in offered]

    def indicator(self, level: str, index: int) -> None:
        """The indicator at ``index`` with every split: the split carried over from the
        previous indicator first (no rerun spent going back to "no split")."""
        name = f"level={level} indicator={self.at.selectbox(key='url_indicator').options[index]}"
        if not self.open(name, lambda a: a.selectbox(key="url_indicator").select_index(index)):
            return
        if self.families_only:
            family = self.family(self.at.selectbox(key="url_indicator").value)
            if family in self.split_families:
                return
            self.split_families.add(family)
        current, steps = self.split_choices()
        for split, step in steps:
            if split != current:
                self.open(f"{name} split={split}", step)

    def run(self) -> None:
        """Every indicator of the level the page opened with, with every split (the first
        group's of each per-group family and dimension)."""
        level = self.at.selectbox(key="url_level").value
        for index, label in enumerate(self.at.selectbox(key="url_indicator").options):
            group = self.group_of(indicator_id(label))
            if group in self.groups_seen:
                continue
            if group:
                self.groups_seen.add(group)
            self.indicator(level, index)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("page", SWEEPS)
def test_every_choice_of_a_page_draws_without_an_exception(page, level, demo_con,
                                                           demo_extract, monkeypatch):
    monkeypatch.setenv("EMIS_DB", str(demo_extract))
    years = sorted(db.extract_info(demo_con).years)
    which, query = SWEEPS[page]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(year=str(years[-1] if which == "last" else years[0]), level=level,
                           **query)
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="url_level").value == level
    registry = registry_for(demo_con)

    def group_of(indicator: str) -> tuple:
        if indicator not in registry:
            return ()
        found = registry.get(indicator)
        return ((found.family, found.params["dimension"]) if found.family in PER_GROUP
                else ())

    sweep = Sweep(at, page, lambda indicator: registry.get(indicator).family,
                  families_only=page in ("equity", "trends"), splits=tuple(registry.splits),
                  group_of=group_of)
    sweep.run()
    assert sweep.views > 20, "the sweep reached the level's indicators"
    assert not sweep.failures, "\n".join(sweep.failures)
