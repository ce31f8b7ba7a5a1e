"""Quantiles and tail probabilities of Student's t and the normal distribution.

They come from ``scipy.special``, the functions ``scipy.stats.t`` and ``scipy.stats.norm`` call
themselves, so the results are the same to the last bit, while importing ``scipy.stats`` (about a
second: every distribution, optimisers, sparse matrices) is left to the methods that need more than
these four functions. ``peacewatch compare`` starts in a fraction of the time this way.

>>> round(t_ppf(0.975, 10), 4), round(norm_ppf(0.975), 4)
(2.2281, 1.96)
>>> round(2 * t_sf(2.2281, 10), 3), round(2 * norm_sf(1.96), 3)
(0.05, 0.05)
"""

from __future__ import annotations

from scipy import special


def t_ppf(q: float, df: float) -> float:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (scipy.stats.t.ppf)."""
    return float(special.stdtrit(df, q))


def t_sf(x: float, df: float) -> float:
    """P(T > x) for Student's t with ``df`` degrees of freedom (scipy.stats.t.sf)."""
    return float(special.stdtr(df, -x))


def norm_ppf(q: float) -> float:
    """The ``q`` quantile of the standard normal (scipy.stats.norm.ppf)."""
    return float(special.ndtri(q))


def norm_sf(x: float) -> float:
    """P(Z > x) for the standard normal (scipy.stats.norm.sf)."""
    return float(special.ndtr(-x))
