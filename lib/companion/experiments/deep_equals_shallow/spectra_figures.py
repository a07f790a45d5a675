"""Figures of the kernel spectra: kernels near their endpoints, spectra, exponents, constants,
even/odd ratios, d = 10 (the numbers they show come from :mod:`.spectra`)."""

from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.ticker import ScalarFormatter
import numpy as np
import pandas as pd

from ... import kernels, style
from ...claims import Claim
from .config import Config
from .spectra import (_c1_estimates, _is_zero_parity, constants, parity_ratio, parity_rows, plotted,
                      spectrum_kernels, trusted_limit)

def _family(spec: dict) -> str:
    if spec["name"] == "ntk" and not spec.get("bias"):
        return "NTK"
    if spec["name"] == "rf":
        return "RF"
    return "other"


def _depth_color(L: int) -> str:
    """One colour per depth L = 2..6 (the same in every figure); deeper depths cycle."""
    return style.color((L - 2) % 5)


def _other_style(spec: dict) -> tuple[str, str]:
    """(colour, line style) of the kernels that are neither NTK nor RF, distinct within their panel."""
    if spec["name"] == "step":    # green, vermilion, purple, orange, blue: none is Laplace's sky blue
        return style.color((2, 3, 4, 1, 0)[(spec["L"] - 2) % 5]), "-"
    if spec["name"] == "laplace":
        return style.color(5), "-"
    return style.color(7), "-"                           # NTK with bias


def _label(spec: dict) -> str:
    """Legend label in mathtext."""
    name = spec["name"]
    if name == "laplace":
        return rf"Laplace $c={spec['c']:g}$"
    if name == "ntk" and spec.get("bias"):
        return rf"NTK + bias, $L={spec['L']}$"
    return rf"{ {'ntk': 'NTK', 'rf': 'RF', 'step': 'step'}[name]}, $L={spec['L']}$"


def _line_style(spec: dict) -> dict:
    if spec["name"] in ("ntk", "rf") and not spec.get("bias"):
        return {"color": _depth_color(spec["L"]), "ls": "-"}
    color, ls = _other_style(spec)
    return {"color": color, "ls": ls}


def plot_kernels(curves: pd.DataFrame, cfg: Config):
    """kappa(u)/kappa(1) for every kernel: NTK, RF, and the others, one panel each (stacked)."""
    fig, axes = style.subplots(3, 1, width=7.0, height_per_row=2.2, sharex=True)
    u = curves["u"]
    panels = {"NTK": axes[0, 0], "RF": axes[1, 0], "other": axes[2, 0]}
    for spec in spectrum_kernels(cfg):
        label = kernels.make_kernel(**spec).label
        panels[_family(spec)].plot(u, curves[label], label=_label(spec), **_line_style(spec))
    panels["NTK"].set_title(r"NTK, normalised by $\kappa(1) = L$")
    panels["RF"].set_title(r"random features (NNGP), $\kappa(1) = 1$")
    panels["other"].set_title(r"Laplace $e^{-c\|x-y\|}$, NTK with bias ($\kappa(1) = 3$), step kernels")
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$\kappa(u)/\kappa(1)$")
        ax.legend(ncol=2, loc="upper left", fontsize=8)
    axes[-1, 0].set_xlabel(r"$u = x\cdot y$")
    return fig


