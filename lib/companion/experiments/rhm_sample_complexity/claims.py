"""Measured against predicted: the claims of the page *Random Hierarchy Model*.

Tolerances (stated before any run; each from the method, never from the answer):

* **Slopes of P\\* against a size** are claimed to ``grid_slope_tol``: P\\* is read off a grid of
  training-set sizes by interpolation, and the grid is the same for every seed (in units of the
  size), so its error is systematic, not averaged by seeds; half a grid step at each end of the span
  of sizes moves a fitted slope by at most (largest grid step in log P) / (span in log size).
* **"Near chance" / "learnt"** are read as within the same fraction ``threshold`` of the chance
  error that defines P\\*.
* **"Invariance to synonyms emerges with learning"** is tested like with like: the size ``P_S`` at
  which a sensitivity has fallen to half its untrained value against the size ``P_1/2`` at which
  the test error has fallen to half of chance, both interpolated on the same grid; each is known to
  half a grid step, so their ratio is claimed to one grid step.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd

from ...claims import AGREES, WITHIN_TOL, Claim
from ...fit import PowerLawFit, fit_power_law_seeds
from ...rhm import RHM
from .config import Config
from .run import chance_error, crossing, log_mean_ci, mean_ci, sample_complexity

SOURCE = "Cagnetta et al., PRX 14, 031001 (2024)"
#: The hidden layer and synonym level of the sensitivity claims: layer k = l + 1 to level-l synonyms.
SENSITIVITY_PAIRS = ((2, 1), (3, 2))


def _ci(ci) -> tuple[float, float] | None:
    """An interval for :class:`Claim`, or None when it is not finite (too few measurements)."""
    return tuple(ci) if ci is not None and all(math.isfinite(c) for c in ci) else None


def _label(m: int, L: int) -> str:
    return f"(m, L) = ({m}, {L})"


def slope_fit(ps: pd.DataFrame, *, size: str = "P_c") -> PowerLawFit:
    """Slope of log P* against log ``size`` (``"P_c"`` = n_c m^L, or ``"P_max"``), fitted seed by seed
    (:func:`companion.fit.fit_power_law_seeds`); seeds with an unmeasured P* at some size are left out."""
    Y = ps.pivot(index="seed", columns=size, values="P_star").sort_index(axis=1)
    Y = Y.dropna(axis=0, how="any")
    if Y.shape[0] < 2 or Y.shape[1] < 2:
        return PowerLawFit(exponent=float("nan"), ci=(float("nan"), float("nan")), prefactor=float("nan"),
                           window=(float("nan"), float("nan")), n_points=int(Y.shape[1]))
    return fit_power_law_seeds(Y.columns.to_numpy(dtype=float), Y.to_numpy())


def _sizes(pairs, cfg: Config) -> tuple[np.ndarray, np.ndarray]:
    gs = [RHM(v=cfg.v, m=m, s=cfg.s, L=L, n_c=cfg.n_c, seed=0) for m, L in pairs]
    return np.log([float(g.P_c) for g in gs]), np.log([float(g.P_max) for g in gs])


def rival_slope(pairs, cfg: Config) -> float:
    """The slope of log P* against log n_c m^L that the shallow-network scaling P* ∝ P_max would
    give over these (m, L): the least-squares slope of log P_max against log n_c m^L."""
    x, y = _sizes(pairs, cfg)
    return float(np.polyfit(x, y, 1)[0])


def deep_slope_over_P_max(pairs, cfg: Config) -> float:
    """The slope of log P* against log P_max that the deep scaling P* ∝ n_c m^L would give over
    these (m, L): the least-squares slope of log n_c m^L against log P_max."""
    x, y = _sizes(pairs, cfg)
    return float(np.polyfit(y, x, 1)[0])


def grid_slope_tol(ratios, sizes) -> float:
    """Largest step of the grid in log P over the span of the sizes in log size (module docstring)."""
    ratios, sizes = np.asarray(ratios, dtype=float), np.asarray(sizes, dtype=float)
    return float(np.max(np.diff(np.log(ratios))) / np.log(sizes.max() / sizes.min()))


# --------------------------------------------------------------------------- P* of deep CNNs

def slope_claims(ps: pd.DataFrame, cfg: Config) -> list[Claim]:
    fit = slope_fit(ps)
    sizes = [cfg.n_c * m**L for m, L in cfg.pairs]
    tol = grid_slope_tol(cfg.P_ratios, sizes)
    return [Claim(quantity="slope of log P* against log n_c m^L (deep CNN)", measured=fit.exponent, ci=_ci(fit.ci),
                  theory=1.0, source=f"{SOURCE}: P* ~ n_c m^L",
                  rival=rival_slope(cfg.pairs, cfg),
                  rival_source="shallow scaling P* ∝ P_max = n_c m^((s^L-1)/(s-1)), least-squares slope over the same (m, L)",
                  tol=tol, tol_reason=f"P* interpolated on a grid of step {max(np.diff(np.log2(cfg.P_ratios))):.2g} octave "
                                      f"in units of n_c m^L: half a step at each end of the {max(sizes) / min(sizes):.0f}x span",
                  digits=1)]


def ratio_claims(ps: pd.DataFrame) -> list[Claim]:
    """P*/(n_c m^L) per (m, L): geometric mean over seeds with its 95% interval (no predicted value:
    the paper predicts the scaling, not the prefactor, which depends on optimiser and threshold)."""
    out = []
    for (m, L), g in ps.groupby(["m", "L"], sort=False):
        mean, ci, n = log_mean_ci(g["ratio_star"])
        out.append(Claim(quantity=f"P*/(n_c m^L), {_label(m, L)}, n_c m^L = {int(g['P_c'].iloc[0])}"
                                  + ("" if n == len(g) else f" ({n} of {len(g)} seeds crossed)"),
                         measured=mean, ci=_ci(ci), digits=1))
    return out


# --------------------------------------------------------------------------- synonymic sensitivity

def sensitivity_crossings(deep: pd.DataFrame, *, k: int, l: int) -> pd.DataFrame:
    """Half-way points of two falls, per (m, L, seed): ``P_S`` where ``S_{k,l}`` first falls below
    half its value in the untrained network (the same seed), and ``P_half`` where the test error
    first falls below half the chance error; both interpolated in log P like P*; ``ratio = P_S / P_half``."""
    rows = []
    for (m, L, seed), g in deep.groupby(["m", "L", "seed"], sort=False):
        if k > L:
            continue
        g = g.sort_values("P")
        P = g["P"].to_numpy()
        S0 = float(g[f"S0_{k}_{l}"].iloc[0])
        P_S = crossing(P, g[f"S_{k}_{l}"].to_numpy(), 0.5 * S0)
        P_half = crossing(P, g["err"].to_numpy(), 0.5 * chance_error(int(g["n_c"].iloc[0])))
        rows.append(dict(m=m, L=L, seed=seed, P_S=P_S, P_half=P_half, ratio=P_S / P_half))
    return pd.DataFrame(rows)


def sensitivity_claims(deep: pd.DataFrame, cfg: Config) -> list[Claim]:
    """log2(P_S / P_1/2) per (m, L) for the layer/level pairs of :data:`SENSITIVITY_PAIRS`: 0 if the
    sensitivity falls together with the test error, to one grid step (module docstring)."""
    step = float(np.max(np.diff(np.log2(cfg.P_ratios))))
    out = []
    for k, l in SENSITIVITY_PAIRS:
        cross = sensitivity_crossings(deep, k=k, l=l)
        for (m, L), g in cross.groupby(["m", "L"], sort=False):
            x = np.log2(g["ratio"].to_numpy())
            mean, ci = mean_ci(x)
            n = int(np.isfinite(x).sum())
            out.append(Claim(quantity=f"log2(P_S / P_1/2), S_{k},{l}, {_label(m, L)}"
                                      + ("" if n == len(g) else f" ({n} of {len(g)} seeds bracketed)"),
                             measured=mean, ci=_ci(ci), theory=0.0,
                             source=f"{SOURCE}: invariance to synonyms emerges as the task is learnt",
                             tol=step, tol_reason=f"P_S and P_1/2 each interpolated on the grid of {step:.2g}-octave "
                                                  "steps: their ratio known to one step",
                             digits=1))
    return out


# --------------------------------------------------------------------------- shallow networks

def shallow_complexity(shallow: pd.DataFrame, *, threshold: float) -> pd.DataFrame:
    """P* of the shallow nets per (m, L, seed), as :func:`sample_complexity`."""
    return sample_complexity(shallow, threshold=threshold)


def shallow_claims(ps_fc: pd.DataFrame, ps_cnn: pd.DataFrame, cfg: Config) -> list[Claim]:
    fit = slope_fit(ps_fc, size="P_max")
    P_max = [float(RHM(v=cfg.v, m=m, s=cfg.s, L=L, n_c=cfg.n_c, seed=0).P_max) for m, L in cfg.shallow_pairs]
    tol = grid_slope_tol(cfg.shallow_fracs, P_max)
    out = [Claim(quantity="slope of log P* against log P_max (shallow net)", measured=fit.exponent, ci=_ci(fit.ci),
                 theory=1.0, source=f"{SOURCE}: shallow nets need P* ∝ P_max (curse of dimensionality)",
                 rival=deep_slope_over_P_max(cfg.shallow_pairs, cfg),
                 rival_source="the deep scaling P* ∝ n_c m^L, least-squares slope over the same (m, L)",
                 tol=tol, tol_reason=f"P* interpolated on a grid of step {max(np.diff(np.log2(cfg.shallow_fracs))):.2g} "
                                     f"octave in units of P_max: half a step at each end of the "
                                     f"{max(P_max) / min(P_max):.0f}x span",
                 digits=1)]
    return out


def shallow_ratio_claims(ps_fc: pd.DataFrame, ps_cnn: pd.DataFrame) -> list[Claim]:
    """P* of the shallow net in units of P_max and of the deep CNN's P* (measured, per (m, L))."""
    out = []
    cnn = ps_cnn.groupby(["m", "L"])["P_star"].apply(lambda v: log_mean_ci(v)[0])
    for (m, L), g in ps_fc.groupby(["m", "L"], sort=False):
        mean, ci, n = log_mean_ci(g["frac_star"])
        note = "" if n == len(g) else f" ({n} of {len(g)} seeds crossed)"
        out.append(Claim(quantity=f"shallow P*/P_max, {_label(m, L)}, P_max = {int(g['P_max'].iloc[0])}{note}",
                         measured=mean, ci=_ci(ci), digits=2))
        if (m, L) in cnn.index and n >= 2:
            r_mean, r_ci, _ = log_mean_ci(g["P_star"] / cnn[(m, L)])
            out.append(Claim(quantity=f"shallow P* / deep-CNN P*, {_label(m, L)}{note}", measured=r_mean, ci=_ci(r_ci),
                             digits=0))
    return out


