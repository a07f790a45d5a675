"""Measured against predicted: the claims of the page *How deep CNNs lose spatial information*.

Tolerances (stated before any run; each from the method, never from the answer):

* **Derivation against the idealised network.** The strided formulas neglect the pairs whose two
  pixels share a block of layer ``k``: at most a fraction ``2**k / (xi - gap)`` of the pairs, so the
  ratio measured/derived is claimed to that relative tolerance, and only at layers where it is at most
  1/2 (``2**k <= (xi - gap) / 2``). The non-strided ``D_k`` formula is the leading term of a
  central-limit (Gaussian) expansion of the iterated box filter, whose next term is relatively
  ``O(1/k)``: claimed to ``1/k``.
* **Trained against idealised networks** and the controls carry no tolerance: the interval over
  seeds is all the slack they get, and the rival (the same network at initialisation, or the ReLU
  network for the linear control) says whether the measurement discriminates.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...claims import AGREES, WITHIN_TOL, Claim
from .config import Config
from .run import layer_table, log_mean_ci, mean_ci, of_arch
from .theory import nonstrided_D, nonstrided_G, strided_D, strided_G

SOURCE = "Tomasini et al., MLST 2023"
BOOK = "this book's derivation (idealised pooling network)"
NAMES = {"strided": "strided CNN", "nonstrided": "non-strided CNN", "linear": "linear strided CNN"}


def _ci(ci) -> tuple[float, float] | None:
    return tuple(ci) if ci is not None and all(math.isfinite(c) for c in ci) else None


def last_layer(cfg: Config) -> int:
    """The deepest layer compared with the idealised networks: ``L - 1`` (the idealised strided
    network's layer L is a single position, the same for every input)."""
    return cfg.L - 1


def _ideal(ideal: pd.DataFrame, net: str, k: int, q: str) -> float:
    return float(ideal[(ideal["net"] == net) & (ideal["k"] == k)][q].iloc[0])


def training_claims(runs: pd.DataFrame) -> list[Claim]:
    """Every ReLU network interpolates its training set; the test error at the largest P."""
    out = []
    for arch in ("strided", "nonstrided", "linear"):
        g = runs[runs["arch"] == arch]
        relu = arch != "linear"
        out.append(Claim(quantity=f"{NAMES[arch]}: fraction of runs with zero training error ({len(g)} runs)",
                         measured=float((g["train_err"] == 0).mean()), theory=1.0 if relu else None,
                         source="protocol: train to interpolation" if relu else "", digits=2))
        top = of_arch(runs, arch)
        m, ci = mean_ci(top["err"])
        out.append(Claim(quantity=f"{NAMES[arch]}: test error at P = {int(top['P'].iloc[0])}", measured=m, ci=_ci(ci),
                         digits=2))
    return out


def derivation_claims(ideal: pd.DataFrame, cfg: Config) -> list[Claim]:
    """The idealised networks, computed on the data, against this book's formulas (module docstring)."""
    out = []
    D0 = _ideal(ideal, "strided", 0, "D")
    for k in range(1, cfg.L):
        tol = 2**k / (cfg.xi - cfg.gap)
        if tol > 0.5:
            break
        reason = f"pairs sharing a block of 2^{k} pixels neglected: at most 2^{k}/(xi - gap) = {tol:.2g} of them"
        r = ideal[(ideal["net"] == "strided") & (ideal["k"] == k)].iloc[0]
        pred = D0 * float(strided_D(k))
        out.append(Claim(quantity=f"idealised strided net: D_{k} / (2^-{k} D_0)", measured=r["D"] / pred,
                         ci=(r["D_lo"] / pred, r["D_hi"] / pred), theory=1.0, source=BOOK,
                         rival=D0 / pred, rival_source="no pooling: D_k = D_0", tol=tol, tol_reason=reason, digits=2))
        pred = float(strided_G(k))
        out.append(Claim(quantity=f"idealised strided net: G_{k} / [(1 + (2^{k - 1} - 1)/pi)/2]", measured=r["G"] / pred,
                         ci=(r["G_lo"] / pred, r["G_hi"] / pred), theory=1.0, source=BOOK,
                         rival=1.0 / pred, rival_source="no rectification (linear network): G_k = 1", tol=tol,
                         tol_reason=reason, digits=2))
    for k in range(2, cfg.L + 1):
        r = ideal[(ideal["net"] == "nonstrided") & (ideal["k"] == k)].iloc[0]
        pred = float(nonstrided_D(k, cfg.filter_size))
        out.append(Claim(quantity=f"idealised non-strided net: D_{k} / [3/(k(F^2 - 1))]", measured=r["D"] / pred,
                         ci=(r["D_lo"] / pred, r["D_hi"] / pred), theory=1.0, source=BOOK,
                         rival=D0 / pred, rival_source="no pooling: D_k = D_0", tol=1.0 / k,
                         tol_reason=f"next term of the central-limit expansion, relative O(1/k) = {1 / k:.2g}", digits=2))
    L = cfg.L
    g2, gL = (_ideal(ideal, "nonstrided", k, "G") for k in (2, L))
    out.append(Claim(quantity=f"idealised non-strided net: G_{L} / G_2 (not predicted at this depth: see the text)",
                     measured=gL / g2, digits=2))
    return out


def _log_claim(quantity, values, theory, rival, rival_source, source) -> Claim:
    m, ci = mean_ci(np.log10(np.asarray(values, dtype=float)))
    return Claim(quantity=quantity, measured=m, ci=_ci(ci), theory=theory, source=source, rival=rival,
                 rival_source=rival_source, digits=1)


def trained_claims(runs: pd.DataFrame, ideal: pd.DataFrame, cfg: Config) -> list[Claim]:
    """log10 D_K, log10 G_K, log10 R_K after training (K = :func:`last_layer`), interval over seeds,
    against the idealised network of the same architecture; rival: the same CNN at initialisation."""
    K = last_layer(cfg)
    out = []
    for arch in ("strided", "nonstrided"):
        g = of_arch(runs, arch)
        for q in ("D", "G", "R"):
            val = (g[f"D_{K}"] / g[f"G_{K}"]) if q == "R" else g[f"{q}_{K}"]
            val0 = (g[f"D0_{K}"] / g[f"G0_{K}"]) if q == "R" else g[f"{q}0_{K}"]
            out.append(_log_claim(f"{NAMES[arch]}, trained: log10 {q}_{K}", val,
                                  math.log10(_ideal(ideal, arch, K, q)), float(np.mean(np.log10(val0))),
                                  "the same CNN at initialisation", f"idealised {arch} pooling network ({BOOK})"))
    return out


def control_claims(runs: pd.DataFrame, ideal: pd.DataFrame, cfg: Config) -> list[Claim]:
    """Linear control: log10(G_K / G_1) after training against 0 (no pile-up without ReLU), rival the
    trained ReLU strided CNN. Pooling removed (idealised): D_K / D_0 = 1."""
    K = last_layer(cfg)
    lin, relu = of_arch(runs, "linear"), of_arch(runs, "strided")
    ratio = lambda g, q: g[f"{q}_{K}"] / g[f"{q}_1"]  # noqa: E731
    c = _log_claim(f"linear strided CNN, trained: log10(G_{K} / G_1)", ratio(lin, "G"), 0.0,
                   float(np.mean(np.log10(ratio(relu, "G")))), "the trained ReLU strided CNN",
                   f"{BOOK}: without ReLU no rectified mean piles up, G_k = G_0 at every depth")
    # A linear circular CNN has G_k = 1 up to the overlap of footprints (the regime of the derivation),
    # whatever its filters; how far from flat its G_k/G_1 is without any learning is read off the same
    # network at initialisation: the largest |log10 G_k/G_1| over layers and seeds (not off the answer).
    tilt = float(max(np.max(np.abs(np.log10(lin[f"G0_{k}"] / lin["G0_1"]))) for k in range(1, K + 1)))
    out = [Claim(**{**c.__dict__, "tol": tilt,
                    "tol_reason": "how far from flat a linear network's G_k/G_1 is without learning: largest "
                                  "|log10 G_k/G_1| over layers and seeds at initialisation"})]
    d0, dK = _ideal(ideal, "no pooling", 0, "D"), _ideal(ideal, "no pooling", K, "D")
    out.append(Claim(quantity=f"idealised network without pooling: D_{K} / D_0", measured=dK / d0, theory=1.0,
                     source="identity filters: the representation is relu(x) at every layer",
                     rival=_ideal(ideal, "nonstrided", K, "D") / d0, rival_source="idealised non-strided pooling network",
                     tol=1e-9, tol_reason="float64 roundoff", digits=3))
    return out


def measured_claims(runs: pd.DataFrame, cfg: Config) -> list[Claim]:
    """D, G, R at the last layer L, at initialisation and after training, both architectures
    (geometric mean over seeds, 95% interval): numbers without a prediction."""
    out = []
    for arch in ("strided", "nonstrided", "linear"):
        t = layer_table(runs, arch, cfg.L)
        for phase in ("init", "trained"):
            r = t[(t["phase"] == phase) & (t["k"] == cfg.L)].iloc[0]
            for q in ("D", "G", "R"):
                out.append(Claim(quantity=f"{NAMES[arch]}, {phase}: {q}_{cfg.L}", measured=r[q],
                                 ci=_ci((r[f"{q}_lo"], r[f"{q}_hi"])), digits=3))
    return out


def filter_claims(runs: pd.DataFrame, cfg: Config) -> list[Claim]:
    """Zero-frequency fraction of the filters (layer 1, and the mean over layers 2..L), at
    initialisation and after training (mean over seeds): 1/F expected for random filters."""
    out = []
    for arch in ("strided", "nonstrided"):
        g = of_arch(runs, arch)
        F = 2 if arch == "strided" else cfg.filter_size
        for pre, phase in (("zf0", "init"), ("zf", "trained")):
            first = g[f"{pre}_1"]
            deeper = g[[f"{pre}_{k}" for k in range(2, cfg.L + 1)]].mean(axis=1)
            for name, v in (("layer 1", first), (f"layers 2-{cfg.L}", deeper)):
                m, ci = mean_ci(v)
                out.append(Claim(quantity=f"{NAMES[arch]} (F = {F}), {phase}: zero-frequency power fraction, {name}",
                                 measured=m, ci=_ci(ci), digits=2))
    return out


HOLDS = "holds"


def outcomes(claims: list[Claim]) -> str:
    """Each claim's outcome at the precision a regression test can compare on any machine, one line
    each: ``holds`` (with or without its tolerance), ``does not discriminate``, ``disagrees``, ``measured``."""
    width = max(len(c.quantity) for c in claims)
    return "\n".join(f"{c.quantity.ljust(width)}  {HOLDS if c.verdict in (AGREES, WITHIN_TOL) else c.verdict}"
                     for c in claims)


def conclusion(runs: pd.DataFrame, ideal: pd.DataFrame, cfg: Config) -> str:
    """The measured numbers the page's conclusion refers to, as sentences."""
    K, L = last_layer(cfg), cfg.L
    lines = []
    for arch in ("strided", "nonstrided", "linear"):
        t = layer_table(runs, arch, L)
        for phase in ("init", "trained"):
            r = t[(t["phase"] == phase) & (t["k"] == L)].iloc[0]
            lines.append(f"{NAMES[arch]}, {phase}, layer {L}: D = {r['D']:.3g}, G = {r['G']:.3g}, R = {r['R']:.3g}.")
    for arch in ("strided", "nonstrided"):
        t = layer_table(runs, arch, L)
        r = t[(t["phase"] == "trained") & (t["k"] == K)].iloc[0]
        lines.append(f"{NAMES[arch]}, trained, layer {K}: D = {r['D']:.3g}, G = {r['G']:.3g}, R = {r['R']:.3g}; "
                     f"idealised network: D = {_ideal(ideal, arch, K, 'D'):.3g}, G = {_ideal(ideal, arch, K, 'G'):.3g}, "
                     f"R = {_ideal(ideal, arch, K, 'R'):.3g}.")
    lin = of_arch(runs, "linear")
    lines.append(f"Linear control, trained: G_{K}/G_1 = {log_mean_ci(lin[f'G_{K}'] / lin['G_1'])[0]:.3g} "
                 f"(ReLU strided CNN: {log_mean_ci(of_arch(runs, 'strided')[f'G_{K}'] / of_arch(runs, 'strided')['G_1'])[0]:.3g}); "
                 f"its test error {lin['err'].mean():.2f}.")
    return "\n".join(lines)
