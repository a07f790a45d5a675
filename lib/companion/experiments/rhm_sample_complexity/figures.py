"""Figures of the page *Random Hierarchy Model* (book style, at most the column's 7 in wide)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import ticker as mticker

from ... import style
from ...fit import PowerLawFit
from .config import Config
from .run import chance_error, log_mean_ci

MARKERS = "osD^vP*X"
#: Palette entries used for curves (Okabe-Ito without the yellow, too pale on white).
_COLOURS = (0, 1, 2, 3, 4, 5, 7)


def pair_style(cfg: Config, m: int, L: int) -> dict:
    """One colour and marker per (m, L) across every figure of the page: the deep pairs first,
    then the shallow-only pairs."""
    order = list(cfg.pairs) + [p for p in cfg.shallow_pairs if p not in cfg.pairs]
    i = order.index((m, L)) if (m, L) in order else len(order)
    return {"color": style.color(_COLOURS[i % len(_COLOURS)]), "marker": MARKERS[i % len(MARKERS)]}


def _pairs_in(table: pd.DataFrame) -> list[tuple[int, int]]:
    return sorted({(int(m), int(L)) for m, L in zip(table["m"], table["L"])}, key=lambda p: (p[0] ** p[1], p[1]))


def _pair_label(m: int, L: int, n_c: int) -> str:
    return rf"$m={m},\ L={L}$ ($n_c m^L={n_c * m**L}$)"


def _curve(g: pd.DataFrame, x: str, y: str = "err") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean of ``y`` over seeds at each ``x`` and its min-max range."""
    s = g.groupby(x)[y]
    return s.mean().index.to_numpy(), s.mean().to_numpy(), s.min().to_numpy(), s.max().to_numpy()


def _log2_ticks(ax, values=None, axis: str = "x") -> None:
    """Major ticks at the powers of 2 inside the data range (or at ``values``), labelled plainly
    (1/4, 1, 4 as 0.25, 1, 4); no minor labels."""
    a = ax.xaxis if axis == "x" else ax.yaxis
    if values is None:
        lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
        values = [2.0**k for k in range(int(np.floor(np.log2(lo))), int(np.ceil(np.log2(hi))) + 1) if lo <= 2.0**k <= hi]
    a.set_major_locator(mticker.FixedLocator(values))
    a.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    a.set_minor_formatter(mticker.NullFormatter())


def plot_learning_curves(deep: pd.DataFrame, ps: pd.DataFrame, cfg: Config):
    """Test error against P (top) and against P/(n_c m^L) (bottom), mean over seeds with the range
    of seeds shaded; the threshold defining P* dotted, chance dashed."""
    fig, axes = style.subplots(2, 1, height_per_row=2.7)
    chance = chance_error(cfg.n_c)
    for m, L in _pairs_in(deep):
        g = deep[(deep["m"] == m) & (deep["L"] == L)]
        st = pair_style(cfg, m, L)
        for ax, x in zip(axes[:, 0], ("P", "ratio")):
            xs, mean, lo, hi = _curve(g, x)
            ax.plot(xs, mean, **st, label=_pair_label(m, L, cfg.n_c))
            ax.fill_between(xs, lo, hi, color=st["color"], alpha=0.15, lw=0)
    for ax, xlabel in zip(axes[:, 0], (r"training-set size $P$", r"$P / (n_c m^L)$")):
        ax.set_xscale("log")
        ax.axhline(chance, ls="--", color="0.3", lw=1.0)
        ax.axhline(cfg.threshold * chance, ls=":", color="0.3", lw=1.0)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(r"test error $\varepsilon$")
        ax.set_ylim(-0.02, 0.95)
    axes[0, 0].text(axes[0, 0].get_xlim()[0] * 1.1, chance + 0.015, "chance", fontsize=9, color="0.3")
    axes[1, 0].text(0.52, cfg.threshold * chance + 0.015, rf"threshold: {cfg.threshold:g} $\times$ chance",
                    fontsize=9, color="0.3")
    _log2_ticks(axes[1, 0])
    axes[1, 0].legend(loc="center right")
    return fig


