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
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .validate import check_int

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
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"X must be an (n, d) array with n >= 1; got shape {X.shape}")
    norms = np.linalg.norm(X, axis=1)
    if np.max(np.abs(norms - 1.0)) > UNIT_NORM_ATOL:
        raise ValueError(f"X must have unit rows (points on the sphere); "
                         f"max | |x| - 1 | = {np.max(np.abs(norms - 1)):.2e}")

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
