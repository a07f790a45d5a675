"""Deep fully-connected networks with an explicit output scale, for the lazy/feature crossover.

The network of Geiger, Spigler, Jacot & Wyart (J. Stat. Mech. 2020, "Disentangling feature and lazy
training in deep neural networks", Sec. 2): ``L`` hidden layers of width ``h``, no biases,

    z^0 = x,   z^l = sigma(W^l z^{l-1} / sqrt(fan_in_l))   (l = 1..L),   f(w, x) = w^{L+1} . z^L / sqrt(h),

weights N(0, 1), activation the softplus of sharpness ``beta_act`` = 5, rescaled so that
E[sigma(g)^2] = 1 for g ~ N(0, 1) (:func:`activation_scale`). The trained function is

    F(w, x) = alpha (f(w, x) - f(w_0, x))                                   (paper, eq. 2),

so F = 0 at initialisation. **Two conventions for alpha.** The paper divides the readout by sqrt(h)
(above); the authors' code divides it by h, so its alpha multiplies f/sqrt(h):
alpha_code = sqrt(h) * alpha_paper. :func:`alpha_code` and :func:`alpha_paper` convert (tested to
round-trip); everything in this library takes the paper's alpha, and the crossover variable is
``sqrt(h) * alpha_paper`` = ``alpha_code``.

The empirical NTK Theta(x, x') = grad_w f(x) . grad_w f(x') on a set of points
(:func:`empirical_ntk`) uses the same factorisation as :func:`companion.nets.empirical_kernels`
(per-layer Gram J_W J_W^T = (Delta Delta^T) * (A A^T) / fan_in from ONE backward pass), written for
this network: ``nets.empirical_kernels`` builds its own sqrt2-ReLU network from a seed on unit-norm
inputs and cannot take trained softplus weights. Tests check it against the full per-sample Jacobian.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import scipy.integrate
import torch
from torch import nn

from .validate import check_float, check_int

#: Sharpness of the softplus activation (paper, Sec. 2: beta = 5).
BETA_ACT = 5.0


@functools.cache
def activation_scale(beta_act: float = BETA_ACT) -> float:
    """``c = sqrt(E[softplus_beta(g)^2])``, g ~ N(0, 1), by adaptive quadrature (scipy ``quad``, split at
    the bend g = 0, error ~1e-15; Gauss-Hermite converges only to ~1e-9 with 200 nodes here, the integrand
    being analytic only in a strip of width pi/beta); sigma = softplus/c."""
    beta_act = check_float("beta_act", beta_act, lo=0.0, lo_open=True)

    def integrand(g):
        return (np.logaddexp(0.0, beta_act * g) / beta_act) ** 2 * np.exp(-g * g / 2) / math.sqrt(2 * math.pi)

    val, _ = scipy.integrate.quad(integrand, -40.0, 40.0, points=[0.0], epsabs=1e-14, epsrel=1e-14, limit=500)
    return float(np.sqrt(val))


def alpha_code(alpha_paper, h: int):
    """The authors' code's alpha (readout / h) from the paper's alpha (readout / sqrt(h)): sqrt(h) alpha."""
    h = check_int("h", h, lo=1)
    a = np.asarray(alpha_paper, dtype=np.float64)
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(f"alpha_paper must be finite and > 0; got {alpha_paper!r}")
    out = a * math.sqrt(h)
    return float(out) if out.ndim == 0 else out


def alpha_paper(alpha_code_value, h: int):
    """The paper's alpha from the code's alpha: alpha_code / sqrt(h) (inverse of :func:`alpha_code`)."""
    h = check_int("h", h, lo=1)
    a = np.asarray(alpha_code_value, dtype=np.float64)
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(f"alpha_code must be finite and > 0; got {alpha_code_value!r}")
    out = a / math.sqrt(h)
    return float(out) if out.ndim == 0 else out


