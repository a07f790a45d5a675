"""KRR: oracle (scikit-learn), identity (nested Cholesky), and the ridge converter."""

import numpy as np
import pytest
from sklearn.kernel_ridge import KernelRidge

from companion import krr

# Both solve the same SPD system in float64; cond(K + lam I) <= ~1e4 here, so 1e-9 is generous.
RTOL_ORACLE = 1e-9


def _problem(P=60, n_test=25, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((P + n_test, d))
    K_all = np.exp(-np.linalg.norm(X[:, None] - X[None], axis=-1))  # Laplace kernel, SPD
    y_all = np.sin(X[:, 0]) + X[:, 1] ** 2
    return K_all[:P, :P], K_all[P:, :P], y_all[:P], y_all[P:]


@pytest.mark.parametrize("lam", [1e-3, 0.1, 2.0])
def test_matches_sklearn_kernel_ridge(lam):
    K, Kt, y, _ = _problem()
    ref = KernelRidge(alpha=lam, kernel="precomputed").fit(K, y).predict(Kt)
    ours = krr.krr_predict(Kt, krr.krr_coef(K, y, lam=lam))
    np.testing.assert_allclose(ours, ref, rtol=RTOL_ORACLE, atol=1e-12)


def test_overwrite_leaves_same_answer_and_consumes_K():
    K, Kt, y, _ = _problem()
    ref = krr.krr_coef(K, y, lam=0.1)
    K2 = K.copy()
    a = krr.krr_coef(K2, y, lam=0.1, overwrite_K=True)
    np.testing.assert_allclose(a, ref, rtol=RTOL_ORACLE)
    assert not np.allclose(K2, K)  # used as workspace: no (P, P) copy was made


def test_learning_curve_equals_separate_fits():
    K, Kt, y, yt = _problem(P=80)
    P_list = [10, 40, 80]
    curve = krr.learning_curve(K, Kt, y, yt, P_list=P_list, lam=0.05)
    for P, mse in zip(P_list, curve):
        direct = krr.krr_test_mse(K[:P, :P], Kt[:, :P], y[:P], yt, lam=0.05)
        assert mse == pytest.approx(direct, rel=1e-9)


def test_ridge_conversion_roundtrip():
    assert krr.ridge_from_continuum(1e-3, 500) == pytest.approx(0.5)
    assert krr.ridge_to_continuum(krr.ridge_from_continuum(0.3, 77), 77) == pytest.approx(0.3)


def test_invalid_inputs_name_the_parameter():
    K, _, y, _ = _problem(P=5)
    with pytest.raises(ValueError, match="lam"):
        krr.krr_coef(K, y, lam=-1.0)
    with pytest.raises(ValueError, match="y must have P"):
        krr.krr_coef(K, y[:3], lam=0.1)
    with pytest.raises(np.linalg.LinAlgError, match="lam"):
        krr.krr_coef(np.ones((5, 5)), y, lam=0.0)


def test_nested_predictions_equal_separate_fits_with_several_targets():
    K, Kt, y, _ = _problem(P=70)
    Y = np.stack([y, y**2, -y], axis=1)
    P_list = [5, 33, 70]
    pred = krr.nested_predictions(K, Kt, Y, P_list=P_list, lam=0.02)
    assert pred.shape == (3, Kt.shape[0], 3)
    for i, P in enumerate(P_list):
        direct = krr.krr_predict(Kt[:, :P], krr.krr_coef(K[:P, :P], Y[:P], lam=0.02))
        np.testing.assert_allclose(pred[i], direct, rtol=RTOL_ORACLE, atol=1e-12)


def test_nested_predictions_name_the_ridge_when_not_positive_definite():
    K = np.ones((4, 4))                     # rank one: not positive definite without a ridge
    with pytest.raises(np.linalg.LinAlgError, match=r"lam = 0"):
        krr.nested_predictions(K, K, np.arange(4.0), P_list=[4], lam=0.0)
