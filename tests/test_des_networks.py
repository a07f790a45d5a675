"""Deep equals shallow, finite networks and parameters: validation, departure ranks, spectra, claims."""

import numpy as np
import pandas as pd
import pytest

from companion import kernels, sphere
from companion.claims import AGREES, DISAGREES, NO_DISCRIMINATION
from companion.experiments import deep_equals_shallow as des


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"ntk_widths": [64]}, r"ntk_widths must be at least 3 increasing sizes"),
        ({"ntk_widths": [64, 64, 128]}, r"ntk_widths must be at least 3 increasing sizes \(distinct"),
        ({"ntk_widths": [256, 128, 512]}, r"ntk_widths must be at least 3 increasing sizes"),
        ({"ntk_wide_widths": [64, 64, 4096]}, r"ntk_wide_widths must be at least 3 increasing sizes"),
        ({"ntk_depths": [3, 2]}, r"ntk_depths must be at least 1 increasing depths"),
        ({"ntk_eig_widths": [512, 1024, 2048]}, r"ntk_eig_widths must hold at least 2 widths m with \(ntk_d \+ 2\) m"),
        ({"ntk_seeds": 1}, r"ntk_seeds must be an integer in \[2, 1000\]"),
        ({"krr_P": [64, 64, 128]}, r"krr_P must be at least 3 increasing sizes"),
        ({"krr_P": [64, 128, 4096]}, r"krr_P must put at least 2 sizes in each half of the fit window \[256, 4096\]"),
        ({"bump_P": [32, 64]}, r"bump_P must be at least 3 increasing sizes"),
        ({"bump_delta": 2.5}, r"bump_delta must be a real number in \(0.0, 2.0\)"),
        ({"mnist_depths": [3]}, r"mnist_depths must be at least 2 increasing depths"),
        ({"mnist_n_train": 4000}, r"mnist_n_train \+ mnist_n_val \+ mnist_n_test must be at most 5000"),
        ({"mnist_splits": 1}, r"mnist_splits must be an integer in \[2, 100\]"),
    ],
)
def test_invalid_parameters_fail_at_validation(overrides, message):
    with pytest.raises(ValueError, match=message):
        des.make_config("book", **overrides)


@pytest.mark.parametrize("profile", ["book", "smoke"])
def test_profiles_are_valid(profile):
    cfg = des.make_config(profile)
    assert len(des.departure_fit_widths(cfg)) >= 2


def test_departure_rank_ignores_early_dips_and_counts_from_the_end():
    ref = np.ones(10)
    emp = np.array([1.0, 0.3, 1.1, 1.0, 0.9, 0.4, 0.2, 0.1, 0.0, 0.0])   # dip at rank 2, cut from rank 6
    assert des.departure_rank(emp, ref) == 6
    assert des.departure_rank(ref, ref) == 11          # never departs: n + 1
    assert des.departure_rank(0 * ref, ref) == 1


def test_mu_by_rank_repeats_mu_k_by_multiplicity():
    mu, deg = des.mu_by_rank(3, 30)
    assert np.all(np.diff(mu) <= 0) and mu.size == 30
    assert list(deg[:9]) == [0, 1, 1, 1, 2, 2, 2, 2, 2]
    mu_k = sphere.funk_hecke(kernels.make_kernel(**des.SPECTRUM_KERNEL), 3, 2)
    np.testing.assert_allclose(mu[:9], np.repeat(mu_k, [1, 3, 5]), rtol=1e-14)


def test_gram_spectra_analytic_trace_and_rank_bound():
    """tr(K/n) = kappa(1) = 3 for the bias NTK; the width-m Gram has rank <= (d + 2) m."""
    out = des.gram_spectra(d=3, n_points=120, widths=[4, 16], seed=0)
    # |x| = 1 only to roundoff, and the cusp at u = 1 turns eps into ~sqrt(eps) on the diagonal
    assert out["analytic"].sum() == pytest.approx(3.0, rel=1e-7)
    assert np.sum(out[4] > 1e-10 * out[4][0]) <= 5 * 4
    assert np.all(np.diff(out["analytic"]) <= 1e-15)


def test_exponent_claim_reads_a_plateau_as_a_disagreement():
    """The width-exponent claim must be able to fail: a plateau (error constant in width) disagrees with
    -1/2, an exact m^-1/2 law agrees, and a wide interval holding 0 and -1/2 does not discriminate."""
    widths = [64, 256, 1024, 4096]
    rng = np.random.default_rng(0)

    def table(f):
        return pd.DataFrame([{"seed": s, "width": m, "ntk_rel_err": f(m, s)} for s in range(8) for m in widths])

    plateau = des.networks._exponent_claim(table(lambda m, s: 0.1 * (1 + 0.01 * rng.standard_normal())),
                                          "ntk_rel_err", "x", "y")
    assert plateau.verdict == DISAGREES
    exact = des.networks._exponent_claim(table(lambda m, s: 2 * m**-0.5 * (1 + 0.01 * rng.standard_normal())),
                                         "ntk_rel_err", "x", "y")
    assert exact.verdict == AGREES
    noisy = des.networks._exponent_claim(table(lambda m, s: m ** (-0.25 + (1.0 if s % 2 else -1.0))),
                                         "ntk_rel_err", "x", "y")     # slopes -1.25, 0.75: interval holds both
    assert noisy.verdict == NO_DISCRIMINATION


def test_rms_prefactor_of_an_exact_law():
    g = pd.DataFrame([{"seed": s, "width": m, "e": 3.0 * m**-0.5 * (1 + 0.1 * (-1) ** s)}
                      for s in range(6) for m in (10, 100)])
    c, (lo, hi) = des.rms_prefactor(g, "e")
    assert lo < 3.0 < hi and c == pytest.approx(3.0 * np.sqrt(1.01), rel=1e-12)


def test_smoke_pipeline_builds_claims_and_figures(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setenv("COMPANION_WORKERS", "1")      # in-process: no worker start-up (torch import)
    monkeypatch.setenv("COMPANION_CACHE", "off")      # recompute: nothing read from or left in a cache
    cfg = des.make_config("smoke")
    wide, deep = des.wide_two_layer(cfg), des.deep_networks(cfg)
    claims = des.fluctuation_claims(wide, deep, cfg)
    assert any(c.theory is not None and c.ci is not None for c in claims)
    spectra = des.empirical_spectra(cfg)
    assert des.spectrum_claims(spectra, cfg)[-1].rival == pytest.approx(1 / 3)
    for fig in (des.plot_wide(wide, cfg), des.plot_depth(deep, cfg), des.plot_spectra_widths(spectra, cfg),
                des.plot_departure(spectra, cfg)):
        assert fig.get_size_inches()[0] <= 7.0
        matplotlib.pyplot.close(fig)
