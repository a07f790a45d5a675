"""Power-law fits: exact recovery, coverage of the seed interval, and the 1/x correction."""

import numpy as np
import pytest

from companion import fit


def test_exact_power_law_recovered():
    x = np.arange(1, 200)
    f = fit.fit_power_law(x, 3.0 * x**-2.5)
    assert f.exponent == pytest.approx(-2.5, abs=1e-12)
    assert f.prefactor == pytest.approx(3.0, rel=1e-10)


def test_correction_term_removes_pre_asymptotic_bias():
    # y = x^{-3} (1 + 2/x): the plain fit is biased at moderate x, the corrected one is not.
    x = np.arange(20, 200, dtype=float)
    y = x**-3.0 * np.exp(2.0 / x)
    plain = fit.fit_power_law(x, y)
    corrected = fit.fit_power_law(x, y, correction=True)
    assert abs(plain.exponent + 3) > 1e-3
    assert corrected.exponent == pytest.approx(-3.0, abs=1e-9)


# 200 synthetic experiments at 95% nominal coverage: the count of misses is Binomial(200, 0.05),
# mean 10, sd 3.1; 25 misses is ~5 sd above the mean.
N_TRIALS, MAX_MISSES = 200, 25


def test_seed_interval_has_nominal_coverage():
    rng = np.random.default_rng(1)
    x = np.geomspace(10, 1000, 8)
    misses = 0
    for _ in range(N_TRIALS):
        Y = x**-1.0 * np.exp(0.2 * rng.standard_normal((5, x.size)))
        f = fit.fit_power_law_seeds(x, Y)
        misses += not f.contains(-1.0)
    assert misses <= MAX_MISSES


def test_window_and_errors():
    x = np.arange(1, 100)
    f = fit.fit_power_law(x, x**-1.0, window=(10, 20))
    assert f.window == (10.0, 20.0) and f.n_points == 11
    with pytest.raises(ValueError, match="positive"):
        fit.fit_power_law(x, -x)
    with pytest.raises(ValueError, match="at least 2 seeds"):
        fit.fit_power_law_seeds(x, x**-1.0)
    with pytest.raises(ValueError, match="level"):
        fit.fit_power_law(x, x**-1.0, level=1.5)
