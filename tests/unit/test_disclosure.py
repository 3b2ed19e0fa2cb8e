"""The public view's protection of small numbers (lib.disclosure): primary and
complementary suppression on frames worked out by hand, and a property over an indicator
of each family at each level and split of the indicator fixture: no count from 1 to the threshold is
shown, and no hidden group can be recomputed as the total minus the groups shown."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from lib.disclosure import SUPPRESSED, Rules, protect
from lib.indicators import compute
from lib.indicators.context import context


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "unit_code", "group", "value", "numerator",
                                       "denominator", "flags"])


@pytest.fixture(scope="module")
def fx_con(indicator_con):
    return indicator_con


def hidden(out: pd.DataFrame) -> set[tuple[str, str]]:
    return {(r.unit_code, r.group) for r in out.itertuples() if SUPPRESSED in (r.flags or "")}


def test_small_counts_and_the_group_that_would_give_them_back(fx_con):
    count = context(fx_con).registry.get("enrolment_primary")
    out = protect(frame([
        (2023, "A", "T", 12, 12, None, ""), (2023, "A", "F", 3, 3, None, ""),
        (2023, "A", "M", 9, 9, None, ""), (2023, "A", "parity", 0.33, None, None, ""),
        (2023, "B", "T", 40, 40, None, ""), (2023, "B", "F", 22, 22, None, ""),
        (2023, "B", "M", 18, 18, None, ""),
        (2023, "C", "T", 4, 4, None, ""), (2023, "C", "F", 4, 4, None, ""),
        (2023, "C", "M", 0, 0, None, "")]), count)
    # A: 3 girls hidden, so are the 9 boys (12 - 9 = 3) and the parity index; B untouched;
    # C: the total and the girls hidden, the 0 boys shown (0 discloses no one)
    assert hidden(out) == {("A", "F"), ("A", "M"), ("A", "parity"), ("C", "T"), ("C", "F")}
    assert math.isnan(out.loc[1, "value"]) and out.loc[0, "value"] == 12
    assert out.loc[9, "value"] == 0


def test_the_smallest_other_group_of_a_breakdown(fx_con):
    count = context(fx_con).registry.get("enrolment_primary")
    out = protect(frame([
        (2023, "A", "T", 100, 100, None, ""), (2023, "A", "a", 50, 50, None, ""),
        (2023, "A", "b", 47, 47, None, ""), (2023, "A", "c", 3, 3, None, "")]), count)
    assert hidden(out) == {("A", "c"), ("A", "b")}  # 100 - 50 = 50 = b + c: neither alone


def test_rates_with_a_small_denominator_or_numerator(fx_con):
    rate = context(fx_con).registry.get("ger_primary")  # denominator: children
    out = protect(frame([
        (2023, "A", "T", 50.0, 20, 40, ""),  # 40 children < 50: hidden
        (2023, "B", "T", 1.5, 3, 200, "small_denominator"),  # 3 pupils: hidden
        (2023, "C", "T", 0.0, 0, 200, ""),  # 0: shown
        (2023, "D", "T", 60.0, 120, 200, "")]), rate)
    assert hidden(out) == {("A", "T"), ("B", "T")}
    assert out.loc[1, "flags"] == "small_denominator;suppressed"
    assert math.isnan(out.loc[1, "numerator"]) and out.loc[3, "numerator"] == 120


def test_rules_are_configurable(fx_con):
    count = context(fx_con).registry.get("enrolment_primary")
    rows = frame([(2023, "A", "T", 9, 9, None, "")])
    assert hidden(protect(rows, count)) == set()
    assert hidden(protect(rows, count, Rules(threshold=10))) == {("A", "T")}


@pytest.mark.parametrize("level", ["district", "province", "school"])
def test_no_small_count_shown_and_none_recomputable(fx_con, level):
    rules = Rules()
    registry = context(fx_con).registry
    # one indicator of each family: the indicators of a family differ only in the grades,
    # level or group the same SQL picks (every one is computed in test_indicator_years)
    for indicator in {ind.family: ind for ind in reversed(list(registry))}.values():
        if level not in indicator.admin_levels and not (
                level in ("district", "province") and "area" in indicator.admin_levels):
            continue
        for by in (None, *indicator.splits):
            out = protect(compute(fx_con, indicator.id, level, 2022, by=by), indicator, rules)
            shown = out[~out["flags"].fillna("").str.contains(SUPPRESSED)
                        & (out["group"] != "parity")]  # an index, not a count
            counted = ["value"] if indicator.is_count else ["numerator", "denominator"]
            for column in counted:
                values = pd.to_numeric(shown[column], errors="coerce")
                assert not ((values >= 1) & (values <= rules.threshold)).any(), (
                    indicator.id, level, by, column)
            parts = out[~out["group"].isin(["T", "parity"])]
            for _, rows in parts.groupby(["year", "unit_code"]):
                gone = rows["flags"].fillna("").str.contains(SUPPRESSED)
                nonzero = pd.to_numeric(rows["numerator" if not indicator.is_count
                                             else "value"], errors="coerce").fillna(0) > 0
                assert not (gone.sum() == 1 and (~gone & nonzero).any()), (
                    indicator.id, level, by)


def test_the_command_line_writes_a_table_to_publish(indicator_con, capsys):
    from lib.cli import main

    path = indicator_con.execute("SELECT file FROM pragma_database_list "
                                 "WHERE name = current_database()").fetchone()[0]
    query = ["indicators", "--db", path, "--indicator", "enrolment_primary", "--level",
             "school", "--year", "2022", "--by", "sex"]
    assert main(query) == 0
    exact = capsys.readouterr().out
    assert main([*query, "--public"]) == 0
    public = capsys.readouterr().out
    assert len(exact.splitlines()) == len(public.splitlines())  # the same rows
    hidden = [line for line in public.splitlines() if line.endswith("suppressed")]
    assert hidden and all(",,,," in line for line in hidden)  # value and counts left empty
    with pytest.raises(SystemExit):
        main([*query, "--public", "0"])
    assert "0 is below 1" in capsys.readouterr().err


def test_a_unit_hidden_alone_among_its_parents_units(fx_con):
    """Districts A and B of province P, C of Q: A's 3 pupils are hidden; P's total is
    published, so B (P - A) would give it back and is hidden too; C, alone in Q, is a
    total of its own (Q's) and is shown. Then the girls of B, hidden, leave B's boys alone
    in their area: hidden as well."""
    count = context(fx_con).registry.get("enrolment_primary")
    parents = {"A": "P", "B": "P", "C": "Q"}
    out = protect(frame([
        (2023, "A", "T", 3, 3, None, ""), (2023, "B", "T", 40, 40, None, ""),
        (2023, "C", "T", 50, 50, None, "")]), count, parents=parents)
    assert hidden(out) == {("A", "T"), ("B", "T")}
    out = protect(frame([
        (2023, "A", "F", 2, 2, None, ""), (2023, "B", "F", 20, 20, None, ""),
        (2023, "A", "M", 1, 1, None, ""), (2023, "B", "M", 20, 20, None, ""),
        (2023, "A", "T", 3, 3, None, ""), (2023, "B", "T", 40, 40, None, "")]), count,
        parents=parents)
    assert hidden(out) == {("A", "F"), ("A", "M"), ("A", "T"), ("B", "F"), ("B", "M"),
                           ("B", "T")}
    assert hidden(protect(frame([(2023, "A", "T", 3, 3, None, ""),
                                 (2023, "B", "T", 40, 40, None, "")]), count)) == {
        ("A", "T")}, "without parents, only the area's own groups are considered"
