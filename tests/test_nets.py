"""Empirical NTK/NNGP of wide networks against the analytic kernels (oracle) and in width (scaling)."""

import math

import numpy as np
import pytest
import torch
from torch.func import functional_call, jacrev

from companion.kernels import gram, make_kernel
from companion import nets
from companion.nets import ReLUNet, empirical_kernels
from companion.sphere import sample_sphere

# The empirical kernels are averages over `width` neurons, so they fluctuate around the limit with
# standard deviation s / sqrt(width), s the per-neuron standard deviation. At L = 2 it is exact at
# x = y (z ~ N(0,1) a first-layer preactivation, v a readout weight, beta = 1 with the bias):
#   NNGP  Var[2 relu(z)^2] = 4 E[z^4; z > 0] - 1 = 5;
#   NTK   Var[2 relu(z)^2 + 2 v^2 1(z > 0)(1 + beta)] = 5 + 5 (1 + beta)^2 + 2 (1 + beta) = 12 (29 with bias).
# At L = 3 the hidden layer adds its own fluctuation; measured over 40 seeds at width 500 (d = 3, 5;
# largest entry of a 20-point Gram): s = 3.8 (NNGP), 9.1 (NTK), 12.1 (NTK with bias).
PER_NEURON_SD = {(2, "nngp", False): math.sqrt(5), (2, "ntk", False): math.sqrt(12), (2, "ntk", True): math.sqrt(29),
                 (3, "nngp", False): 3.8, (3, "ntk", False): 9.1, (3, "ntk", True): 12.1}
# Allowed deviation in standard deviations, for the maximum over the 210 entries of a 20-point Gram:
# the measured maximum was 3.6 sd over 40 seeds; a two-sided 5-sd excursion of one of 210 Gaussian
# entries has probability ~1e-4.
N_SD = 5.0
# Fluctuations scale as width^{-1/2}: slope of log RMS error (over entries and 4 seeds) against
# log width over a 64x (L = 2) or 16x (L = 3) range; across 5 independent seed sets the slope was
# measured in [-0.59, -0.45] (L = 2) and [-0.61, -0.40] (L = 3).
SLOPE_BAND = 0.15
# Two evaluations of the same J J^T (one Jacobian vs one per tensor, one block vs several): float64
# roundoff of sums over ~1e3 parameters.
SAME_SUM_TOL = 1e-12


def _atol(L, which, bias, width):
    return N_SD * PER_NEURON_SD[(L, which, bias and which == "ntk")] / math.sqrt(width)


@pytest.mark.parametrize("L,d,width,bias", [(2, 3, 4000, False), (2, 3, 4000, True), (2, 5, 4000, False),
                                            (3, 5, 2000, False), (3, 3, 1000, True)])
def test_empirical_matches_analytic(L, d, width, bias):
    X = sample_sphere(20, d, seed=11)
    u = gram(X)
    ntk, nngp = empirical_kernels(X, L=L, width=width, seed=5, bias=bias)
    assert ntk.shape == nngp.shape == (20, 20) and ntk.dtype == np.float64
    np.testing.assert_allclose(ntk, make_kernel("ntk", L=L, bias=bias)(u), rtol=0,
                               atol=_atol(L, "ntk", bias, width))
    np.testing.assert_allclose(nngp, make_kernel("rf", L=L)(u), rtol=0, atol=_atol(L, "nngp", bias, width))


def test_bias_scaling_is_the_u_plus_one_recursion():
    """The bias NTK differs from the plain one by kappa0(u) at L = 2 (the b^1 gradient): same weights."""
    X = sample_sphere(20, 3, seed=2)
    u = gram(X)
    ntk_b, _ = empirical_kernels(X, L=2, width=4000, seed=9, bias=True)
    ntk, _ = empirical_kernels(X, L=2, width=4000, seed=9, bias=False)
    # the difference is an average of 2 v^2 1(z_x > 0) 1(z_y > 0): per-neuron sd <= sqrt(E[4 v^4]) = sqrt(12)
    np.testing.assert_allclose(ntk_b - ntk, make_kernel("ntk", L=2, bias=True)(u) - make_kernel("ntk", L=2)(u),
                               atol=N_SD * math.sqrt(12) / math.sqrt(4000))


