"""The page's claims: every checked number with its prediction, source, rival and tolerance.

Tolerances are the method's accuracy, computed by the method (never from the answer):
- simulated exponents carry a Student-t interval over seeds (the sampling error) and no tolerance,
  except where a systematic of the method is computed alongside: the slab width in d >= 2 (the
  exponent of u < C against u < C/2) and the pre-asymptotic drift of a fixed-lam curve (the
  spectral-bias theory's own distance from the asymptote at the same sizes);
- the theory's own exponents are deterministic: their tolerance is half the range of the theory's
  local slopes over the fit window (how well one exponent describes the window).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...claims import Claim
from .config import (Config, exponents, fixed_lam_window, fmt_window, lam_star, mean_ci, ridgeless_window,
                     rival_sb)

SRC_TRUE = "(1+χ)/(d+χ): the gap at the interface, r ~ P^(−1/(d+χ)) (reconstruction)"
SRC_SB = "β_SB = (1+χ)(d+1)/(d(d+1+χ)): spectral bias, λ → 0⁺ (reconstruction)"
SRC_FIXED = "(1+χ)/(d+1+χ): spectral bias at fixed λ, P ≫ P*(λ) (reconstruction)"
TOL_SLAB = ("systematic of the slab width: |β(u < C) − β(u < C/2)|, the change of the exponent when the "
            "interface slab is halved")
TOL_THEORY_DRIFT = "half the range of the theory's local slopes over the window (one exponent for a curving line)"
TOL_ASYMPTOTE = ("pre-asymptotic drift at these sizes: the spectral-bias theory's own exponent in the same "
                 "window minus its asymptote")


def _rows(fits: pd.DataFrame, regime: str):
    return fits[fits["regime"] == regime].iterrows()


def ridgeless_claims(fits: pd.DataFrame, theory_fits: pd.DataFrame) -> list[Claim]:
    """d = 1 ridgeless: total and interface-gap exponents vs the truth (rival beta_SB); the tails'
    exponent (measured); the theory's own exponent vs beta_SB."""
    out = []
    for chi in fits["chi"].unique():
        e = exponents(1, chi)
        r = fits[(fits["chi"] == chi) & (fits["regime"] == "ridgeless")].iloc[0]
        gap = fits[(fits["chi"] == chi) & (fits["regime"] == "ridgeless_gap")].iloc[0]
        tails = fits[(fits["chi"] == chi) & (fits["regime"] == "ridgeless_tails")].iloc[0]
        w = fmt_window(r["window"])
        rival = rival_sb(1, chi)
        out.append(Claim(quantity=f"χ={chi:g}: β of the whole MSE, P in {w}", measured=r["beta"], ci=r["ci"],
                         theory=e["true"], source=SRC_TRUE, rival=rival, rival_source=SRC_SB if rival else ""))
        out.append(Claim(quantity=f"χ={chi:g}: β of the interface gap (x_A, x_B), P in {w}", measured=gap["beta"],
                         ci=gap["ci"], theory=e["true"], source=SRC_TRUE, rival=rival,
                         rival_source=SRC_SB if rival else ""))
        out.append(Claim(quantity=f"χ={chi:g}: β of the tails beyond the outermost points, P in {w}",
                         measured=tails["beta"], ci=tails["ci"]))
    for _, r in _rows(theory_fits, "ridgeless"):
        out.append(Claim(quantity=f"χ={r['chi']:g}: spectral-bias theory's own ridgeless β, P in {fmt_window(r['window'])}",
                         measured=r["beta"], theory=exponents(1, r["chi"])["spectral_bias"], tol=r["drift"],
                         tol_reason=TOL_THEORY_DRIFT, source="β_SB, closed form", digits=3))
    return out


def region_claims(regions: pd.DataFrame, cfg: Config) -> list[Claim]:
    """Ridgeless d = 1: the share of the test MSE in the tails and in the gap, smallest and largest size
    of the ridgeless window (measured)."""
    win = ridgeless_window(cfg.P_1d)
    out = []
    for chi, g in regions.groupby("chi"):
        for P in win:
            r = g[g["P"] == P].iloc[0]
            out.append(Claim(quantity=f"χ={chi:g}, P={P}: share of the ridgeless MSE in the tails",
                             measured=r["frac_tails"]))
            out.append(Claim(quantity=f"χ={chi:g}, P={P}: share in the interface gap", measured=r["frac_gap"]))
    return out


def gap_claims(slopes: list[dict]) -> list[Claim]:
    """Per-training-set error against the extreme gaps G = r_A^{1+chi} + r_B^{1+chi}."""
    out = []
    for s in slopes:
        part = "interface-gap MSE" if s["col"] == "mse_gap" else "whole MSE"
        head = f"χ={s['chi']:g}: {part} vs G across training sets, P in {fmt_window(s['window'])}"
        if s["col"] == "mse_gap":
            out.append(Claim(quantity=head + ": log-slope", measured=s["slope"], ci=s["ci"], theory=1.0,
                             source="error = G × f(r_A/r_B), r_A/r_B independent of G (Poisson points near x = 0)"))
        out.append(Claim(quantity=head + ": correlation of the logs", measured=s["corr"]))
    return out


