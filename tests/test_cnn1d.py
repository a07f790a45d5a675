"""1-D CNNs: shapes, the idealised pooling network against its oracle (block sums) and against this
book's formulas for D_k and G_k, invariance of the sensitivities to a global rescaling, the linear
control is linear, the zero-frequency measure of the filters."""

import math

import numpy as np
import pytest
import torch

from companion.cnn1d import CNN1d, pooling_network, zero_frequency_fraction
from companion.experiments.spatial_pooling.run import sensitivities
from companion.experiments.spatial_pooling.theory import strided_D, strided_G
from companion.scale_detection import ScaleDetection
from companion.train import hidden_outputs, relative_sensitivity

#: Float32 forward passes compared with float64 numpy oracles.
RTOL_F32 = 1e-5


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("strided", [True, False])
def test_hidden_shapes_and_receptive_field(strided):
    net = CNN1d(d=32, L=4, width=5, strided=strided, filter_size=3, generator=_gen())
    hs = net.hidden(torch.zeros(7, 1, 32))
    assert [tuple(h.shape) for h in hs] == [(7, 5, 32 // 2**k if strided else 32) for k in range(1, 5)]
    assert net(torch.zeros(7, 1, 32)).shape == (7, 2)
    assert net.receptive_field(3) == (8 if strided else 7)
    # the receptive field is what a unit sees: a pixel outside it does not move unit 0 of layer 3
    x = torch.zeros(1, 1, 32)
    x2 = x.clone()
    x2[0, 0, 16] = 1.0
    assert torch.equal(net.hidden(x)[2][0, :, 0], net.hidden(x2)[2][0, :, 0])


def test_invalid_architectures_fail_clearly():
    with pytest.raises(ValueError, match=r"d must be divisible by 2\*\*L = 16"):
        CNN1d(d=24, L=4, width=2, strided=True, generator=_gen())
    with pytest.raises(ValueError, match="filter_size must be odd"):
        CNN1d(d=24, L=2, width=2, strided=False, filter_size=4, generator=_gen())
    with pytest.raises(ValueError, match="activation must be one of 'relu', 'linear'"):
        CNN1d(d=24, L=2, width=2, strided=False, activation="tanh", generator=_gen())
    with pytest.raises(ValueError, match="pooling removed"):
        pooling_network(d=16, L=2, strided=True, kind="identity")


def test_averaging_network_computes_block_sums_and_box_filters():
    rng = np.random.default_rng(0)
    x = rng.random((5, 1, 32)).astype(np.float32)          # non-negative: every ReLU inactive
    strided = hidden_outputs(pooling_network(d=32, L=3, strided=True), torch.from_numpy(x), device=torch.device("cpu"))
    for k, h in enumerate(strided, start=1):
        oracle = x[:, 0].astype(np.float64).reshape(5, -1, 2**k).sum(axis=2) / math.sqrt(2) ** k
        np.testing.assert_allclose(h[:, 0], oracle, rtol=RTOL_F32)
    flat = hidden_outputs(pooling_network(d=32, L=2, strided=False, filter_size=3), torch.from_numpy(x),
                          device=torch.device("cpu"))
    box = lambda a: (np.roll(a, 1, axis=-1) + a + np.roll(a, -1, axis=-1)) / math.sqrt(3)  # noqa: E731
    np.testing.assert_allclose(flat[1][:, 0], box(box(x[:, 0].astype(np.float64))), rtol=RTOL_F32)


def test_averaging_network_gives_the_idealised_sensitivities():
    """The strided averaging network on the paper's task size reproduces D_k = 2^-k D_0 and
    G_k = (1 + (2^(k-1) - 1)/pi)/2 where blocks are well below the scale (2^k <= (xi - gap)/4)."""
    sd = ScaleDetection(d=256, xi=64, gap=4)
    r1, r2, _ = sd.pairs()
    net = pooling_network(d=256, L=4, strided=True)
    s = sensitivities(net, sd, r1, r2, seed=0, device=torch.device("cpu"))
    for k in range(1, 5):
        # neglected: pairs whose two pixels share a block (fraction <= 2^k/(xi - gap)), plus the
        # Monte-Carlo error of one draw over 31 000 pairs (a few 1e-2 relative at most)
        tol = 2**k / (sd.xi - sd.gap) + 0.03
        assert s["D"][k] / (strided_D(k) * s["D"][0]) == pytest.approx(1.0, abs=tol)
        assert s["G"][k] / strided_G(k) == pytest.approx(1.0, abs=tol)
    # and the noise grows while the displacement sensitivity falls
    assert s["G"][4] > 1.5 * s["G"][1] and s["D"][4] < 0.2 * s["D"][1]


def test_linear_averaging_network_does_not_pile_up_noise():
    sd = ScaleDetection(d=256, xi=64, gap=4)
    r1, r2, _ = sd.pairs()
    s = sensitivities(pooling_network(d=256, L=4, strided=True, activation="linear"), sd, r1, r2, seed=0,
                      device=torch.device("cpu"))
    assert all(abs(g - 1.0) < 2**k / (sd.xi - sd.gap) + 0.03 for k, g in enumerate(s["G"]))


def test_identity_network_keeps_the_input_sensitivity():
    sd = ScaleDetection(d=32, xi=8, gap=2)
    r1, r2, _ = sd.pairs()
    s = sensitivities(pooling_network(d=32, L=3, strided=False, kind="identity"), sd, r1, r2, seed=0,
                      device=torch.device("cpu"))
    assert s["D"] == pytest.approx([s["D"][0]] * 4, rel=1e-9)


def test_sensitivities_are_invariant_to_a_global_rescaling():
    rng = np.random.default_rng(0)
    f, g = rng.normal(size=(50, 3, 4)), rng.normal(size=(50, 3, 4))
    assert relative_sensitivity(7.5 * f, 7.5 * g) == pytest.approx(relative_sensitivity(f, g), rel=1e-12)
    # through a network: ReLU is positively homogeneous, so scaling the first layer (biases zero)
    # scales every layer, and D_k, G_k do not move
    sd = ScaleDetection(d=32, xi=8, gap=2)
    r1, r2, _ = sd.pairs()
    net = CNN1d(d=32, L=3, width=6, strided=True, generator=_gen(1))
    before = sensitivities(net, sd, r1, r2, seed=2)
    with torch.no_grad():
        net.weights[0].mul_(10.0)
    after = sensitivities(net, sd, r1, r2, seed=2)
    for q in ("D", "G"):
        assert after[q] == pytest.approx(before[q], rel=1e-4)


def test_linear_network_is_linear():
    net = CNN1d(d=16, L=3, width=4, strided=False, activation="linear", generator=_gen(3))
    x, y = torch.randn(2, 1, 16, generator=_gen(4)), torch.randn(2, 1, 16, generator=_gen(5))
    torch.testing.assert_close(net(2.0 * x - y), 2.0 * net(x) - net(y), rtol=1e-4, atol=1e-5)


def test_zero_frequency_fraction():
    avg = pooling_network(d=16, L=2, strided=False, filter_size=3)
    assert zero_frequency_fraction(avg) == pytest.approx([1.0, 1.0])
    net = CNN1d(d=16, L=2, width=64, strided=False, filter_size=5, generator=_gen(6))
    with torch.no_grad():
        net.weights[0].copy_(torch.tensor([1.0, -1.0, 1.0, -1.0, 0.0]).expand_as(net.weights[0]))
    frac = zero_frequency_fraction(net)
    assert frac[0] == pytest.approx(0.0)
    # i.i.d. random filters: 1/F in expectation (64 x 64 filters: relative error ~ 1/64)
    assert frac[1] == pytest.approx(1 / 5, rel=0.1)


def test_model_goes_to_the_default_device():
    from companion.train import default_device
    net = CNN1d(d=16, L=2, width=2, strided=True, generator=_gen()).to(default_device())
    assert next(net.parameters()).device.type == default_device().type