def plot_cusps(cusps: pd.DataFrame):
    """The non-polynomial part at u = 1 (left) and u = -1 (right) on log-log axes, Theorem-1 term dashed."""
    fig, axes = style.subplots(3, 2, width=7.0, height_per_row=2.45, sharex=True)
    rows = {"NTK": 0, "RF": 1, "other": 2}
    for (label, end), g in cusps.groupby(["kernel", "end"], sort=False):
        spec = g["spec"].iloc[0]
        ax = axes[rows[_family(spec)], 0 if end == 1 else 1]
        ax.plot(g["t"], g["singular"], lw=2.0, alpha=0.7, label=_label(spec), **_line_style(spec))
        ax.plot(g["t"], g["theory"], ls="--", color="k", lw=1.0)
    titles = [(r"NTK at $u=1$: $|\kappa(1-t)-\kappa(1)|$", r"NTK at $u=-1$: $|\kappa(-1+t)-\kappa(-1)|$"),
              (r"RF at $u=1$: $|\kappa(1-t)-1+t|$", r"RF at $u=-1$: $|\kappa(-1+t)-\kappa(-1)|$"),
              (r"others at $u=1$: $|\kappa(1-t)-\kappa(1)|$", r"step at $u=-1$: $|\kappa(-1+t)-\kappa(-1)|$")]
    for i in range(3):
        for j in range(2):
            ax = axes[i, j]
            style.loglog(ax, xlabel=r"$t$" if i == 2 else "", ylabel="")
            ax.set_title(titles[i][j], fontsize=9)
            handles, labels = ax.get_legend_handles_labels()
            handles.append(Line2D([], [], ls="--", color="k", lw=1.0))
            labels.append(r"Theorem 1: $|c_{\pm1}|\,t^{\nu}$")
            ax.legend(handles, labels, fontsize=7, loc="upper left", ncol=1)
    return fig


def plot_spectra(table: pd.DataFrame, cfg: Config):
    """|mu_k| vs k (160-bit values that pass TRUST_RTOL), even k thick, odd k thin; Theorem 1 dashed."""
    fams = ("NTK", "RF", "other")
    nd = len(cfg.d_values)
    fig, axes = style.subplots(3, nd, width=7.0, height_per_row=2.6)
    for j, d in enumerate(cfg.d_values):
        for i, fam in enumerate(fams):
            ax = axes[i, j]
            sub = table[(table["d"] == d) & (table["kernel"].map(_family) == fam)]
            for _, row in sub.iterrows():
                asym = kernels.asymptotics(kernels.make_kernel(**row["kernel"]), d)
                ok = plotted(row)
                ls = _line_style(row["kernel"])
                for parity in (0, 1):
                    k = np.arange(2 if parity == 0 else 1, row["mu_hp"].size, 2)
                    k = k[ok[k]]
                    if k.size == 0:
                        continue
                    ax.plot(k, np.abs(row["mu_hp"][k]), color=ls["color"], lw=1.6 if parity == 0 else 0.7,
                            label=_label(row["kernel"]) if parity == 0 or _is_zero_parity(row["kernel"], 0) else None)
                    ks = k[k >= 10]
                    ax.plot(ks, np.abs(asym.gamma_ratio(ks)), ls="--", color="k", lw=0.8)
            style.loglog(ax, xlabel=r"$k$" if i == 2 else "", ylabel=r"$|\mu_k|$" if j == 0 else "")
            ax.set_title(f"{ {'NTK': 'NTK', 'RF': 'RF', 'other': 'Laplace, bias NTK, step'}[fam]}, $d = {d}$",
                         fontsize=9)
            if j == 0:
                handles, labels = ax.get_legend_handles_labels()
                handles.append(Line2D([], [], ls="--", color="k", lw=0.8))
                ax.legend(handles, labels + ["Theorem 1"], fontsize=7, ncol=1, loc="lower left")
    return fig


def plot_exponents(claims: list[Claim], cfg: Config):
    """Fitted minus predicted exponent per (kernel, parity), with the tolerance as the error bar; one row per d."""
    fits = [c for c in claims if "exponent" in c.quantity and np.isfinite(c.measured)]
    nd = len(cfg.d_values)
    fig, axes = style.subplots(nd, 1, width=7.0, height_per_row=2.5)
    for i, d in enumerate(cfg.d_values):
        ax = axes[i, 0]
        sub = [c for c in fits if c.quantity.startswith(f"d={d} ")]
        names = list(dict.fromkeys(c.quantity.split("  ")[1].split(",")[0] for c in sub))
        labelled = set()
        for c in sub:
            name = c.quantity.split("  ")[1].split(",")[0]
            odd = ", odd k" in c.quantity
            x = names.index(name) + (0.15 if odd else -0.15)
            ax.errorbar(x, c.measured - c.theory, yerr=c.tol, fmt="s" if odd else "o", mfc="none",
                        color=style.color(1 if odd else 0), ms=4, capsize=2, lw=0.9,
                        label=None if odd in labelled else ("odd $k$" if odd else "even $k$"))
            labelled.add(odd)
        ax.axhline(0.0, color="0.3", lw=0.8)
        ax.set_yscale("symlog", linthresh=1e-5)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=35, ha="right", fontsize=8)
        ax.set_ylabel("fitted − predicted")
        ax.set_title(rf"$d = {d}$: exponent minus $-(d+2\nu-1)$; bars: tolerance (method accuracy)", fontsize=9)
        ax.legend(fontsize=8, loc="lower left", ncol=2)
    return fig


