"""Kernel ridge regression by Cholesky.

Ridge convention (stated once, used everywhere): the coefficients solve

    (K + lam * I) a = y,     f(x) = K(x, X) a,

with ``K`` the (P, P) training Gram matrix, i.e. the convention of scikit-learn's
``KernelRidge(alpha=lam)``. Papers that write the empirical risk with a 1/P factor use a
"continuum" ridge lam_c = lam / P; convert with :func:`ridge_from_continuum` and
:func:`ridge_to_continuum`, never by hand.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from .validate import check_float, check_int_list


def ridge_from_continuum(lam_c: float, P: int) -> float:
    """Ridge of ``(K + lam I)`` equivalent to ``lam_c`` in the ``(K/P + lam_c I)`` convention."""
    return check_float("lam_c", lam_c, lo=0.0) * P


def ridge_to_continuum(lam: float, P: int) -> float:
    """Inverse of :func:`ridge_from_continuum`: ``lam / P``."""
    return check_float("lam", lam, lo=0.0) / P


def krr_coef(K: np.ndarray, y: np.ndarray, *, lam: float, overwrite_K: bool = False) -> np.ndarray:
    """Coefficients ``a`` of ``(K + lam I) a = y`` by a Cholesky factorisation.

    Parameters
    ----------
    K : (P, P) float64, symmetric positive (semi-)definite Gram matrix of the training set.
    y : (P,) or (P, m) targets.
    lam : ridge >= 0 (see the module docstring for the convention).
    overwrite_K : if True, ``K`` is used as workspace and destroyed (no (P, P) copy is made).

    Returns
    -------
    a : same shape as ``y``.

    Raises
    ------
    ValueError if lam < 0 or shapes disagree; ``numpy.linalg.LinAlgError`` (with a message naming
    ``lam``) if ``K + lam I`` is not numerically positive definite.
    """
    lam = check_float("lam", lam, lo=0.0)
    K = np.asarray(K)
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"K must be a square (P, P) matrix; got shape {K.shape}")
    y = np.asarray(y, dtype=np.float64)
    if y.shape[0] != K.shape[0]:
        raise ValueError(f"y must have P = {K.shape[0]} rows; got shape {y.shape}")
    A = K if (overwrite_K and K.dtype == np.float64 and K.flags.f_contiguous | K.flags.c_contiguous) else np.array(K, dtype=np.float64)
    if lam:
        A.flat[:: A.shape[0] + 1] += lam
    try:
        # A is symmetric, so its C-ordered buffer is its transpose in Fortran order: no copy.
        c, lower = scipy.linalg.cho_factor(A.T if A.flags.c_contiguous else A, lower=False,
                                           overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError as err:
        raise np.linalg.LinAlgError(
            f"K + lam*I is not numerically positive definite (lam = {lam:g}); "
            "use a ridge lam > 0 or a strictly positive-definite kernel"
        ) from err
    return scipy.linalg.cho_solve((c, lower), y, check_finite=False)


def krr_predict(K_test: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Predictions ``K(x, X) a``. ``K_test``: (n_test, P); ``coef``: (P,) or (P, m)."""
    return np.asarray(K_test) @ coef


def krr_test_mse(K: np.ndarray, K_test: np.ndarray, y: np.ndarray, y_test: np.ndarray, *, lam: float) -> float:
    """Test mean-squared error of KRR trained on (K, y), evaluated on (K_test, y_test)."""
    pred = krr_predict(K_test, krr_coef(K, y, lam=lam))
    return float(np.mean((pred - y_test) ** 2))


def nested_predictions(K: np.ndarray, K_eval: np.ndarray, y: np.ndarray, *, P_list, lam: float) -> np.ndarray:
    """Predictions of KRR trained on the first P points, for every P in ``P_list``, from ONE Cholesky.

    The Cholesky factor of the leading (P, P) block of ``K + lam I`` is the leading block of the
    full factor, so nested training sets cost one O(P_max^3) factorisation plus O(P^2) solves.

    Parameters
    ----------
    K : (P_max, P_max) Gram of the training pool; K_eval : (n_eval, P_max); y : (P_max,) or (P_max, m);
    P_list : increasing training-set sizes <= P_max; lam : ridge >= 0.

    Returns
    -------
    pred : (len(P_list), n_eval) or (len(P_list), n_eval, m).

    Raises
    ------
    ``numpy.linalg.LinAlgError`` (naming ``lam``) if ``K + lam I`` is not numerically positive definite.
    """
    P_max = K.shape[0]
    P_list = check_int_list("P_list", P_list, lo=1, hi=P_max)
    lam = check_float("lam", lam, lo=0.0)
    y = np.asarray(y, dtype=np.float64)
    A = np.array(K, dtype=np.float64, order="F")
    A.flat[:: P_max + 1] += lam
    try:
        U = scipy.linalg.cholesky(A, lower=False, overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError as err:
        raise np.linalg.LinAlgError(
            f"K + lam*I is not numerically positive definite (lam = {lam:g}); use a larger ridge lam"
        ) from err
    out = np.empty((len(P_list), K_eval.shape[0]) + y.shape[1:])
    for i, P in enumerate(P_list):
        Up = U[:P, :P]
        z = scipy.linalg.solve_triangular(Up, y[:P], trans="T", check_finite=False)
        out[i] = K_eval[:, :P] @ scipy.linalg.solve_triangular(Up, z, check_finite=False)
    return out


def learning_curve(K: np.ndarray, K_test: np.ndarray, y: np.ndarray, y_test: np.ndarray, *,
                   P_list, lam: float) -> np.ndarray:
    """Test MSE of KRR trained on the first P points, for every P in ``P_list``, from ONE Cholesky
    (:func:`nested_predictions`).

    Parameters
    ----------
    K : (P_max, P_max) Gram of the training pool; K_test : (n_test, P_max); y : (P_max,);
    y_test : (n_test,); P_list : increasing training-set sizes <= P_max; lam : ridge >= 0.

    Returns
    -------
    mse : (len(P_list),) test mean-squared errors.
    """
    pred = nested_predictions(K, K_test, y, P_list=P_list, lam=lam)
    return np.mean((pred - np.asarray(y_test)) ** 2, axis=1)
