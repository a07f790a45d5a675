"""Figures of the page *Sparse Random Hierarchy Model* (book style, at most the column's 7 in wide)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib import ticker as mticker

from ... import style
from .claims import ARCH_NAME, cost_ratios, predicted_exponent
from .config import Config, model
from .run import LEVEL, chance_error, log_mean_ci, stream_seeds

MARKERS = "osD^v"


def plot_datum(cfg: Config, *, seed: int = 0):
    """One sparse datum (depth ``min L``, ``s0 = diagram_s0``), the same datum after a diffeomorphism
    and after a synonym exchange at level 1: informative symbols as coloured, numbered cells among
    empty (white) slots; the parse of each row gives the same label."""
    L = min(g[0] for g in cfg.grammars)
    g = model(cfg, L, cfg.diagram_s0, seed=seed)
    seeds = stream_seeds(seed)
    digits = g.digits(g.sample_indices(1, seed=seeds["data"]))
    rows = {"datum": digits,
            "after a diffeomorphism (level 1)": g.diffeo(digits, LEVEL, rng=np.random.default_rng(seeds["diffeos"] + 1)),
            "after a synonym exchange (level 1)": g.exchange_synonyms(digits, LEVEL,
                                                                       rng=np.random.default_rng(seeds["synonyms"] + 1))}
    fig, axes = style.subplots(len(rows), 1, height_per_row=0.95)
    cmap = mcolors.ListedColormap([style.color(i) for i in (0, 1, 2, 3, 4, 5, 7, 6)][: g.v] + ["white"])
    for ax, (title, d) in zip(axes[:, 0], rows.items()):
        x, y = g.generate(d)
        ax.imshow(x, cmap=cmap, vmin=-0.5, vmax=g.v + 0.5, aspect="auto")
        for j, sym in enumerate(x[0]):
            if sym != g.empty:
                ax.text(j, 0, str(sym), ha="center", va="center", fontsize=9, color="white")
        for j in range(0, g.D + 1, g.s0 + 1):   # sub-patch borders thin, patch borders thick
            ax.axvline(j - 0.5, color="0.3", lw=1.6 if j % g.patch == 0 else 0.4)
        ax.set_yticks([])
        ax.set_xticks([])
        ax.grid(False)
        ax.set_title(f"{title}: label {int(y[0])}, parsed label {int(g.parse(x)[0])}", fontsize=9, loc="left")
    axes[-1, 0].set_xlabel(rf"input position ($L={g.L}$, $s={g.s}$, $s_0={g.s0}$: patches of $s(s_0+1)={g.patch}$, "
                           rf"sub-patches of $s_0+1={g.s0 + 1}$; empty slots white)")
    return fig


def _curve(g: pd.DataFrame, y: str):
    s = g.groupby("P")[y]
    return s.mean().index.to_numpy(), s.mean().to_numpy(), s.min().to_numpy(), s.max().to_numpy()


def plot_learning_curves(table: pd.DataFrame, cfg: Config):
    """Test error against P, one panel per (L, architecture), one curve per s0 (mean over seeds, the
    range of seeds shaded); the threshold that defines P* dotted."""
    depths = [g[0] for g in cfg.grammars]
    fig, axes = style.subplots(len(depths), len(cfg.archs), height_per_row=2.6, sharey=True)
    for i, L in enumerate(depths):
        for j, arch in enumerate(cfg.archs):
            ax = axes[i, j]
            for c, s0 in enumerate(cfg.s0s):
                g = table[(table["L"] == L) & (table["arch"] == arch) & (table["s0"] == s0)]
                xs, mean, lo, hi = _curve(g, "err")
                ax.plot(xs, mean, marker=MARKERS[c % 5], color=style.color(c), label=rf"$s_0={s0}$")
                ax.fill_between(xs, lo, hi, color=style.color(c), alpha=0.15, lw=0)
            n_c = int(table[table["L"] == L]["n_c"].iloc[0])
            ax.axhline(cfg.threshold * chance_error(n_c), ls=":", color="0.3", lw=1.0)
            ax.axhline(chance_error(n_c), ls="--", color="0.3", lw=1.0)
            v, m = (int(table[table["L"] == L][k].iloc[0]) for k in ("v", "m"))
            ax.set_title(rf"{ARCH_NAME[arch]}, $L={L}$ ($v={v}$, $m={m}$, $n_c={n_c}$)")
            ax.set_xscale("log")
            ax.set_xlabel(r"training-set size $P$")
        axes[i, 0].set_ylabel(r"test error $\varepsilon$")
    axes[0, 0].legend(loc="lower left")
    return fig


def plot_cost(ps: pd.DataFrame, cfg: Config):
    """P*(s0)/P*(0) against s0+1 on log-log axes, one panel per architecture: seeds (small), their
    geometric mean with a 95% interval; the LCN law (s0+1)^L dashed and the CNN law (s0+1)^2 dotted."""
    cost = cost_ratios(ps)
    fig, axes = style.subplots(1, len(cfg.archs), height_per_row=3.2, sharey=True)
    x = np.array(cfg.s0s, dtype=float) + 1
    for ax, arch in zip(axes[0], cfg.archs):
        for c, (L, *_) in enumerate(cfg.grammars):
            g = cost[(cost["L"] == L) & (cost["arch"] == arch)]
            ax.plot(g["s0"] + 1 + 0.03 * (c - 0.5), g["cost"], ".", color=style.color(c), alpha=0.45)
            means = [log_mean_ci(g[g["s0"] == s0]["cost"]) for s0 in cfg.s0s]
            mid = np.array([mm[0] for mm in means])
            err = np.array([[mm[0] - mm[1][0], mm[1][1] - mm[0]] for mm in means]).T
            ax.errorbar(x * (1 + 0.02 * (c - 0.5)), mid, yerr=np.where(np.isfinite(err), err, 0), color=style.color(c),
                        marker=MARKERS[c], capsize=3, ls="none", label=rf"measured, $L={L}$")
            ax.plot(x, x**L, ls="--", color=style.color(c), lw=1.1, label=rf"$(s_0+1)^{{{L}}}$ (LCN law, $L={L}$)")
        ax.plot(x, x**2, ls=":", color="0.2", lw=1.3, label=r"$(s_0+1)^2$ (CNN law; the LCN law at $L=2$)")
        style.loglog(ax, xlabel=r"$s_0+1$", ylabel="")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{v:g}" for v in x])
        ax.minorticks_off()
        ax.set_title(f"{ARCH_NAME[arch]}")
    axes[0, 0].set_ylabel(r"$P^*(s_0)\,/\,P^*(0)$")
    axes[0, -1].legend(loc="upper left", fontsize=8)
    return fig


def plot_sensitivities(table: pd.DataFrame, ps: pd.DataFrame, cfg: Config, *, s0: int | None = None):
    """For the largest s0: S_2 and D_2 (relative to their untrained values) and the test error
    (relative to chance) against P, one panel per (L, architecture), mean over seeds; vertical lines
    at P*_S, P*_D, P_1/2 and P* (geometric means over seeds); the thresholds dotted."""
    s0 = max(cfg.s0s) if s0 is None else s0
    depths = [g[0] for g in cfg.grammars]
    fig, axes = style.subplots(len(depths), len(cfg.archs), height_per_row=2.6, sharey=True)
    for i, L in enumerate(depths):
        for j, arch in enumerate(cfg.archs):
            ax = axes[i, j]
            g = table[(table["L"] == L) & (table["arch"] == arch) & (table["s0"] == s0)]
            g = g.assign(S_rel=g["S_2"] / g["S0_2"], D_rel=g["D_2"] / g["D0_2"],
                         e_rel=g["err"] / chance_error(int(g["n_c"].iloc[0])))
            p = ps[(ps["L"] == L) & (ps["arch"] == arch) & (ps["s0"] == s0)]
            for c, (col, label, pcol) in enumerate((("S_rel", r"$S_2 / S_2^{\rm init}$", "P_S"),
                                                    ("D_rel", r"$D_2 / D_2^{\rm init}$", "P_D"),
                                                    ("e_rel", r"$\varepsilon$ / chance", "P_half"))):
                xs, mean, _, _ = _curve(g, col)
                ax.plot(xs, mean, marker=MARKERS[c], color=style.color(c), label=label)
                ax.axvline(log_mean_ci(p[pcol])[0], color=style.color(c), ls="--", lw=1.0)
            ax.axvline(log_mean_ci(p["P_star"])[0], color="0.2", ls="-.", lw=1.0, label=r"$P^*$")
            ax.axhline(cfg.sens_fraction, ls=":", color="0.4", lw=1.0)
            ax.axhline(cfg.threshold, ls=":", color="0.2", lw=0.8)
            ax.set_xscale("log")
            ax.set_title(rf"{ARCH_NAME[arch]}, $L={L}$, $s_0={s0}$")
            ax.set_xlabel(r"training-set size $P$")
            ax.set_ylim(0, 1.5)
        axes[i, 0].set_ylabel("relative to untrained / chance")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4)
    return fig


def plot_correlation(table: pd.DataFrame, cfg: Config):
    """Test error against D_2 (left) and S_2 (right) for every trained network with empty slots:
    colour = architecture, marker = depth, lighter = smaller s0."""
    sparse = table[table["s0"] > 0]
    fig, axes = style.subplots(1, 2, height_per_row=3.2, sharey=True)
    for ax, name in zip(axes[0], ("D", "S")):
        for c, arch in enumerate(cfg.archs):
            for k, (L, *_) in enumerate(cfg.grammars):
                g = sparse[(sparse["arch"] == arch) & (sparse["L"] == L)]
                ax.scatter(g[f"{name}_2"], g["err"], s=10, marker=MARKERS[k], color=style.color(3 * c), alpha=0.55,
                           lw=0, label=rf"{ARCH_NAME[arch]}, $L={L}$")
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        ax.set_xlabel(rf"${name}_2$ (trained)")
    axes[0, 0].set_ylabel(r"test error $\varepsilon$")
    axes[0, 0].legend(loc="upper left", fontsize=8)
    return fig
