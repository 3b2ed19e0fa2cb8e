"""Parity and inequality measures on examples worked out by hand."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.equity import (adjusted_parity, adjusted_parity_array, coefficient_of_variation,
                        gini, inequality, theil_decomposition, theil_t, weighted_mean)

approx = pytest.approx


def test_adjusted_parity_lower_branch():
    # Girls at half the boys' rate: 50/100.
    assert adjusted_parity(50, 100) == 0.5
    assert adjusted_parity(90, 100) == approx(0.9)
    assert adjusted_parity(100, 100) == 1


def test_adjusted_parity_upper_branch():
    # Boys at half the girls' rate: 2 - 50/100 = 1.5, as far above 1 as 0.5 is below.
    assert adjusted_parity(100, 50) == 1.5
    assert adjusted_parity(110, 100) == approx(2 - 100 / 110)


def test_adjusted_parity_edges():
    assert adjusted_parity(0, 40) == 0  # no girls at all
    assert adjusted_parity(40, 0) == 2  # no boys at all
    assert math.isnan(adjusted_parity(0, 0))
    assert math.isnan(adjusted_parity(-1, 5))  # an inconsistent flow rate has no parity
    assert math.isnan(adjusted_parity(float("nan"), 5))
    assert list(adjusted_parity_array([1, 3], [2, 1])) == [0.5, 2 - 1 / 3]


@given(st.floats(0.01, 1e6), st.floats(0.01, 1e6))
def test_adjusted_parity_is_symmetric_and_bounded(a, b):
    assert 0 < adjusted_parity(a, b) <= 2
    assert adjusted_parity(a, b) + adjusted_parity(b, a) == approx(2)


# Worked example: three districts with 50%, 0% and 50% of incomplete schools, weighted by
# their 2, 1 and 2 schools. W = 5, mean = (2x50 + 1x0 + 2x50)/5 = 40.
VALUES, WEIGHTS, PROVINCES = [50, 0, 50], [2, 1, 2], ["01", "01", "02"]


def test_weighted_mean_and_cv():
    assert weighted_mean(VALUES, WEIGHTS) == 40
    # Σ w (x - 40)² = 2x100 + 1x1600 + 2x100 = 2000; /5 = 400; sqrt = 20; 20/40.
    assert coefficient_of_variation(VALUES, WEIGHTS) == approx(0.5)


def test_gini():
    # Σ_i Σ_j w_i w_j |x_i - x_j| = 2 x (2x1x50) + 2 x (2x1x50) = 400; / (2 x 5² x 40) = 0.2.
    assert gini(VALUES, WEIGHTS) == approx(0.2)
    # Unweighted 1, 2, 3: Σ|x_i - x_j| = 2 x (1 + 2 + 1) = 8; / (2 x 9 x 2) = 2/9.
    assert gini([1, 2, 3]) == approx(2 / 9)
    # A weight of 2 is the same as the unit counted twice: 1, 2, 3, 3 -> mean 9/4,
    # Σ|x_i - x_j| = 2 x (1 + 2 + 2 + 1 + 1 + 0) = 14; / (2 x 16 x 9/4) = 14/72.
    assert gini([1, 2, 3], [1, 1, 2]) == approx(14 / 72)
    assert gini([1, 2, 3, 3]) == approx(14 / 72)
    assert gini([7, 7, 7]) == 0
    with pytest.raises(ValueError, match="negative"):
        gini([-1, 2])


def test_theil_t_with_a_zero_value():
    # x/μ = 1.25, 0, 1.25: the zero contributes nothing; T = (4/5)(1.25 ln 1.25) = ln 1.25.
    assert theil_t(VALUES, WEIGHTS) == approx(math.log(1.25))
    assert theil_t([3, 3, 3], [1, 5, 2]) == 0
    # Two equal-weight units 1 and 3: μ = 2; T = ½(½ ln ½) + ½(1.5 ln 1.5).
    assert theil_t([1, 3]) == approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5))


def test_theil_t_refuses_negative_values():
    with pytest.raises(ValueError, match="negative"):
        theil_t([-2, 5, 7])


def test_theil_decomposition_between_and_within_provinces():
    # Province 01: 50 (w 2) and 0 (w 1): μ = 100/3, W = 3; province 02: 50 (w 2).
    # Outcome shares s = W_g μ_g / (W μ): 01: 3 x 100/3 / 200 = ½; 02: 2 x 50 / 200 = ½.
    # Between = ½ ln((100/3)/40) + ½ ln(50/40) = ½ ln(25/24).
    # Within: T_01 = (2/3)(1.5 ln 1.5) = ln 1.5, T_02 = 0 -> ½ ln 1.5.
    parts = theil_decomposition(VALUES, WEIGHTS, PROVINCES)
    assert parts.between == approx(0.5 * math.log(25 / 24))
    assert parts.within == approx(0.5 * math.log(1.5))
    assert parts.total == approx(math.log(1.25))
    assert parts.between + parts.within == approx(parts.total)


@given(st.lists(st.tuples(st.one_of(st.just(0.0), st.floats(1e-6, 1000)), st.floats(0.1, 1000),
                          st.sampled_from("abc")),
                min_size=1, max_size=30))
def test_theil_decomposition_adds_up(rows):
    values, weights, groups = zip(*rows)
    parts = theil_decomposition(values, weights, groups)
    if math.isnan(parts.total):
        assert all(v == 0 for v in values)
    else:
        assert parts.between + parts.within == approx(parts.total, abs=1e-9)
        assert parts.total >= -1e-12 and parts.within >= -1e-12


def test_inequality_summary():
    got = inequality(VALUES, WEIGHTS, PROVINCES)
    assert (got.n, got.min, got.max) == (3, 0, 50)
    assert math.isnan(got.max_min_ratio)  # the minimum is zero
    assert got.as_dict()["theil_between"] == approx(0.5 * math.log(25 / 24))
    plain = inequality([10, 20, 40])
    assert plain.max_min_ratio == 4 and plain.theil_between is None
    assert "theil_between" not in plain.as_dict()
    negative = inequality([-5, 10, 20], [1, 1, 1])
    assert math.isnan(negative.theil_t) and math.isnan(negative.gini)
    assert any("Theil T refused" in note for note in negative.notes)
    assert math.isnan(inequality([], []).gini)
    with pytest.raises(ValueError):
        inequality([1, float("nan")])
