"""Measured against predicted: the claims of the page *Sparse Random Hierarchy Model*.

Tolerances (fixed before any run; each from the method, never from the answer):

* **Exponent of the cost of sparsity** (slope of log P* against log(s0+1)): P* is read off a grid
  of training-set sizes by interpolation in log P. Its accuracy is estimated by doubling the grid
  step (P* read on every other grid point) and taking the change of the fitted exponent, the
  "estimate at k against k/2" rule; where the coarse grid brackets no crossing for some seed, the
  bound of half a grid step at each end of the span of s0+1 is used instead.
* **Invariances learnt with the task** are tested like with like, as on the RHM page: ``P*_S`` and
  ``P*_D``, where S_2 and D_2 fall below ``sens_fraction`` of their untrained value, against
  ``P_1/2``, where the test error falls below half of chance; each is read on the same grid to half
  a step, so log2 of their ratio is claimed to one grid step.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.stats

from ...claims import Claim
from ...fit import LEVEL
from ..rhm_sample_complexity.claims import outcomes  # noqa: F401 (the page's summary table, shared)
from .config import Config
from .run import coarse_P_star, exponent_fit, log_mean_ci, mean_ci, sparsity_exponents

SOURCE = "Tomasini & Wyart, ICML 2024"
ARCH_NAME = {"lcn": "LCN", "cnn": "CNN"}


def _ci(ci) -> tuple[float, float] | None:
    return tuple(ci) if ci is not None and all(math.isfinite(c) for c in ci) else None


def predicted_exponent(arch: str, L: int) -> float:
    """The exponent of (s0+1) in P*(s0)/P*(0): L for the LCN, 2 (L-independent) for the CNN."""
    return float(L) if arch == "lcn" else 2.0


def grid_step_octaves(cfg: Config) -> float:
    return 1.0 / cfg.steps_per_octave


def exponent_tolerance(table: pd.DataFrame, ps: pd.DataFrame, cfg: Config, *, L: int, arch: str) -> tuple[float, str]:
    """(tolerance, reason) of the exponent of one (L, arch): see the module docstring."""
    ps = ps.assign(P_star_coarse=coarse_P_star(table, cfg).to_numpy())
    sel = ps[(ps["L"] == L) & (ps["arch"] == arch)]
    fine = sparsity_exponents(sel)["alpha"].to_numpy()
    coarse = sparsity_exponents(sel, every=2)["alpha"].to_numpy()
    both = np.isfinite(fine) & np.isfinite(coarse)
    if both.all() and both.any():
        return (float(abs(fine[both].mean() - coarse[both].mean())),
                f"change of the exponent when P* is read on a grid twice as coarse ({2 * grid_step_octaves(cfg):g} "
                f"octave instead of {grid_step_octaves(cfg):g})")
    span = math.log(max(cfg.s0s) + 1)
    return (grid_step_octaves(cfg) * math.log(2) / span,
            f"half a grid step ({grid_step_octaves(cfg):g} octave) at each end of the span of s0+1 "
            "(the coarse grid left a crossing unbracketed)")


def exponent_claims(table: pd.DataFrame, ps: pd.DataFrame, cfg: Config) -> list[Claim]:
    """The slope of log P*(s0) against log(s0+1) per (architecture, L): L for the LCN, 2 for the CNN,
    each with the other architecture's law as the rival (the two coincide at L = 2)."""
    out = []
    for arch in cfg.archs:
        for L, *_ in cfg.grammars:
            fit = exponent_fit(ps, L, arch)
            theory = predicted_exponent(arch, L)
            other = predicted_exponent("cnn" if arch == "lcn" else "lcn", L)
            tol, reason = exponent_tolerance(table, ps, cfg, L=L, arch=arch)
            n = int(sparsity_exponents(ps[(ps["L"] == L) & (ps["arch"] == arch)])["alpha"].notna().sum())
            law = "(s0+1)^L" if arch == "lcn" else "(s0+1)^2, an empirical law"
            out.append(Claim(quantity=f"{ARCH_NAME[arch]}, L = {L}: exponent of s0+1 in P*(s0)/P*(0)"
                                      + (" (both laws give 2)" if other == theory else "")
                                      + ("" if n == cfg.seeds else f" ({n} of {cfg.seeds} seeds measured)"),
                             measured=fit.exponent, ci=_ci(fit.ci), theory=theory, source=f"{SOURCE}: {law}",
                             rival=None if other == theory else other,
                             rival_source=f"the {'CNN' if arch == 'lcn' else 'LCN'}'s law "
                                          f"{'(s0+1)^2' if arch == 'lcn' else '(s0+1)^L'}",
                             tol=tol, tol_reason=reason, digits=1))
    return out


