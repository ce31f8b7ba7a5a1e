"""The plain-Python t and normal functions (stats/distributions.py) against scipy.special, which
scipy.stats.t and scipy.stats.norm call, and against closed forms where scipy itself is less exact."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from peacewatch.stats.distributions import norm_ppf, norm_sf, t_ppf, t_sf

SETTINGS = settings(max_examples=300, deadline=None)
# Degrees of freedom as the methods produce them (days - 2, Satterthwaite fractions) and far beyond.
dfs = st.one_of(
    st.integers(min_value=1, max_value=400).map(float),
    st.floats(min_value=1.0, max_value=1e6, allow_nan=False),
)
probabilities = st.floats(min_value=1e-12, max_value=1 - 1e-12).filter(lambda q: q != 0.5)
points = st.floats(min_value=-60.0, max_value=60.0, allow_nan=False)


def close(mine: float, theirs: float) -> bool:
    # Relative 1e-9; absolute 1e-10 for quantiles next to 0, where scipy's own inversion is looser.
    return abs(mine - theirs) <= 1e-9 * abs(theirs) + 1e-10


@SETTINGS
@given(q=probabilities, df=dfs)
def test_t_quantile_agrees_with_scipy_stdtrit(q, df):
    assert close(t_ppf(q, df), float(special.stdtrit(df, q)))


@SETTINGS
@given(x=points, df=dfs)
def test_t_tail_agrees_with_scipy_stdtr(x, df):
    theirs = float(special.stdtr(df, -x))
    assert abs(t_sf(x, df) - theirs) <= 1e-9 * theirs + 1e-300


@SETTINGS
@given(q=probabilities, df=dfs)
def test_t_quantile_and_tail_invert_each_other(q, df):
    x = t_ppf(q, df)
    assert t_sf(x, df) == pytest.approx(1 - q, rel=1e-9, abs=1e-15)


@SETTINGS
@given(q=probabilities)
def test_normal_quantile_and_tail_agree_with_scipy(q):
    assert close(norm_ppf(q), float(special.ndtri(q)))
    x = norm_ppf(q)
    assert norm_sf(x) == pytest.approx(float(special.ndtr(-x)), rel=1e-12)


@pytest.mark.parametrize("x", [1e-8, 0.3, 1.0, 12.7, 1e6])
def test_t_tail_is_exact_for_one_and_two_degrees_of_freedom(x):
    assert t_sf(x, 1) == pytest.approx(0.5 - math.atan(x) / math.pi, rel=1e-14)
    assert t_sf(x, 2) == pytest.approx(0.5 - x / (2 * math.sqrt(2 + x * x)), rel=1e-13)


def test_t_quantile_next_to_the_median_is_exact_where_scipy_is_not():
    # With 4 degrees of freedom, F(t) = 1/2 + (3/8) t / s (1 - t^2 / (12 s^2)), s^2 = 1 + t^2/4.
    x = t_ppf(0.49999, 4)
    s2 = 1 + x * x / 4
    assert 0.5 + 3 / 8 * x / math.sqrt(s2) * (1 - x * x / (12 * s2)) == pytest.approx(0.49999, abs=1e-16)


def test_the_familiar_critical_values():
    assert round(t_ppf(0.975, 10), 4) == 2.2281
    assert round(t_ppf(0.975, 1), 3) == 12.706
    assert round(norm_ppf(0.975), 4) == 1.96
    assert t_ppf(0.5, 7) == 0.0
    assert t_ppf(0.0, 7) == -math.inf and t_ppf(1.0, 7) == math.inf
    assert math.isnan(t_ppf(0.975, 0)) and math.isnan(t_sf(1.0, -1))


def test_the_distributions_import_no_scipy():
    src = Path(__file__).resolve().parents[2] / "src"
    code = "import sys, peacewatch.stats.distributions; print('scipy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(src)}
    )
    assert out.stdout.strip() == "False"