def errors_at(table: pd.DataFrame, *, m: int, L: int, P: int) -> np.ndarray:
    """Test errors of the runs of one (m, L) at training-set size P (one per seed)."""
    sel = table[(table["m"] == m) & (table["L"] == L) & (table["P"] == P)]
    return sel.sort_values("seed")["err"].to_numpy()


# --------------------------------------------------------------------------- the uncorrelated control

def control_claims(control: pd.DataFrame, cfg: Config) -> list[Claim]:
    out = []
    n_c = int(control["n_c"].iloc[0])
    chance = chance_error(n_c)
    tol = cfg.threshold * chance
    reason = f"'near chance' / 'learnt' read as within {cfg.threshold:g} of the chance error, the fraction that defines P*"
    for unc, g in control.groupby("uncorrelated"):
        P = int(g["P"].max())
        mean, ci = mean_ci(g[g["P"] == P]["err"])
        ratio = P / float(g["P_c"].iloc[0])
        if unc:
            out.append(Claim(quantity=f"uncorrelated RHM: deep-CNN test error at P = {ratio:g} n_c m^L",
                             measured=mean, ci=_ci(ci), theory=chance,
                             source=f"{SOURCE}: without single-patch correlations deep CNNs stay at chance",
                             rival=0.0, rival_source="learnt, as the correlated RHM at the same P", tol=tol,
                             tol_reason=reason, digits=1))
        else:
            out.append(Claim(quantity=f"correlated RHM, same (v, m, L): deep-CNN test error at P = {ratio:g} n_c m^L",
                             measured=mean, ci=_ci(ci), theory=0.0, source=f"{SOURCE}: learnt once P >> n_c m^L",
                             rival=chance, rival_source="chance, as the uncorrelated RHM", tol=tol, tol_reason=reason,
                             digits=1))
    return out


