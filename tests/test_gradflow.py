"""The adaptive gradient-flow integrator, the soft hinge and the alpha-scaled loss (companion.gradflow)."""

import math

import numpy as np
import pytest
import scipy.linalg
import torch

from companion.gradflow import FlowRule, alpha_loss, integrate, soft_hinge, train_alpha

#: A priori bound on Euler's global error here: the gradient criterion keeps dt * lambda_max below
#: sqrt(max_dgrad) = 1e-3, and the first-order error at t = T is at most ~ T dt lambda_max / 2 = 1.5e-3
#: relative for T = 3 (measured: 5e-5, the slow modes dominate the distance travelled).
LINEAR_RTOL = 2e-3


def _linear_problem(seed=0, n=40, d=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    w0 = rng.standard_normal(d)
    return X, y, w0


def _flow_linear(X, y, w0, *, T, max_dgrad):
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    w = torch.tensor(w0, requires_grad=True)

    def closure():
        out = Xt @ w
        return 0.5 * ((out - yt) ** 2).mean(), out

    res = integrate([w], closure, rule=FlowRule(max_dgrad=max_dgrad, dt0=1e-3, max_steps=10**6),
                    stop=lambda loss, out, t: t >= T)
    return w.detach().numpy(), res


def _exact_linear(X, y, w0, t):
    """w(t) = w* + exp(-H t)(w0 - w*), H = X^T X / n, w* = H^-1 X^T y / n (least squares)."""
    H = X.T @ X / len(X)
    w_star = np.linalg.solve(H, X.T @ y / len(X))
    return w_star + scipy.linalg.expm(-H * t) @ (w0 - w_star)


def test_integrator_reproduces_the_exact_flow_of_a_linear_model():
    X, y, w0 = _linear_problem()
    w, res = _flow_linear(X, y, w0, T=3.0, max_dgrad=1e-6)
    exact = _exact_linear(X, y, w0, res.t)
    assert res.converged and res.t >= 3.0
    assert np.linalg.norm(w - exact) / np.linalg.norm(exact - w0) < LINEAR_RTOL


def test_integrator_error_falls_with_the_threshold_first_order():
    """Euler is first order: dt ~ sqrt(max_dgrad), so 100x tighter threshold -> ~10x smaller error."""
    X, y, w0 = _linear_problem(seed=1)
    errs = []
    for thr in (1e-4, 1e-6):
        w, res = _flow_linear(X, y, w0, T=2.0, max_dgrad=thr)
        errs.append(np.linalg.norm(w - _exact_linear(X, y, w0, res.t)))
    assert 5 < errs[0] / errs[1] < 20       # 10 expected for a first-order method


def test_step_rejected_and_shrunk_when_the_output_change_is_too_large():
    """Loss w^2/2, outputs 1000 w, w0 = 1, dt0 = 1: the output moves by 1000 dt, so dt = 1, 0.1, ...,
    1e-4 (a move of exactly 0.1, not < 0.1) are rejected; dt = 1e-5 is accepted and then grows by 1.1."""
    w = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    res = integrate([w], lambda: (0.5 * (w**2).sum(), 1000 * w), rule=FlowRule(dt0=1.0, max_steps=1),
                    stop=lambda *a: False)
    assert res.rejected == 5 and res.steps == 1
    assert res.dt == pytest.approx(1e-5 * 1.1, rel=1e-12)
    assert float(w.detach()) == pytest.approx(1 - 1e-5, rel=1e-14)     # the rejected steps were undone


def test_step_rejected_when_the_gradient_turns():
    """Loss w^2/2, no outputs: the relative gradient change of a step dt is dt^2/(1 - dt), so dt = 1,
    0.1, 0.01 (1.01e-4 > 1e-4) are rejected and dt = 1e-3 is accepted."""
    w = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    res = integrate([w], lambda: (0.5 * (w**2).sum(), torch.zeros(0)), rule=FlowRule(dt0=1.0, max_steps=1),
                    stop=lambda *a: False)
    assert res.rejected == 3 and res.steps == 1 and res.t == pytest.approx(1e-3)


def test_soft_hinge_and_alpha_loss():
    u = torch.tensor([-5.0, 0.0, 1.0, 3.0], dtype=torch.float64)
    beta = 20.0
    expected = np.log1p(np.exp(beta * (1 - u.numpy()))) / beta
    assert np.allclose(soft_hinge(u).numpy(), expected, rtol=1e-12)
    assert float(soft_hinge(torch.tensor(1.0, dtype=torch.float64))) == pytest.approx(math.log(2) / 20)
    assert float(soft_hinge(torch.tensor(1e4, dtype=torch.float64))) == 0.0       # no overflow
    F, y = torch.tensor([0.5, -2.0], dtype=torch.float64), torch.tensor([1.0, -1.0], dtype=torch.float64)
    assert float(alpha_loss(F, y, 10.0)) == pytest.approx(float(soft_hinge(F * y).mean()) / 100)


@pytest.mark.parametrize("kw, message", [({"max_dF": 0}, "max_dF"), ({"max_dgrad": -1}, "max_dgrad"),
                                          ({"grow": 0.5}, "grow"), ({"shrink": 1.0}, "shrink"),
                                          ({"dt0": 0}, "dt0"), ({"max_steps": 0}, "max_steps"),
                                          ({"t_max": 0}, "t_max")])
def test_invalid_rule_fails_with_the_parameter_named(kw, message):
    with pytest.raises(ValueError, match=message):
        FlowRule(**kw)


def test_train_alpha_reaches_every_margin_and_records_t1():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(20, 5, generator=gen, dtype=torch.float64)
    y = torch.sign(X[:, 0])
    net = torch.nn.Sequential(torch.nn.Linear(5, 16, dtype=torch.float64), torch.nn.Tanh(),
                              torch.nn.Linear(16, 1, dtype=torch.float64), torch.nn.Flatten(0))
    res = train_alpha(net, X, y, alpha=3.0, rule=FlowRule(max_steps=20000))
    assert res.converged and res.record["min_margin"] >= 1.0 and res.record["train_err"] == 0.0
    assert 0 < res.record["t1"] < res.t
    with pytest.raises(ValueError, match="alpha must be"):
        train_alpha(net, X, y, alpha=0.0, rule=FlowRule())
    with pytest.raises(ValueError, match="X must be"):
        train_alpha(net, X, y[:5], alpha=1.0, rule=FlowRule())