def plot_constants(table: pd.DataFrame, cfg: Config):
    """|c1(L)| measured at every d (mean of the even/odd coefficients) against the closed-form constants."""
    fig, axes = style.subplots(1, 2, width=7.0, height_per_row=2.9)
    for j, name in enumerate(("ntk", "rf")):
        ax = axes[0, j]
        Ls = np.array(sorted({s["L"] for s in table["kernel"] if s["name"] == name and not s.get("bias")}))
        grid = np.linspace(Ls.min(), Ls.max(), 100)
        theory = [abs(kernels.endpoint_data(kernels.make_kernel(name, L=int(L)))[1]) for L in Ls]
        c_2 = abs(kernels.endpoint_data(kernels.make_kernel(name, L=2))[1])
        curve = c_2 * (grid * (grid - 1) / 2 if name == "ntk" else grid - 1)
        ax.plot(grid, curve, "--", color="k", lw=0.9, label=r"theory $|c_1(L)|$")
        ax.plot(Ls, theory, "x", color="k", ms=5)
        for m, d in enumerate(cfg.d_values):
            c = constants(table, d, name)
            if c.empty:
                continue
            c1 = _c1_estimates(c, "measured_constant")
            ax.plot(c1.index, np.abs(c1.values), "o", mfc="none", ms=9 - 3 * m, color=style.color(m),
                    label=f"measured, $d = {d}$")
        ax.set_xlabel(r"depth $L$")
        ax.set_ylabel(r"$|c_1(L)|$")
        ax.set_title(r"NTK: $c_1 = -\frac{\sqrt{2}}{\pi}\frac{L(L-1)}{2}$" if name == "ntk"
                     else r"RF: $c_1 = \frac{2\sqrt{2}}{3\pi}(L-1)$", fontsize=9)
        ax.legend(fontsize=8)
    return fig


def plot_constant_convergence(table: pd.DataFrame, cfg: Config):
    """|mu_k / Gamma-ratio form - 1| against k (even k): the O(k^-2) approach that sets the tolerances."""
    d = cfg.d_values[0]
    fig, axes = style.subplots(1, 2, width=7.0, height_per_row=2.9, sharey=True)
    for j, name in enumerate(("ntk", "rf")):
        ax = axes[0, j]
        sub = table[(table["d"] == d) & table["kernel"].map(lambda s: s["name"] == name and not s.get("bias"))]
        for _, row in sub.iterrows():
            asym = kernels.asymptotics(kernels.make_kernel(**row["kernel"]), d)
            k = np.arange(10, row["mu_hp"].size, 2)
            k = k[plotted(row)[k]]
            ax.plot(k, np.abs(row["mu_hp"][k] / asym.gamma_ratio(k) - 1), label=_label(row["kernel"]),
                    **_line_style(row["kernel"]))
        kk = np.array([20, row["mu_hp"].size - 1])
        ax.plot(kk, 1e-1 * (kk / 20.0) ** -2.0, ls="--", color="k", lw=0.9, label=r"slope $k^{-2}$")
        style.loglog(ax, xlabel=r"$k$ (even)", ylabel=r"$|\mu_k/\mathrm{Thm.\,1} - 1|$" if j == 0 else "")
        ax.set_title(f"{name.upper()}, $d = {d}$", fontsize=9)
        ax.legend(fontsize=7, loc="lower left")
    return fig


