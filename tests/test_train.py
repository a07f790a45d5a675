"""Networks and training loop: the CNN is a convolution, seeds are explicit, the stopping rule holds."""

import functools

import numpy as np
import pytest
import torch

from companion.rhm import RHM, one_hot
from companion.train import (FullyConnected, HierarchicalCNN, Training, default_device, evaluate, hidden_outputs,
                             relative_sensitivity, train_classifier)

#: float32 forward passes of the same arithmetic in two orders (matmul vs conv1d): agreement to
#: a few float32 ulps of O(1) activations.
FLOAT32_ATOL = 1e-5


def _cnn(seed=0, v=5, s=2, L=3, width=16, n_out=3):
    return HierarchicalCNN(v=v, s=s, L=L, width=width, n_out=n_out, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("s, L", [(2, 3), (3, 2)])
def test_cnn_equals_conv1d_with_filter_size_equal_to_stride(s, L):
    v, width = 4, 8
    net = _cnn(v=v, s=s, L=L, width=width)
    x = torch.randn(7, s**L, v, generator=torch.Generator().manual_seed(1))
    h = x.transpose(1, 2)                                              # (B, C, N), torch's conv layout
    for k, (W, b) in enumerate(zip(net.weights, net.biases)):
        C = h.shape[1]
        kernel = W.reshape(width, s, C).transpose(1, 2) / (s * C) ** 0.5  # (out, in, s)
        h = torch.relu(torch.nn.functional.conv1d(h, kernel, b, stride=s))
        assert torch.allclose(net.hidden(x)[k].transpose(1, 2), h, atol=FLOAT32_ATOL)
    out = h[:, :, 0] @ net.readout.T / width
    assert torch.allclose(net(x), out, atol=FLOAT32_ATOL)


def test_cnn_layer_k_sees_only_its_patch():
    net = _cnn(s=2, L=3)
    x = one_hot(torch.randint(0, 5, (1, 8), generator=torch.Generator().manual_seed(0)), 5)
    y = x.clone()
    y[0, 5] = torch.roll(y[0, 5], 1)                                   # change input position 5
    for k, (a, b) in enumerate(zip(net.hidden(x), net.hidden(y)), start=1):
        moved = torch.any(a != b, dim=-1)[0]
        assert moved.tolist() == [j == 5 // 2**k for j in range(8 // 2**k)]


def test_fully_connected_shapes_and_validation():
    net = FullyConnected(d_in=12, width=10, n_out=3, generator=torch.Generator().manual_seed(0))
    assert net(torch.zeros(4, 3, 4)).shape == (4, 3)
    with pytest.raises(ValueError, match="d_in = 12"):
        net(torch.zeros(4, 5))
    with pytest.raises(ValueError, match=r"x must have shape \(B, 8, 5\)"):
        _cnn()(torch.zeros(2, 4, 5))


def test_default_device_is_cuda_only_when_available():
    assert default_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def _tiny_task(seed=0):
    g = RHM(v=4, m=2, s=2, L=2, n_c=2, seed=seed)                     # P_max = 16
    (x, y), (xt, yt) = g.train_test(12, 4, seed=seed)
    return g, torch.from_numpy(x), y, torch.from_numpy(xt), yt


def test_training_reaches_the_stopping_rule_and_zero_training_error():
    g, x, y, _, _ = _tiny_task()
    net = _cnn(v=4, s=2, L=2, width=32, n_out=2)
    out = train_classifier(net, x, y, training=Training(lr=0.03, loss_tol=1e-3, max_epochs=2000), seed=0,
                           encode=functools.partial(one_hot, v=4))
    assert out["converged"] and out["epochs"] < 2000
    assert out["train_err"] == 0.0 and out["train_loss"] < 1e-2
    assert out["samples_per_s"] > 0


def test_max_epochs_stops_an_unconverged_run():
    _, x, y, _, _ = _tiny_task()
    net = _cnn(v=4, s=2, L=2, width=8, n_out=2)
    out = train_classifier(net, x, y, training=Training(lr=1e-4, loss_tol=1e-6, max_epochs=3), seed=0,
                           encode=functools.partial(one_hot, v=4))
    assert out["epochs"] == 3 and not out["converged"]


def test_same_seed_same_network_and_global_rngs_untouched():
    torch_state, np_state = torch.random.get_rng_state(), np.random.get_state()[1].copy()
    _, x, y, xt, yt = _tiny_task()
    enc = functools.partial(one_hot, v=4)
    results = []
    for _ in range(2):
        net = _cnn(seed=3, v=4, s=2, L=2, width=16, n_out=2)
        train_classifier(net, x, y, training=Training(lr=0.01, max_epochs=20, batch_size=4), seed=5, encode=enc)
        results.append(net(enc(xt)).detach())
    assert torch.equal(results[0], results[1])
    net = _cnn(seed=3, v=4, s=2, L=2, width=16, n_out=2)
    train_classifier(net, x, y, training=Training(lr=0.01, max_epochs=20, batch_size=4), seed=6, encode=enc)
    assert not torch.equal(net(enc(xt)).detach(), results[0])        # the batch order matters
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], np_state)


def test_evaluate_counts_errors():
    class Const(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return torch.stack([torch.ones(len(x)), torch.zeros(len(x))], 1) + 0 * self.w

    res = evaluate(Const(), torch.zeros(10, 2), np.array([0] * 7 + [1] * 3), batch_size=4)
    assert res["err"] == pytest.approx(0.3)
    assert res["loss"] == pytest.approx(0.7 * np.log1p(np.e**-1) + 0.3 * np.log1p(np.e))


def test_relative_sensitivity_identities():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(400, 6))
    assert relative_sensitivity(f, f) == 0.0
    # moving every input to an unrelated one gives 1 on average (here: a derangement of the sample)
    perm = np.roll(np.arange(400), 1)
    assert relative_sensitivity(f, f[perm]) == pytest.approx(1.0, abs=0.15)
    # the pair formula equals the brute-force mean over distinct pairs
    g = f[:30]
    d = ((g[:, None] - g[None]) ** 2).sum(-1)
    brute = d.sum() / (30 * 29)
    assert relative_sensitivity(g, g + 1.0) == pytest.approx(6.0 / brute, rel=1e-12)
    assert np.isnan(relative_sensitivity(np.ones((5, 2)), np.ones((5, 2))))


def test_hidden_outputs_in_batches_match_one_pass():
    net = _cnn()
    x = one_hot(torch.randint(0, 5, (50, 8), generator=torch.Generator().manual_seed(2)), 5)
    full = [h.detach().double().numpy() for h in net.hidden(x)]
    batched = hidden_outputs(net, x, batch_size=7)
    assert all(np.allclose(a, b, atol=FLOAT32_ATOL) for a, b in zip(full, batched))


@pytest.mark.parametrize("kw, message", [({"optimizer": "lbfgs"}, "optimizer must be one of 'adam', 'sgd'"),
                                         ({"lr": 0.0}, r"lr must be a real number in \(0"),
                                         ({"batch_size": 0}, "batch_size must be an integer >= 1"),
                                         ({"loss_tol": -1.0}, r"loss_tol must be a real number in \(0")])
def test_training_parameters_are_validated(kw, message):
    with pytest.raises(ValueError, match=message):
        Training(**kw)
