"""Every valid combination of each page's own choices draws without an exception.

A shared link can hold any indicator a page offers with any split it offers for that
indicator, so each of those combinations is opened the way a user reaches it: the sidebar's
education level, then the indicator, then the split. Every education level, every indicator
of it, every split (no split included). On the Map a split is the value shown: the total and
each split's parity index (computed from both groups, so a group without values shows as a
missing index; the groups themselves are drawn on Equity and Trends for every split).

Equity opens every indicator, but its splits only for one indicator of each family (e.g.
``repetition_primary`` of the grade-by-grade repetition rates): its split views cost a second
each in CPU, and the data of every indicator × split combination already pass through the
Trends sweep (the same engine answers); Equity's own handling of them is the same within a
family.

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
from lib.vocabulary import PARITY_SPLITS, SPLITS
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


class Sweep:
    """One page opened in AppTest, stepped through its choices; every exception kept."""

    def __init__(self, at: AppTest, page: str, family: Callable[[str], str],
                 families_only: bool = False):
        self.at, self.page = at, page
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
        offered = [None] + [by for by in SPLITS if str(split.format_func(by)) in labels]
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
        """Every indicator of the level the page opened with, with every split."""
        level = self.at.selectbox(key="url_level").value
        for index in range(len(self.at.selectbox(key="url_indicator").options)):
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
    sweep = Sweep(at, page, lambda indicator: registry.get(indicator).family,
                  families_only=page == "equity")
    sweep.run()
    assert sweep.views > 20, "the sweep reached the level's indicators"
    assert not sweep.failures, "\n".join(sweep.failures)