def plot_parity(table: pd.DataFrame, cfg: Config):
    """Even/odd constant ratio against odd k: NTK, RF, Laplace/bias NTK, step (two-term prediction)."""
    d = cfg.d_values[0]
    fig, axes = style.subplots(2, 2, width=7.0, height_per_row=2.6, sharex=True)
    panel = {"NTK": axes[0, 0], "RF": axes[0, 1]}
    for row, spec, kern, asym in parity_rows(table, d):
        ok = plotted(row)
        k = np.arange(11, row["mu_hp"].size, 2)
        k = k[ok[k] & ok[k - 1]]
        fam = _family(spec)
        ax = panel.get(fam, axes[1, 1] if spec["name"] == "step" else axes[1, 0])
        ls = _line_style(spec)
        measured = np.array([parity_ratio(row, asym, int(kk)) for kk in k])
        ax.plot(k, measured, color=ls["color"], lw=1.6, label=_label(spec))
        theory = asym.per_parity_constant(k - 1) / asym.per_parity_constant(k)
        ax.plot(k, theory, ls="--", color="k", lw=0.9)
        if asym.minus1_term is not None:
            ax.axhline((asym.c1 + asym.c_minus1) / (asym.c1 - asym.c_minus1), ls=":", color="0.4", lw=0.9)
    axes[0, 0].set_title(r"NTK: dashed $(c_1+c_{-1})/(c_1-c_{-1})$", fontsize=9)
    axes[0, 1].set_title(r"RF: dashed $(c_1+c_{-1})/(c_1-c_{-1})$", fontsize=9)
    axes[1, 0].set_title(r"Laplace, bias NTK: $c_{-1} = 0$", fontsize=9)
    axes[1, 1].set_title(r"step: dashed two-term, dotted leading order", fontsize=9)
    for ax in axes.ravel():
        ax.set_xscale("log")
        ax.legend(fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel(r"odd $k$")
    for ax in axes[:, 0]:
        ax.set_ylabel(r"$c(k-1)/c(k)$")
    fig.suptitle(rf"Even/odd ratio of the constants, $d = {d}$", fontsize=10)
    return fig


def plot_high_dimension(table: pd.DataFrame):
    """Top: 160-bit spectra (lines), float64 where trusted (circles), where float64 gives out (dotted).
    Bottom: mu_k / Gamma-ratio form (solid) and mu_k / pure power law (dashed)."""
    fig, axes = style.subplots(2, 1, width=7.0, height_per_row=2.8, sharex=True)
    for c, (_, row) in enumerate(table.iterrows()):
        kern = kernels.make_kernel(**row["kernel"])
        asym = kernels.asymptotics(kern, row["d"])
        k = np.arange(2, row["mu_hp"].size, 2)            # even k (odd vanish at L = 2)
        k = k[plotted(row)[k]]
        K = trusted_limit(row, 0)
        color = style.color(c)
        ax = axes[0, 0]
        ax.plot(k, np.abs(row["mu_hp"][k]), color=color, label=_label(row["kernel"]))
        kt = k[k <= K]
        ax.plot(kt[::4], np.abs(row["mu64"][kt[::4]]), "o", mfc="none", color=color, ms=3)
        if K < k.max():
            ax.axvline(K, color=color, lw=0.8, ls=":")
        k = k[k >= 10]
        axes[1, 0].plot(k, row["mu_hp"][k] / asym.gamma_ratio(k), color=color, label=_label(row["kernel"]))
        axes[1, 0].plot(k, row["mu_hp"][k] / asym.power_law(k), color=color, ls="--", lw=0.9)
    d = int(table["d"].iloc[0])
    style.loglog(axes[0, 0], xlabel="", ylabel=r"$|\mu_k|$")
    bits = int(table["prec_bits"].iloc[0])
    axes[0, 0].set_title(rf"$d = {d}$, even $k$: {bits} bits (lines), float64 where trusted (circles), "
                         "float64 gives out (dotted)", fontsize=9)
    axes[1, 0].set_xscale("log")
    axes[1, 0].xaxis.set_major_formatter(ScalarFormatter())
    axes[1, 0].set_xlabel(r"$k$ (even)")
    axes[1, 0].set_ylabel(r"$\mu_k$ / Theorem 1")
    axes[1, 0].set_title("solid: ÷ Gamma-ratio form; dashed: ÷ pure power law", fontsize=9)
    axes[1, 0].axhline(1.0, color="k", lw=0.6)
    for ax in axes[:, 0]:
        ax.legend(fontsize=7)
    return fig
