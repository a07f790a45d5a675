"""Empirical NTK and NNGP of finite fully-connected ReLU networks, for comparison with kernels.py.

The network (NTK parametrisation; Jacot et al., 2018; Bietti & Bach, ICLR 2021) with
L layers, i.e. L - 1 hidden layers of ``width`` units and a linear readout, on inputs x in S^{d-1}:

    h^1 = W^1 x (+ b^1),   h^l = W^l sigma(h^{l-1}) / sqrt(width) (l = 2..L),   f(x) = h^L,

with sigma = sqrt2 ReLU, all weights N(0, 1) at initialisation and b^1 (optional) initialised at 0 and
trained. The first layer is not divided by sqrt(d): |x| = 1, so h^1 has covariance x.y = u (kappa^1 = u).
As width -> infinity (Jacot et al., 2018; Arora et al., 2019):

* NNGP:  sigma(h^{L-1}(x)) . sigma(h^{L-1}(y)) / width  ->  kappa^L(u)   (make_kernel("rf", L=L));
* NTK:   grad_theta f(x) . grad_theta f(y)             ->  kappa_NTK^L(u) (make_kernel("ntk", L=L)),
  and with the first-layer bias the recursion starts from u + 1 (make_kernel("ntk", L=L, bias=True)),

with fluctuations of order 1/sqrt(width).

Two layers also have a closed form without autograd (:func:`two_layer_kernels`, O(n^2 width) per Gram,
nested widths in one pass), and the exact variance of one unit's contribution
(:func:`two_layer_variance`), which predicts E ||K_m - K||_F^2 = sum Var / m at every width.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .validate import check_choice, check_int, check_int_list

UNIT_NORM_ATOL = 1e-6   # rows of X must lie on the sphere (kappa^1 = u needs |x| = 1)


class ReLUNet(nn.Module):
    """Fully-connected sqrt2-ReLU network in the NTK parametrisation (see the module docstring).

    Parameters
    ----------
    d : input dimension.  L : number of layers >= 1 (L - 1 hidden layers + linear readout).
    width : hidden width >= 1.  bias : add a zero-initialised first-layer bias b^1.
    generator : ``torch.Generator`` drawing the N(0, 1) weights (float64).
    """

    def __init__(self, *, d: int, L: int, width: int, bias: bool, generator: torch.Generator):
        super().__init__()
        dims = [d] + [width] * (L - 1) + [1]
        self.L, self.width = L, width
        for l in range(1, L + 1):           # W1 .. WL, named as in the module docstring
            W = torch.randn(dims[l], dims[l - 1], generator=generator, dtype=torch.float64)
            self.register_parameter(f"W{l}", nn.Parameter(W))
        self.b1 = nn.Parameter(torch.zeros(dims[1], dtype=torch.float64)) if bias else None

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Last-hidden-layer features sigma(h^{L-1}) / sqrt(width): (n, width); x itself if L = 1."""
        h = x
        for l in range(1, self.L):
            W = getattr(self, f"W{l}")      # looked up at call time, so functional_call can swap it
            h = h @ W.T if l == 1 else h @ W.T / math.sqrt(self.width)
            if l == 1 and self.b1 is not None:
                h = h + self.b1
            h = math.sqrt(2.0) * torch.relu(h)
        return h / math.sqrt(self.width) if self.L > 1 else h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs f(x): (n,) for x: (n, d)."""
        out = self.features(x) @ getattr(self, f"W{self.L}").T
        if self.L == 1 and self.b1 is not None:
            out = out + self.b1
        return out[:, 0]


def empirical_kernels(X, *, L: int, width: int, seed: int, bias: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Empirical NTK and NNGP of one random network at initialisation.

    The NTK is sum over ALL parameter tensors p of J_p J_p^T. For a weight matrix the per-sample
    Jacobian factorises, J_{W^l}(x) = delta_l(x) a_{l-1}(x)^T / s_l (delta_l = df/dh^l, a_{l-1} the layer's
    input, s_l its 1/sqrt(fan_in) scale), so

        J_{W^l} J_{W^l}^T = (Delta_l Delta_l^T) * (A_{l-1} A_{l-1}^T) / s_l^2      (elementwise product),

    and every delta_l of the batch comes from ONE backward pass of sum_i f(x_i) (each output depends
    on its own input only). Cost O(n width^2 L) time and O(n width L) memory, no (n, #params) Jacobian;
    tests check it against the full per-sample Jacobian (torch.func).

    Parameters
    ----------
    X : (n, d) float64 points on S^{d-1}.  L : layers >= 1.  width : hidden width >= 1.
    seed : seed of the ``torch.Generator`` drawing the weights (global RNG untouched).
    bias : trained, zero-initialised first-layer bias (NTK limit starts from u + 1).

    Returns
    -------
    ntk : (n, n) float64, -> make_kernel("ntk", L=L, bias=bias)(gram(X)) as width -> infinity.
    nngp : (n, n) float64, -> make_kernel("rf", L=L)(gram(X)).
    """
    L = check_int("L", L, lo=1)
    width = check_int("width", width, lo=1)
    seed = check_int("seed", seed, lo=0)
    if not isinstance(bias, (bool, np.bool_)):
        raise ValueError(f"bias must be a bool (True or False); got {bias!r}")
    X = _check_sphere(X)

    net = ReLUNet(d=X.shape[1], L=L, width=width, bias=bool(bias), generator=torch.Generator().manual_seed(seed))
    x = torch.from_numpy(X)
    with torch.enable_grad():
        inputs, pre = [x], []                     # a_{l-1} and h^l for l = 1 .. L-1
        for l in range(1, L):
            W = getattr(net, f"W{l}")
            h = inputs[-1] @ W.T / (1.0 if l == 1 else math.sqrt(width))
            if l == 1 and net.b1 is not None:
                h = h + net.b1
            pre.append(h)
            inputs.append(math.sqrt(2.0) * torch.relu(h))
        phi = inputs[-1] / math.sqrt(width) if L > 1 else x
        out = (phi @ getattr(net, f"W{L}").T).sum()
        deltas = torch.autograd.grad(out, pre) if pre else ()
    with torch.no_grad():
        nngp = phi @ phi.T                        # = J_{W^L} J_{W^L}^T
        ntk = nngp.clone()
        for l, delta in enumerate(deltas, start=1):
            a = inputs[l - 1]
            scale2 = 1.0 if l == 1 else float(width)
            ntk += (delta @ delta.T) * (a @ a.T) / scale2
        if net.b1 is not None:
            ntk += deltas[0] @ deltas[0].T if deltas else 1.0
    ntk, nngp = ntk.numpy(), nngp.numpy()
    return (ntk + ntk.T) / 2, (nngp + nngp.T) / 2


