"""Claim checks: the quantitative statements of a briefing, each tested on the loaded data.

A claim in ``claims.yaml`` (docs/brief-format.md) names a check; the check becomes one of four
results, each a value with one plain sentence and the numbers behind it, never a crash:

``change`` (``analysis.compare``, the default quasi-Poisson method, 95% interval of the rate ratio
window / baseline; ``m`` is the optional ``min_effect``, 0 when absent)
    * expect ``decrease``: **supported** when the whole interval lies below 1 - m (below 1 without m);
      **contradicted** when it lies at or above 1 - m (at or above 1 without m: no decrease; with m:
      the fall, if any, is certainly smaller than claimed); **inconclusive** otherwise.
    * expect ``increase``: the mirror image, with 1 + m.
    * expect ``no_change``: **supported** when the interval includes 1 (and, with m, lies within
      [1 - m, 1 + m]); **contradicted** when it excludes 1; **inconclusive** when it includes 1 but
      reaches beyond the band.
``rank`` (``analysis.series`` by month, summed to years for ``by: year``)
    The expected period must hold the maximum (or minimum) total over from..to. When it does, it is
    **supported** if it beats the runner-up by at least the Poisson noise of the two totals,
    |a - b| >= 2 * sqrt(a + b) (about a 95% two-sided test of a = b for independent Poisson counts),
    and **inconclusive** otherwise. When another period holds it, the claim is **contradicted** if that
    period beats the expected one by the same margin, **inconclusive** otherwise. On fatalities the
    Poisson noise understates the real noise (deaths come in clusters): treat a margin near it with care.
``trend`` (monthly totals over from..to)
    A quasi-Poisson log-linear regression of monthly counts on the month index, with log(days in the
    month) as offset; the slope's Wald standard error is scaled by sqrt(phi), phi = Pearson X2 / (n - 2)
    floored at 1, and the interval uses Student's t with n - 2 degrees of freedom (as
    ``peacewatch.stats.rates`` does for two groups; Wedderburn 1974; McCullagh & Nelder 1989, ch. 9).
    The trend is rising when the 95% interval of the monthly rate ratio lies above 1, falling when it
    lies below 1, unclear otherwise: **supported** when it goes the expected way, **contradicted** when
    it goes the other way, **inconclusive** when unclear.
    The standard error is widened by sqrt((1 + r) / (1 - r)) for positive lag-1 autocorrelation r of
    the residuals (Santer et al. 2000; ``peacewatch.stats.trend``). A *steady* claim (``shape: steady``,
    or wording such as "steadily" or "consistently") whose slope goes the expected way is
    **contradicted** when changepoints in the monthly counts find a significant reversal.

**insufficient_data** when the data cannot answer: a filter needs a field the dataset lacks (the
result names the fields and a dataset that has them), the period lies outside the data's coverage
(the result names the period needed), a named dataset is not in the store (ingest it), or the period
ends after the as-of date.

>>> results = check_claims(load_claims("afghanistan-2020"), store=".peacewatch/demo")  # doctest: +SKIP
>>> [r.result for r in results]                                                   # doctest: +SKIP
['supported', 'supported', 'insufficient_data', 'insufficient_data', 'insufficient_data']

The package: ``model`` (the claims.yaml format), ``load`` (reading it, with file:line problems),
``checks`` (the change, rank and trend checks) and ``results`` (judging claims into results).
"""

from __future__ import annotations

from peacewatch.briefs.claims.checks import change_verdict
from peacewatch.briefs.claims.load import claims_path, load_claims
from peacewatch.briefs.claims.model import (
    ChangeCheck,
    Check,
    Claim,
    ClaimFilters,
    ClaimsFile,
    RankCheck,
    RankExpect,
    TrendCheck,
)
from peacewatch.briefs.claims.results import RESULTS, ClaimResult, check_claims

__all__ = [
    "RESULTS",
    "ChangeCheck",
    "Check",
    "Claim",
    "ClaimFilters",
    "ClaimResult",
    "ClaimsFile",
    "RankCheck",
    "RankExpect",
    "TrendCheck",
    "change_verdict",
    "check_claims",
    "claims_path",
    "load_claims",
]
