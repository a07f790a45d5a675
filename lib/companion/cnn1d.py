"""1-D convolutional networks on periodic images, for the scale-detection task
(Tomasini, Petrini, Cagnetta & Wyart, MLST 2023; data in :mod:`companion.scale_detection`).

:class:`CNN1d` has ``L`` hidden layers, each a circular 1-D convolution followed by ReLU (or the
identity: the *linear* control), then global average pooling over positions and a linear readout:

* **strided**: filter size ``F = 2`` and stride 2 (``d`` must be divisible by ``2**L``); layer ``k``
  has ``d / 2**k`` positions and sees ``2**k`` input pixels;
* **non-strided**: odd filter size ``F``, stride 1, circular padding ``(F - 1)/2``; every layer keeps
  ``d`` positions, layer ``k`` sees ``k (F - 1) + 1`` pixels.

Parametrisation as in :mod:`companion.train`: weights N(0, 1) divided by ``sqrt(fan-in)`` in the
forward pass, biases zero, readout divided by the width. Every draw comes from the caller's
``torch.Generator``. :meth:`CNN1d.hidden` returns every hidden layer ``(B, C, N_k)``, so
:func:`companion.train.hidden_outputs` works on it.

:func:`pooling_network` builds the *idealised* networks: one channel, no bias, every filter fixed
to all ones (perfect local averaging: pooling), or to a centred delta (pooling removed).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .validate import check_choice, check_int

ACTIVATIONS = ("relu", "linear")


class CNN1d(nn.Module):
    """Deep 1-D CNN with circular padding, global average pooling and a linear readout.

    Parameters
    ----------
    d : input length (pixels).  L : hidden layers.  width : channels of every hidden layer.
    strided : filter 2 / stride 2 (True) or filter ``filter_size`` / stride 1 (False).
    filter_size : odd filter size of the non-strided network (ignored when strided).
    activation : "relu" or "linear".  n_out : outputs.  c_in : input channels.
    generator : ``torch.Generator`` drawing the N(0, 1) weights.
    """

    def __init__(self, *, d: int, L: int, width: int, strided: bool, filter_size: int = 3, activation: str = "relu",
                 n_out: int = 2, c_in: int = 1, generator: torch.Generator, bias: bool = True):
        super().__init__()
        self.d, self.L = check_int("d", d, lo=2), check_int("L", L, lo=1)
        self.width, self.strided = check_int("width", width, lo=1), bool(strided)
        self.activation = check_choice("activation", activation, ACTIVATIONS)
        if self.strided:
            if d % 2**L:
                raise ValueError(f"d must be divisible by 2**L = {2 ** L} for a strided network; got d = {d}")
            self.F, self.stride = 2, 2
        else:
            self.F = check_int("filter_size", filter_size, lo=1, hi=d)
            if self.F % 2 == 0:
                raise ValueError(f"filter_size must be odd (centred circular padding); got {filter_size}")
            self.stride = 1
        chans = [check_int("c_in", c_in, lo=1)] + [width] * L
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.randn(chans[k + 1], chans[k], self.F, generator=generator)) for k in range(L)])
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(width)) for _ in range(L)]) if bias else None
        self.readout = nn.Parameter(torch.randn(check_int("n_out", n_out, lo=1), width, generator=generator))
        self._scales = [1.0 / math.sqrt(chans[k] * self.F) for k in range(L)]

    def receptive_field(self, k: int) -> int:
        """Input pixels seen by one unit of layer ``k``."""
        return 2**k if self.strided else k * (self.F - 1) + 1

    def hidden(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every hidden layer's output ``[h_1, ..., h_L]``, ``h_k`` of shape ``(B, width, N_k)``."""
        if x.ndim != 3 or x.shape[2] != self.d:
            raise ValueError(f"x must have shape (B, C, {self.d}); got {tuple(x.shape)}")
        out, h = [], x
        for k, (W, scale) in enumerate(zip(self.weights, self._scales)):
            if not self.strided and self.F > 1:
                p = (self.F - 1) // 2
                h = torch.cat([h[..., -p:], h, h[..., :p]], dim=-1)     # circular padding
            b = self.biases[k] if self.biases is not None else None
            h = nn.functional.conv1d(h, W * scale, b, stride=self.stride)
            if self.activation == "relu":
                h = torch.relu(h)
            out.append(h)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, n_out)``: readout of the last layer averaged over positions, divided by the width."""
        return self.hidden(x)[-1].mean(dim=2) @ self.readout.T / self.width


def pooling_network(*, d: int, L: int, strided: bool, filter_size: int = 3, activation: str = "relu",
                    kind: str = "average") -> CNN1d:
    """The idealised network: one channel, no bias, every filter fixed to all ones (``kind="average"``:
    each layer sums — up to a constant, averages — neighbouring positions, i.e. perfect pooling) or to
    a centred delta (``kind="identity"``: pooling removed; non-strided only). Its parameters are frozen;
    a global rescaling of each layer does not change a relative sensitivity."""
    check_choice("kind", kind, ("average", "identity"))
    if kind == "identity" and strided:
        raise ValueError("kind='identity' (pooling removed) needs strided=False: a stride subsamples")
    net = CNN1d(d=d, L=L, width=1, strided=strided, filter_size=filter_size, activation=activation, n_out=1,
                generator=torch.Generator().manual_seed(0), bias=False)
    with torch.no_grad():
        for W in net.weights:
            W.zero_()
            if kind == "average":
                W.fill_(1.0)
            else:
                W[:, :, (net.F - 1) // 2] = 1.0
            W.requires_grad_(False)
        net.readout.fill_(1.0).requires_grad_(False)
    return net


@torch.no_grad()
def zero_frequency_fraction(model: CNN1d) -> list[float]:
    """Per layer, the fraction of the filters' power at zero spatial frequency:
    ``sum_{o,i} |sum_t W[o,i,t]|^2 / (F sum W^2)`` (Parseval: 1 for filters constant in space, i.e.
    perfectly low-pass; ``1/F`` in expectation for i.i.d. random filters; 0 for zero-mean filters)."""
    out = []
    for W in model.weights:
        W = W.detach().double()
        out.append(float((W.sum(dim=2) ** 2).sum() / (W.shape[2] * (W**2).sum())))
    return out
