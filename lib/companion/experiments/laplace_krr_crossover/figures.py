"""The page's figures, drawn for the book's 7-inch column (panels stacked or split where needed)."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import lines as mlines
from matplotlib import ticker as mticker

from ... import style
from .config import CROSSOVER_FACTOR, Config, exponents, lam_star, mean_ci, ridgeless_window
from .interface import slab_part
from .one_d import PARTS, local_slopes, predictor_half_width
from .theory import ratio_table, theory_local_slopes

W = style.COLUMN_WIDTH


def _lam_label(lam: float) -> str:
    return r"$\lambda = 0$" if lam == 0 else rf"$\lambda = {lam:g}$"


def _chi_title(chi: float) -> str:
    return rf"$\chi = {chi:g}$"


def _geo_band(g: pd.DataFrame, col: str = "mse"):
    """Geometric mean and ±1 sd (over seeds) of ``col`` per P."""
    logm = np.log(g[col]).groupby(g["P"])
    P = logm.mean().index.to_numpy()
    return P, np.exp(logm.mean().to_numpy()), logm.std().fillna(0.0).to_numpy()


def _plain_log_axis(axis, ticks=None) -> None:
    """Log axis labelled with plain numbers (``ticks``, or 1-2-5 per decade; every integer multiple
    when the axis spans less than a decade), no minor labels. Call after plotting."""
    if ticks is not None:
        axis.set_major_locator(mticker.FixedLocator(ticks))
    else:
        lo, hi = axis.get_view_interval()
        subs = np.arange(1.0, 10.0) if hi < 10 * lo else (1.0, 2.0, 5.0)
        axis.set_major_locator(mticker.LogLocator(base=10, subs=subs))
    axis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(mticker.NullFormatter())


def _through(P, y, slope, window=None):
    """The power law P^slope through the points (P, y) in ``window`` (least squares in log y)."""
    P, y = np.asarray(P, dtype=float), np.asarray(y, dtype=float)
    sel = np.ones(P.size, bool) if window is None else (P >= window[0]) & (P <= window[1])
    return np.exp(np.mean(np.log(y[sel]) - slope * np.log(P[sel]))) * P**slope


def _size_colors(sizes):
    cmap = mpl.colormaps["viridis"]
    return {P: cmap(0.9 * i / max(len(sizes) - 1, 1)) for i, P in enumerate(sizes)}


def _row(n: int, height: float = 2.7, **kw):
    return style.subplots(1, n, width=W, height_per_row=height, **kw)


# --------------------------------------------------------------------------- d = 1

def plot_learning_curves_1d(curves: pd.DataFrame, fits: pd.DataFrame, cfg: Config):
    """MSE vs P per chi, one curve per lam (geometric mean ± 1 sd over seeds); dashed: P^-1 (lam = 0)
    and P^-(1+chi)/(2+chi) (lam_fixed) over their fit windows, offset x2; shaded: the fixed-lam window."""
    fig, axes = _row(len(cfg.chis), 2.9, sharey=True)
    for j, chi in enumerate(cfg.chis):
        ax = axes[0, j]
        w = fits[(fits["chi"] == chi) & (fits["regime"] == "fixed_lam")]["window"].iloc[0]
        if w is not None:
            style.shade_window(ax, w, label=rf"fit window, $\lambda = {cfg.lam_fixed:g}$" if j == 0 else None)
        for c, lam in enumerate(cfg.lams):
            g = curves[(curves["chi"] == chi) & (curves["lam"] == lam)]
            P, mean, sd = _geo_band(g)
            ax.plot(P, mean, marker="o", ms=2.5, color=style.color(c), label=_lam_label(lam) if j == 0 else None)
            ax.fill_between(P, mean * np.exp(-sd), mean * np.exp(sd), color=style.color(c), alpha=0.15, lw=0)
            regime = "ridgeless" if lam == 0 else ("fixed_lam" if lam == cfg.lam_fixed else None)
            if regime is None:
                continue
            r = fits[(fits["chi"] == chi) & (fits["regime"] == regime)].iloc[0]
            if r["window"] is None:
                continue
            beta = exponents(1, chi)["true" if lam == 0 else "fixed_lam"]
            Pw = P[P >= r["window"][0]]
            ref = mean[P == r["window"][1]][0]
            style.theory_line(ax, Pw, 2.0 * ref * (Pw / Pw[-1]) ** -beta, color=style.color(c), lw=1.0)
        style.loglog(ax, xlabel=r"training points $P$", ylabel=r"test MSE $\varepsilon$" if j == 0 else "")
        e = exponents(1, chi)
        ax.set_title(_chi_title(chi) + rf": $P^{{-1}}$, $P^{{-{e['fixed_lam']:.2g}}}$", fontsize=9)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles.append(mlines.Line2D([], [], ls="--", color="0.3"))
    labels.append(r"predicted slope (offset $\times 2$)")
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8.5)
    return fig


def plot_regions_1d(regions: pd.DataFrame, cfg: Config):
    """Ridgeless d = 1: the three regions of the test MSE against P (geometric mean over seeds),
    dashed P^-1 through the interface gap."""
    fig, axes = _row(len(cfg.chis), 2.9, sharey=True)
    names = {"gap": r"interface gap $(x_A, x_B)$", "bulk": "bulk (between same-sign points)",
             "tails": "tails (beyond the outermost points)"}
    win = ridgeless_window(cfg.P_1d)
    for j, chi in enumerate(cfg.chis):
        ax = axes[0, j]
        g = regions[regions["chi"] == chi].sort_values("P")
        P = g["P"].to_numpy(dtype=float)
        ax.plot(P, g["mse"], color="0.2", lw=1.0, marker=".", label="whole MSE" if j == 0 else None)
        for c, k in enumerate(PARTS):
            ax.plot(P, g[f"mse_{k}"], marker="o", ms=2.5, color=style.color(c), label=names[k] if j == 0 else None)
        style.theory_line(ax, P, 0.5 * _through(P, g["mse_gap"], -1.0, win), color=style.color(0), lw=1.0)
        style.loglog(ax, xlabel=r"training points $P$", ylabel=r"ridgeless test MSE" if j == 0 else "")
        ax.set_title(_chi_title(chi))
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles.append(mlines.Line2D([], [], ls="--", color=style.color(0)))
    labels.append(r"$\propto P^{-1}$ (offset $\times 1/2$)")
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8.5)
    return fig


def plot_gap_scatter(table: pd.DataFrame, cfg: Config):
    """Per training set: P x interface-gap MSE (colour) and P x whole MSE (grey) against
    P x G, G = r_A^{1+chi} + r_B^{1+chi}; dashed: slope 1."""
    win = ridgeless_window(cfg.P_1d)
    fig, axes = _row(len(cfg.chis), 2.8)
    for j, chi in enumerate(cfg.chis):
        ax = axes[0, j]
        g = table[(table["chi"] == chi) & (table["P"] >= win[0]) & (table["P"] <= win[1])]
        ax.plot(g["G_P"], g["mse_P"], ".", ms=2.5, color="0.65", label=r"whole MSE" if j == 0 else None)
        ax.plot(g["G_P"], g["mse_gap_P"], ".", ms=2.5, color=style.color(j), label="interface gap" if j == 0 else None)
        x = np.geomspace(g["G_P"].min(), g["G_P"].max(), 20)
        style.theory_line(ax, x, x * np.exp(np.mean(np.log(g["mse_gap_P"] / g["G_P"]))), lw=1.0,
                          label="slope 1" if j == 0 else None)
        style.loglog(ax, xlabel=r"$P\,(r_A^{1+\chi} + r_B^{1+\chi})$", ylabel=r"$P \times$ test MSE" if j == 0 else "")
        ax.set_title(_chi_title(chi))
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=8.5)
    return fig


def plot_local_slopes(curves: pd.DataFrame, theory: pd.DataFrame, fits: pd.DataFrame, cfg: Config):
    """Local exponent at lam_fixed: simulation (95% band over seeds) vs the theory's own local slope
    (dashed) and the asymptote (dotted)."""
    fig, axes = style.subplots(1, 1, width=W, height_per_row=3.4)
    ax = axes[0, 0]
    wins = [w for w in fits[fits["regime"] == "fixed_lam"]["window"] if w is not None]
    if wins:
        style.shade_window(ax, (min(w[0] for w in wins), max(w[1] for w in wins)), label="fit windows")
    for c, chi in enumerate(cfg.chis):
        s = local_slopes(curves, chi=chi, lam=cfg.lam_fixed)
        ax.plot(s["P_mid"], s["beta"], marker="o", ms=3, color=style.color(c), label=_chi_title(chi) + ": simulation")
        ax.fill_between(s["P_mid"], s["lo"], s["hi"], color=style.color(c), alpha=0.18, lw=0)
        ts = theory_local_slopes(theory, chi=chi, lam=cfg.lam_fixed)
        style.theory_line(ax, ts["P_mid"], ts["beta"], color=style.color(c), label=_chi_title(chi) + ": theory")
        ax.axhline(exponents(1, chi)["fixed_lam"], color=style.color(c), ls=":", lw=1.0)
    ax.set_xscale("log")
    ax.set_xlabel(r"training points $P$ (geometric midpoint of each octave)")
    ax.set_ylabel(r"local exponent $-d\log\varepsilon / d\log P$")
    ax.set_title(rf"$d = 1$, $\lambda = {cfg.lam_fixed:g}$; dotted: asymptotes $(1+\chi)/(2+\chi)$", fontsize=9.5)
    ax.legend(ncol=2, fontsize=8)
    return fig


def plot_collapse(curves: pd.DataFrame, cfg: Config):
    """MSE x P^beta_true against lam/lam*(P), one panel per chi (stacked rows)."""
    from .one_d import collapse_table

    table = collapse_table(curves, cfg)
    fig, axes = _row(len(cfg.chis), 2.9, sharey=True)
    for j, chi in enumerate(cfg.chis):
        ax = axes[0, j]
        sub = table[table["chi"] == chi]
        for c, lam in enumerate(cfg.lams):
            g = sub[sub["lam"] == lam]
            if lam == 0:
                ax.axhspan(g["y"].min(), g["y"].max(), color=style.color(c), alpha=0.2, lw=0,
                           label=r"$\lambda = 0$ (range over $P$)" if j == 0 else None)
                continue
            ax.plot(g["t"], g["y"], marker="o", ms=2.5, color=style.color(c), label=_lam_label(lam) if j == 0 else None)
        a = exponents(1, chi)["fixed_lam"]
        pos = sub[sub["lam"] > 0]
        t = np.geomspace(max(pos["t"].min(), 1.0), pos["t"].max(), 50)
        top = pos.loc[pos["t"].idxmax()]
        style.theory_line(ax, t, top["y"] * (t / top["t"]) ** a, lw=1.0)
        style.loglog(ax, xlabel=r"$\lambda / \lambda^*(P)$", ylabel=r"$\varepsilon \cdot P$" if j == 0 else "")
        ax.axvline(1.0, color="0.4", lw=0.6, ls=":")
        ax.set_title(_chi_title(chi) + rf"; dashed $\propto (\lambda/\lambda^*)^{{{a:.2g}}}$", fontsize=9)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=5, fontsize=8.5)
    return fig


def plot_spread(table: pd.DataFrame, cfg: Config):
    """Coefficient of variation of the test MSE over training sets against lam/lam*(P) (lam > 0),
    with the ridgeless values as a band; dashed: the self-averaging slope."""
    fig, axes = _row(len(cfg.chis), 2.9, sharey=True)
    for j, chi in enumerate(cfg.chis):
        ax = axes[0, j]
        sub = table[table["chi"] == chi]
        for c, lam in enumerate(cfg.lams):
            g = sub[sub["lam"] == lam].sort_values("P")
            if lam == 0:
                ax.axhspan(g["cv"].min(), g["cv"].max(), color=style.color(c), alpha=0.2, lw=0,
                           label=r"$\lambda = 0$ (range over $P$)" if j == 0 else None)
                continue
            ax.plot(g["t"], g["cv"], marker="o", ms=2.5, color=style.color(c), label=_lam_label(lam) if j == 0 else None)
        pos = sub[(sub["lam"] > 0) & (sub["t"] >= 10)]
        if not pos.empty:
            a = -(1.0 + chi) / (2.0 * (2.0 + chi))
            t = np.geomspace(pos["t"].min(), pos["t"].max(), 30)
            style.theory_line(ax, t, np.exp(np.mean(np.log(pos["cv"]) - a * np.log(pos["t"]))) * t**a, lw=1.0)
        ax.axvline(1.0, color="0.4", lw=0.6, ls=":")
        style.loglog(ax, xlabel=r"$\lambda / \lambda^*(P)$", ylabel="CV over training sets" if j == 0 else "")
        _plain_log_axis(ax.yaxis)
        ax.set_title(_chi_title(chi) + rf"; dashed $\propto (\lambda/\lambda^*)^{{-{(1 + chi) / (2 * (2 + chi)):.2g}}}$",
                     fontsize=9)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=5, fontsize=8.5)
    return fig


def plot_crossover(table: pd.DataFrame, cfg: Config):
    fig, axes = style.subplots(1, 1, width=W, height_per_row=3.2)
    ax = axes[0, 0]
    for c, (chi, g) in enumerate(table.groupby("chi")):
        P, mean, sd = _geo_band(g, "lam_x")
        ax.errorbar(P, mean, yerr=[mean - mean * np.exp(-sd), mean * np.exp(sd) - mean], marker="o", ms=4,
                    color=style.color(c), capsize=2, label=_chi_title(chi))
        style.theory_line(ax, P, _through(P, mean, -1.0 / (1.0 + chi)), color=style.color(c), lw=1.0)
    style.loglog(ax, xlabel=r"training points $P$",
                 ylabel=rf"$\lambda_\times$: $\varepsilon(\lambda_\times) = {CROSSOVER_FACTOR:g}\,\varepsilon(0)$")
    _plain_log_axis(ax.xaxis, ticks=list(cfg.crossover_P))
    ax.set_title(r"$d = 1$: crossover ridge per training set (geometric mean $\pm$ 1 sd); dashed $\propto P^{-1/(1+\chi)}$",
                 fontsize=9)
    ax.legend()
    return fig


def plot_theory_vs_simulation(curves: pd.DataFrame, theory: pd.DataFrame, cfg: Config):
    """Top row: mean simulated MSE (markers) and the spectral-bias theory (dashed) per lam; bottom
    row: their ratio against lam/lam*(P)."""
    ratios = ratio_table(curves, theory)
    fig, axes = style.subplots(2, len(cfg.chis), width=W, height_per_row=2.6)
    for j, chi in enumerate(cfg.chis):
        ax, bx = axes[0, j], axes[1, j]
        for c, lam in enumerate(cfg.lams):
            g = curves[(curves["chi"] == chi) & (curves["lam"] == lam)].groupby("P")["mse"].mean()
            ax.plot(g.index, g.values, "o", ms=2.5, color=style.color(c), label=_lam_label(lam) if j == 0 else None)
            th = theory[(theory["chi"] == chi) & (theory["lam"] == lam)].sort_values("P")
            style.theory_line(ax, th["P"], th["E_g"], color=style.color(c), lw=1.0)
            if lam == 0:  # no lam/lam* for the ridgeless curve: see the next figure
                continue
            r = ratios[(ratios["chi"] == chi) & (ratios["lam"] == lam)].groupby("P")["ratio"].mean().dropna()
            P = r.index.to_numpy()
            bx.plot(lam / lam_star(P, d=1, chi=chi, sigma=cfg.sigma), r.values, marker="o", ms=2.5, color=style.color(c))
        style.loglog(ax, xlabel=r"training points $P$", ylabel="mean test MSE" if j == 0 else "")
        ax.set_title(_chi_title(chi))
        bx.axhline(1.0, color="0.3", lw=0.6)
        bx.axvline(1.0, color="0.4", lw=0.6, ls=":")
        style.loglog(bx, xlabel=r"$\lambda / \lambda^*(P)$", ylabel="simulation / theory" if j == 0 else "")
        _plain_log_axis(bx.yaxis)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles.append(mlines.Line2D([], [], ls="--", color="0.3"))
    labels.append("spectral-bias theory")
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8.5)
    return fig


def plot_ridgeless_ratio(curves: pd.DataFrame, theory: pd.DataFrame, cfg: Config):
    """Ridgeless simulation / theory against P (mean and 95% interval over seeds); dashed: P^(beta_SB - beta)."""
    ratios = ratio_table(curves, theory)
    fig, axes = style.subplots(1, 1, width=W, height_per_row=3.2)
    ax = axes[0, 0]
    g0 = ratios[ratios["lam"] == 0].dropna(subset=["ratio"])
    win = ridgeless_window(sorted(g0["P"].unique()))
    if win is not None:
        style.shade_window(ax, win)
    for c, chi in enumerate(cfg.chis):
        Y = g0[g0["chi"] == chi].pivot(index="seed", columns="P", values="ratio")
        P = Y.columns.to_numpy()
        stats = [mean_ci(Y[p]) for p in P]
        mean = np.array([m for m, _ in stats])
        err = [mean - np.array([ci[0] for _, ci in stats]), np.array([ci[1] for _, ci in stats]) - mean]
        ax.errorbar(P, mean, yerr=err, marker="o", ms=3, capsize=2, color=style.color(c), label=_chi_title(chi))
        e = exponents(1, chi)
        style.theory_line(ax, P, _through(P, mean, e["spectral_bias"] - e["true"], win), color=style.color(c), lw=1.0)
    ax.axhline(1.0, color="0.3", lw=0.6)
    style.loglog(ax, xlabel=r"training points $P$", ylabel=r"simulation / theory at $\lambda = 0$")
    _plain_log_axis(ax.yaxis)
    ax.set_title(r"$d = 1$, ridgeless: mean ratio (95% CI over seeds); dashed $\propto P^{\beta_{SB} - \beta}$",
                 fontsize=9.5)
    ax.legend()
    return fig


def plot_predictor(preds: pd.DataFrame, means: pd.DataFrame, cfg: Config):
    """f_P near the interface for each ridge: seed 0 bold with its training points and x_A, x_B;
    other seeds thin; the spectral-bias mean predictor dashed."""
    lams = sorted(preds["lam"].unique())
    hw = predictor_half_width(cfg)
    fig, axes = style.subplots(1, len(lams), width=W, height_per_row=3.3, sharey=True)
    for j, lam in enumerate(lams):
        ax = axes[0, j]
        sub = preds[preds["lam"] == lam].sort_values("seed")
        ax.plot([-hw, 0, 0, hw], [-1, -1, 1, 1], color="0.6", lw=0.8, label=r"target $\mathrm{sign}(x)$")
        for k, (_, r) in enumerate(sub.iterrows()):
            if k:
                ax.plot(r["x"], r["f"], color=style.color(0), lw=0.6, alpha=0.45,
                        label="other training sets" if k == 1 else None)
        r = sub.iloc[0]
        ax.plot(r["x"], r["f"], color=style.color(0), lw=1.6, label=r"$f_P$ (one training set)")
        ax.plot(r["train_x"], r["train_y"], "o", ms=3, mfc="none", color="0.2", label="its training points")
        ax.plot([r["x_A"], r["x_B"]], [r["f_A"], r["f_B"]], "s", ms=6, color=style.color(3),
                label=r"$x_A, x_B$: nearest to $x = 0$")
        for xe in (r["x_A"], r["x_B"]):
            ax.axvline(xe, color=style.color(3), lw=0.6, ls=":")
        m = means[means["lam"] == lam].iloc[0]
        sel = np.abs(m["x"]) <= hw
        style.theory_line(ax, m["x"][sel], m["f_bar"][sel], color=style.color(1), lw=1.6,
                          label="spectral-bias mean predictor")
        t = lam / float(lam_star(cfg.predictor_P, d=1, chi=cfg.predictor_chi, sigma=cfg.sigma))
        ax.set_title(_lam_label(lam) + rf" ($\lambda/\lambda^* = {t:.3g}$)", fontsize=9.5)
        ax.set_xlim(-hw, hw)
        ax.set_ylim(-1.35, 1.35)
        ax.set_xlabel(r"$x$")
        ax.set_ylabel(r"predictor" if j == 0 else "")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize=8.5)
    return fig


# --------------------------------------------------------------------------- d >= 2

def plot_interface_profile(profile: pd.DataFrame, cfg: Config):
    """Mean squared error against u = |x_1| / r(P) in the core, one curve per P: the mechanism's
    profile collapses when plotted in units of the gap. Rows: d; columns: chi."""
    ds = sorted(profile["d"].unique())
    fig, axes = style.subplots(len(ds), len(cfg.chis), width=W, height_per_row=2.3, sharex=True, sharey=True)
    colors = _size_colors(list(cfg.interface_P))
    for i, d in enumerate(ds):
        for j, chi in enumerate(cfg.chis):
            ax = axes[i, j]
            sub = profile[(profile["d"] == d) & (profile["chi"] == chi)]
            for P, g in sub.groupby("P"):
                ax.step(np.append(g["u_lo"], g["u_hi"].iloc[-1]), np.append(g["err"], g["err"].iloc[-1]),
                        where="post", color=colors[P], lw=1.1, label=rf"$P = {P}$" if i == j == 0 else None)
            ax.axvline(cfg.slab_C, color="0.3", lw=0.7, ls=":")
            ax.set_yscale("log")
            ax.set_title(rf"$d = {d}$, " + _chi_title(chi), fontsize=9)
            if i == len(ds) - 1:
                ax.set_xlabel(r"$u = |x_1| / r(P)$")
            if j == 0:
                ax.set_ylabel(r"MSE at $u$")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=len(cfg.interface_P),
               fontsize=8.5)
    return fig


def plot_interface_curves(table: pd.DataFrame, fits: pd.DataFrame, cfg: Config):
    """d >= 2: the whole test MSE and its interface part u < slab_C against P (geometric mean ± 1 sd
    over seeds); dashed: the truth P^-(1+chi)/(d+chi), dotted: beta_SB, both fitted to the interface
    part and drawn below it (offsets x0.4 and x0.16)."""
    ds = sorted(table["d"].unique())
    t = table.assign(part=slab_part(table, cfg.slab_C, cfg.slab_edges))
    fig, axes = style.subplots(len(ds), len(cfg.chis), width=W, height_per_row=2.4, sharex=True)
    for i, d in enumerate(ds):
        for j, chi in enumerate(cfg.chis):
            ax = axes[i, j]
            g = t[(t["d"] == d) & (t["chi"] == chi)]
            first = i == j == 0
            for col, color, lab in (("mse", "0.45", "whole MSE"), ("part", style.color(j), "interface part")):
                P, mean, sd = _geo_band(g, col)
                ax.plot(P, mean, marker="o", ms=2.5, color=color, label=lab if first else None)
                ax.fill_between(P, mean * np.exp(-sd), mean * np.exp(sd), color=color, alpha=0.15, lw=0)
            P, mean, _ = _geo_band(g, "part")
            e = exponents(int(d), chi)
            style.theory_line(ax, P, 0.4 * _through(P, mean, -e["true"]), color="0.1", lw=1.0,
                              label=r"truth $P^{-(1+\chi)/(d+\chi)}$" if first else None)
            ax.plot(P, 0.16 * _through(P, mean, -e["spectral_bias"]), ls=":", color="0.1", lw=1.2,
                    label=r"spectral bias $P^{-\beta_{SB}}$" if first else None)
            style.loglog(ax, xlabel=r"training points $P$" if i == len(ds) - 1 else "",
                         ylabel="ridgeless test MSE" if j == 0 else "")
            ticks = [p for p in cfg.interface_P if p in P][::2]
            _plain_log_axis(ax.xaxis, ticks=ticks)
            ax.yaxis.set_minor_formatter(mticker.NullFormatter())
            ax.set_title(rf"$d = {d}$, " + _chi_title(chi), fontsize=9)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=4, fontsize=8.5)
    return fig


def plot_exponents_vs_d(fits: pd.DataFrame, cfg: Config):
    """Top: the three exponents for d = 1..10 (lines) with the measured interface exponents (points,
    95% CI); bottom: beta_SB / beta_true up to the largest d of the table."""
    fig, axes = style.subplots(2, 1, width=W, height_per_row=2.9)
    ax, bx = axes[0, 0], axes[1, 0]
    d = np.arange(1, 11)
    d_far = np.unique(np.geomspace(1, max(max(cfg.table_d), 10), 60).round().astype(int))
    for c, chi in enumerate(cfg.chis):
        e = [exponents(int(k), chi) for k in d]
        ax.plot(d, [x["true"] for x in e], color=style.color(c))
        style.theory_line(ax, d, [x["spectral_bias"] for x in e], color=style.color(c), lw=1.0)
        ax.plot(d, [x["fixed_lam"] for x in e], color=style.color(c), ls=":", lw=1.0)
        ef = [exponents(int(k), chi) for k in d_far]
        bx.plot(d_far, [x["spectral_bias"] / x["true"] for x in ef], color=style.color(c), label=_chi_title(chi))
        r = fits[fits["chi"] == chi].dropna(subset=["beta"])
        if not r.empty:
            lo = np.array([x[0] for x in r["ci"]])
            hi = np.array([x[1] for x in r["ci"]])
            dx = r["d"].to_numpy() + 0.08 * (c - 1)
            ax.errorbar(dx, r["beta"], yerr=[r["beta"] - lo, hi - r["beta"]], fmt="o", ms=4, mfc="none",
                        capsize=2, color=style.color(c))
    ax.set_xticks(d)
    ax.set_xlabel(r"$d$")
    ax.set_ylabel(r"$\beta$  ($\varepsilon \sim P^{-\beta}$)")
    keys = [mlines.Line2D([], [], color=style.color(c), label=_chi_title(chi)) for c, chi in enumerate(cfg.chis)]
    keys += [mlines.Line2D([], [], color="0.3", label=r"truth $(1+\chi)/(d+\chi)$"),
             mlines.Line2D([], [], color="0.3", ls="--", label=r"spectral bias $\beta_{SB}$"),
             mlines.Line2D([], [], color="0.3", ls=":", label=r"fixed $\lambda$: $(1+\chi)/(d+1+\chi)$"),
             mlines.Line2D([], [], color="0.3", marker="o", mfc="none", ls="", label="measured, interface (95% CI)")]
    ax.legend(handles=keys, fontsize=8, ncol=2)
    bx.axhline(1.0, color="0.3", lw=0.6)
    bx.set_xscale("log")
    bx.set_xlabel(r"$d$")
    bx.set_ylabel(r"$\beta_{SB} / \beta_{\mathrm{true}}$")
    bx.legend()
    return fig