# --------------------------------------------------------------------------- the training protocol

def training_claims(table: pd.DataFrame) -> list[Claim]:
    """Every network interpolates its training set (training error zero), and how many met the
    loss threshold of the stopping rule before ``max_epochs``."""
    out = []
    for net, g in table.groupby("net", sort=False):
        name = {"cnn": "deep CNNs", "fc": "shallow nets"}[net]
        out.append(Claim(quantity=f"{name}: fraction of runs with zero training error ({len(g)} runs)",
                         measured=float((g["train_err"] == 0).mean()), theory=1.0,
                         source="protocol: train to interpolation", digits=2))
        out.append(Claim(quantity=f"{name}: fraction of runs stopped by the loss threshold",
                         measured=float(g["converged"].mean()), digits=2))
    return out


#: How :func:`outcomes` groups verdicts: a claim that agrees only through its tolerance still holds.
HOLDS = "holds"


class Outcomes:
    """A two-column table (claim, outcome) that prints in full, as text (nbval) and as HTML (the book)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def __repr__(self) -> str:
        width = max(len("claim"), *(len(c) for c in self.frame["claim"]))
        lines = [f"{'claim'.ljust(width)}  outcome"]
        lines += [f"{c.ljust(width)}  {o}" for c, o in zip(self.frame["claim"], self.frame["outcome"])]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f'<tr><td style="padding:2px 8px">{html.escape(c)}</td><td style="padding:2px 8px">{html.escape(o)}</td></tr>'
                       for c, o in zip(self.frame["claim"], self.frame["outcome"]))
        return ('<table style="border-collapse:collapse;font-size:0.85em"><thead><tr><th style="padding:2px 8px;'
                'text-align:left">claim</th><th style="padding:2px 8px;text-align:left">outcome</th></tr></thead>'
                f"<tbody>{rows}</tbody></table>")


def outcomes(claims: list[Claim]) -> Outcomes:
    """Each claim's outcome at the precision a regression test can compare on any machine.

    Trained networks move a test error in its second digit between BLAS builds and thread counts,
    and with it an interval's end across a rounding boundary or across the prediction. This table
    keeps what must not move unless the science does: ``holds`` (agrees, with or without its
    tolerance), ``does not discriminate``, ``disagrees``, ``measured`` or ``no measurement``.
    """
    names = [re.sub(r" \(\d+ of \d+ seeds[^)]*\)", "", c.quantity) for c in claims]   # counts can move with noise
    return Outcomes(pd.DataFrame({"claim": names,
                                  "outcome": [HOLDS if c.verdict in (AGREES, WITHIN_TOL) else c.verdict for c in claims]}))


def order_of_magnitude(ps: pd.DataFrame) -> pd.DataFrame:
    """The decade of P*/(n_c m^L) per (m, L) (geometric mean over seeds), e.g. ``10^0`` for 1 to 10."""
    rows = []
    for (m, L), g in ps.groupby(["m", "L"], sort=False):
        mean = log_mean_ci(g["ratio_star"])[0]
        rows.append({"(m, L)": f"({m}, {L})", "n_c m^L": int(g["P_c"].iloc[0]),
                     "P*/(n_c m^L) in": f"[10^{math.floor(math.log10(mean))}, 10^{math.floor(math.log10(mean)) + 1})"
                     if finite(mean) else "not measured"})
    return pd.DataFrame(rows)


def summary_table(ps: pd.DataFrame, fit: PowerLawFit) -> pd.DataFrame:
    """P*/(n_c m^L) per (m, L) (geometric mean, interval) for the closing summary."""
    rows = []
    for (m, L), g in ps.groupby(["m", "L"], sort=False):
        mean, ci, n = log_mean_ci(g["ratio_star"])
        rows.append({"m": m, "L": L, "n_c m^L": int(g["P_c"].iloc[0]), "P*/(n_c m^L)": round(mean, 2),
                     "95% CI": f"[{ci[0]:.2f}, {ci[1]:.2f}]", "seeds": n})
    return pd.DataFrame(rows)


def finite(x) -> bool:
    return x is not None and math.isfinite(x)


def conclusion(deep: pd.DataFrame, ps: pd.DataFrame, slope: PowerLawFit, shallow: pd.DataFrame,
               ps_fc: pd.DataFrame, control: pd.DataFrame, cfg: Config) -> str:
    """The measured numbers the page's conclusion refers to, as sentences."""
    P_c = ps.groupby(["m", "L"])["P_c"].first()
    P_max = ps.groupby(["m", "L"])["P_max"].first()
    ratios = {k: log_mean_ci(g["ratio_star"])[0] for k, g in ps.groupby(["m", "L"])}
    lines = [f"Deep CNNs: n_c m^L spans a factor {P_c.max() / P_c.min():.0f} over {len(P_c)} pairs, P_max "
             f"{np.log10(P_max.max() / P_max.min()):.1f} decades.",
             "P*/(n_c m^L) (geometric mean over seeds): "
             + ", ".join(f"{_label(m, L)}: {r:.2f}" for (m, L), r in ratios.items())
             + f"; largest / smallest = {np.nanmax(list(ratios.values())) / np.nanmin(list(ratios.values())):.2f}.",
             f"Slope of log P* against log n_c m^L: {slope.exponent:.2f} [{slope.ci[0]:.2f}, {slope.ci[1]:.2f}] "
             f"(rival, P* ∝ P_max over the same pairs: {rival_slope(cfg.pairs, cfg):.2f})."]
    top = max(cfg.P_ratios)
    for (m, L), g in shallow.groupby(["m", "L"]):
        frac = log_mean_ci(ps_fc[(ps_fc["m"] == m) & (ps_fc["L"] == L)]["frac_star"])[0]
        pc, pmax = float(g["P_c"].iloc[0]), float(g["P_max"].iloc[0])
        line = f"Shallow net, {_label(m, L)}: P*/P_max = {frac:.3f}, i.e. P*/(n_c m^L) = {frac * pmax / pc:.1f}"
        d = deep[(deep["m"] == m) & (deep["L"] == L)]
        if len(d):
            P_deep = d["P"].max()
            P_fc = g["P"].iloc[int(np.argmin(np.abs(np.log(g["P"].to_numpy() / P_deep))))]
            line += (f"; at P = {P_fc / pc:.2f} n_c m^L its test error is {g[g['P'] == P_fc]['err'].mean():.2f}, the "
                     f"deep CNN's at P = {P_deep / pc:.2f} n_c m^L is {d[d['P'] == P_deep]['err'].mean():.3f}")
        lines.append(line + ".")
    for unc, g in control.groupby("uncorrelated"):
        P = g["P"].max()
        lines.append(f"Control, {'uncorrelated' if unc else 'correlated'} (v = m = n_c = {int(g['v'].iloc[0])}, "
                     f"L = {int(g['L'].iloc[0])}): test error {g[g['P'] == P]['err'].mean():.2f} at P = "
                     f"{P / g['P_c'].iloc[0]:g} n_c m^L (chance {chance_error(int(g['n_c'].iloc[0])):.2f}).")
    return "\n".join(lines)
