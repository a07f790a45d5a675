"""Locally connected networks (no weight sharing) and the matched CNN, for tree-structured inputs.

:class:`LocallyConnected` has the architecture of :class:`companion.train.HierarchicalCNN` — ``L``
hidden layers whose filters tile the input without overlap (filter size = stride = ``k``), ReLU, a
linear readout divided by the width — but every patch position has its *own* weights and bias:
the locally connected network (LCN) of Tomasini & Wyart (ICML 2024, arXiv:2404.10727). Patches are
extracted with :meth:`torch.Tensor.unfold` (size = step = ``k``, so non-overlapping). With its
weights tied across positions (:meth:`LocallyConnected.tie_to`) it computes exactly the CNN.

:func:`make_net` builds either network matched to a sparse RHM: filter size = stride = ``s (s0+1)``.
Parametrisation as in :mod:`companion.train`: weights N(0, 1) divided by sqrt(fan-in) in the forward
pass, biases zero, readout divided by the width (mean-field).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .train import HierarchicalCNN
from .validate import check_choice, check_int

ARCHS = ("lcn", "cnn")


class LocallyConnected(nn.Module):
    """``L`` locally connected layers, filter size = stride = ``k``, ReLU, linear readout.

    Input ``(B, k**L, v)`` (channels last); hidden layer ``j`` maps ``(B, k**(L-j+1), C)`` to
    ``(B, k**(L-j), width)`` by

        h_j[p] = relu(W_j[p] . concat(h_{j-1}[k p], ..., h_{j-1}[k p + k - 1]) / sqrt(k C) + b_j[p]),

    with one weight matrix ``W_j[p]`` and bias ``b_j[p]`` per position ``p`` (no sharing); the readout
    is ``f = beta . h_L / width``.

    Parameters
    ----------
    v : input channels.  k : filter size = stride.  L : hidden layers.  width : hidden channels.
    n_out : outputs.  generator : ``torch.Generator`` drawing the N(0, 1) weights.
    """

    def __init__(self, *, v: int, k: int, L: int, width: int, n_out: int, generator: torch.Generator):
        super().__init__()
        self.v, self.k, self.L = check_int("v", v, lo=1), check_int("k", k, lo=1), check_int("L", L, lo=1)
        self.width, self.n_out = check_int("width", width, lo=1), check_int("n_out", n_out, lo=1)
        fan_in = [k * v] + [k * width] * (L - 1)
        n_pos = [k ** (L - j) for j in range(1, L + 1)]
        self.weights = nn.ParameterList([nn.Parameter(torch.randn(p, width, f, generator=generator))
                                         for p, f in zip(n_pos, fan_in)])
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(p, width)) for p in n_pos])
        self.readout = nn.Parameter(torch.randn(n_out, width, generator=generator))
        self._scales = [1.0 / math.sqrt(f) for f in fan_in]

    def hidden(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every hidden layer's output: ``[h_1, ..., h_L]``, ``h_j`` of shape ``(B, k**(L-j), width)``."""
        if x.ndim != 3 or x.shape[1] != self.k**self.L or x.shape[2] != self.v:
            raise ValueError(f"x must have shape (B, {self.k ** self.L}, {self.v}); got {tuple(x.shape)}")
        out, h = [], x
        for W, b, scale in zip(self.weights, self.biases, self._scales):
            B, N, C = h.shape
            patches = h.unfold(1, self.k, self.k)                    # (B, N/k, C, k)
            patches = patches.transpose(2, 3).reshape(B, N // self.k, self.k * C)
            h = torch.relu(torch.einsum("bpi,poi->bpo", patches, W) * scale + b)
            out.append(h)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, n_out)``."""
        return self.hidden(x)[-1][:, 0] @ self.readout.T / self.width

    @torch.no_grad()
    def tie_to(self, cnn: HierarchicalCNN) -> LocallyConnected:
        """Copy ``cnn``'s weights to every position (tied weights): the LCN then computes the CNN."""
        if (cnn.v, cnn.s, cnn.L, cnn.width, cnn.n_out) != (self.v, self.k, self.L, self.width, self.n_out):
            raise ValueError("cnn must have the same v, filter size, L, width and n_out as this LCN")
        for W, b, Wc, bc in zip(self.weights, self.biases, cnn.weights, cnn.biases):
            W.copy_(Wc.expand_as(W))
            b.copy_(bc.expand_as(b))
        self.readout.copy_(cnn.readout)
        return self


def make_net(arch: str, *, v: int, s: int, s0: int, L: int, width: int, n_out: int,
             generator: torch.Generator) -> nn.Module:
    """The network matched to a sparse RHM: filter size = stride = ``s (s0 + 1)``, ``L`` hidden layers.

    ``arch`` is ``"lcn"`` (:class:`LocallyConnected`) or ``"cnn"`` (:class:`HierarchicalCNN`).
    """
    check_choice("arch", arch, ARCHS)
    k = check_int("s", s, lo=2) * (check_int("s0", s0, lo=0) + 1)
    if arch == "lcn":
        return LocallyConnected(v=v, k=k, L=L, width=width, n_out=n_out, generator=generator)
    return HierarchicalCNN(v=v, s=k, L=L, width=width, n_out=n_out, generator=generator)
