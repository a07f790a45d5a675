"""The page's figures (drawn for the book's 7-inch column)."""

from __future__ import annotations

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from ... import style
from .config import Config
from .run import layer_table, learning_curve, of_arch
from .theory import nonstrided_D, nonstrided_G, strided_D, strided_G

_Q = {"D": r"$D_k$ (displacement)", "G": r"$G_k$ (noise)", "R": r"$R_k = D_k / G_k$"}
_ARCH = {"strided": "strided (filter 2, stride 2)", "nonstrided": "non-strided (stride 1)"}


def plot_learning_curve(runs: pd.DataFrame, cfg: Config):
    """Test error of the strided CNN against P: mean over seeds, range shaded."""
    fig, axes = style.subplots(1, 1, width=4.5, height_per_row=2.8)
    ax = axes[0, 0]
    c = learning_curve(runs, "strided")
    ax.plot(c["P"], c["err"], marker="o", color=style.color(0), label="strided CNN (mean over seeds)")
    ax.fill_between(c["P"], c["lo"], c["hi"], color=style.color(0), alpha=0.2, lw=0, label="range over seeds")
    ax.axhline(0.5, ls="--", color="0.3", lw=1.0, label="chance")
    ax.set_xscale("log", base=2)
    ax.set_xlabel(r"training-set size $P$")
    ax.set_ylabel(r"test error $\varepsilon$")
    ax.set_ylim(-0.02, 0.75)
    ax.legend(loc="upper right")
    return fig


def _band(ax, t, q, color, label, ls, marker, mfc):
    ax.plot(t["k"], t[q], ls=ls, marker=marker, color=color, mfc=mfc, label=label)
    ax.fill_between(t["k"], t[f"{q}_lo"], t[f"{q}_hi"], color=color, alpha=0.15, lw=0)


def plot_layers(runs: pd.DataFrame, ideal: pd.DataFrame, cfg: Config):
    """D_k, G_k, R_k against the layer k: rows strided / non-strided; the CNN at initialisation (open)
    and trained (filled), geometric mean over seeds with its 95% interval; the idealised pooling
    network computed on the data (black) and this book's large-k formulas (dashed)."""
    fig, axes = style.subplots(2, 3, height_per_row=2.8)
    for row, arch in enumerate(("strided", "nonstrided")):
        t = layer_table(runs, arch, cfg.L)
        ide = ideal[(ideal["net"] == arch) & np.isfinite(ideal["D"])]
        for col, q in enumerate(("D", "G", "R")):
            ax = axes[row, col]
            _band(ax, t[t["phase"] == "init"], q, style.color(1), "CNN at initialisation", ":", "o", "none")
            _band(ax, t[t["phase"] == "trained"], q, style.color(0), "CNN trained", "-", "o", None)
            ax.plot(ide["k"], ide[q], color="k", lw=1.0, marker="s", ms=3, label="idealised pooling net")
            k = np.arange(1, cfg.L + 1, dtype=float)
            if arch == "strided":
                D, G = strided_D(k) * ide["D"].iloc[0], strided_G(k)
            else:
                D, G = nonstrided_D(k, cfg.filter_size), nonstrided_G(k, cfg.filter_size)
            theory = {"D": D, "G": G, "R": D / G}[q]
            if arch == "strided" or q == "D":   # non-strided G, R: only the scaling is derived (see the text)
                style.theory_line(ax, k, theory, label="large-$k$ formula (this book)")
            ax.set_yscale("log")
            _plain_log_ticks(ax)
            ax.set_xticks(range(cfg.L + 1))
            ax.set_title(_Q[q] if row == 0 else None)
            if row == 1:
                ax.set_xlabel(r"layer $k$")
        axes[row, 0].set_ylabel(_ARCH[arch])
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4)
    return fig


def _plain_log_ticks(ax):
    """Log axis with ticks at 1, 2, 5 times powers of ten, labelled 0.1, 0.2, 0.5, 1 ..."""
    ax.yaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(mticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(mticker.NullFormatter())


def plot_filters(runs: pd.DataFrame, cfg: Config):
    """Fraction of the filters' power at zero spatial frequency per layer, at initialisation and after
    training (mean over seeds, range as bars); dotted: 1/F, its expectation for random filters."""
    fig, axes = style.subplots(1, 2, height_per_row=3.0)
    for col, arch in enumerate(("strided", "nonstrided")):
        ax = axes[0, col]
        g = of_arch(runs, arch)
        k = np.arange(1, cfg.L + 1)
        for i, (pre, name) in enumerate((("zf0", "initialisation"), ("zf", "trained"))):
            v = g[[f"{pre}_{j}" for j in k]].to_numpy()
            ax.errorbar(k + (i - 0.5) * 0.15, v.mean(0), yerr=[v.mean(0) - v.min(0), v.max(0) - v.mean(0)],
                        marker="o", ls="-", color=style.color(1 - i), mfc="none" if i == 0 else None, label=name)
        F = 2 if arch == "strided" else cfg.filter_size
        ax.axhline(1.0 / F, ls=":", color="0.3", lw=1.0, label=r"random filters: $1/F$")
        ax.axhline(1.0, ls="--", color="0.3", lw=1.0, label="perfect averaging")
        ax.set_ylim(0, 1.05)
        ax.set_xticks(k)
        ax.set_xlabel(r"layer $k$")
        ax.set_title(_ARCH[arch])
    axes[0, 0].set_ylabel("zero-frequency power fraction")
    handles, labels = axes[0, 1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4)
    return fig


def plot_controls(runs: pd.DataFrame, ideal: pd.DataFrame, cfg: Config):
    """Left: G_k of the trained linear strided CNN against the trained ReLU one, with the idealised
    linear and ReLU networks. Right: D_k of the idealised networks with and without pooling (stride 1),
    with the trained non-strided CNN."""
    fig, axes = style.subplots(1, 2, height_per_row=2.8)
    ax = axes[0, 0]
    for i, (arch, name) in enumerate((("strided", "ReLU CNN, trained"), ("linear", "linear CNN, trained"))):
        t = layer_table(runs, arch, cfg.L)
        _band(ax, t[t["phase"] == "trained"], "G", style.color(2 * i), name, "-", "o", None)
    for net, ls, name in (("strided", "--", "idealised ReLU"), ("linear", "-.", "idealised linear")):
        ide = ideal[(ideal["net"] == net) & np.isfinite(ideal["G"])]
        ax.plot(ide["k"], ide["G"], ls=ls, color="k", lw=1.0, label=name)
    ax.set_yscale("log")
    _plain_log_ticks(ax)
    ax.set_title(r"noise: $G_k$ (strided)")
    ax.set_xlabel(r"layer $k$")
    ax.legend(loc="upper left")
    ax = axes[0, 1]
    t = layer_table(runs, "nonstrided", cfg.L)
    _band(ax, t[t["phase"] == "trained"], "D", style.color(0), "non-strided CNN, trained", "-", "o", None)
    for net, ls, name in (("nonstrided", "--", "idealised, averaging filters"),
                          ("no pooling", "-.", "idealised, pooling removed")):
        ide = ideal[ideal["net"] == net]
        ax.plot(ide["k"], ide["D"], ls=ls, color="k", lw=1.0, label=name)
    ax.set_yscale("log")
    _plain_log_ticks(ax)
    ax.set_title(r"displacement: $D_k$ (stride 1)")
    ax.set_xlabel(r"layer $k$")
    ax.legend(loc="lower left")
    for ax in axes[0]:
        ax.set_xticks(range(cfg.L + 1))
    return fig
