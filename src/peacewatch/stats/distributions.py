"""Quantiles and tail probabilities of Student's t and the normal distribution, in plain Python.

``peacewatch compare`` needs four numbers of two distributions: a t (or normal) quantile for the
interval and a tail probability for the p-value. Importing ``scipy.special`` for them costs 0.2-0.3 s
(SciPy 1.17 loads its array-API layer, which clones NumPy's namespace down to ``numpy.f2py``), more
than the query itself, and ``scipy.stats`` about a second; so they are computed here with ``math``:

- the normal quantile is Wichura's AS241 (``statistics.NormalDist.inv_cdf``, about 1e-16 relative),
  its tail probability ``erfc``;
- Student's t tail probability is the regularized incomplete beta function,
  P(T > x) = I_{df/(df+x^2)}(df/2, 1/2) / 2, evaluated by its continued fraction (modified Lentz;
  Press et al., Numerical Recipes, 3rd ed., section 6.4), with the symmetry
  I_z(a, b) = 1 - I_{1-z}(b, a) where the fraction converges slowly;
- Student's t quantile inverts that tail by Newton's method on its logarithm, kept inside a bracket
  (bisection when a step leaves it), from the Cornish-Fisher expansion (Abramowitz and Stegun 26.7.5).

They agree with ``scipy.special`` (``stdtrit``, ``stdtr``, ``ndtri``, ``ndtr``, the functions behind
``scipy.stats.t`` and ``scipy.stats.norm``) to 1e-10 relative, held by tests/stats/test_distributions.py
over degrees of freedom from 1 to a million and probabilities down to 1e-12.

>>> round(t_ppf(0.975, 10), 4), round(norm_ppf(0.975), 4)
(2.2281, 1.96)
>>> round(2 * t_sf(2.2281, 10), 3), round(2 * norm_sf(1.96), 3)
(0.05, 0.05)
"""

from __future__ import annotations

import math
from statistics import NormalDist

_NORMAL = NormalDist()
_TINY = 1e-300
_EPS = 1e-16
# Beyond a billion degrees of freedom Student's t is taken as the normal (its quantiles differ by less
# than 1e-8 relative there, and the continued fraction would need ~sqrt(df) terms).
_NORMAL_DF = 1e9


def norm_ppf(q: float) -> float:
    """The ``q`` quantile of the standard normal (scipy.stats.norm.ppf)."""
    if q <= 0.0 or q >= 1.0:
        return _edge(q)
    return _NORMAL.inv_cdf(q)


def norm_sf(x: float) -> float:
    """P(Z > x) for the standard normal (scipy.stats.norm.sf)."""
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def t_sf(x: float, df: float) -> float:
    """P(T > x) for Student's t with ``df`` degrees of freedom (scipy.stats.t.sf)."""
    if math.isnan(x) or math.isnan(df) or df <= 0:
        return math.nan
    if df >= _NORMAL_DF:
        return norm_sf(x)
    if math.isinf(x):
        return 0.0 if x > 0 else 1.0
    tail = 0.5 * _beta_reg_tail(df, x * x)
    return tail if x > 0 else 1.0 - tail


def t_ppf(q: float, df: float) -> float:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (scipy.stats.t.ppf)."""
    if math.isnan(q) or math.isnan(df) or df <= 0:
        return math.nan
    if q <= 0.0 or q >= 1.0:
        return _edge(q)
    if df >= _NORMAL_DF:
        return norm_ppf(q)
    if q == 0.5:
        return 0.0
    p = min(q, 1.0 - q)  # the upper tail to reach, on the positive side
    x = _upper_quantile(p, df)
    return x if q > 0.5 else -x


def _edge(q: float) -> float:
    if q == 0.0:
        return -math.inf
    if q == 1.0:
        return math.inf
    return math.nan


def _upper_quantile(p: float, df: float) -> float:
    """The x > 0 with P(T > x) = p (p < 1/2)."""
    if df == 1.0:  # Cauchy: closed form, tan(pi (1/2 - p)) written without cancellation
        return 1.0 / math.tan(math.pi * p)
    if df == 2.0:  # closed form (Hill 1970)
        a = 4.0 * p * (1.0 - p)
        return (1.0 - 2.0 * p) * math.sqrt(2.0 / a)
    x = _cornish_fisher(p, df)
    lo, hi = 0.0, math.inf
    target = math.log(p)
    for _ in range(200):
        sf = 0.5 * _beta_reg_tail(df, x * x)
        if sf > p:
            lo = x
        else:
            hi = x
        # Newton on log P(T > x), whose derivative is -pdf / sf; bisection when it leaves the bracket.
        new = x + (math.log(sf) - target) * sf / _pdf(x, df) if sf > 0.0 else math.nan
        if not (lo < new < hi) or math.isnan(new):
            new = 0.5 * (lo + hi) if math.isfinite(hi) else 2.0 * max(x, 1.0)
        if abs(new - x) <= 4 * _EPS * abs(new):
            return new
        x = new
    return x


def _cornish_fisher(p: float, df: float) -> float:
    """A start for the t quantile from the normal's (Abramowitz and Stegun 26.7.5)."""
    z = -_NORMAL.inv_cdf(p)
    z2 = z * z
    g1 = (z2 + 1.0) * z / 4.0
    g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0
    g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0
    x = z + g1 / df + g2 / df**2 + g3 / df**3
    return x if x > 0 and math.isfinite(x) else max(z, 1.0)


def _pdf(x: float, df: float) -> float:
    log_norm = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1.0) / 2.0 * math.log1p(x * x / df))


def _beta_reg_tail(df: float, x2: float) -> float:
    """I_z(df/2, 1/2) with z = df / (df + x2): twice the t tail beyond sqrt(x2)."""
    a, b = df / 2.0, 0.5
    z = df / (df + x2)
    one_minus_z = x2 / (df + x2)  # computed directly: no cancellation when x2 is small
    if z < (a + 1.0) / (a + b + 2.0):
        return _beta_front(a, b, z, one_minus_z) * _beta_fraction(a, b, z) / a
    return 1.0 - _beta_front(b, a, one_minus_z, z) * _beta_fraction(b, a, one_minus_z) / b


def _beta_front(a: float, b: float, z: float, one_minus_z: float) -> float:
    """z^a (1-z)^b / B(a, b)."""
    if z <= 0.0:
        return 0.0
    return math.exp(a * math.log(z) + b * math.log(one_minus_z) - _log_beta(a, b))


def _log_beta(a: float, b: float) -> float:
    """log B(a, b). With one argument large, lgamma(big) - lgamma(big + small) cancels (at df = 1e8
    it would cost 7 digits): that difference is taken from Stirling's series instead, rewritten so
    that nothing large is subtracted."""
    small, big = min(a, b), max(a, b)
    if big < 30.0:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    diff = (
        -(big - 0.5) * math.log1p(small / big)
        - small * math.log(big + small)
        + small
        + _stirling_rest(big)
        - _stirling_rest(big + small)
    )
    return math.lgamma(small) + diff


def _stirling_rest(x: float) -> float:
    """lgamma(x) - ((x - 1/2) log x - x + log(2 pi) / 2), for x >= 30 (error below 1e-18)."""
    r = 1.0 / (x * x)
    return (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r / 1188)))) / x


def _beta_fraction(a: float, b: float, z: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * z / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * z / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * z / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) <= _EPS:
            break
    return h
