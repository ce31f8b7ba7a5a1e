"""Negative binomial (NB2) regression that stays reliable when overdispersion is slight.

NB2 models a daily count y with mean mu = exp(x'b) and variance mu + alpha * mu**2; alpha = 0 is
Poisson. Both ``compare_rates(method="negative_binomial")`` and ``interrupted_time_series`` use it.

Why not statsmodels' ``NegativeBinomial`` discrete model directly: it optimises b and alpha jointly
and fails when the data are close to Poisson (alpha near its boundary 0). On 40 simulated series of
Poisson days with an interrupted-time-series design, Newton converged on 15 and BFGS on 14; on one
two-group sample Newton even reported convergence with NaN estimates. Conflict counts by province or
by event type are often that close to Poisson.

Instead we follow R's ``MASS::glm.nb`` (Venables & Ripley 2002, section 7.4). For a fixed alpha, NB2
is a generalised linear model, fitted reliably by iteratively reweighted least squares; the fit
alternates between that GLM and the maximum-likelihood alpha given its fitted means until alpha (or
the likelihood) stops changing, which reaches the joint maximum. b and its covariance come from the
GLM at the final alpha. When the likelihood does not rise as alpha leaves 0, that is when the score
sum((y - mu)**2 - y) is not positive (Cameron & Trivedi 1990), alpha is 0 and the fit is the
Poisson GLM. Where statsmodels' joint fit converges, both agree (tests/stats/test_negbin.py).

References: Venables, W. N. & Ripley, B. D. (2002) Modern Applied Statistics with S, 4th ed.,
Springer. Cameron, A. C. & Trivedi, P. K. (1990) Regression-based tests for overdispersion in the
Poisson model, Journal of Econometrics 46(3), 347-364. Lawless, J. F. (1987) Negative binomial and
mixed Poisson regression, Canadian Journal of Statistics 15(3), 209-225.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import special

from peacewatch.errors import StatisticsError

# Search range of log(alpha). Below 1e-8 NB2 cannot be told from Poisson with any realistic number of
# days; above 1e4 the variance is so dominated by alpha * mu**2 that the counts carry no rate signal.
_LOG_ALPHA_RANGE = (math.log(1e-8), math.log(1e4))
_ALPHA_TOLERANCE = 1e-6  # on log(alpha): a relative change of one in a million
_LLF_TOLERANCE = 1e-8  # relative to the log-likelihood
_MAX_ROUNDS = 100


@dataclass(frozen=True)
class NB2Fit:
    """Coefficients ``params``, their covariance ``cov``, the dispersion ``alpha`` and the
    log-likelihood ``llf`` of an NB2 regression; also the fitted means ``mu``."""

    params: np.ndarray
    cov: np.ndarray
    alpha: float
    llf: float
    mu: np.ndarray

    @property
    def bse(self) -> np.ndarray:
        """Standard errors of ``params``."""
        return np.sqrt(np.diag(self.cov))


def fit_nb2(y: np.ndarray, x: np.ndarray, *, what: str) -> NB2Fit:
    """Fit the NB2 regression of counts ``y`` on the design matrix ``x`` (alpha by maximum likelihood).

    ``what`` names the data in error messages. Raises StatisticsError when the design is rank
    deficient or a fit fails.

    >>> y = np.array([3.0, 9, 0, 14, 4, 6, 1, 7])
    >>> fit = fit_nb2(y, np.ones((8, 1)), what="eight days")
    >>> round(float(np.exp(fit.params[0])), 3), round(fit.alpha, 3)
    (5.5, 0.588)
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise StatisticsError(
            f"the regression on {what} cannot be fitted: its {x.shape[1]} columns are not linearly "
            f"independent over {x.shape[0]} days (too few days for the terms asked for?)"
        )
    if not y.any():
        raise StatisticsError(f"the regression on {what} cannot be fitted: every day has count 0")
    poisson = _glm(y, x, None, what)
    if float(((y - poisson.mu) ** 2 - y).sum()) <= 0.0:
        return _result(poisson, 0.0)
    # Alternate as MASS::glm.nb does: alpha by maximum likelihood given the fitted means, then the
    # GLM given alpha. Each step cannot lower the likelihood, and a handful of steps usually suffice.
    fit, alpha = poisson, 0.0
    for _ in range(_MAX_ROUNDS):
        new_alpha = _alpha_given_means(y, fit.mu)
        if new_alpha == 0.0:
            return _result(poisson, 0.0)
        new_fit = _glm(y, x, new_alpha, what, start=fit.params)
        # Near alpha = 0 the likelihood is flat in alpha, and alpha wanders within rounding noise while
        # the coefficients stay put; so a likelihood that stopped rising, or a change in alpha too small
        # to move the variance-to-mean ratio 1 + alpha * mu of the busiest day, also ends the search.
        settled = alpha > 0.0 and (
            abs(math.log(new_alpha / alpha)) < _ALPHA_TOLERANCE
            or abs(new_alpha - alpha) * float(new_fit.mu.max()) < _ALPHA_TOLERANCE
            or abs(new_fit.llf - fit.llf) < _LLF_TOLERANCE * (1.0 + abs(fit.llf))
        )
        if settled:
            return _result(new_fit, new_alpha)
        fit, alpha = new_fit, new_alpha
    raise StatisticsError(
        f"the negative binomial fit to {what} did not settle on a dispersion after {_MAX_ROUNDS} rounds "
        f"(alpha {alpha:.3g}); use a quasi-Poisson method"
    )


def _alpha_given_means(y: np.ndarray, mu: np.ndarray) -> float:
    """The NB2 alpha that maximises the likelihood of ``y`` given the means ``mu`` (0 at the boundary)."""
    if float(((y - mu) ** 2 - y).sum()) <= 0.0:
        return 0.0  # the likelihood falls as alpha leaves 0: the counts are not overdispersed

    def neg_llf(log_alpha: float) -> float:
        r = math.exp(-log_alpha)
        terms = special.gammaln(y + r) - special.gammaln(r) + r * np.log(r / (r + mu))
        return -float((terms + special.xlogy(y, mu / (r + mu))).sum())

    from scipy import optimize  # about a second to import; only the NB fits need it

    best = optimize.minimize_scalar(
        neg_llf, bounds=_LOG_ALPHA_RANGE, method="bounded", options={"xatol": _ALPHA_TOLERANCE / 10}
    )
    return math.exp(float(best.x))


def _glm(y: np.ndarray, x: np.ndarray, alpha: float | None, what: str, start: np.ndarray | None = None):
    # Imported here: statsmodels takes about a second to import and only the NB fits need it.
    # The two submodules needed, not statsmodels.api (which loads every model and its plotting).
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    family = families.Poisson() if alpha is None else families.NegativeBinomial(alpha=alpha)
    with warnings.catch_warnings():
        # IRLS warnings (perfect separation, overflow) are turned into the error below.
        warnings.simplefilter("ignore")
        try:
            fit = GLM(y, x, family=family).fit(start_params=start, maxiter=200)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            raise StatisticsError(f"the regression on {what} failed: {exc}") from exc
    if not fit.converged or not np.all(np.isfinite(fit.bse)):
        raise StatisticsError(
            f"the regression on {what} did not converge; a period with no events at all can cause "
            "this (a rate of exactly 0 has no finite logarithm)"
        )
    return fit


def _result(fit, alpha: float) -> NB2Fit:
    return NB2Fit(
        params=np.asarray(fit.params, dtype=float),
        cov=np.asarray(fit.cov_params(), dtype=float),
        alpha=float(alpha),
        llf=float(fit.llf),
        mu=np.asarray(fit.mu, dtype=float),
    )