def depth_claims(table: pd.DataFrame, ps: pd.DataFrame, cfg: Config) -> list[Claim]:
    """How the exponent changes from the smallest to the largest depth: by the change of L for the
    LCN, not at all for the CNN (Welch interval over the seeds of the two depths)."""
    depths = sorted(g[0] for g in cfg.grammars)
    L1, L2 = depths[0], depths[-1]
    out = []
    for arch in cfg.archs:
        a = [sparsity_exponents(ps[(ps["L"] == L) & (ps["arch"] == arch)])["alpha"].dropna().to_numpy() for L in (L1, L2)]
        if min(len(x) for x in a) < 2:
            diff, ci = float("nan"), None
        else:
            diff = float(a[1].mean() - a[0].mean())
            v1, v2 = a[0].var(ddof=1) / len(a[0]), a[1].var(ddof=1) / len(a[1])
            dof = (v1 + v2) ** 2 / (v1**2 / (len(a[0]) - 1) + v2**2 / (len(a[1]) - 1)) if v1 + v2 > 0 else 1.0
            half = scipy.stats.t.ppf(0.5 + LEVEL / 2, dof) * math.sqrt(v1 + v2)
            ci = (diff - half, diff + half)
        tols = [exponent_tolerance(table, ps, cfg, L=L, arch=arch) for L in (L1, L2)]
        lcn_law, cnn_law = float(L2 - L1), 0.0
        theory, rival = (lcn_law, cnn_law) if arch == "lcn" else (cnn_law, lcn_law)
        out.append(Claim(quantity=f"{ARCH_NAME[arch]}: exponent at L = {L2} minus exponent at L = {L1}",
                         measured=diff, ci=_ci(ci), theory=theory,
                         source=f"{SOURCE}: " + ("grows with depth, (s0+1)^L" if arch == "lcn" else "independent of L"),
                         rival=rival, rival_source=f"the {'CNN' if arch == 'lcn' else 'LCN'}'s law",
                         tol=tols[0][0] + tols[1][0], tol_reason="the two exponents' tolerances added", digits=1))
    return out


def cost_ratios(ps: pd.DataFrame) -> pd.DataFrame:
    """P*(s0)/P*(0) per (L, arch, s0, seed) (same seed, same grammar)."""
    base = ps[ps["s0"] == 0].set_index(["L", "arch", "seed"])["P_star"]
    out = ps.copy()
    out["cost"] = [r.P_star / base.get((r.L, r.arch, r.seed), float("nan")) for r in ps.itertuples()]
    return out


def cost_claims(ps: pd.DataFrame, cfg: Config) -> list[Claim]:
    """P*(s0)/P*(0) per (architecture, L, s0 > 0): geometric mean over seeds with its interval,
    against (s0+1)^L (LCN) or (s0+1)^2 (CNN), the other as rival."""
    cost = cost_ratios(ps)
    out = []
    for arch in cfg.archs:
        for L, *_ in cfg.grammars:
            for s0 in cfg.s0s[1:]:
                vals = cost[(cost["L"] == L) & (cost["arch"] == arch) & (cost["s0"] == s0)]["cost"]
                mean, ci, n = log_mean_ci(vals)
                theory = float((s0 + 1) ** predicted_exponent(arch, L))
                other = float((s0 + 1) ** predicted_exponent("cnn" if arch == "lcn" else "lcn", L))
                out.append(Claim(quantity=f"{ARCH_NAME[arch]}, L = {L}, s0 = {s0}: P*(s0)/P*(0)"
                                          + ("" if n == len(vals) else f" ({n} of {len(vals)} seeds measured)"),
                                 measured=mean, ci=_ci(ci), theory=theory,
                                 source=f"{SOURCE}: " + ("(s0+1)^L" if arch == "lcn" else "(s0+1)^2"),
                                 rival=None if other == theory else other,
                                 rival_source=f"the {'CNN' if arch == 'lcn' else 'LCN'}'s law", digits=1))
    return out


def sensitivity_claims(ps: pd.DataFrame, cfg: Config) -> list[Claim]:
    """log2(P*_S / P_1/2) and log2(P*_D / P_1/2) per (architecture, L, s0 > 0): 0 if the invariances
    are learnt together with the task, to one grid step (module docstring)."""
    step = grid_step_octaves(cfg)
    out = []
    for name, label in (("S", "synonyms"), ("D", "diffeomorphisms")):
        for arch in cfg.archs:
            for L, *_ in cfg.grammars:
                for s0 in cfg.s0s[1:]:
                    g = ps[(ps["L"] == L) & (ps["arch"] == arch) & (ps["s0"] == s0)]
                    x = np.log2(g[f"P_{name}"].to_numpy() / g["P_half"].to_numpy())
                    mean, ci = mean_ci(x)
                    n = int(np.isfinite(x).sum())
                    out.append(Claim(quantity=f"log2(P*_{name} / P_1/2), {ARCH_NAME[arch]}, L = {L}, s0 = {s0}"
                                              + ("" if n == len(g) else f" ({n} of {len(g)} seeds bracketed)"),
                                     measured=mean, ci=_ci(ci), theory=0.0,
                                     source=f"{SOURCE}: invariance to {label} is learnt with the task",
                                     tol=step, tol_reason=f"both read on the grid of {step:g}-octave steps: their ratio "
                                                          "known to one step", digits=1))
    return out