def _rms_error_slope(L, widths, n_seeds=4):
    X = sample_sphere(20, 3, seed=0)
    u = gram(X)
    mse = np.zeros((2, len(widths)))
    for i, w in enumerate(widths):
        for s in range(n_seeds):
            ntk, nngp = empirical_kernels(X, L=L, width=int(w), seed=s)
            mse[0, i] += np.mean((ntk - make_kernel("ntk", L=L)(u)) ** 2)
            mse[1, i] += np.mean((nngp - make_kernel("rf", L=L)(u)) ** 2)
    return [np.polyfit(np.log(widths), np.log(m), 1)[0] / 2 for m in mse]


def test_error_shrinks_like_inverse_sqrt_width():
    for slope in _rms_error_slope(2, [64, 256, 1024, 4096]):
        assert abs(slope + 0.5) < SLOPE_BAND, slope


@pytest.mark.slow
def test_error_shrinks_like_inverse_sqrt_width_three_layers():
    for slope in _rms_error_slope(3, [64, 256, 1024]):
        assert abs(slope + 0.5) < SLOPE_BAND, slope


def test_per_tensor_ntk_equals_one_jacobian():
    """The factorised NTK equals J J^T from one explicit Jacobian over all parameters (small net)."""
    X = sample_sphere(6, 4, seed=1)
    for L, bias in ((1, True), (2, False), (3, True)):
        ntk, nngp = empirical_kernels(X, L=L, width=16, seed=3, bias=bias)
        net = ReLUNet(d=4, L=L, width=16, bias=bias, generator=torch.Generator().manual_seed(3))
        params = {k: v.detach() for k, v in net.named_parameters()}
        x = torch.from_numpy(X)
        J = jacrev(lambda p: functional_call(net, p, (x,)))(params)
        assert set(J) == {f"W{l}" for l in range(1, L + 1)} | ({"b1"} if bias else set())
        K = sum((j.reshape(6, -1) @ j.reshape(6, -1).T) for j in J.values()).numpy()
        np.testing.assert_allclose(ntk, K, rtol=SAME_SUM_TOL, atol=SAME_SUM_TOL)
        with torch.no_grad():
            phi = net.features(x)
        np.testing.assert_allclose(nngp, (phi @ phi.T).numpy(), rtol=SAME_SUM_TOL)


def test_linear_network_is_exact():
    X = sample_sphere(8, 3, seed=4)
    ntk, nngp = empirical_kernels(X, L=1, width=1, seed=0, bias=True)
    np.testing.assert_allclose(ntk, gram(X) + 1, atol=SAME_SUM_TOL)
    np.testing.assert_allclose(nngp, gram(X), atol=SAME_SUM_TOL)


def test_seeded_and_global_state_untouched():
    X = sample_sphere(5, 3, seed=0)
    torch_state, np_state = torch.random.get_rng_state(), np.random.get_state()[1].copy()
    dtype = torch.get_default_dtype()
    a = empirical_kernels(X, L=3, width=64, seed=7)
    b = empirical_kernels(X, L=3, width=64, seed=7)
    c = empirical_kernels(X, L=3, width=64, seed=8)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.allclose(a[0], c[0])
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    assert torch.get_default_dtype() == dtype


@pytest.mark.parametrize("kwargs,param", [
    (dict(L=0, width=10, seed=0), "L"),
    (dict(L=2, width=0, seed=0), "width"),
    (dict(L=2, width=10, seed=-1), "seed"),
    (dict(L=2, width=10, seed=0, bias=1), "bias"),
])
def test_invalid_parameters_name_the_parameter(kwargs, param):
    with pytest.raises(ValueError, match=rf"\b{param}\b"):
        empirical_kernels(sample_sphere(4, 3, seed=0), **kwargs)


def test_inputs_must_be_on_the_sphere():
    with pytest.raises(ValueError, match=r"\bX\b"):
        empirical_kernels(2 * sample_sphere(4, 3, seed=0), L=2, width=8, seed=0)


# ----------------------------------------------------------------------------- two layers in closed form

def _torch_weights(d, width, seed, bias):
    net = ReLUNet(d=d, L=2, width=width, bias=bias, generator=torch.Generator().manual_seed(seed))
    return net.W1.detach().numpy(), net.W2.detach().numpy()[0]


