"""Kernels, their spectra in float64 and extended precision, exponents, constants, parity, d = 10."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import hiprec, kernels, sphere, style
from ...claims import Claim
from ...fit import fit_power_law
from ...sweep import sweep
from .config import Config

#: Relative agreement between float64 and extended precision for a float64 eigenvalue to be
#: plotted or fitted: a 1e-6 relative error is invisible on a log plot and 1e3x above roundoff
#: of well-conditioned eigenvalues, so the cut falls where cancellation sets in.
TRUST_RTOL = 1e-6
#: Tolerance of an exponent claim: we claim exponents to +-0.05 (fits use a 1/k correction term,
#: whose neglected O(1/k^2) drift over the windows used is below 0.01).
EXPONENT_TOL = 0.05
#: Tolerance of the constant claims: mu_k over the Gamma-ratio form of Theorem 1 at the largest
#: trusted k; the next singular term contributes a relative O(1/k) there (k >= 100: <= 0.05).
CONSTANT_TOL = 0.05
#: An exactly vanishing parity is checked in 160-bit arithmetic (roundoff ~1e-45 of the integrand's
#: scale): its |mu_k| must stay below this fraction of the neighbouring nonzero eigenvalue, which is
#: itself >= 1e-20 up to k_max; a genuine eigenvalue of that parity would be O(1) of its neighbour.
ZERO_TOL = 1e-20

# --------------------------------------------------------------------------- kernels and spectra

def spectrum_kernels(cfg: Config) -> list[dict]:
    """Kernel specifications (plain dicts: cacheable, picklable) of the spectra section."""
    specs = [{"name": "ntk", "L": L} for L in cfg.depths] + [{"name": "rf", "L": L} for L in cfg.depths]
    specs += [{"name": "laplace", "c": cfg.laplace_c}, {"name": "ntk", "L": 2, "bias": True}]
    specs += [{"name": "step", "L": L} for L in cfg.step_depths]
    return specs


def kernel_curves(cfg: Config, n: int = 801) -> pd.DataFrame:
    """kappa(u)/kappa(1) on a grid of u, one column per kernel (deterministic)."""
    u = np.linspace(-1.0, 1.0, n)
    cols = {"u": u}
    for spec in spectrum_kernels(cfg):
        k = kernels.make_kernel(**spec)
        cols[k.label] = k(u) / k.value_at_one
    return pd.DataFrame(cols)


def trusted_spectrum(*, kernel: dict, d: int, k_max: int, prec_bits: int) -> dict:
    """mu_0..mu_{k_max} in float64 and in extended precision, and where float64 can be trusted.

    Returns a dict with ``mu64``, ``mu_hp`` (float64-rounded extended-precision values) and
    ``trusted`` (bool array: float64 within ``TRUST_RTOL`` of the extended-precision value).
    """
    k = kernels.make_kernel(**kernel)
    mu64 = sphere.funk_hecke(k, d, k_max)
    mu_hp, _ = hiprec.funk_hecke_hp(k, d, k_max, prec_bits=prec_bits)
    return {"mu64": mu64, "mu_hp": mu_hp, "trusted": hiprec.trusted_float64(mu64, mu_hp, rtol=TRUST_RTOL)}


def spectra(cfg: Config) -> pd.DataFrame:
    """One row per (d, kernel): the float64 and extended-precision spectra (cached sweep)."""
    points = [{"kernel": spec, "d": d, "k_max": km, "prec_bits": cfg.prec_bits}
              for d, km in zip(cfg.d_values, cfg.k_max) for spec in spectrum_kernels(cfg)]
    table = sweep(trusted_spectrum, points, seeds=(None,))
    table["label"] = [kernels.make_kernel(**s).label for s in table["kernel"]]
    return table


def trusted_limit(row, parity: int) -> int:
    """Largest k of the given parity such that every k' <= k of that parity (k' >= 2) is trusted."""
    k = np.arange(row["trusted"].size)
    sel = (k % 2 == parity) & (k >= 2)
    bad = k[sel & ~row["trusted"]]
    good = k[sel & row["trusted"]]
    if good.size == 0:
        return 0
    return int(good.max() if bad.size == 0 else good[good < bad.min()].max(initial=0))


def _is_zero_parity(spec: dict, parity: int) -> bool:
    """Parities that vanish exactly (k >= 2): two-layer NTK and RF without bias have a linear odd part
    (odd k >= 3 vanish); kappa0 = 1/2 + arcsin(u)/pi (the two-layer step kernel) has a constant even
    part (even k >= 2 vanish)."""
    if spec["name"] in ("ntk", "rf") and spec["L"] == 2 and not spec.get("bias", False):
        return parity == 1
    return spec["name"] == "step" and spec["L"] == 2 and parity == 0


def last_k(row, parity: int) -> int:
    """The largest computed degree of the given parity."""
    K = row["mu_hp"].size - 1
    return K if K % 2 == parity else K - 1


def fit_exponent(row, parity: int):
    """Power-law fit (with a 1/k correction) of one parity over the fixed window [k_max/4, k_max].

    Fits use the extended-precision eigenvalues: every digit is trusted there, and the result does not
    depend on the float64 roundoff of a particular machine (so the page's numbers are reproducible).
    """
    K = last_k(row, parity)
    k = np.arange(parity, K + 1, 2)
    mu = np.abs(row["mu_hp"][parity:K + 1:2])
    return fit_power_law(k, mu, window=(max(K // 4, 20), K), correction=True)


def exponent_claims(table: pd.DataFrame) -> list[Claim]:
    """Fitted decay exponent per kernel, d and parity, against Theorem 1's -d - 2nu + 1."""
    out = []
    for _, row in table.iterrows():
        kern = kernels.make_kernel(**row["kernel"])
        theory = kernels.asymptotics(kern, row["d"])
        for parity, pname in ((0, "even"), (1, "odd")):
            q = f"d={row['d']}  {kern.label}, {pname} k"
            if _is_zero_parity(row["kernel"], parity):
                mu = np.abs(row["mu_hp"])
                k = np.arange(2 + parity, mu.size)
                k = k[k % 2 == parity]
                ratio = float(np.max(mu[k] / mu[k - 1]))
                out.append(Claim(quantity=q + ": max |mu_k / mu_(k-1)|, k >= 2 (160 bits)", measured=ratio, theory=0.0,
                                 tol=ZERO_TOL, source="this parity of kappa is a polynomial of degree <= 1"))
                continue
            f = fit_exponent(row, parity)
            out.append(Claim(quantity=q + f" exponent (k in [{f.window[0]:.0f}, {f.window[1]:.0f}])",
                             measured=f.exponent, ci=f.ci, theory=theory.exponent, tol=EXPONENT_TOL,
                             source="Theorem 1: -(d + 2 nu - 1)"))
    return out


def constants(table: pd.DataFrame, d: int, name: str) -> pd.DataFrame:
    """mu_K / (Theorem-1 Gamma-ratio form) at the largest computed K, per depth and parity."""
    rows = []
    for _, row in table[(table["d"] == d)].iterrows():
        spec = row["kernel"]
        if spec["name"] != name or spec.get("bias"):
            continue
        kern = kernels.make_kernel(**spec)
        asym = kernels.asymptotics(kern, d)
        for parity in (0, 1):
            if _is_zero_parity(spec, parity):
                continue
            K = last_k(row, parity)
            rows.append({"L": spec["L"], "parity": "even" if parity == 0 else "odd", "k": K,
                         # mu_K / (exact eigenvalue of (1-u)^nu at K) estimates c1 +- c-1, free of d
                         "measured_constant": row["mu_hp"][K] / float(kernels.exact_eigs_power(asym.nu, d, K)),
                         "theory_constant": asym.c1 + (1 if K % 2 == 0 else -1) * asym.c_minus1})
    out = pd.DataFrame(rows)
    if not out.empty:  # = mu_K / the Gamma-ratio form of Theorem 1
        out["ratio_to_gamma_form"] = out["measured_constant"] / out["theory_constant"]
    return out


def constant_claims(table: pd.DataFrame, d: int) -> list[Claim]:
    """Constants of Theorem 1: per depth and parity, and their growth with depth.

    The mean of the even and odd coefficients (a vanishing parity counting as 0) estimates c1(L), so
    c1(L)/c1(2) is measured free of c-1; theory: L(L-1)/2 (NTK), L-1 (RF).
    """
    out = []
    for name, growth in (("ntk", lambda L: L * (L - 1) / 2), ("rf", lambda L: L - 1.0)):
        c = constants(table, d, name)
        for _, r in c.iterrows():
            out.append(Claim(quantity=f"d={d}  {name.upper()} L={r['L']} {r['parity']}: mu_k / Theorem-1 form, k={r['k']}",
                             measured=r["ratio_to_gamma_form"], theory=1.0, tol=CONSTANT_TOL,
                             source="Theorem 1 with the constants c1(L), c-1(L)"))
        if c.empty or 2 not in set(c["L"]):
            continue
        c1 = c.pivot_table(index="L", columns="parity", values="measured_constant", fill_value=0.0)
        c1 = c1.reindex(columns=["even", "odd"], fill_value=0.0).mean(axis=1)
        for L in c1.index:
            if L == 2:
                continue
            out.append(Claim(quantity=f"d={d}  {name.upper()}: c1(L={L}) / c1(2)", measured=float(c1[L] / c1[2]),
                             theory=growth(L), tol=CONSTANT_TOL * growth(L),
                             source="L(L-1)/2 for the NTK, L-1 for RF"))
    return out


def parity_table(table: pd.DataFrame, d: int) -> pd.DataFrame:
    """Even/odd ratio mu_{K-1}/mu_K at the largest computed odd K, vs (c1 + c-1)/(c1 - c-1)."""
    rows = []
    for _, row in table[table["d"] == d].iterrows():
        spec = row["kernel"]
        kern = kernels.make_kernel(**spec)
        if _is_zero_parity(spec, 0) or _is_zero_parity(spec, 1):
            continue
        K = last_k(row, 1)
        asym = kernels.asymptotics(kern, d)
        rows.append({"kernel": kern.label, "k": K, "measured": row["mu_hp"][K - 1] / row["mu_hp"][K] * ((K - 1) / K) ** (-asym.exponent),
                     "theory": float(asym.coefficient(K - 1) / asym.coefficient(K)) if asym.coefficient(K) != 0 else np.inf})
    return pd.DataFrame(rows)


def parity_claims(table: pd.DataFrame, d: int) -> list[Claim]:
    return [Claim(quantity=f"d={d}  {r['kernel']}: even/odd constant ratio, k={r['k']}", measured=r["measured"],
                  theory=r["theory"], tol=CONSTANT_TOL * abs(r["theory"]), source="(c1 + c-1)/(c1 - c-1), Theorem 1")
            for _, r in parity_table(table, d).iterrows() if np.isfinite(r["theory"])]


# --------------------------------------------------------------------------- d = 10

def high_dimension(cfg: Config) -> pd.DataFrame:
    """NTK and RF spectra at d = d_high in float64 and extended precision (where float64 gives out)."""
    points = [{"kernel": {"name": name, "L": L}, "d": cfg.d_high, "k_max": cfg.k_max_high, "prec_bits": cfg.prec_bits}
              for name in ("ntk", "rf") for L in (2, max(cfg.depths))]
    table = sweep(trusted_spectrum, points, seeds=(None,))
    table["label"] = [kernels.make_kernel(**s).label for s in table["kernel"]]
    return table


def high_dimension_claims(table: pd.DataFrame) -> list[Claim]:
    """mu_k / Theorem 1 at the last extended-precision even k: the Gamma-ratio form and the pure power law."""
    out = []
    for _, row in table.iterrows():
        kern = kernels.make_kernel(**row["kernel"])
        asym = kernels.asymptotics(kern, row["d"])
        K = last_k(row, 0)
        out.append(Claim(quantity=f"d={row['d']}  {kern.label}: mu_k / Gamma-ratio form, k={K}",
                         measured=float(row["mu_hp"][K] / asym.gamma_ratio(K)), theory=1.0, tol=CONSTANT_TOL,
                         source="Theorem 1"))
        out.append(Claim(quantity=f"d={row['d']}  {kern.label}: mu_k / pure power law, k={K}",
                         measured=float(row["mu_hp"][K] / asym.power_law(K)), theory=1.0, tol=CONSTANT_TOL,
                         source="Theorem 1 (asymptotic only)"))
    return out


#: Degrees over which float64 and 160-bit spectra must agree to TRUST_RTOL at every d of the page:
#: low enough that float64 roundoff is ~1e-14 there for every kernel (the lowest float64 limit, RF at
#: d = 10, is k ~ 46), so a disagreement means a wrong float64 kernel, not roundoff.
K_AGREE = 40


def float64_agreement(*tables: pd.DataFrame) -> list[Claim]:
    """Per d: max over kernels and k <= K_AGREE of |mu64/mu160 - 1| (nonzero eigenvalues)."""
    both = pd.concat(tables, ignore_index=True)
    out = []
    for d, g in both.groupby("d"):
        worst = 0.0
        for _, row in g.iterrows():
            mu64, mu_hp = row["mu64"][:K_AGREE + 1], row["mu_hp"][:K_AGREE + 1]
            nz = np.abs(mu_hp) > 1e-30 * np.abs(mu_hp).max()
            worst = max(worst, float(np.max(np.abs(mu64[nz] / mu_hp[nz] - 1.0))))
        out.append(Claim(quantity=f"d={d}: max |mu_k(float64) / mu_k(160 bits) - 1|, k <= {K_AGREE}, all kernels",
                         measured=worst, theory=0.0, tol=TRUST_RTOL, source="same integral, two precisions"))
    return out


def float64_limits(*tables: pd.DataFrame) -> list[Claim]:
    """The last degree (even, odd) up to which float64 agrees with extended precision to TRUST_RTOL.

    Machine-dependent by nature (it measures roundoff of this machine's libm and BLAS): recorded, and
    shown, but not compared by the regression tests.
    """
    out = []
    for _, row in pd.concat(tables, ignore_index=True).iterrows():
        kern = kernels.make_kernel(**row["kernel"])
        for parity, pname in ((0, "even"), (1, "odd")):
            if _is_zero_parity(row["kernel"], parity):
                continue
            out.append(Claim(quantity=f"d={row['d']}  {kern.label}: float64 trusted up to k ({pname})",
                             measured=trusted_limit(row, parity), digits=0))
    return out



# --------------------------------------------------------------------------- figures

def _family(spec: dict) -> str:
    if spec["name"] == "ntk" and not spec.get("bias"):
        return "NTK"
    if spec["name"] == "rf":
        return "RF"
    return "other"


def plot_kernels(curves: pd.DataFrame):
    fig, axes = style.subplots(1, 2, width=9.5, height_per_row=3.3)
    u = curves["u"]
    for col in curves.columns[1:]:
        ax = axes[0, 0] if col.startswith("NTK") or col.startswith("Laplace") else axes[0, 1]
        ls = "--" if ("bias" in col or col.startswith("Laplace") or col.startswith("step")) else "-"
        ax.plot(u, curves[col], ls=ls, label=col)
    axes[0, 0].set_title("NTK (normalised by κ(1) = L), Laplace")
    axes[0, 1].set_title("random features (NNGP) and step kernels")
    for ax in axes[0]:
        ax.set_xlabel("u = x·y")
        ax.set_ylabel("κ(u) / κ(1)")
        ax.legend(ncol=2)
    return fig


def plot_spectra(table: pd.DataFrame, cfg: Config):
    """mu_k vs k (extended precision: every digit trusted), even k thick, odd k thin; Theorem 1 dashed."""
    fams = ("NTK", "RF", "other")
    fig, axes = style.subplots(len(cfg.d_values), 3, width=11, height_per_row=3.4)
    for i, (d, k_max) in enumerate(zip(cfg.d_values, cfg.k_max)):
        for j, fam in enumerate(fams):
            ax = axes[i, j]
            style.shade_window(ax, (k_max // 4, k_max), label="fit window" if j == 0 else None)
            sub = table[(table["d"] == d) & (table["kernel"].map(_family) == fam)]
            for c, (_, row) in enumerate(sub.iterrows()):
                kern = kernels.make_kernel(**row["kernel"])
                asym = kernels.asymptotics(kern, d)
                for parity in (0, 1):
                    if _is_zero_parity(row["kernel"], parity):
                        continue
                    k = np.arange(2 if parity == 0 else 1, last_k(row, parity) + 1, 2)
                    ax.plot(k, np.abs(row["mu_hp"][k]), color=style.color(c), lw=1.4 if parity == 0 else 0.7,
                            alpha=1.0 if parity == 0 else 0.8, label=kern.label if parity == 0 else None)
                    ks = k[k >= 10]
                    if np.all(asym.coefficient(ks) != 0):
                        style.theory_line(ax, ks, np.abs(asym.gamma_ratio(ks)), lw=0.7)
            style.loglog(ax, xlabel="k", ylabel="|μ_k|")
            ax.set_title(f"{fam if fam != 'other' else 'Laplace, bias NTK, step'}, d = {d}")
            ax.legend(ncol=1)
    fig.suptitle("Eigenvalues in 160-bit arithmetic (even k thick, odd k thin; dashed: Theorem 1, Gamma-ratio form)")
    return fig


def plot_exponents(claims: list[Claim], cfg: Config):
    """Measured exponent against Theorem 1, one point per (kernel, d, parity); the diagonal is agreement."""
    fit = [c for c in claims if c.ci is not None]
    fig, axes = style.subplots(1, 2, width=10, height_per_row=3.6)
    th = np.array([c.theory for c in fit])
    me = np.array([c.measured for c in fit])
    fams = [c.quantity.split()[1] for c in fit]
    for i, fam in enumerate(dict.fromkeys(fams)):
        sel = np.array([f == fam for f in fams])
        axes[0, 0].plot(th[sel], me[sel], "o", mfc="none", color=style.color(i), label=fam)
        axes[0, 1].plot(th[sel] + 0.03 * (i - 2), me[sel] - th[sel], "o", mfc="none", color=style.color(i), label=fam)
    lims = [th.min() - 0.5, th.max() + 0.5]
    axes[0, 0].plot(lims, lims, "--", color="0.3", lw=0.8)
    axes[0, 0].set_xlabel("Theorem 1: −(d + 2ν − 1)")
    axes[0, 0].set_ylabel("fitted exponent")
    axes[0, 1].axhspan(-EXPONENT_TOL, EXPONENT_TOL, color="0.5", alpha=0.15, lw=0, label=f"±{EXPONENT_TOL}")
    axes[0, 1].axhline(0, color="0.3", lw=0.8)
    axes[0, 1].set_xlabel("Theorem 1: −(d + 2ν − 1)")
    axes[0, 1].set_ylabel("fitted − predicted")
    for ax in axes[0]:
        ax.legend(fontsize=7)
    return fig


def plot_constants(table: pd.DataFrame, cfg: Config):
    """|c1(L)| measured at every d (mean of the even/odd coefficients) against the closed-form constants."""
    fig, axes = style.subplots(1, 2, width=10, height_per_row=3.4)
    for j, name in enumerate(("ntk", "rf")):
        ax = axes[0, j]
        Ls = np.array(sorted({s["L"] for s in table["kernel"] if s["name"] == name and not s.get("bias")}))
        theory = [abs(kernels.endpoint_data(kernels.make_kernel(name, L=int(L)))[1]) for L in Ls]
        ax.plot(Ls, theory, "--", color="0.2", label="|c1(L)|, theory")
        for m, d in enumerate(cfg.d_values):
            c = constants(table, d, name)
            if c.empty:
                continue
            c1 = c.pivot_table(index="L", columns="parity", values="measured_constant", fill_value=0.0)
            c1 = c1.reindex(columns=["even", "odd"], fill_value=0.0).mean(axis=1)
            ax.plot(c1.index, np.abs(c1.values), "o", ms=6 - 2 * m, color=style.color(m), label=f"measured, d = {d}")
        ax.set_xlabel("depth L")
        ax.set_ylabel("|c1(L)|")
        ax.set_title("NTK: c1 = −(√2/π) L(L−1)/2" if name == "ntk" else "RF: c1 = (2√2/3π)(L−1)")
        ax.legend()
    return fig


def plot_parity(table: pd.DataFrame, cfg: Config):
    d = cfg.d_values[0]
    fig, axes = style.subplots(1, 1, width=7, height_per_row=3.4)
    ax = axes[0, 0]
    sub = table[(table["d"] == d) & table["kernel"].map(lambda s: s["name"] in ("ntk", "rf") and not s.get("bias"))]
    for c, (_, row) in enumerate(sub.iterrows()):
        if _is_zero_parity(row["kernel"], 1):
            continue
        kern = kernels.make_kernel(**row["kernel"])
        asym = kernels.asymptotics(kern, d)
        k = np.arange(11, last_k(row, 1) + 1, 2)
        ratio = row["mu_hp"][k - 1] / row["mu_hp"][k] * ((k - 1) / k) ** (-asym.exponent)
        ax.plot(k, ratio, color=style.color(c), ls="-" if kern.name == "ntk" else ":", label=kern.label)
        ax.axhline(float(asym.coefficient(0) / asym.coefficient(1)), color=style.color(c), lw=0.6, ls="--")
    ax.set_xscale("log")
    ax.set_xlabel("odd k")
    ax.set_ylabel("even/odd constant ratio")
    ax.set_title(f"Parity, d = {d} (dashed: (c1 + c−1)/(c1 − c−1))")
    ax.legend(ncol=2)
    return fig


def plot_high_dimension(table: pd.DataFrame):
    fig, axes = style.subplots(1, 2, width=10.5, height_per_row=3.5)
    for c, (_, row) in enumerate(table.iterrows()):
        kern = kernels.make_kernel(**row["kernel"])
        asym = kernels.asymptotics(kern, row["d"])
        k = np.arange(2, row["mu_hp"].size, 2)  # even k (odd vanish at L = 2)
        K = trusted_limit(row, 0)
        ax = axes[0, 0]
        ax.plot(k, np.abs(row["mu_hp"][k]), color=style.color(c), label=f"{kern.label}, {row['d']}-dim, extended precision")
        kt = k[k <= K]
        ax.plot(kt[::4], np.abs(row["mu64"][kt[::4]]), "o", mfc="none", color=style.color(c), ms=3)
        ax.axvline(K, color=style.color(c), lw=0.6, ls=":")
        axes[0, 1].plot(k, row["mu_hp"][k] / asym.gamma_ratio(k), color=style.color(c), label=f"{kern.label}: ÷ Gamma-ratio form")
        axes[0, 1].plot(k, row["mu_hp"][k] / asym.power_law(k), color=style.color(c), ls="--", lw=0.8,
                        label=f"{kern.label}: ÷ pure power law")
    style.loglog(axes[0, 0], xlabel="k (even)", ylabel="|μ_k|")
    axes[0, 0].set_title("circles: float64 where trusted; dotted: float64 gives out")
    axes[0, 1].set_xscale("log")
    axes[0, 1].set_xlabel("k (even)")
    axes[0, 1].set_ylabel("μ_k / Theorem 1")
    axes[0, 1].axhline(1.0, color="k", lw=0.6)
    for ax in axes[0]:
        ax.legend(fontsize=6)
    return fig


