"""One-hidden-layer ReLU networks without bias on S^{d-1}, trained by full-batch GD in float64.

Notation (Petrini, Cagnetta, Vanden-Eijnden & Wyart, NeurIPS 2022; Chizat & Bach 2019): the output scale
alpha sets the regime,

    f(x) = (alpha / sqrt(H)) sum_{h=1}^H [ w_h sigma(theta_h . x) - w_h^0 sigma(theta_h^0 . x) ],

with the loss (1 / (2 n alpha^2)) sum_i (f(x_i) - y_i)^2, so that the function-space dynamics
df/dt = -(1/n) Theta (f - y) does not depend on alpha at t = 0. alpha -> infinity is the lazy (NTK)
limit; the feature (mean-field) regime is alpha = 1/sqrt(H). The seed notation of this project
writes the same network as f = (1/N) sum_h [...]: :func:`alpha_to_N` and :func:`N_to_alpha` convert
(N = sqrt(H) / alpha: N = H is the feature regime, N = sqrt(H) the lazy one).

* :func:`train_feature`: the authors' feature-regime protocol — f(x) = (1/H) sum_h w_h sigma(theta_h . x),
  theta_h projected on the unit sphere after every step, w initialised at zero, an L1 penalty
  (lam / H) sum_h |w_h| applied by its proximal step (soft thresholding, so switched-off neurons are
  exactly zero), mean-field learning rate (lr * H per parameter). The directions' step is divided by
  max(1, |w_h|): the L1 penalty concentrates the weight on few neurons with |w_h| >> 1, whose plain
  gradient step on theta_h (proportional to w_h) would throw them around the sphere; the rescaling is a
  positive preconditioner, so the fixed points (and the limit lam -> 0) are those of plain GD.
* :func:`train_lazy`: the network above at large alpha, w^0 ~ N(0, 1), theta^0 ~ N(0, I_d). Its
  empirical NTK at initialisation tends, as H -> infinity, to
  Theta(u) = (u kappa0(u) + kappa1(u)) / 2 (half the two-layer NTK of :mod:`companion.kernels`;
  ridgeless regression does not see the factor).

Both use hand-written gradients (no autograd) and run on :func:`companion.train.default_device`.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from .train import default_device
from .validate import check_float, check_int


def alpha_to_N(alpha: float, H: int) -> float:
    """The 1/N normalisation equivalent to the output scale alpha: N = sqrt(H) / alpha."""
    return math.sqrt(check_int("H", H, lo=1)) / check_float("alpha", alpha, lo=0.0, lo_open=True)


def N_to_alpha(N: float, H: int) -> float:
    """Inverse of :func:`alpha_to_N`: alpha = sqrt(H) / N."""
    return math.sqrt(check_int("H", H, lo=1)) / check_float("N", N, lo=0.0, lo_open=True)


def _tensors(X, y, device):
    X = torch.as_tensor(np.asarray(X, dtype=np.float64), device=device)
    y = torch.as_tensor(np.asarray(y, dtype=np.float64), device=device)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,); got shapes {tuple(X.shape)} and {tuple(y.shape)}")
    return X, y


def train_feature(X, y, *, H: int, lam: float, lr: float, steps: int, seed, device=None,
                  record: tuple[int, ...] = ()) -> dict:
    """Projected GD with an L1 penalty in the feature regime (module docstring).

    Parameters
    ----------
    X : (n, d) on S^{d-1}; y : (n,). H : neurons. lam : L1 penalty > 0. lr : learning rate (mean-field
    units). steps : GD steps. seed : initial directions (uniform on the sphere). device : torch device
    (default :func:`companion.train.default_device`). record : steps at which (theta, c) are saved.

    Returns
    -------
    dict with theta (H, d) and c = w / H (H,) as numpy arrays, history = [(step, theta, c), ...] — the predictor is
    sum_h c_h relu(theta_h . x), as for :class:`companion.minl1.L1Solution` — and train_mse, steps,
    seconds, device.
    """
    H = check_int("H", H, lo=1)
    lam = check_float("lam", lam, lo=0.0, lo_open=True)
    lr = check_float("lr", lr, lo=0.0, lo_open=True)
    steps = check_int("steps", steps, lo=1)
    device = default_device() if device is None else torch.device(device)
    X, y = _tensors(X, y, device)
    n, d = X.shape
    g = torch.Generator().manual_seed(int(np.random.SeedSequence(seed).generate_state(1)[0]))
    theta = torch.randn(H, d, generator=g, dtype=torch.float64).to(device)
    theta /= theta.norm(dim=1, keepdim=True)
    w = torch.zeros(H, dtype=torch.float64, device=device)
    history = []
    t0 = time.perf_counter()
    for step in range(1, steps + 1):
        pre = X @ theta.T                                   # (n, H)
        act = pre.clamp_min(0.0)
        r = act @ w / H - y                                 # residual (n,)
        grad_w = act.T @ r / n                              # H * dLoss/dw_h
        grad_t = (w[:, None] * ((pre > 0).to(X.dtype) * r[:, None]).T @ X) / n   # H * dLoss/dtheta_h
        w = w - lr * grad_w
        w = torch.sign(w) * (w.abs() - lr * lam).clamp_min(0.0)          # prox of lr * lam * |w|
        theta = theta - lr * grad_t / w.abs().clamp_min(1.0)[:, None]
        theta = theta / theta.norm(dim=1, keepdim=True)
        if step in record:
            history.append((step, theta.cpu().numpy(), (w / H).cpu().numpy()))
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    r = (X @ theta.T).clamp_min(0.0) @ w / H - y
    return dict(theta=theta.cpu().numpy(), c=(w / H).cpu().numpy(), train_mse=float((r**2).mean()), steps=steps,
                seconds=seconds, device=str(device), history=history)


def train_lazy(X, y, X_test, *, H: int, alpha: float, lr: float, steps: int, seed, device=None) -> dict:
    """Full-batch GD of the alpha-scaled network with f - f0 subtracted (module docstring).

    Parameters
    ----------
    X : (n, d); y : (n,); X_test : (m, d). H : neurons. alpha : output scale > 0. lr : learning rate of
    the function-space dynamics (dimensionless, stable below ~2 / lambda_max(Theta / n)). steps : GD
    steps. seed : initialisation. device : torch device (default :func:`default_device`).

    Returns
    -------
    dict with pred_test (m,) numpy, pred_lin (m,) the prediction of the same GD on the model linearised at
    initialisation (the alpha -> infinity limit at this H and step count: f_lin(t+1) = f_lin(t) -
    (lr / n) Theta0 (f_lin(t) - y) on the training set, the test predictions driven by the same
    residuals), train_mse, empirical NTK at initialisation on (train, train)
    ``K0`` (n, n) and (test, train) ``K0_test`` (m, n), seconds, device.
    """
    H = check_int("H", H, lo=1)
    alpha = check_float("alpha", alpha, lo=0.0, lo_open=True)
    lr = check_float("lr", lr, lo=0.0, lo_open=True)
    steps = check_int("steps", steps, lo=1)
    device = default_device() if device is None else torch.device(device)
    X, y = _tensors(X, y, device)
    Xt = torch.as_tensor(np.asarray(X_test, dtype=np.float64), device=device)
    n, d = X.shape
    g = torch.Generator().manual_seed(int(np.random.SeedSequence(seed).generate_state(1)[0]))
    theta0 = torch.randn(H, d, generator=g, dtype=torch.float64).to(device)
    w0 = torch.randn(H, generator=g, dtype=torch.float64).to(device)
    theta, w = theta0.clone(), w0.clone()
    scale = alpha / math.sqrt(H)

    def net(Z, th, ww):
        return Z.matmul(th.T).clamp_min(0.0) @ ww

    f0_train, f0_test = net(X, theta0, w0), net(Xt, theta0, w0)
    t0 = time.perf_counter()
    for _ in range(steps):
        pre = X @ theta.T
        act = pre.clamp_min(0.0)
        r = scale * (act @ w - f0_train) - y
        # gradient of (1/(2 n alpha^2)) |r|^2, times alpha^2 (the rate that makes the dynamics alpha-free)
        grad_w = scale * act.T @ r / n
        grad_t = scale * (w[:, None] * ((pre > 0).to(X.dtype) * r[:, None]).T @ X) / n
        w = w - lr * grad_w / alpha**2
        theta = theta - lr * grad_t / alpha**2
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    r = scale * (net(X, theta, w) - f0_train) - y
    pred = scale * (net(Xt, theta, w) - f0_test)

    def entk(A, B):
        pa, pb = A @ theta0.T, B @ theta0.T
        return (pa.clamp_min(0) @ pb.clamp_min(0).T + (A @ B.T) * (((pa > 0).to(A.dtype) * w0**2) @ (pb > 0).to(A.dtype).T)) / H

    K0, K0t = entk(X, X), entk(Xt, X)
    f_lin, p_lin = torch.zeros_like(y), torch.zeros(len(Xt), dtype=X.dtype, device=device)
    for _ in range(steps):
        r_lin = f_lin - y
        f_lin, p_lin = f_lin - lr / n * (K0 @ r_lin), p_lin - lr / n * (K0t @ r_lin)
    return dict(pred_test=pred.cpu().numpy(), pred_lin=p_lin.cpu().numpy(), train_mse=float((r**2).mean()), K0=K0.cpu().numpy(),
                K0_test=K0t.cpu().numpy(), seconds=seconds, device=str(device))