def ratio_table(ps: pd.DataFrame, cfg: Config) -> list[Claim]:
    """P*_S / P* and P*_D / P* per (architecture, L, s0 > 0), measured (geometric mean over seeds)."""
    out = []
    for name in ("S", "D"):
        for arch in cfg.archs:
            for L, *_ in cfg.grammars:
                for s0 in cfg.s0s[1:]:
                    g = ps[(ps["L"] == L) & (ps["arch"] == arch) & (ps["s0"] == s0)]
                    mean, ci, n = log_mean_ci(g[f"P_{name}"] / g["P_star"])
                    out.append(Claim(quantity=f"P*_{name} / P*, {ARCH_NAME[arch]}, L = {L}, s0 = {s0}"
                                              + ("" if n == len(g) else f" ({n} of {len(g)} seeds bracketed)"),
                                     measured=mean, ci=_ci(ci), digits=1))
    return out


def spearman_ci(x, y, *, n_boot: int = 2000, seed: int = 0) -> tuple[float, tuple[float, float], int]:
    """Spearman rank correlation of finite pairs with a percentile bootstrap 95% interval
    (resampling the pairs; a fixed seed so the page is reproducible)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 4:
        return float("nan"), (float("nan"), float("nan")), int(x.size)
    rho = float(scipy.stats.spearmanr(x, y)[0])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    boots = [scipy.stats.spearmanr(x[i], y[i])[0] for i in idx]
    lo, hi = np.nanpercentile(boots, [100 * (0.5 - LEVEL / 2), 100 * (0.5 + LEVEL / 2)])
    return rho, (float(lo), float(hi)), int(x.size)


def correlation_claims(table: pd.DataFrame) -> list[Claim]:
    """Spearman correlation between test error and D_2 (and S_2) across every trained network with
    empty slots (both architectures, every depth, s0 and P), measured with a bootstrap interval."""
    sparse = table[table["s0"] > 0]
    out = []
    for name in ("D", "S"):
        rho, ci, n = spearman_ci(sparse[f"{name}_2"], sparse["err"])
        out.append(Claim(quantity=f"Spearman correlation of test error with {name}_2 ({n} trained networks, s0 > 0)",
                         measured=rho, ci=_ci(ci), digits=2))
    return out


def training_claims(table: pd.DataFrame) -> list[Claim]:
    """Every network interpolates its training set, and how many met the stopping rule's loss."""
    out = []
    for arch, g in table.groupby("arch", sort=False):
        out.append(Claim(quantity=f"{ARCH_NAME[arch]}s: fraction of runs with zero training error ({len(g)} runs)",
                         measured=float((g["train_err"] == 0).mean()), theory=1.0,
                         source="protocol: train to interpolation", digits=2))
        out.append(Claim(quantity=f"{ARCH_NAME[arch]}s: fraction of runs stopped by the loss threshold",
                         measured=float(g["converged"].mean()), digits=2))
    return out


def conclusion(table: pd.DataFrame, ps: pd.DataFrame, cfg: Config) -> str:
    """The measured numbers the page's conclusion refers to, as sentences."""
    lines = []
    bad = table[table["train_err"] > 0]
    lines.append(f"Runs that do not interpolate: {len(bad)} of {len(table)} "
                 f"({', '.join(sorted(ARCH_NAME[a] for a in set(bad['arch']))) or 'none'}); most training points "
                 f"misclassified in one run: {int(round((bad['train_err'] * bad['P']).max())) if len(bad) else 0}.")
    for arch in cfg.archs:
        parts = []
        for L, *_ in cfg.grammars:
            fit = exponent_fit(ps, L, arch)
            parts.append(f"L = {L}: {fit.exponent:.2f} [{fit.ci[0]:.2f}, {fit.ci[1]:.2f}] "
                         f"(predicted {predicted_exponent(arch, L):g})")
        lines.append(f"{ARCH_NAME[arch]}: exponent of s0+1 in P*(s0)/P*(0), " + "; ".join(parts) + ".")
    for name in ("S", "D"):
        vals = (ps[f"P_{name}"] / ps["P_star"])[ps["s0"] > 0]
        mean, ci, n = log_mean_ci(vals)
        lines.append(f"P*_{name} / P* over every network with s0 > 0 ({n} bracketed): {mean:.2f} [{ci[0]:.2f}, {ci[1]:.2f}].")
    for c in correlation_claims(table):
        lines.append(f"{c.quantity}: {c.measured:.2f} [{c.ci[0]:.2f}, {c.ci[1]:.2f}].")
    return "\n".join(lines)