# --------------------------------------------------------------------------------------------------
# Two-layer networks in closed form: O(n^2 width) per Gram, no autograd
# --------------------------------------------------------------------------------------------------

#: Neurons processed at once by :func:`two_layer_kernels` (bounds memory to ~ 3 n CHUNK floats).
CHUNK = 8192


def sample_two_layer(d: int, width: int, *, seed) -> tuple[np.ndarray, np.ndarray]:
    """First-layer weights W: (width, d) and readout a: (width,), all N(0, 1), of the two-layer network
    f(x) = width^{-1/2} sum_j a_j sqrt2 relu(w_j . x + b_j) with b = 0 at initialisation (the L = 2 case of
    :class:`ReLUNet`). ``seed`` seeds ``np.random.default_rng`` (global state untouched)."""
    d = check_int("d", d, lo=1)
    width = check_int("width", width, lo=1)
    rng = np.random.default_rng(seed)
    return rng.standard_normal((width, d)), rng.standard_normal(width)


def two_layer_kernels(X, W, a, *, widths, bias: bool = False, chunk: int = CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """Empirical NTK and NNGP of a two-layer network at nested widths, in closed form.

    For f(x) = m^{-1/2} sum_j a_j sqrt2 relu(w_j . x + b_j) (NTK parametrisation, b_j = 0 at
    initialisation and trained only if ``bias``), the gradients are explicit:

        NNGP_m(x, y) = (1/m) sum_j 2 relu(w_j.x) relu(w_j.y)                          -> kappa1(u),
        NTK_m(x, y)  = NNGP_m + (1/m) sum_j 2 a_j^2 1{w_j.x > 0} 1{w_j.y > 0} (x.y + bias)
                                                                          -> make_kernel("ntk", L=2, bias=bias),

    the same J J^T as :func:`empirical_kernels` (L = 2), in two matrix products per chunk of neurons:
    O(n^2 m) time and O(n chunk) memory. The network of width m uses the first m rows of ``W`` (nested
    widths: one pass gives every width).

    Parameters
    ----------
    X : (n, d) points on S^{d-1}.  W : (M, d) first-layer weights.  a : (M,) readout weights.
    widths : increasing widths <= M at which the kernels are returned.  bias : trained first-layer bias.
    chunk : neurons per matrix product.

    Returns
    -------
    ntk, nngp : (len(widths), n, n) float64.
    """
    X = _check_sphere(X)
    W = np.asarray(W, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != X.shape[1] or a.shape != (W.shape[0],):
        raise ValueError(f"W must be (M, d) and a (M,) with d = {X.shape[1]}; got {W.shape} and {a.shape}")
    widths = check_int_list("widths", widths, lo=1, hi=W.shape[0])
    if list(widths) != sorted(set(widths)):
        raise ValueError(f"widths must be strictly increasing; got {widths}")
    chunk = check_int("chunk", chunk, lo=1)
    if not isinstance(bias, (bool, np.bool_)):
        raise ValueError(f"bias must be a bool (True or False); got {bias!r}")
    n = X.shape[0]
    u = X @ X.T + (1.0 if bias else 0.0)
    S_relu, S_grad = np.zeros((n, n)), np.zeros((n, n))
    ntk, nngp = np.empty((len(widths), n, n)), np.empty((len(widths), n, n))
    start = 0
    for i, m in enumerate(widths):
        for lo in range(start, m, chunk):
            hi = min(lo + chunk, m)
            Z = X @ W[lo:hi].T                              # (n, c) pre-activations
            R = np.maximum(Z, 0.0)
            G = (Z > 0) * a[lo:hi]                          # a_j 1{w_j.x > 0}
            S_relu += R @ R.T
            S_grad += G @ G.T
        start = m
        nngp[i] = 2.0 * S_relu / m
        ntk[i] = nngp[i] + 2.0 * S_grad * u / m
    return ntk, nngp


def two_layer_variance(u, *, which: str, bias: bool = False) -> np.ndarray:
    """Variance of ONE neuron's contribution to the two-layer empirical kernel at correlation u.

    The empirical kernel is a mean of m i.i.d. terms, so E (K_m - K)^2 = two_layer_variance / m exactly,
    at every width. With z = (w.x, w.y) standard bivariate Gaussian of correlation u = cos theta,
    v ~ N(0, 1), E[relu(z1)^2 relu(z2)^2] = J_2(theta) / (2 pi), J_2 = 3 sin th cos th + (pi - th)(1 + 2 cos^2 th)
    (Cho & Saul 2009), and E[1 1] = kappa0/2, E[relu relu] = kappa1/2:

        NNGP:  Var[2 relu relu]                      = 2 J_2/pi - kappa1^2,
        NTK:   Var[2 v^2 (u + beta) 1 1 + 2 relu relu]
                 = 6 (u + beta)^2 kappa0 + 4 (u + beta) kappa1 + 2 J_2/pi - kappa_NTK^2,

    with beta = 1 if ``bias`` else 0 (at u = 1: 5 and 12, 29 with bias).

    Parameters
    ----------
    u : cosines, any shape.  which : "ntk" or "nngp".  bias : first-layer bias (NTK only).
    """
    which = check_choice("which", which, ("ntk", "nngp"))
    u = np.clip(np.asarray(u, dtype=np.float64), -1.0, 1.0)
    th = np.arccos(u)
    J2 = 3.0 * np.sin(th) * u + (np.pi - th) * (1.0 + 2.0 * u * u)
    k0, k1 = 1.0 - th / np.pi, (np.sin(th) + u * (np.pi - th)) / np.pi
    if which == "nngp":
        return 2.0 * J2 / np.pi - k1**2
    v = u + (1.0 if bias else 0.0)
    return 6.0 * v**2 * k0 + 4.0 * v * k1 + 2.0 * J2 / np.pi - (v * k0 + k1) ** 2


def _check_sphere(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"X must be an (n, d) array with n >= 1; got shape {X.shape}")
    norms = np.linalg.norm(X, axis=1)
    if np.max(np.abs(norms - 1.0)) > UNIT_NORM_ATOL:
        raise ValueError(f"X must have unit rows (points on the sphere); "
                         f"max | |x| - 1 | = {np.max(np.abs(norms - 1)):.2e}")
    return X
