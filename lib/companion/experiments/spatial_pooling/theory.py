"""The idealised pooling network's depth scalings, derived in this book (the paper's own exponents
were not available to us).

Setting: the network of :func:`companion.cnn1d.pooling_network` (one channel, every filter all
ones, ReLU) on the scale-detection images (two pixels of value ``sqrt(magn)`` in ``d``), the
displacement ``tau`` (each pixel moved by ±1) and noise ``eta`` of variance ``sigma^2 = |tau x - x|^2 / d``
per pixel, in the regime where the units of layer ``k`` are much narrower than the scale ``xi`` and
than the image (so the two pixels of a pair rarely meet in one unit).

**Strided (filter 2, stride 2).** On a clean image every layer is non-negative, so the ReLUs are
inactive and ``f_k`` holds the sums of the image over blocks of ``2**k`` pixels: each pixel adds
``sqrt(magn)`` to one block, ``<|f_k(x) - f_k(y)|^2> ≈ 4 magn`` for every ``k``. A ±1 move takes a
pixel to another block with probability ``2**-k`` (it must sit at the block's edge), and then
changes ``|f_k|^2`` by ``2 magn``: the numerator is ``4 magn 2**-k`` and

    D_k = 2**-k D_0,         D_0 ≈ 1.

Noise: the first layer rectifies ``z = eta_a + eta_b ~ N(0, 2 sigma^2)``, ``E relu(z) = sigma/sqrt(pi)``,
``E relu(z)^2 = sigma^2``; the later layers sum ``n = 2**(k-1)`` of these independent, non-negative
values per block, ``E (sum)^2 = n sigma^2 + n (n - 1) sigma^2 / pi``, over ``d / 2**k`` blocks. With
``sigma^2 = 4 magn / d`` (the two pixels moved) the ratio to ``4 magn`` is

    G_k = (1/2) [1 + (2**(k-1) - 1) / pi]      (k >= 1; G_0 = 1),

so ``G_k ∝ 2**k`` and ``R_k = D_k / G_k ∝ 4**-k`` at large ``k``: the noise *mean* that the ReLU creates
is summed coherently (``n^2`` terms) while its fluctuations add incoherently (``n`` terms).
Without ReLU (linear network) only the incoherent part exists: ``G_k = G_0 = 1`` at every depth.

**Non-strided (odd filter F, stride 1).** ``f_k = b_k * x`` with ``b_k`` the ``k``-fold convolution of
the box of width ``F``, close to ``F**k`` times a Gaussian of variance ``v_k = k (F^2 - 1) / 12``. A
unit shift changes a Gaussian profile by ``|b'|^2 / |b|^2 = 1 / (2 v_k)`` relative to its norm, so

    D_k ≈ 1 / (4 v_k) = 3 / (k (F^2 - 1))        ∝ k**-1.

The rectified first layer has a mean ``mu = sigma sqrt(F / (2 pi))`` per position, summed by ``b_{k-1}``
(total weight ``F**(k-1)``) into ``d mu^2 F**(2k-2)``, while ``|f_k(x) - f_k(y)|^2 ≈ 4 magn |b_k|^2 ≈
4 magn F**(2k) / (2 sqrt(pi v_k))``:

    G_k ≈ (fluctuation part) + sqrt(v_k / pi) / F      ∝ k**(1/2) at large k,

and ``R_k ∝ k**(-3/2)``. The fluctuation part (the rectified noise's variance, correlated over ``F``
neighbours, smoothed by ``b_{k-1}``) decreases slowly with ``k`` and is as large as the mean part at
the depths of the page, so the ``sqrt(k)`` is a large-``k`` statement only: the page checks the
``D_k`` formula against the idealised network and reports its ``G_k`` without a prediction.
"""

from __future__ import annotations

import math

import numpy as np

#: Depth exponents derived above: (D, G) per layer in log2 for the strided net (asymptotic), and in
#: log k for the non-strided net.
STRIDED_LOG2_SLOPES = {"D": -1.0, "G": 1.0, "R": -2.0}
NONSTRIDED_LOGK_SLOPES = {"D": -1.0, "G": 0.5, "R": -1.5}


def strided_D(k) -> np.ndarray:
    """``D_k / D_0 = 2**-k`` of the strided averaging network."""
    return 2.0 ** -np.asarray(k, dtype=float)


def strided_G(k) -> np.ndarray:
    """``G_k = (1 + (2**(k-1) - 1)/pi) / 2`` for k >= 1, ``G_0 = 1`` (strided averaging network, ReLU)."""
    k = np.asarray(k, dtype=float)
    return np.where(k == 0, 1.0, 0.5 * (1.0 + (2.0 ** (k - 1) - 1.0) / math.pi))


def nonstrided_D(k, F: int) -> np.ndarray:
    """Leading order ``D_k ≈ 3 / (k (F^2 - 1))`` of the non-strided averaging network."""
    return 3.0 / (np.asarray(k, dtype=float) * (F * F - 1))


def nonstrided_G(k, F: int) -> np.ndarray:
    """Leading order ``G_k ≈ sqrt(v_k / pi) / F``, ``v_k = k (F^2 - 1)/12`` (non-strided, ReLU)."""
    return np.sqrt(np.asarray(k, dtype=float) * (F * F - 1) / 12.0 / math.pi) / F


def strided_regime(xi: int, gap: int) -> int:
    """The deepest layer where the strided derivation applies: blocks ``2**k`` at most a quarter of
    the smallest distance scale ``xi - gap`` (two pixels of a pair then share a block for a fraction of
    at most ``2**k / (xi - gap)`` of the pairs, the term the derivation neglects)."""
    return max(1, int(math.floor(math.log2((xi - gap) / 4))))
