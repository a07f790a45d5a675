"""Full-batch gradient flow with an adaptive time step, the soft hinge and the alpha-scaled loss.

Geiger, Spigler, Jacot & Wyart (J. Stat. Mech. 2020, "Disentangling feature and lazy training in deep
neural networks", Sec. 2 and App. A) train F(w, x) = alpha (f(w, x) - f(w_0, x)) on

    L(w) = 1 / (alpha^2 P) sum_mu ell(y_mu F(w, x_mu)),   ell(u) = (1/beta) log(1 + e^{beta (1 - u)}),  beta = 20,

by gradient flow dw/dt = -grad L, stopped when every training margin y F >= 1. The 1/alpha^2 makes the
lazy dynamics dF/dt = -(1/P) Theta ell' y independent of alpha (time of order one).

The flow is integrated by forward Euler with the paper's adaptive step (:func:`integrate`): try a step
of length dt; accept it if the largest change of the outputs on the training set is below ``max_dF``
(0.1) and the relative change of the gradient ||g_new - g_old||^2 / (||g_old|| ||g_new||) is below
``max_dgrad`` (1e-4); if both are under half their thresholds, grow dt by ``grow`` (1.1); on rejection
restore the parameters and divide dt by ``shrink`` (10). Both thresholds bound the local error of the
Euler step, so the trajectory tracks the exact flow (tests compare with the closed-form flow of a
linear model).

:func:`integrate` is generic (any parameters, any closure); :func:`train_alpha` applies it to a
network and the alpha-scaled soft-hinge loss and records t_1, the first time alpha^2 L < 1/2.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from .validate import check_float, check_int

#: Sharpness of the soft hinge (paper, Sec. 2).
BETA_HINGE = 20.0


def soft_hinge(u: torch.Tensor, beta: float = BETA_HINGE) -> torch.Tensor:
    """ell(u) = (1/beta) log(1 + exp(beta (1 - u))), elementwise (stable for any u)."""
    return torch.logaddexp(torch.zeros_like(u), beta * (1.0 - u)) / beta


def alpha_loss(F: torch.Tensor, y: torch.Tensor, alpha: float, beta: float = BETA_HINGE) -> torch.Tensor:
    """L = mean_mu ell(y_mu F_mu) / alpha^2 (paper, eq. 3); F = alpha (f - f_0): (P,), y = +-1: (P,)."""
    return soft_hinge(y * F, beta).mean() / alpha**2


@dataclass(frozen=True, kw_only=True)
class FlowRule:
    """The adaptive-step rule of :func:`integrate` (paper, App. A) and its budget.

    max_dF : largest accepted change of any training output per step (0.1).
    max_dgrad : largest accepted ||g_new - g_old||^2 / (||g_old|| ||g_new||) per step (1e-4).
    grow : dt *= grow after a step with both changes under half their thresholds (1.1).
    shrink : dt /= shrink after a rejected step (10).  dt0 : first trial step.
    max_steps : accepted steps before giving up (the run is then reported as not converged).
    t_max : flow time before giving up.
    """

    max_dF: float = 0.1
    max_dgrad: float = 1e-4
    grow: float = 1.1
    shrink: float = 10.0
    dt0: float = 1e-2
    max_steps: int = 100_000
    t_max: float = math.inf

    def __post_init__(self):
        check_float("max_dF", self.max_dF, lo=0.0, lo_open=True)
        check_float("max_dgrad", self.max_dgrad, lo=0.0, lo_open=True)
        check_float("grow", self.grow, lo=1.0)
        check_float("shrink", self.shrink, lo=1.0, lo_open=True)
        check_float("dt0", self.dt0, lo=0.0, lo_open=True)
        check_int("max_steps", self.max_steps, lo=1)
        if not self.t_max > 0:
            raise ValueError(f"t_max must be > 0; got {self.t_max!r}")


@dataclass(kw_only=True)
class FlowResult:
    """What :func:`integrate` did: flow time ``t``, accepted ``steps``, ``rejected`` trials, final
    ``dt``, whether ``stop`` held (``converged``), wall ``seconds``, and the callback's ``record``."""

    t: float
    steps: int
    rejected: int
    dt: float
    converged: bool
    seconds: float
    record: dict = field(default_factory=dict)

    @property
    def steps_per_s(self) -> float:
        """Trial steps (accepted + rejected: one forward and backward each) per second of wall time."""
        return (self.steps + self.rejected) / max(self.seconds, 1e-12)


Closure = Callable[[], tuple[torch.Tensor, torch.Tensor]]