@pytest.mark.parametrize("bias", [False, True])
def test_two_layer_closed_form_equals_torch_jacobian(bias):
    """Same weights, two computations of J J^T: identical up to float64 roundoff."""
    X = sample_sphere(15, 4, seed=3)
    ntk_t, nngp_t = empirical_kernels(X, L=2, width=200, seed=6, bias=bias)
    W, a = _torch_weights(4, 200, 6, bias)
    ntk, nngp = nets.two_layer_kernels(X, W, a, widths=[200], bias=bias, chunk=64)
    np.testing.assert_allclose(ntk[0], ntk_t, rtol=0, atol=SAME_SUM_TOL)
    np.testing.assert_allclose(nngp[0], nngp_t, rtol=0, atol=SAME_SUM_TOL)


def test_two_layer_nested_widths_are_prefixes_and_chunking_is_invisible():
    X = sample_sphere(10, 3, seed=0)
    W, a = nets.sample_two_layer(3, 300, seed=1)
    ntk, nngp = nets.two_layer_kernels(X, W, a, widths=[7, 100, 300], chunk=32)
    for i, m in enumerate([7, 100, 300]):
        ntk_m, nngp_m = nets.two_layer_kernels(X, W[:m], a[:m], widths=[m], chunk=1000)
        np.testing.assert_allclose(ntk[i], ntk_m[0], rtol=0, atol=SAME_SUM_TOL)
        np.testing.assert_allclose(nngp[i], nngp_m[0], rtol=0, atol=SAME_SUM_TOL)


@pytest.mark.parametrize("which,bias", [("nngp", False), ("ntk", False), ("ntk", True)])
def test_two_layer_variance_matches_monte_carlo(which, bias):
    """Per-unit variance against 400 000 sampled units, at u = 1 (5, 12, 29) and at interior u."""
    rng = np.random.default_rng(0)
    N = 400_000
    z = rng.standard_normal((N, 2))
    v = rng.standard_normal(N)
    for u in (1.0, 0.6, -0.3, -1.0):
        z2 = u * z[:, 0] + math.sqrt(1 - u * u) * z[:, 1]
        r1, r2 = np.maximum(z[:, 0], 0), np.maximum(z2, 0)
        term = 2 * r1 * r2
        if which == "ntk":
            term = term + 2 * v**2 * (u + bias) * (z[:, 0] > 0) * (z2 > 0)
        pred = float(nets.two_layer_variance(u, which=which, bias=bias))
        dev = term - term.mean()
        se = np.sqrt(np.var(dev**2) / N)            # standard error of the sample variance
        assert abs(np.var(term) - pred) < 5 * se + 1e-12, (u, np.var(term), pred)
    if which == "nngp":
        assert nets.two_layer_variance(1.0, which="nngp") == pytest.approx(5.0)
    else:
        assert nets.two_layer_variance(1.0, which="ntk", bias=bias) == pytest.approx(29.0 if bias else 12.0)


def test_two_layer_mean_square_error_is_variance_over_width():
    """E ||K_m - kappa||_F^2 = sum Var / m (exact at every width): 400 networks of width 50."""
    X = sample_sphere(6, 3, seed=2)
    u = gram(X)
    K = make_kernel("ntk", L=2)(u)
    sq = []
    for s in range(400):
        W, a = nets.sample_two_layer(3, 50, seed=s)
        ntk, _ = nets.two_layer_kernels(X, W, a, widths=[50])
        sq.append(50 * np.sum((ntk[0] - K) ** 2))
    sq = np.array(sq)
    pred = nets.two_layer_variance(u, which="ntk").sum()
    assert abs(sq.mean() - pred) < 4 * sq.std(ddof=1) / np.sqrt(sq.size), (sq.mean(), pred)


@pytest.mark.parametrize("kwargs,param", [
    (dict(widths=[5, 5]), "widths"),
    (dict(widths=[0]), "widths"),
    (dict(widths=[2000]), "widths"),
    (dict(widths=[5], chunk=0), "chunk"),
    (dict(widths=[5], bias=1), "bias"),
])
def test_two_layer_invalid_parameters(kwargs, param):
    W, a = nets.sample_two_layer(3, 100, seed=0)
    with pytest.raises(ValueError, match=rf"\b{param}\b"):
        nets.two_layer_kernels(sample_sphere(4, 3, seed=0), W, a, **kwargs)


def test_two_layer_shapes_are_checked():
    W, a = nets.sample_two_layer(4, 10, seed=0)
    with pytest.raises(ValueError, match=r"\bW\b"):
        nets.two_layer_kernels(sample_sphere(4, 3, seed=0), W, a, widths=[5])
    with pytest.raises(ValueError, match=r"\bwhich\b"):
        nets.two_layer_variance(0.5, which="rf")
