"""The page's figures (drawn for the book's 7-inch column)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

from ... import style
from .claims import _group, exponent, groups, spectrum_fit
from .config import Config, beta_feature, beta_lazy
from .run import NTK  # noqa: F401  (the lazy kernel, named in the captions)

_REGIMES = (("feature", r"feature (min-$L_1$)", 3), ("lazy", "lazy (NTK)", 0))


def _title(target: str, d: int, cfg: Config) -> str:
    return (rf"$f^*=1$, $d={d}$" if target == "constant" else rf"random field $\nu_t={cfg.nu_t:g}$, $d={d}$")


def plot_learning_curves(runs: pd.DataFrame, cfg: Config):
    """Test error against n, both regimes, one panel per curve: mean over seeds (markers), seeds
    (thin), predicted slopes dashed through the last mean point, fit window shaded."""
    gs = groups(cfg)
    nrows = math.ceil(len(gs) / 2)
    fig, axes = style.subplots(nrows, 2, height_per_row=2.7)
    for ax, (target, d, nu) in zip(axes.ravel(), gs):
        g = _group(runs, target, d)
        for regime, label, ci in _REGIMES:
            col = f"eps_{regime}"
            for _, gs_ in g.groupby("seed"):
                ax.plot(gs_["n"], gs_[col], color=style.color(ci), alpha=0.3, lw=0.7)
            mean = g.groupby("n")[col].apply(lambda v: float(np.exp(np.log(v).mean())))
            fit, _ = exponent(runs, target, d, regime, n_min=cfg.fit_from)
            ax.plot(mean.index, mean.values, "o-", color=style.color(ci),
                    label=rf"{label}: $\beta={fit.exponent:.2f}$")
            beta = beta_feature(d, nu) if regime == "feature" else beta_lazy(d, nu)
            ns = np.array([mean.index.min(), mean.index.max()], dtype=float)
            style.theory_line(ax, ns, mean.values[-1] * (ns / ns[-1]) ** (-beta), color=style.color(ci),
                              label=rf"$n^{{-{beta:.3g}}}$")
        style.shade_window(ax, (cfg.fit_from, g["n"].max()), label=None)
        style.loglog(ax, xlabel=r"$n$", ylabel=r"test error $\varepsilon$")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(_title(target, d, cfg))
        ax.legend(fontsize=8, loc="lower left")
    for ax in axes.ravel()[len(gs):]:
        ax.set_visible(False)
    return fig


def plot_atoms_vs_n(runs: pd.DataFrame, cfg: Config):
    """n_A against n for every curve (mean over seeds), with n_A = n (the number of terms of the lazy
    kernel expansion, and the bound at an LP vertex)."""
    fig, axes = style.subplots(1, 1, width=5.0, height_per_row=3.2)
    ax = axes[0, 0]
    for i, (target, d, _) in enumerate(groups(cfg)):
        g = _group(runs, target, d).groupby("n")["n_atoms"].mean()
        ax.plot(g.index, g.values, "o-", color=style.color(i + 1), label=_title(target, d, cfg))
    n = np.array([runs["n"].min(), runs["n"].max()], dtype=float)
    style.theory_line(ax, n, n, label=r"$n_A = n$ (lazy: $n$ kernel terms)")
    style.loglog(ax, xlabel=r"$n$", ylabel=r"atoms $n_A$ (feature regime)")
    ax.legend(fontsize=8)
    return fig


def plot_atoms_picture(pic: dict):
    """Top: training points and the LP's atoms on S^2 (longitude-latitude), size ~ |w|, colour = sign.
    Middle/bottom: f - 1 of the feature (LP) and lazy (NTK) predictors for the constant target."""
    fig, axes = style.subplots(3, 1, width=6.0, height_per_row=2.5)
    deg = 180 / np.pi

    def lonlat(P):
        return np.arctan2(P[:, 1], P[:, 0]) * deg, np.arcsin(np.clip(P[:, 2], -1, 1)) * deg

    ax = axes[0, 0]
    lo, la = lonlat(pic["X"])
    ax.scatter(lo, la, s=10, color="0.2", marker="x", label=rf"training points ($n={pic['n']}$)")
    lo, la = lonlat(pic["theta"])
    size = 120 * np.abs(pic["w"]) / np.abs(pic["w"]).max()
    for sgn, c, name in ((1, style.color(3), r"atom $\theta_j$, $w_j>0$"), (-1, style.color(0), r"atom $\theta_j$, $w_j<0$")):
        m = np.sign(pic["w"]) == sgn
        ax.scatter(lo[m], la[m], s=size[m], color=c, alpha=0.7, label=name)
    ax.set_title(rf"minimum-$L_1$ solution: $n_A = {pic['n_atoms']}$ atoms")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
    for ax, key, name in ((axes[1, 0], "f_feature", r"feature (min-$L_1$): $f(x)-1$"),
                          (axes[2, 0], "f_lazy", r"lazy (NTK): $f(x)-1$")):
        z = pic[key] - 1
        v = np.abs(z).max()
        im = ax.pcolormesh(pic["lon"] * deg, pic["lat"] * deg, z, cmap="RdBu_r", vmin=-v, vmax=v, shading="auto")
        lo, la = lonlat(pic["X"])
        ax.scatter(lo, la, s=6, color="k", marker="x")
        fig.colorbar(im, ax=ax, shrink=0.9)
        ax.set_title(name)
    for ax in axes[:, 0]:
        ax.set_xlim(-180, 180)
        ax.set_ylim(-90, 90)
        ax.set_xlabel("longitude (deg)")
        ax.set_ylabel("latitude (deg)")
        ax.grid(False)
    return fig


def plot_spectrum(spec: pd.DataFrame, cfg: Config):
    """Measured per-mode power of the random field on S^2 (mean over samples, even k), prescribed c_k dashed."""
    fig, axes = style.subplots(1, 1, width=5.0, height_per_row=3.0)
    ax = axes[0, 0]
    lo, hi = cfg.spectrum_k
    s = spec[(spec["k"] >= lo) & (spec["k"] <= hi) & (spec["k"] % 2 == 0)]
    fit = spectrum_fit(spec, cfg)
    ax.errorbar(s["k"], s["c_k"], yerr=s["c_k_std"], fmt="o", color=style.color(0),
                label=rf"measured (even $k$), slope ${fit.exponent:.2f}$")
    a = 2 * cfg.nu_t + cfg.grf_d - 1
    style.theory_line(ax, s["k"], s["k"].astype(float) ** (-a), label=rf"$c_k = k^{{-{a:g}}}$ (prescribed)")
    style.loglog(ax, xlabel=r"degree $k$", ylabel=r"power per mode $c_k$")
    ax.set_xticks([2, 5, 10, 20], labels=["2", "5", "10", "20"])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.legend()
    return fig


def plot_trained_feature(hist: pd.DataFrame, summary: pd.DataFrame):
    """GD in the feature regime against the LP: TV norm and atoms against the GD step, LP values dashed."""
    fig, axes = style.subplots(1, 2, height_per_row=2.8)
    for i, r in enumerate(summary.itertuples()):
        h = hist[hist["n"] == r.n]
        c = style.color(i)
        axes[0, 0].plot(h["step"], h["tv"], "o-", color=c, label=rf"GD, $n={r.n}$")
        axes[0, 0].axhline(r.tv_lp, ls="--", color=c, label=rf"LP, $n={r.n}$")
        axes[0, 1].plot(h["step"], h["n_atoms"], "o-", color=c, label=rf"GD, $n={r.n}$")
        axes[0, 1].axhline(r.atoms_lp, ls="--", color=c, label=rf"LP, $n={r.n}$")
    axes[0, 0].set_ylabel(r"$\|\mu\|_{TV} = \sum_h |w_h|/H$")
    axes[0, 1].set_ylabel(r"atoms $n_A$")
    axes[0, 1].set_yscale("log")
    axes[0, 1].yaxis.set_minor_formatter(NullFormatter())
    for ax in axes[0]:
        ax.set_xscale("log")
        ax.set_xlabel("GD step")
        ax.legend(fontsize=8)
    return fig


def plot_trained_lazy(lazy: pd.DataFrame):
    """Mean squared distance of the lazy net's test predictions from its linearisation and from the
    analytic-NTK predictor, against alpha."""
    fig, axes = style.subplots(1, 1, width=5.5, height_per_row=3.2)
    ax = axes[0, 0]
    for i, (n, g) in enumerate(lazy.groupby("n")):
        g = g.sort_values("alpha")
        c = style.color(i)
        ax.plot(g["alpha"], g["gap_lin"], "o-", color=c, label=rf"to its linearisation, $n={n}$")
        ax.plot(g["alpha"], g["gap_ntk"], "s:", color=c, label=rf"to the analytic NTK, $n={n}$")
        a = g["alpha"].to_numpy(dtype=float)
        style.theory_line(ax, a, g["gap_lin"].iloc[0] * (a / a[0]) ** -1.0, color=c,
                          label=r"$\alpha^{-1}$ (ReLU, fixed $H$)" if i == 0 else None)
        ax.plot(a, g["gap_lin"].iloc[0] * (a / a[0]) ** -2.0, ls=(0, (1, 2)), color="0.4", lw=1.0,
                label=r"$\alpha^{-2}$ (smooth activation)" if i == 0 else None)
    style.loglog(ax, xlabel=r"output scale $\alpha$", ylabel=r"$\langle (f_\alpha - g)^2 \rangle_{\rm test}$")
    ax.legend(fontsize=8)
    return fig