def fixed_lam_claims(fits: pd.DataFrame, theory_fits: pd.DataFrame, cfg: Config) -> list[Claim]:
    """d = 1 at lam_fixed: measured beta vs (1+chi)/(d+1+chi) (rival: the ridgeless truth) and vs the
    theory's own slope in the same window."""
    out = []
    th = theory_fits[theory_fits["regime"] == "fixed_lam"].set_index("chi")
    for _, r in _rows(fits, "fixed_lam"):
        e = exponents(1, r["chi"])
        head = f"χ={r['chi']:g}, λ={cfg.lam_fixed:g}: β"
        if r["window"] is None:
            out.append(Claim(quantity=head + " (λ ≥ 10λ* not reached at these P)", measured=np.nan,
                             theory=e["fixed_lam"], source=SRC_FIXED))
            continue
        w = fmt_window(r["window"])
        t = th.loc[r["chi"]]
        out.append(Claim(quantity=f"{head}, P in {w}, vs asymptote", measured=r["beta"], ci=r["ci"],
                         theory=e["fixed_lam"], source=SRC_FIXED, rival=e["true"],
                         rival_source="(1+χ)/(d+χ): no crossover, the ridgeless law",
                         tol=abs(float(t["beta"]) - e["fixed_lam"]), tol_reason=TOL_ASYMPTOTE))
        out.append(Claim(quantity=f"{head}, P in {w}, vs theory's slope there", measured=r["beta"], ci=r["ci"],
                         theory=float(t["beta"]), source="spectral-bias theory (Nyström), fitted in the same window"))
    return out


def crossover_claims(fits: pd.DataFrame) -> list[Claim]:
    return [Claim(quantity=f"χ={r['chi']:g}: exponent of λ×(P), P in {fmt_window(r['window'])}",
                  measured=r["exponent"], ci=r["ci"], theory=-1.0 / (1.0 + r["chi"]),
                  source="λ* ~ P^(−1/(d+χ)): smoothing length ℓ(λ) meets the gap r(P)")
            for _, r in fits.iterrows()]


def spread_claims(slopes: list[dict], cfg: Config) -> list[Claim]:
    """Self-averaging: the exponent in P of the spread (CV) of the test MSE over training sets."""
    out = []
    for s in slopes:
        chi, lam = s["chi"], s["lam"]
        w = fmt_window(s["window"])
        if lam == 0:
            out.append(Claim(quantity=f"χ={chi:g}, λ=0: exponent of the CV over training sets in P, P in {w}",
                             measured=s["slope"], ci=s["ci"], theory=0.0,
                             source="not self-averaging: P × error has a P-independent law (the gap is scale-free)",
                             rival=-0.5, rival_source="self-averaging, CV ~ P^(−1/2) (a sum of P independent terms)"))
        else:
            pred = -1.0 / (2.0 * (2.0 + chi))
            out.append(Claim(quantity=f"χ={chi:g}, λ={lam:g}: exponent of the CV over training sets in P, P in {w}",
                             measured=s["slope"], ci=s["ci"], theory=pred,
                             source="self-averaging: CV ~ N^(−1/2), N ~ P ℓ^(1+χ) points within ℓ ~ (λ/P)^(1/(2+χ))",
                             rival=0.0, rival_source="not self-averaging (the ridgeless law)"))
        for P, cv in ((s["window"][0], s["cv_lo"]), (s["window"][1], s["cv_hi"])):
            out.append(Claim(quantity=f"χ={chi:g}, λ={lam:g}: CV over training sets at P={P}", measured=cv))
    return out