class FCNet(nn.Module):
    """The fully-connected network of the module docstring.

    Parameters
    ----------
    d : input dimension >= 1.  h : hidden width >= 1.  L : hidden layers >= 1.
    generator : ``torch.Generator`` drawing the N(0, 1) weights.  dtype : float64 (default) or float32.
    beta_act : softplus sharpness (5 in the paper).
    """

    def __init__(self, *, d: int, h: int, L: int, generator: torch.Generator, dtype=torch.float64,
                 beta_act: float = BETA_ACT):
        super().__init__()
        self.d, self.h, self.L = check_int("d", d, lo=1), check_int("h", h, lo=1, hi=10**6), check_int("L", L, lo=1, hi=20)
        if dtype not in (torch.float32, torch.float64):
            raise ValueError(f"dtype must be torch.float32 or torch.float64; got {dtype!r}")
        self.beta_act = check_float("beta_act", beta_act, lo=0.0, lo_open=True)
        self._c = activation_scale(self.beta_act)
        fans = [d] + [h] * (L - 1)
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.randn(h, f, generator=generator, dtype=dtype)) for f in fans])
        self.readout = nn.Parameter(torch.randn(h, generator=generator, dtype=dtype))
        self._scales = [1.0 / math.sqrt(f) for f in fans]

    def sigma(self, u: torch.Tensor) -> torch.Tensor:
        """Softplus of sharpness ``beta_act``, divided by :func:`activation_scale`."""
        return nn.functional.softplus(u, beta=self.beta_act) / self._c

    def _forward(self, x: torch.Tensor):
        """Pre-activations u^l, layer inputs z^{l-1} and the last hidden layer z^L."""
        pre, inputs, z = [], [], x
        for W, s in zip(self.weights, self._scales):
            inputs.append(z)
            u = z @ W.T * s
            pre.append(u)
            z = self.sigma(u)
        return pre, inputs, z

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """f(w, x): (n,) for x: (n, d)."""
        if x.ndim != 2 or x.shape[1] != self.d:
            raise ValueError(f"x must have shape (n, {self.d}); got {tuple(x.shape)}")
        return self._forward(x)[2] @ self.readout / math.sqrt(self.h)


def empirical_ntk(net: FCNet, X) -> np.ndarray:
    """Empirical NTK Theta = sum over weight tensors of J_W J_W^T on the points X: (n, n) float64.

    Factorised as in :func:`companion.nets.empirical_kernels`: for W^l, J_{W^l}(x) = delta_l(x)
    z^{l-1}(x)^T / sqrt(fan_in), so J J^T = (Delta_l Delta_l^T) * (Z Z^T) / fan_in, where
    delta_l = df/du^l for the whole batch comes from one backward pass of sum_i f(x_i); the readout
    contributes Z^L Z^L^T / h. O(n h^2 L + n^2 h L) time, no (n, #params) Jacobian.

    X : (n, d) array or tensor (moved to the network's device and dtype).
    """
    p = net.readout
    x = torch.as_tensor(np.asarray(X) if not isinstance(X, torch.Tensor) else X).to(device=p.device, dtype=p.dtype)
    if x.ndim != 2 or x.shape[1] != net.d:
        raise ValueError(f"X must have shape (n, {net.d}); got {tuple(x.shape)}")
    with torch.enable_grad():
        pre, inputs, z = net._forward(x)
        out = (z @ net.readout).sum() / math.sqrt(net.h)
        deltas = torch.autograd.grad(out, pre)
    with torch.no_grad():
        ntk = z @ z.T / net.h
        for delta, a, s in zip(deltas, inputs, net._scales):
            ntk += (delta @ delta.T) * (a @ a.T) * s**2
    ntk = ntk.double().cpu().numpy()
    return (ntk + ntk.T) / 2


def kernel_change(ntk, ntk0) -> float:
    """``||Theta - Theta_0||_F / ||Theta_0||_F`` (paper, Sec. 4, Fig. 3)."""
    a, b = np.asarray(ntk, dtype=np.float64), np.asarray(ntk0, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"ntk and ntk0 must be square arrays of the same shape; got {a.shape}, {b.shape}")
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))
