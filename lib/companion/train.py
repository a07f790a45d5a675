"""Training small torch classifiers to (near) zero training loss: networks, loop, stopping rule.

Generic pieces any page can use:

* :func:`default_device` — CUDA when available, else CPU (tests and pages run on CPU);
* :class:`HierarchicalCNN` — ``L`` hidden layers of non-overlapping 1-D convolutions (filter size =
  stride = ``s``) + ReLU and a linear readout: the architecture matched to a tree of patch size ``s``
  (Cagnetta et al., PRX 14, 031001, 2024);
* :class:`FullyConnected` — a fully-connected ReLU network on the flattened input (the shallow
  baseline with ``depth = 1``);
* :class:`Training` + :func:`train_classifier` — minibatch Adam or SGD on the cross-entropy, stopped
  by a stated rule (:func:`train_classifier`); :func:`evaluate` — error and loss.

Parametrisation (both networks): weights drawn N(0, 1) and divided by sqrt(fan-in) in the forward
pass, biases zero, readout divided by the width (the mean-field scaling the paper uses); the
logits start at O(1/sqrt(width)). Every random draw comes from an explicit ``torch.Generator``
seeded by the caller: the global RNG and global torch settings (threads, default dtype) are never
touched — the sweep helper sets one thread per worker.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .validate import check_choice, check_float, check_int


def default_device() -> torch.device:
    """``cuda`` when a GPU is visible to torch, else ``cpu``."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _normal(shape, generator: torch.Generator) -> nn.Parameter:
    return nn.Parameter(torch.randn(*shape, generator=generator, dtype=torch.float32))


