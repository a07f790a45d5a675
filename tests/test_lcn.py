"""The locally connected network: no weight sharing (a gradient test), equal to the CNN when tied."""

import pytest
import torch

from companion.lcn import LocallyConnected, make_net
from companion.train import HierarchicalCNN

#: float32 matmuls in a different order (einsum vs reshape-matmul): agreement to a few ulps of O(1) values.
ATOL = 1e-5


def test_lcn_with_tied_weights_equals_the_cnn():
    gen = torch.Generator().manual_seed(0)
    cnn = HierarchicalCNN(v=5, s=4, L=3, width=16, n_out=3, generator=gen)
    with torch.no_grad():
        for b in cnn.biases:
            b.normal_(generator=gen)        # non-zero biases, so that their tying is tested too
    lcn = LocallyConnected(v=5, k=4, L=3, width=16, n_out=3, generator=torch.Generator().manual_seed(1)).tie_to(cnn)
    x = torch.randn(7, 4**3, 5, generator=gen)
    torch.testing.assert_close(lcn(x), cnn(x), atol=ATOL, rtol=0)
    for a, b in zip(lcn.hidden(x), cnn.hidden(x)):
        torch.testing.assert_close(a, b, atol=ATOL, rtol=0)
    untied = LocallyConnected(v=5, k=4, L=3, width=16, n_out=3, generator=torch.Generator().manual_seed(1))
    assert (untied(x) - cnn(x)).abs().max() > 1e-3             # untied, it is another function


def test_lcn_shares_no_weights():
    """The gradient of one first-layer output position reaches only that position's weights."""
    lcn = LocallyConnected(v=3, k=2, L=2, width=4, n_out=2, generator=torch.Generator().manual_seed(0))
    x = torch.randn(5, 4, 3, generator=torch.Generator().manual_seed(1))
    lcn.hidden(x)[0][:, 1].sum().backward()                    # first layer, position 1 only
    grad = lcn.weights[0].grad
    assert grad[1].abs().sum() > 0
    assert torch.all(grad[0] == 0)
    # whereas the CNN's one filter receives the gradient of every position
    cnn = HierarchicalCNN(v=3, s=2, L=2, width=4, n_out=2, generator=torch.Generator().manual_seed(0))
    cnn.hidden(x)[0][:, 1].sum().backward()
    assert cnn.weights[0].grad.abs().sum() > 0 and cnn.weights[0].shape == (4, 6)


def test_parameter_counts():
    lcn = LocallyConnected(v=3, k=4, L=2, width=8, n_out=2, generator=torch.Generator().manual_seed(0))
    assert lcn.weights[0].shape == (4, 8, 12) and lcn.weights[1].shape == (1, 8, 32)
    assert lcn.biases[0].shape == (4, 8)


def test_make_net_matches_the_sparse_patch():
    for arch, cls in (("lcn", LocallyConnected), ("cnn", HierarchicalCNN)):
        net = make_net(arch, v=4, s=2, s0=2, L=2, width=8, n_out=2, generator=torch.Generator().manual_seed(0))
        assert isinstance(net, cls)
        assert net(torch.zeros(3, 36, 4)).shape == (3, 2)
    with pytest.raises(ValueError, match="arch must be one of 'lcn', 'cnn'"):
        make_net("fc", v=4, s=2, s0=2, L=2, width=8, n_out=2, generator=torch.Generator())
    lcn = make_net("lcn", v=4, s=2, s0=1, L=2, width=8, n_out=2, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match=r"x must have shape \(B, 16, 4\)"):
        lcn(torch.zeros(3, 36, 4))
