"""Targets on the sphere: the random field's spectrum decays with the prescribed exponent, has no
odd harmonics, and the quadrature behind the check is exact."""

import numpy as np
import pytest

from companion.fit import fit_power_law
from companion.sphere import gegenbauer
from companion.sphere_fields import constant_target, grf_power, s2_quadrature, sample_grf, spectrum_on_s2


def test_quadrature_integrates_legendre_products_exactly():
    X, w = s2_quadrature(10)
    assert w.sum() == pytest.approx(1.0)
    P = gegenbauer(8, 3, X[:, 2])
    G = (P * w) @ P.T                                      # <P_j P_k> = delta_jk / (2k + 1)
    assert np.allclose(G, np.diag(1 / (2 * np.arange(9) + 1)), atol=1e-13)


@pytest.mark.parametrize("nu_t", [1.5, 2.5])
def test_random_field_spectrum_decays_with_the_prescribed_exponent(nu_t):
    X, w = s2_quadrature(16)
    spectra = np.mean([spectrum_on_s2(sample_grf(X, nu_t=nu_t, seed=s), X, w, 12) for s in range(4)], axis=0)
    k = np.arange(2, 13, 2)
    fit = fit_power_law(k, spectra[k])
    # 4 samples x N(3, k) >= 20 modes per degree: chi-square scatter of ~10% per point; the 95% interval holds
    assert fit.contains(-(2 * nu_t + 2))
    assert np.abs(spectra[3::2]).max() < 1e-8 * spectra[2]                  # even field
    assert np.allclose(grf_power(nu_t, 3, k), k ** (-2 * nu_t - 2.0))


def test_constant_and_invalid():
    assert np.all(constant_target(np.zeros((4, 3))) == 1)
    with pytest.raises(ValueError, match="nu_t must be"):
        sample_grf(np.eye(3), nu_t=-1.0, seed=0)