def integrate(params: list[torch.Tensor], closure: Closure, *, rule: FlowRule,
              stop: Callable[[torch.Tensor, torch.Tensor, float], bool],
              callback: Callable[[float, torch.Tensor, torch.Tensor], None] | None = None) -> FlowResult:
    """Integrate dw/dt = -grad L(w) by Euler steps with the adaptive rule of the module docstring.

    Parameters
    ----------
    params : tensors with ``requires_grad`` (updated in place).
    closure : ``() -> (loss, outputs)``, the loss (scalar, differentiable in ``params``) and the
        outputs on the training set (any shape) whose change per step is bounded by ``rule.max_dF``.
    rule : :class:`FlowRule`.
    stop : ``(loss, outputs, t) -> bool``, checked at t = 0 and after every accepted step.
    callback : ``(t, loss, outputs)``, called at t = 0 and after every accepted step.

    Returns
    -------
    :class:`FlowResult`; ``record`` is empty (the callback keeps its own).
    """
    params = list(params)
    t0 = time.perf_counter()

    def evaluate():
        loss, out = closure()
        grads = torch.autograd.grad(loss, params)
        return loss.detach(), out.detach(), [g.detach() for g in grads]

    loss, out, grads = evaluate()
    t, dt, steps, rejected = 0.0, rule.dt0, 0, 0
    if callback:
        callback(t, loss, out)
    converged = bool(stop(loss, out, t))
    while not converged and steps < rule.max_steps and t < rule.t_max:
        saved = [p.detach().clone() for p in params]
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(dt * g)
        new_loss, new_out, new_grads = evaluate()
        d_out = float((new_out - out).abs().max()) if out.numel() else 0.0
        g_old = math.sqrt(sum(float((g * g).sum()) for g in grads))
        g_new = math.sqrt(sum(float((g * g).sum()) for g in new_grads))
        diff2 = sum(float(((a - b) ** 2).sum()) for a, b in zip(new_grads, grads))
        d_grad = diff2 / (g_old * g_new) if g_old > 0 and g_new > 0 else (0.0 if diff2 == 0 else math.inf)
        finite = math.isfinite(float(new_loss)) and math.isfinite(d_out)
        if finite and d_out < rule.max_dF and d_grad < rule.max_dgrad:
            t += dt
            steps += 1
            loss, out, grads = new_loss, new_out, new_grads
            if d_out < rule.max_dF / 2 and d_grad < rule.max_dgrad / 2:
                dt *= rule.grow
            if callback:
                callback(t, loss, out)
            converged = bool(stop(loss, out, t))
        else:
            with torch.no_grad():
                for p, s in zip(params, saved):
                    p.copy_(s)
            dt /= rule.shrink
            rejected += 1
            if dt < 1e-300:
                raise FloatingPointError("gradient flow: the time step underflowed (every trial step rejected)")
    return FlowResult(t=t, steps=steps, rejected=rejected, dt=dt, converged=converged,
                      seconds=time.perf_counter() - t0)


def train_alpha(net: nn.Module, X: torch.Tensor, y: torch.Tensor, *, alpha: float, rule: FlowRule,
                beta: float = BETA_HINGE, margin: float = 1.0, t1_level: float = 0.5) -> FlowResult:
    """Gradient flow of ``net`` on the alpha-scaled soft-hinge loss until every margin y F >= ``margin``.

    Parameters
    ----------
    net : module with ``net(X) -> f: (P,)``; all its parameters are trained (in place).
    X : (P, d) training inputs; y : (P,) labels +-1 (same device and dtype as ``net``).
    alpha : output scale (> 0), in the convention of ``net`` (the paper's for :class:`companion.fcnet.FCNet`).
    rule : :class:`FlowRule`.  beta : soft-hinge sharpness.
    t1_level : t_1 is the first time alpha^2 L = mean ell(y F) < t1_level, linearly interpolated in t
        between the two accepted steps around it (paper, Sec. 5).

    Returns
    -------
    :class:`FlowResult` whose ``record`` holds ``t1`` (nan if never reached), the final ``min_margin``,
    the final ``train_loss`` (alpha^2 L) and ``train_err`` (fraction of y F <= 0).
    """
    alpha = check_float("alpha", alpha, lo=0.0, lo_open=True)
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] < 1:
        raise ValueError(f"X must be (P, d) and y (P,) with P >= 1; got {tuple(X.shape)} and {tuple(y.shape)}")
    with torch.no_grad():
        f0 = net(X).detach()
    params = [p for p in net.parameters() if p.requires_grad]

    def closure():
        F = alpha * (net(X) - f0)
        return alpha_loss(F, y, alpha, beta), F

    rec = {"t1": math.nan, "prev": None}

    def callback(t, loss, F):
        mean_ell = float(loss) * alpha**2
        if math.isnan(rec["t1"]) and mean_ell < t1_level:
            if rec["prev"] is None:
                rec["t1"] = t
            else:
                tp, lp = rec["prev"]
                rec["t1"] = tp + (t - tp) * (lp - t1_level) / (lp - mean_ell)
        rec["prev"] = (t, mean_ell)

    def stop(loss, F, t):
        return bool((y * F).min() >= margin)

    res = integrate(params, closure, rule=rule, stop=stop, callback=callback)
    with torch.no_grad():
        F = alpha * (net(X) - f0)
        m = y * F
        res.record = {"t1": rec["t1"], "min_margin": float(m.min()),
                      "train_loss": float(soft_hinge(m, beta).mean()), "train_err": float((m <= 0).double().mean())}
    return res
