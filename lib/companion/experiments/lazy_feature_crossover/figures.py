"""Figures of the page *lazy-feature crossover* (book style, at most the column's 7 in wide)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
from matplotlib import ticker as mticker

from ... import style
from ...fit import PowerLawFit
from .config import Config
from .run import GAMMAS, collapse_exponents, ensemble, fluctuations

__all__ = ["plot_test_error", "plot_kernel_change", "plot_collapse", "plot_t1", "plot_fluctuations"]

MARKERS = "osD^vP*X"
_COLOURS = (0, 1, 2, 3, 4, 5, 7)


def width_style(cfg: Config, h: int) -> dict:
    """One colour and marker per width across the page."""
    i = sorted(cfg.widths).index(h)
    return {"color": style.color(_COLOURS[i % len(_COLOURS)]), "marker": MARKERS[i % len(MARKERS)]}


def _curve(g: pd.DataFrame, x: str, y: str):
    s = g.groupby(x)[y]
    return s.mean().index.to_numpy(float), s.mean().to_numpy(), s.min().to_numpy(), s.max().to_numpy()


def _geo_curve(g: pd.DataFrame, x: str, y: str):
    s = g.assign(_l=np.log(g[y])).groupby(x)["_l"]
    return s.mean().index.to_numpy(float), np.exp(s.mean().to_numpy()), np.exp(s.min().to_numpy()), np.exp(s.max().to_numpy())


def _by_width(ax, table, cfg, x, y, *, geo=False):
    for h in sorted(cfg.widths):
        g = table[table["h"] == h]
        xs, m, lo, hi = (_geo_curve if geo else _curve)(g, x, y)
        st = width_style(cfg, h)
        ax.plot(xs, m, **st, label=rf"$h={h}$")
        ax.fill_between(xs, lo, hi, color=st["color"], alpha=0.15, lw=0)


def plot_test_error(table: pd.DataFrame, cfg: Config):
    """Test error against alpha (top) and against sqrt(h) alpha (bottom); mean over initialisations,
    their range shaded."""
    fig, axes = style.subplots(2, 1, height_per_row=2.5)
    for ax, x, label in ((axes[0, 0], "alpha", r"output scale $\alpha$"),
                         (axes[1, 0], "x", r"$\sqrt{h}\,\alpha$")):
        _by_width(ax, table, cfg, x, "err")
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel(r"test error $\varepsilon$")
    axes[1, 0].axvspan(cfg.lazy_from, table["x"].max(), color="0.5", alpha=0.08, lw=0, label="lazy side")
    axes[1, 0].axvspan(table["x"].min(), cfg.feature_to, color=style.color(2), alpha=0.08, lw=0, label="feature side")
    axes[0, 0].legend(ncols=3, loc="best", fontsize=8)
    axes[1, 0].legend(handles=axes[1, 0].patches[-2:], loc="best", fontsize=8)
    return fig


def plot_kernel_change(table: pd.DataFrame, cfg: Config, fit: PowerLawFit):
    """||Theta - Theta_0|| / ||Theta_0|| against alpha (top) and sqrt(h) alpha (bottom), geometric mean
    over initialisations with their range; bottom: the lazy-side fit window shaded and a slope -1
    dashed through the fit at the window's start."""
    fig, axes = style.subplots(2, 1, height_per_row=2.6)
    for ax, x, label in ((axes[0, 0], "alpha", r"output scale $\alpha$"),
                         (axes[1, 0], "x", r"$\sqrt{h}\,\alpha$")):
        _by_width(ax, table, cfg, x, "kernel_change", geo=True)
        style.loglog(ax, xlabel=label, ylabel=r"$\|\Theta-\Theta_0\|/\|\Theta_0\|$")
        ax.axhline(1.0, color="0.3", lw=0.9, ls=":")
    ax = axes[1, 0]
    style.shade_window(ax, (cfg.lazy_from, table["x"].max()), label="lazy fit window")
    xs = np.logspace(np.log10(cfg.lazy_from) - 1.5, np.log10(table["x"].max()), 20)
    y0 = fit.prefactor * cfg.lazy_from ** fit.exponent
    style.theory_line(ax, xs, y0 * (xs / cfg.lazy_from) ** -1.0, label=r"slope $-1$")
    ax.legend(ncols=3, fontsize=8, loc="lower left")
    return fig