def ratio_claims(ratios: pd.DataFrame, cfg: Config) -> list[Claim]:
    """Spectral bias vs simulation: at lam_fixed (lam >> lam*) and ridgeless (lam << lam*)."""
    from ...fit import fit_power_law_seeds

    out = []
    for chi in cfg.chis:
        g = ratios[(ratios["chi"] == chi) & (ratios["lam"] == cfg.lam_fixed)].dropna(subset=["ratio"])
        win = fixed_lam_window(cfg.P_1d, lam=cfg.lam_fixed, d=1, chi=chi, sigma=cfg.sigma)
        sizes = [int(g["P"].max())] if win is None else [win[0], win[1]]
        for P in sizes:
            t = cfg.lam_fixed / float(lam_star(P, d=1, chi=chi, sigma=cfg.sigma))
            m, ci = mean_ci(g[g["P"] == P]["ratio"])
            head = f"χ={chi:g}: simulation / theory, λ={cfg.lam_fixed:g}, P={P} (λ/λ*={t:.0f})"
            if P == sizes[-1]:
                out.append(Claim(quantity=head, measured=m, ci=ci, theory=1.0, source="spectral bias right for λ ≫ λ*"))
            else:
                out.append(Claim(quantity=head + ", start of the fit window", measured=m, ci=ci))
    for chi in cfg.chis:
        e = exponents(1, chi)
        g = ratios[(ratios["chi"] == chi) & (ratios["lam"] == 0.0)].dropna(subset=["ratio"])
        Y = g.pivot(index="seed", columns="P", values="ratio")
        win = ridgeless_window(Y.columns.tolist()) or (int(Y.columns.min()), int(Y.columns.max()))
        f = fit_power_law_seeds(Y.columns.to_numpy(), Y.to_numpy(), window=win)
        growth = e["spectral_bias"] - e["true"]
        out.append(Claim(quantity=f"χ={chi:g}: growth exponent of simulation / theory, λ=0, P in {fmt_window(win)}",
                         measured=f.exponent, ci=f.ci, theory=growth, source="β_SB − (1+χ)/(d+χ)",
                         rival=0.0 if growth else None, rival_source="spectral bias right (ratio constant)" if growth else ""))
        if chi == 0.0:
            sel = Y.loc[:, (Y.columns >= win[0]) & (Y.columns <= win[1])]
            m, ci = mean_ci(sel.mean(axis=1))
            out.append(Claim(quantity=f"χ=0: simulation / theory, λ=0, mean over P in {fmt_window(win)}",
                             measured=m, ci=ci, theory=1.0, source="spectral bias right for χ = 0"))
    return out


def interface_claims(fits: pd.DataFrame, cfg: Config) -> list[Claim]:
    """d >= 2: the interface part's exponent vs the truth (rival beta_SB), with the slab-width systematic;
    the whole MSE's exponent and the interface share (measured)."""
    out = []
    for _, r in fits.iterrows():
        d, chi = int(r["d"]), r["chi"]
        e = exponents(d, chi)
        rival = rival_sb(d, chi)
        w = fmt_window(r["window"])
        tol = abs(r["beta"] - r["beta_half"]) if np.isfinite(r["beta"]) and np.isfinite(r["beta_half"]) else 0.0
        out.append(Claim(quantity=f"d={d}, χ={chi:g}: β of the interface part |x₁| < {cfg.slab_C:g} r(P), P in {w}",
                         measured=r["beta"], ci=r["ci"], theory=e["true"], source=SRC_TRUE, rival=rival,
                         rival_source=SRC_SB if rival else "", tol=tol, tol_reason=TOL_SLAB if tol > 0 else ""))
        out.append(Claim(quantity=f"d={d}, χ={chi:g}: β of the whole MSE, P in {w}", measured=r["beta_total"],
                         ci=r["ci_total"]))
    return out


def exponent_table(fits: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """The three formulas for d in table_d and d -> infinity (chi in cfg.chis), with beta_SB / beta_true
    and the measured ridgeless exponents (the interface part) where this page has them.

    ``fits``: rows ``{"d", "chi", "beta", "ci"}``."""
    def measured(d, chi):
        r = fits[(fits["d"] == d) & (fits["chi"] == chi)]
        if r.empty or not np.isfinite(r["beta"].iloc[0]):
            return ""
        lo, hi = r["ci"].iloc[0]
        return f"{r['beta'].iloc[0]:.2f} [{lo:.2f}, {hi:.2f}]"

    rows = []
    for chi in cfg.chis:
        for d in cfg.table_d:
            e = exponents(d, chi)
            rows.append({"χ": f"{chi:g}", "d": str(d), "true (1+χ)/(d+χ)": f"{e['true']:.3f}",
                         "fixed λ (1+χ)/(d+1+χ)": f"{e['fixed_lam']:.3f}", "β_SB": f"{e['spectral_bias']:.3f}",
                         "β_SB / true": f"{e['spectral_bias'] / e['true']:.3f}",
                         "measured, λ=0 (interface)": measured(d, chi)})
        rows.append({"χ": f"{chi:g}", "d": "∞", "true (1+χ)/(d+χ)": "→ 0", "fixed λ (1+χ)/(d+1+χ)": "→ 0",
                     "β_SB": "→ 0", "β_SB / true": "1.000", "measured, λ=0 (interface)": ""})
    return pd.DataFrame(rows)


def interface_exponents(fits_1d: pd.DataFrame, fits_high: pd.DataFrame) -> pd.DataFrame:
    """One table {d, chi, beta, ci} of the interface exponents: the gap in d = 1, the slab in d >= 2."""
    one = fits_1d[fits_1d["regime"] == "ridgeless_gap"][["d", "chi", "beta", "ci"]]
    return pd.concat([one, fits_high[["d", "chi", "beta", "ci"]]], ignore_index=True)
