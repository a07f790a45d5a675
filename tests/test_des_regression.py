"""Deep equals shallow, regression: shared kernel recursion, slope drift, the paper's bump and digits."""

import numpy as np
import pandas as pd
import pytest

from companion import kernels, krr
from companion.experiments import deep_equals_shallow as des

SPECS = ([{"name": "ntk", "L": L} for L in (1, 2, 3, 5)] + [{"name": "ntk", "L": L, "bias": True} for L in (1, 2, 4)]
         + [{"name": "rf", "L": L} for L in (1, 2, 3, 6)] + [{"name": "laplace", "c": 0.7}])


def test_kernel_family_equals_each_kernel_alone(monkeypatch):
    """One shared recursion = make_kernel one by one, exactly (same operations), across block borders."""
    monkeypatch.setattr(des.regression, "BLOCK_ENTRIES", 37)     # blocks of 3 rows of 13: borders everywhere
    rng = np.random.default_rng(0)
    u = np.concatenate([rng.uniform(-1, 1, (20, 13)), np.full((1, 13), 1.0), np.full((1, 13), -1.0)])
    for spec, K in zip(SPECS, des.kernel_family(u, SPECS)):
        np.testing.assert_allclose(K, kernels.make_kernel(**spec)(u), rtol=1e-15, atol=1e-15, err_msg=str(spec))


def test_slope_drift_is_zero_for_a_power_law_and_measures_curvature():
    x = 2.0 ** np.arange(4, 12)
    Y = np.stack([3 * x**-1.5, 5 * x**-1.5])
    assert des.slope_drift(x, Y, (x[0], x[-1])) == pytest.approx(0.0, abs=1e-12)
    # local exponent b(x) = -1 - 0.1 log x: halves' slopes differ by 0.1 x (log-distance of their centres)
    Yc = np.exp(-np.log(x) - 0.05 * np.log(x) ** 2)[None].repeat(2, axis=0)
    lx = np.log(x)
    centres = [lx[lx <= lx.mean() + 1e-9].mean(), lx[lx >= lx.mean() - 1e-9].mean()]
    assert des.slope_drift(x, Yc, (x[0], x[-1])) == pytest.approx(-0.1 * (centres[1] - centres[0]), rel=1e-9)


def test_bump_kernels_are_normalised_and_use_the_papers_depth_two_forms():
    cfg = des.make_config("smoke")
    u = np.linspace(-1, 1, 9)[None]
    ks = des.bump_kernels(cfg.bump_depths)
    grams = des.bump_grams(u, ks)
    for k, K in zip(ks, grams):
        assert K[0, -1] == pytest.approx(1.0), k["label"]
    rf_b = grams[[k["label"] for k in ks].index("RF$_b$ $L=2$")]
    np.testing.assert_allclose(rf_b, (1 + u) * kernels.kappa1(u) / 2, rtol=1e-14)
    lap = grams[-1]
    np.testing.assert_allclose(lap, np.exp(-np.sqrt(1 - u)), rtol=1e-14)     # the paper's exp(-sqrt(1 - u))


def test_bump_target_and_exponent():
    X = np.array([[1.0, 0, 0, 0], [0.7, np.sqrt(0.51), 0, 0], [0.69, np.sqrt(1 - 0.69**2), 0, 0]])
    np.testing.assert_array_equal(des.bump_target(X, np.array([1.0, 0, 0, 0]), 0.3), [1.0, 1.0, 0.0])
    assert des.bump_theory_exponent(4) == pytest.approx(-1 / 3)


def test_plus_minus_one_and_one_hot_targets_give_the_same_argmax():
    """The page's +-1 one-vs-all targets and the paper's one-hot - 0.1 classify identically."""
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((60, 5))
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    K = kernels.make_kernel("ntk", L=3)(kernels.gram(Z))
    lab = rng.integers(0, 4, 40)
    pm = np.where(lab[:, None] == np.arange(4), 1.0, -1.0)
    oh = np.where(lab[:, None] == np.arange(4), 0.9, -0.1)
    for lam in (1e-3, 1.0):
        a = K[40:, :40] @ krr.krr_coef(K[:40, :40], pm, lam=lam)
        b = K[40:, :40] @ krr.krr_coef(K[:40, :40], oh, lam=lam)
        np.testing.assert_array_equal(a.argmax(axis=1), b.argmax(axis=1))


def test_krr_claims_carry_a_drift_tolerance_and_the_rf_rival(monkeypatch):
    cfg = des.make_config("smoke")
    rows = []
    for seed in range(2):
        for label, beta in (("NTK L=3", -3.0), ("RF L=3", -5.0)):
            rows += [{"seed": seed, "label": label, "P": P, "mse": (1 + 0.1 * seed) * P**beta} for P in cfg.krr_P]
    monkeypatch.setattr(des.regression, "krr_kernels", lambda cfg: [{"name": "ntk", "L": 3}, {"name": "rf", "L": 3}])
    ntk, rf = des.krr_claims(pd.DataFrame(rows), cfg)
    assert ntk.rival is None and rf.rival == pytest.approx(-3.0)
    assert ntk.measured == pytest.approx(-3.0) and rf.verdict == "agrees"
    assert ntk.tol == pytest.approx(0.0, abs=1e-9)     # an exact power law does not drift


@pytest.mark.slow
def test_smoke_paper_experiments():
    import matplotlib

    matplotlib.use("Agg")
    cfg = des.make_config("smoke")
    bump = des.bump_regression(cfg)
    assert set(bump["P"]) == set(cfg.bump_P) and np.all(np.isfinite(bump["mse"]))
    assert len(des.bump_claims(bump, cfg)) == 2 * len(cfg.bump_depths) + 2
    digits = des.mnist_accuracy(cfg)
    assert digits["acc"].between(0.5, 1.0).all()       # 300 training digits already give > 50%
    claims = des.mnist_claims(digits, cfg)
    assert any(c.theory == 0.0 for c in claims)
    for fig in (des.plot_bump(bump, cfg), des.plot_mnist(digits, cfg)):
        assert fig.get_size_inches()[0] <= 7.0
        matplotlib.pyplot.close(fig)