class HierarchicalCNN(nn.Module):
    """Deep CNN whose filters tile the input without overlap (filter size = stride = ``s``).

    Input ``(B, s**L, v)`` (channels last, e.g. :func:`companion.rhm.one_hot`); hidden layer ``k``
    maps ``(B, s**(L-k+1), C)`` to ``(B, s**(L-k), width)`` by

        h_k[j] = relu(W_k . concat(h_{k-1}[s j], ..., h_{k-1}[s j + s - 1]) / sqrt(s C) + b_k),

    one weight matrix per layer shared across positions (a convolution); after ``L`` layers one
    position is left and the readout is ``f = beta . h_L / width``.

    Parameters
    ----------
    v : input channels.  s : filter size = stride.  L : hidden layers (the input has s**L positions).
    width : channels of every hidden layer.  n_out : outputs (classes).
    generator : ``torch.Generator`` drawing the N(0, 1) weights.
    """

    def __init__(self, *, v: int, s: int, L: int, width: int, n_out: int, generator: torch.Generator):
        super().__init__()
        self.v, self.s, self.L = check_int("v", v, lo=1), check_int("s", s, lo=1), check_int("L", L, lo=1)
        self.width, self.n_out = check_int("width", width, lo=1), check_int("n_out", n_out, lo=1)
        fan_in = [s * v] + [s * width] * (L - 1)
        self.weights = nn.ParameterList([_normal((width, f), generator) for f in fan_in])
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(width)) for _ in range(L)])
        self.readout = _normal((n_out, width), generator)
        self._scales = [1.0 / math.sqrt(f) for f in fan_in]

    def hidden(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every hidden layer's output: ``[h_1, ..., h_L]``, ``h_k`` of shape ``(B, s**(L-k), width)``."""
        if x.ndim != 3 or x.shape[1] != self.s**self.L or x.shape[2] != self.v:
            raise ValueError(f"x must have shape (B, {self.s ** self.L}, {self.v}); got {tuple(x.shape)}")
        out, h = [], x
        for W, b, scale in zip(self.weights, self.biases, self._scales):
            B, N, C = h.shape
            h = torch.relu(h.reshape(B, N // self.s, self.s * C) @ W.T * scale + b)
            out.append(h)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, n_out)``."""
        return self.hidden(x)[-1][:, 0] @ self.readout.T / self.width


class FullyConnected(nn.Module):
    """Fully-connected ReLU network on the flattened input: ``depth`` hidden layers and a readout
    divided by the width (``depth = 1``: the shallow, two-layer baseline).

    Input ``(B, ...)`` with ``d_in`` entries per sample; ``h_1 = relu(W_1 x / sqrt(d_in) + b_1)``,
    ``h_k = relu(W_k h_{k-1} / sqrt(width) + b_k)``, ``f = beta . h_depth / width``.
    """

    def __init__(self, *, d_in: int, width: int, n_out: int, generator: torch.Generator, depth: int = 1):
        super().__init__()
        self.d_in, self.width = check_int("d_in", d_in, lo=1), check_int("width", width, lo=1)
        depth = check_int("depth", depth, lo=1)
        fan_in = [d_in] + [width] * (depth - 1)
        self.weights = nn.ParameterList([_normal((width, f), generator) for f in fan_in])
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(width)) for _ in range(depth)])
        self.readout = _normal((check_int("n_out", n_out, lo=1), width), generator)
        self._scales = [1.0 / math.sqrt(f) for f in fan_in]

    def hidden(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every hidden layer's output ``(B, width)``."""
        h = x.reshape(x.shape[0], -1)
        if h.shape[1] != self.d_in:
            raise ValueError(f"x must hold d_in = {self.d_in} entries per sample; got {h.shape[1]}")
        out = []
        for W, b, scale in zip(self.weights, self.biases, self._scales):
            h = torch.relu(h @ W.T * scale + b)
            out.append(h)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.hidden(x)[-1] @ self.readout.T / self.width


@dataclass(frozen=True, kw_only=True)
class Training:
    """How a classifier is trained.

    optimizer : "adam" or "sgd" (with ``momentum``).  lr : learning rate.
    batch_size : minibatch size (a training set smaller than it is one batch).
    loss_tol : stopping rule — stop after the first epoch whose mean minibatch cross-entropy is
        below ``loss_tol`` (near-zero training loss).  max_epochs : stop there regardless
        (the run is then reported as not converged).
    """

    optimizer: str = "adam"
    lr: float = 1e-3
    batch_size: int = 128
    loss_tol: float = 1e-3
    max_epochs: int = 1000
    momentum: float = 0.9

    def __post_init__(self):
        check_choice("optimizer", self.optimizer, ("adam", "sgd"))
        check_float("lr", self.lr, lo=0.0, lo_open=True)
        check_int("batch_size", self.batch_size, lo=1)
        check_float("loss_tol", self.loss_tol, lo=0.0, lo_open=True)
        check_int("max_epochs", self.max_epochs, lo=1)
        check_float("momentum", self.momentum, lo=0.0, hi=1.0, hi_open=True)


Encode = Callable[[torch.Tensor], torch.Tensor]


def _identity(x: torch.Tensor) -> torch.Tensor:
    return x


def _as_tensor(a, device, dtype=None) -> torch.Tensor:
    t = a if isinstance(a, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(a))
    return t.to(device=device, dtype=dtype) if dtype is not None else t.to(device)


@torch.no_grad()
def evaluate(model: nn.Module, X, y, *, encode: Encode = _identity, batch_size: int = 4096,
             device: torch.device | None = None) -> dict:
    """Classification error and mean cross-entropy of ``model`` on ``(X, y)``.

    ``X`` (numpy or torch, any dtype) is moved to ``device`` once and encoded batch by batch.
    """
    device = device or next(model.parameters()).device
    X, y = _as_tensor(X, device), _as_tensor(y, device, torch.int64)
    wrong, loss = 0, 0.0
    for i in range(0, len(y), batch_size):
        out = model(encode(X[i:i + batch_size]))
        wrong += int((out.argmax(1) != y[i:i + batch_size]).sum())
        loss += float(nn.functional.cross_entropy(out, y[i:i + batch_size], reduction="sum"))
    n = max(len(y), 1)
    return {"err": wrong / n, "loss": loss / n}


def train_classifier(model: nn.Module, X, y, *, training: Training, seed: int, encode: Encode = _identity,
                     device: torch.device | None = None) -> dict:
    """Train ``model`` in place on ``(X, y)`` with the cross-entropy until the stopping rule holds.

    Parameters
    ----------
    model : a torch module already on ``device``.  X : (P, ...) inputs; y : (P,) integer labels.
    training : optimiser, learning rate, batch size and stopping rule (:class:`Training`).
    seed : seed of the minibatch order (a ``torch.Generator`` on the CPU).
    encode : applied to each minibatch of ``X`` on the device (e.g. one-hot encoding), so the
        encoded training set is never held whole.

    Returns
    -------
    dict: ``epochs``, ``converged`` (the stopping rule held before ``max_epochs``), final
    ``train_loss`` and ``train_err`` (one full pass in evaluation), ``seconds`` of training and
    ``samples_per_s`` (training samples processed per second, forward + backward).
    """
    seed = check_int("seed", seed, lo=0)
    device = device or next(model.parameters()).device
    X, y = _as_tensor(X, device), _as_tensor(y, device, torch.int64)
    P = len(y)
    if P < 1 or len(X) != P:
        raise ValueError(f"X and y must hold the same number (>= 1) of samples; got {len(X)} and {P}")
    if training.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=training.lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=training.lr, momentum=training.momentum)
    gen = torch.Generator().manual_seed(seed)
    bs = min(training.batch_size, P)
    converged, epoch = False, 0
    t0 = time.perf_counter()
    for epoch in range(1, training.max_epochs + 1):
        order = torch.randperm(P, generator=gen).to(device)
        total = 0.0
        for i in range(0, P, bs):
            idx = order[i:i + bs]
            loss = nn.functional.cross_entropy(model(encode(X[idx])), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        if total / P < training.loss_tol:
            converged = True
            break
    seconds = time.perf_counter() - t0
    final = evaluate(model, X, y, encode=encode, device=device)
    return {"epochs": epoch, "converged": converged, "train_loss": final["loss"], "train_err": final["err"],
            "seconds": seconds, "samples_per_s": epoch * P / max(seconds, 1e-12)}


@torch.no_grad()
def hidden_outputs(model: nn.Module, X, *, encode: Encode = _identity, batch_size: int = 4096,
                   device: torch.device | None = None) -> list[np.ndarray]:
    """``model.hidden`` on ``X`` in batches: one float64 array ``(n, ...)`` per hidden layer."""
    device = device or next(model.parameters()).device
    X = _as_tensor(X, device)
    parts = [model.hidden(encode(X[i:i + batch_size])) for i in range(0, len(X), batch_size)]
    return [torch.cat([p[k] for p in parts]).double().cpu().numpy() for k in range(len(parts[0]))]


def relative_sensitivity(f_x: np.ndarray, f_moved: np.ndarray) -> float:
    """``<|f(x) - f(x')|^2>_x / <|f(x) - f(y)|^2>_{x != y}``: how much a representation moves under
    a transformation ``x -> x'``, relative to how much it differs between unrelated inputs.

    ``f_x``, ``f_moved`` : ``(n, ...)`` representations of the inputs and of their transforms
    (n >= 2). The denominator averages over all ordered pairs of distinct inputs, by the identity
    ``<|f_i - f_j|^2>_{i != j} = 2 n/(n-1) (<|f|^2> - |<f>|^2)``. Returns nan if every ``f_x`` is equal.
    (The synonymic sensitivity S_{k,l} of Cagnetta et al., PRX 14, 031001, 2024, with the
    synonym exchange as the transformation.)
    """
    a = np.asarray(f_x, dtype=np.float64).reshape(len(f_x), -1)
    b = np.asarray(f_moved, dtype=np.float64).reshape(len(f_moved), -1)
    if a.shape != b.shape or a.shape[0] < 2:
        raise ValueError(f"f_x and f_moved must have the same shape with n >= 2; got {a.shape}, {b.shape}")
    n = a.shape[0]
    spread = 2.0 * n / (n - 1) * float(np.mean(np.sum(a * a, axis=1)) - np.sum(a.mean(axis=0) ** 2))
    moved = float(np.mean(np.sum((a - b) ** 2, axis=1)))
    return moved / spread if spread > 0 else float("nan")
