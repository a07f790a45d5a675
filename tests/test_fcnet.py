"""The deep FC network, the alpha converter, the factorised empirical NTK and the lazy limit (companion.fcnet)."""

import math

import numpy as np
import pytest
import torch
from torch.func import functional_call, jacrev, jvp

from companion.fcnet import FCNet, activation_scale, alpha_code, alpha_paper, empirical_ntk, kernel_change
from companion.gradflow import FlowRule, train_alpha

#: The factorised NTK and the full Jacobian differ by float64 roundoff of sums over ~1e3 terms.
NTK_RTOL = 1e-10


def _net(d=6, h=7, L=2, seed=0):
    return FCNet(d=d, h=h, L=L, generator=torch.Generator().manual_seed(seed))


#: Gauss-Hermite with 200 nodes (an independent rule) integrates the softplus^2 to ~2e-9 (its integrand
#: is analytic only in a strip), so E[sigma^2] = 1 is checked to 1e-8.
HERMITE_ATOL = 1e-8


def test_activation_is_normalised():
    c = activation_scale(5.0)
    g, w = np.polynomial.hermite_e.hermegauss(200)
    val = np.sum(w * (np.logaddexp(0, 5 * g) / 5 / c) ** 2) / math.sqrt(2 * math.pi)
    assert val == pytest.approx(1.0, abs=HERMITE_ATOL)


@pytest.mark.parametrize("L", [1, 2, 3])
def test_factorised_ntk_equals_the_full_jacobian(L):
    net = _net(L=L)
    X = torch.randn(9, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    params = {k: v.detach() for k, v in net.named_parameters()}
    J = jacrev(lambda p: functional_call(net, p, (X,)))(params)
    full = sum((j.reshape(9, -1) @ j.reshape(9, -1).T) for j in J.values()).numpy()
    assert np.allclose(empirical_ntk(net, X), full, rtol=NTK_RTOL, atol=NTK_RTOL * np.abs(full).max())


def test_converter_round_trips_and_matches_the_code_convention():
    """The code's net f_code = f / sqrt(h): alpha_code (f_code - f_code0) = alpha_paper (f - f_0)."""
    for h in (1, 10, 1000):
        for a in (1e-3, 0.7, 1e4):
            assert alpha_paper(alpha_code(a, h), h) == pytest.approx(a, rel=1e-14)
            assert alpha_code(a, h) == pytest.approx(a * math.sqrt(h))
    a = np.array([0.1, 1.0, 10.0])
    assert np.allclose(alpha_code(alpha_paper(a, 64), 64), a)
    net, X = _net(h=16), torch.randn(4, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    f = net(X).detach()
    assert torch.allclose(alpha_code(0.3, 16) * (f / math.sqrt(16)), 0.3 * f)
    for bad in (0.0, -1.0, float("inf")):
        with pytest.raises(ValueError, match="alpha_paper must be finite and > 0"):
            alpha_code(bad, 4)
        with pytest.raises(ValueError, match="alpha_code must be finite and > 0"):
            alpha_paper(bad, 4)
    with pytest.raises(ValueError, match=r"h must be an integer >= 1"):
        alpha_code(1.0, 0)


@pytest.mark.parametrize("kw, message", [({"h": 0}, r"h must be an integer in \[1"), ({"L": 0}, r"L must be an integer in \[1"),
                                          ({"d": 0}, r"d must be an integer >= 1"),
                                          ({"dtype": torch.int64}, "dtype must be")])
def test_invalid_network_parameters_fail_with_the_parameter_named(kw, message):
    args = dict(d=4, h=4, L=2, generator=torch.Generator()) | kw
    with pytest.raises(ValueError, match=message):
        FCNet(**args)


def test_kernel_change():
    K0 = np.eye(3)
    assert kernel_change(K0, K0) == 0.0
    assert kernel_change(2 * K0, K0) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        kernel_change(np.eye(2), K0)


#: Lazy limit: after training at scale alpha, F(w) - alpha grad f(w0).(w - w0) is the second-order
#: term alpha |w - w0|^2 ~ alpha (1/alpha)^2 = 1/alpha. Fitted over alpha = 10..1000, the next-order
#: term (1/alpha^2, relative 1/alpha) moves the slope by ~ 1/alpha_min = 0.1 at most (measured: 0.001).
LAZY_SLOPE_TOL = 0.1


def test_large_alpha_stays_within_1_over_alpha_of_its_linearisation():
    gen = torch.Generator().manual_seed(3)
    X = torch.randn(16, 6, generator=gen, dtype=torch.float64)
    X = X * math.sqrt(6) / X.norm(dim=1, keepdim=True)
    y = torch.sign(X[:, 0] + 0.5 * X[:, 1])
    alphas = [10.0, 100.0, 1000.0]
    devs = []
    for a in alphas:
        net = _net(h=32, L=2, seed=4)
        w0 = {k: v.detach().clone() for k, v in net.named_parameters()}
        res = train_alpha(net, X, y, alpha=a, rule=FlowRule())
        assert res.converged
        dw = {k: v.detach() - w0[k] for k, v in net.named_parameters()}
        f0, df_lin = jvp(lambda p: functional_call(net, p, (X,)), (w0,), (dw,))
        F = a * (net(X).detach() - f0)
        devs.append(float((F - a * df_lin).abs().max()))
    slope = np.polyfit(np.log(alphas), np.log(devs), 1)[0]
    assert abs(slope + 1) < LAZY_SLOPE_TOL, (devs, slope)