def plot_collapse(table: pd.DataFrame, cfg: Config):
    """How well h^gamma alpha collapses the curves of different widths: the spread across widths
    against gamma (mean over initialisations, their range shaded), for the kernel change (left) and
    the test error (right); gamma = 1/2 is sqrt(h) alpha, gamma = 0 is alpha."""
    fig, axes = style.subplots(1, 2, height_per_row=2.6)
    for ax, col, log_y, lab in ((axes[0, 0], "kernel_change", True, r"spread of $\log_{10}\|\Theta-\Theta_0\|/\|\Theta_0\|$"),
                                (axes[0, 1], "err", False, r"spread of $\varepsilon$")):
        ce = collapse_exponents(table, col, log_y=log_y)
        S = np.vstack(ce["spreads"].to_numpy())
        ax.plot(GAMMAS, S.mean(axis=0), color=style.color(0), label="mean over seeds")
        ax.fill_between(GAMMAS, S.min(axis=0), S.max(axis=0), color=style.color(0), alpha=0.15, lw=0)
        ax.axvline(0.5, color=style.color(3), ls="--", lw=1.1, label=r"$\sqrt{h}\,\alpha$ ($\gamma=1/2$)")
        ax.axvline(0.0, color="0.3", ls=":", lw=1.1, label=r"$\alpha$ ($\gamma=0$)")
        ax.set_xlabel(r"exponent $\gamma$ of the variable $h^{\gamma}\alpha$")
        ax.set_ylabel(lab)
        ax.set_ylim(bottom=0)
    axes[0, 0].legend(fontsize=8, loc="upper left")
    return fig


def plot_t1(table: pd.DataFrame, cfg: Config):
    """t_1 (first time alpha^2 L < 1/2) against sqrt(h) alpha (top) and t_1 / (sqrt(h) alpha) (bottom),
    geometric mean over initialisations with their range; dashed: slope 1 (top), flat (bottom)."""
    fig, axes = style.subplots(2, 1, height_per_row=2.5)
    t = table.assign(t1_over_x=table["t1"] / table["x"])
    _by_width(axes[0, 0], t, cfg, "x", "t1", geo=True)
    _by_width(axes[1, 0], t, cfg, "x", "t1_over_x", geo=True)
    style.loglog(axes[0, 0], xlabel=r"$\sqrt{h}\,\alpha$", ylabel=r"$t_1$")
    style.loglog(axes[1, 0], xlabel=r"$\sqrt{h}\,\alpha$", ylabel=r"$t_1/(\sqrt{h}\,\alpha)$")
    feat = t[t["x"] <= cfg.feature_to * (1 + 1e-9)]
    c = float(np.exp(np.log(feat["t1_over_x"]).mean()))
    xs = np.logspace(np.log10(t["x"].min()), 0.5, 10)
    style.theory_line(axes[0, 0], xs, c * xs, label=r"$t_1 \propto \sqrt{h}\,\alpha$")
    style.theory_line(axes[1, 0], xs, np.full_like(xs, c), label="flat")
    for ax in axes[:, 0]:
        style.shade_window(ax, (t["x"].min(), cfg.feature_to), label="feature fit window")
        ax.legend(fontsize=8, ncols=2, loc="lower right" if ax is axes[0, 0] else "lower left")
    return fig


def plot_fluctuations(table: pd.DataFrame, cfg: Config, y_test: np.ndarray):
    """Left: Var over initialisations of F (mean over test points) against h, one line per sqrt(h) alpha
    (viridis shades, dark = feature side), dashed 1/h. Right: test error of one network (solid, mean over initialisations) and of the
    ensemble average of F over initialisations (dashed), against sqrt(h) alpha."""
    fig, axes = style.subplots(1, 2, height_per_row=2.9)
    fl = fluctuations(table)
    ax = axes[0, 0]
    xs = sorted(fl["x"].unique())
    shades = plt.get_cmap("viridis")(np.linspace(0.0, 0.9, len(xs)))    # one distinct shade per sqrt(h) alpha
    for i, x in enumerate(xs):
        g = fl[fl["x"] == x].sort_values("h")
        ax.plot(g["h"], g["var"], marker="o", color=shades[i],
                label=rf"$10^{{{np.log10(x):.0f}}}$")
    hs = np.array(sorted(cfg.widths), dtype=float)
    top = fl[fl["h"] == hs[0]]["var"].max()
    style.theory_line(ax, hs, top * hs[0] / hs, label=r"$\propto 1/h$")
    style.loglog(ax, xlabel=r"width $h$", ylabel=r"$\mathrm{Var}_{\mathrm{init}}[F]$")
    ax.xaxis.set_major_locator(mticker.FixedLocator(hs))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    ax.legend(title=r"$\sqrt{h}\,\alpha$", fontsize=7, title_fontsize=8, ncols=2, loc="lower left")
    ax = axes[0, 1]
    ens = ensemble(table, y_test)
    for h in sorted(cfg.widths):
        g = ens[ens["h"] == h].sort_values("x")
        st = width_style(cfg, h)
        ax.plot(g["x"], g["err_single"], **st, label=rf"$h={h}$, one net")
        ax.plot(g["x"], g["err_ensemble"], color=st["color"], ls="--", marker=st["marker"], mfc="none",
                label=rf"$h={h}$, ensemble")
    ax.set_xscale("log")
    ax.set_xlabel(r"$\sqrt{h}\,\alpha$")
    ax.set_ylabel(r"test error $\varepsilon$")
    ax.legend(fontsize=7, ncols=1, loc="best")
    return fig