def plot_sample_complexity(ps: pd.DataFrame, fit: PowerLawFit, rival: float, cfg: Config):
    """P* against n_c m^L on log-log axes: every seed (small), the geometric mean with its 95%
    interval, the fitted slope, slope 1 (dashed) and P_max rescaled (the shallow scaling, dotted)."""
    fig, axes = style.subplots(1, 1, width=5.5, height_per_row=3.6)
    ax = axes[0, 0]
    pairs = _pairs_in(ps)
    x_all, mean_all = [], []
    for m, L in pairs:
        g = ps[(ps["m"] == m) & (ps["L"] == L)]
        P_c = float(g["P_c"].iloc[0])
        st = pair_style(cfg, m, L)
        ax.plot([P_c] * len(g), g["P_star"], ".", color=st["color"], alpha=0.5, ms=5)
        mean, ci, _ = log_mean_ci(g["P_star"])
        err = [[mean - ci[0]], [ci[1] - mean]] if np.all(np.isfinite(ci)) else None
        ax.errorbar([P_c], [mean], yerr=err, ms=7, capsize=3, label=_pair_label(m, L, cfg.n_c), ls="none", **st)
        x_all.append(P_c)
        mean_all.append(mean)
    x = np.array(sorted(x_all))
    if np.isfinite(fit.exponent):
        ax.plot(x, fit.prefactor * x**fit.exponent, color="0.2", lw=1.4,
                label=rf"fit: slope ${fit.exponent:.2f}$ [{fit.ci[0]:.2f}, {fit.ci[1]:.2f}]")
    anchor = float(np.exp(np.nanmean(np.log(np.array(mean_all) / np.array(x_all)))))
    style.theory_line(ax, x, anchor * x, label=r"$P^* \propto n_c m^L$ (slope 1)")
    P_max = ps.groupby("P_c")["P_max"].first().reindex(x).to_numpy()
    scale = np.exp(np.nanmean(np.log(np.array(mean_all)[np.argsort(x_all)] / P_max)))
    ax.plot(x, scale * P_max, ls=":", marker="x", color="0.4", lw=1.1,
            label=rf"$P^* \propto P_{{\max}}$ (shallow scaling; slope {rival:.1f})")
    style.loglog(ax, xlabel=r"$n_c m^L$", ylabel=r"$P^*$")
    _log2_ticks(ax, values=[float(v) for v in x])
    ax.legend(loc="upper left")
    return fig


def plot_sensitivity(deep: pd.DataFrame, ps: pd.DataFrame, cfg: Config, *, pairs=((1, 1), (2, 1), (3, 2))):
    """Synonymic sensitivity S_{k,l} against P/(n_c m^L), mean over seeds; the untrained value
    (hollow marker at the left) and the range of P*/(n_c m^L) over (m, L) shaded."""
    fig, axes = style.subplots(1, len(pairs), height_per_row=3.2, sharey=True)
    lo, hi = np.nanmin(ps["ratio_star"]), np.nanmax(ps["ratio_star"])
    for ax, (k, l) in zip(axes[0], pairs):
        for m, L in _pairs_in(deep):
            g = deep[(deep["m"] == m) & (deep["L"] == L)]
            if k > L:
                continue
            st = pair_style(cfg, m, L)
            xs, mean, _, _ = _curve(g, "ratio", f"S_{k}_{l}")
            ax.plot(xs, mean, **st, label=_pair_label(m, L, cfg.n_c))
            ax.plot([xs[0] / 1.6], [g[f"S0_{k}_{l}"].mean()], mfc="none", ls="none", **st)
        ax.axvspan(lo, hi, color="0.5", alpha=0.15, lw=0, label=r"range of $P^*/(n_c m^L)$")
        ax.set_xscale("log")
        _log2_ticks(ax)
        ax.set_xlabel(r"$P / (n_c m^L)$")
        ax.set_title(rf"$S_{{{k},{l}}}$: layer {k}, level {l}")
        ax.set_ylim(0, None)
    axes[0, 0].set_ylabel(r"synonymic sensitivity $S_{k,l}$")
    axes[0, 0].text(0.03, 0.03, "open: untrained", transform=axes[0, 0].transAxes, fontsize=9, color="0.3")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2)
    return fig


def plot_shallow(shallow: pd.DataFrame, deep: pd.DataFrame, cfg: Config):
    """Top: shallow-net test error against P/P_max for every shallow (m, L). Bottom: shallow (dashed)
    against deep CNN (solid) at the same P, in units of n_c m^L, for the (m, L) both were run on."""
    fig, axes = style.subplots(2, 1, height_per_row=2.7)
    chance = chance_error(cfg.n_c)
    ax = axes[0, 0]
    pairs = _pairs_in(shallow)
    for m, L in pairs:
        g = shallow[(shallow["m"] == m) & (shallow["L"] == L)].assign(frac=lambda t: t["P"] / t["P_max"])
        st = pair_style(cfg, m, L)
        xs, mean, lo, hi = _curve(g, "frac")
        ax.plot(xs, mean, ls="--", **st, label=rf"$m={m},\ L={L}$ ($P_{{\max}}={int(g['P_max'].iloc[0])}$)")
        ax.fill_between(xs, lo, hi, color=st["color"], alpha=0.15, lw=0)
    ax.set_xscale("log")
    _log2_ticks(ax)
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"1/{1 / v:g}" if v < 1 else f"{v:g}"))
    ax.set_xlabel(r"$P / P_{\max}$ (shallow net)")
    ax.legend(loc="center right")
    ax = axes[1, 0]
    both = [p for p in pairs if p in set(_pairs_in(deep))]
    for m, L in both:
        st = pair_style(cfg, m, L)
        for table, ls, name in ((deep, "-", "deep CNN"), (shallow, "--", "shallow")):
            g = table[(table["m"] == m) & (table["L"] == L)]
            xs, mean, _, _ = _curve(g, "ratio")
            ax.plot(xs, mean, ls=ls, **st, label=rf"{name}, $m={m},\ L={L}$")
    ax.set_xscale("log")
    _log2_ticks(ax)
    ax.set_xlabel(r"$P / (n_c m^L)$")
    ax.legend(loc="lower left", ncol=2)
    for ax in axes[:, 0]:
        ax.axhline(chance, ls="--", color="0.3", lw=1.0)
        ax.axhline(cfg.threshold * chance, ls=":", color="0.3", lw=1.0)
        ax.set_ylabel(r"test error $\varepsilon$")
        ax.set_ylim(-0.02, 0.95)
    return fig


def plot_control(control: pd.DataFrame, cfg: Config):
    """Deep-CNN test error against P/(n_c m^L) on the correlated RHM and on its uncorrelated control
    (same v, m, n_c, L), each seed thin, the mean thick; chance dashed."""
    fig, axes = style.subplots(1, 1, width=5.5, height_per_row=3.0)
    ax = axes[0, 0]
    n_c = int(control["n_c"].iloc[0])
    for i, (unc, g) in enumerate(control.groupby("uncorrelated")):
        name = "uncorrelated (no single-patch correlations)" if unc else "correlated RHM"
        for _, gs in g.groupby("seed"):
            ax.plot(gs["ratio"], gs["err"], color=style.color(i * 3), alpha=0.35, lw=0.8)
        xs, mean, _, _ = _curve(g, "ratio")
        ax.plot(xs, mean, marker="o", color=style.color(i * 3), label=name)
    ax.axhline(chance_error(n_c), ls="--", color="0.3", lw=1.0, label="chance")
    ax.axhline(cfg.threshold * chance_error(n_c), ls=":", color="0.3", lw=1.0)
    ax.set_xscale("log")
    _log2_ticks(ax)
    g0 = control.iloc[0]
    ax.set_xlabel(rf"$P / (n_c m^L)$  ($v = m = n_c = {int(g0['v'])}$, $L = {int(g0['L'])}$)")
    ax.set_ylabel(r"test error $\varepsilon$")
    ax.set_ylim(-0.02, 0.95 * max(1.0, chance_error(n_c) + 0.1))
    ax.legend()
    return fig
