"""Kernels, their spectra in float64 and extended precision, exponents, constants, parity, d = 10.

Every claim of this module compares a *deterministic* number (computed from 160-bit eigenvalues) with
Theorem 1 of Bietti & Bach (ICLR 2021). Its tolerance is the accuracy of the method, estimated from
the method itself (:func:`method_tolerance`): each compared quantity q(K), taken at the largest degree
K, approaches its limit as q(K) = q + A K^{-p} + ..., where the order p of the first neglected term is
known from the endpoint expansions of the kernel (:func:`correction_order`); the change of q between
K/2 and K then estimates A K^{-p} (Richardson). The prediction is never used to set a tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ... import hiprec, kernels, sphere
from ...claims import Claim
from ...fit import fit_power_law
from ...sweep import sweep
from .config import Config

#: A 160-bit eigenvalue is plotted or fitted only if its estimated relative error (quadrature
#: difference + ball radii + recurrence roundoff bound, :func:`companion.hiprec.funk_hecke_hp`) is below
#: this: a relative 1e-6 is invisible on a log axis and far below every tolerance of the claims below.
#: The same threshold marks where float64 eigenvalues are trusted (agreement with the 160-bit ones).
TRUST_RTOL = 1e-6
#: Safety factor on the Richardson error estimate: the estimate is exact for an error A K^{-p}; the
#: next term (relative O(K^{-1/2}) or smaller at the K used here) and a K not yet fully asymptotic
#: can make it low, never by a factor 2 at the degrees of this page (checked: the ratio of the
#: deviations at K/2 and K is 3.90-4.00 where p = 2 predicts 4, and 1.41-2.4 for the step kernels).
RICHARDSON_SAFETY = 2.0
#: Relative floor of every tolerance: float64 arithmetic on the 160-bit eigenvalues (the Gamma ratios
#: of :func:`companion.kernels.exact_eigs_power` via exp(gammaln - gammaln): ~1e-13 relative at k ~ 1e3;
#: least squares of a few hundred points: ~1e-12), with a margin of 100.
ARITHMETIC_FLOOR = 1e-10
#: Zero-parity check: an exactly vanishing eigenvalue computed at ``prec_bits`` is roundoff bounded by
#: (k + 1)^2 2^-prec kappa(1) (the hp module's recurrence bound); the tolerance on |mu_k / mu_(k-1)| is
#: ten times that bound relative to the neighbouring eigenvalue. A genuine eigenvalue would be O(1) of it.
ZERO_MARGIN = 10.0

_RICHARDSON = ("2 x the Richardson estimate max(|q(K/2) - q(K)|, |q(K/4) - q(K/2)| / 2^p) / (2^p - 1) of the "
               "neglected K^-p term")
_TOL_REASON = {
    "constant": f"method accuracy: {_RICHARDSON}, p = 2: the next non-integer powers t^(nu+1) at u = +-1",
    "ratio": ("method accuracy: the sum of the relative tolerances of the two constants in the ratio (each "
              f"{_RICHARDSON}, p = 2)"),
    "exponent": (f"fit accuracy: the 95% regression half-width + {_RICHARDSON}, q = the exponent fitted over "
                 "[K/4, K]; p = 2: after the fit's 1/k term, log mu_k has a k^-2 rest"),
    "exponent_step": (f"fit accuracy: the 95% regression half-width + {_RICHARDSON}, q = the exponent fitted over "
                      "[K/4, K]; p = min(1 - 2 nu, 4 nu): the t^(1/2) term at u = -1 and the t^(3 nu) term at "
                      "u = 1 (4 nu = 1 is absorbed by the fit's 1/k term)"),
    "parity_step": (f"method accuracy: {_RICHARDSON}, q = measured / two-term ratio, p = 1 + 2 nu: the t^(3 nu) "
                    "term at u = 1 cancels in the ratio except for its product with the t^(1/2) term at u = -1; "
                    "a wrong coefficient would leave a k^-(1 - 2 nu) rest, which this estimate undershoots"),
}


# --------------------------------------------------------------------------- the tolerance rule

def correction_order(spec: dict, quantity: str) -> float:
    """Order p of the first term a quantity neglects: its error at degree K is ~ A K^{-p}.

    ``quantity``:

    * ``"constant"``: mu_K / Gamma-ratio form, and ratios of such constants (even/odd, c1(L)/c1(L0)).
      The form is exact for the leading non-integer power at each end. NTK, RF, Laplace and the
      two-layer step kernel are analytic in the angle, so their powers at u = +-1 are t^{nu + j}: the
      next one is relative k^{-2}, p = 2. Step kernels with L >= 3 have the powers t^{(2j+1) nu} at u = 1
      (each kappa0 takes a square root there), the next one relative k^{-4 nu}.
    * ``"parity"``: the even/odd ratio of the constants. p = 2 as above; step kernels with L >= 3, compared
      with the two-term prediction (t^nu at u = 1, t^{1/2} at u = -1): the t^{3 nu} term enters even and
      odd degrees alike and cancels, except for its product with the parity term, p = 4 nu + (1 - 2 nu).
    * ``"exponent"``: slope b of log mu_k = a + b log k + c/k fitted over [K/4, K]. log Gamma(k - nu) -
      log Gamma(k + nu + d - 1) = -(d + 2 nu - 1) log k + O(1/k) + O(k^{-2}): the 1/k term absorbs the
      first correction, p = 2. Step kernels with L >= 3: the parity term (-1)^k k^{-(1 - 2 nu)} and the
      t^{3 nu} term k^{-4 nu} (absorbed by the 1/k term when 4 nu = 1), p = min(1 - 2 nu, 4 nu).
    """
    kern = kernels.make_kernel(**spec)
    nu = kernels.endpoint_data(kern)[0]
    step = kern.name == "step" and kern.L >= 3
    if quantity == "constant":
        return 4 * nu if step else 2.0
    if quantity == "parity":
        return 1 + 2 * nu if step else 2.0
    if quantity == "exponent":
        if not step:
            return 2.0
        return min(1 - 2 * nu, 4 * nu) if 4 * nu != 1 else min(1 - 2 * nu, 8 * nu)
    raise ValueError(f"quantity must be one of 'constant', 'parity', 'exponent'; got {quantity!r}")


def richardson_error(q_K: float, q_half: float, p: float) -> float:
    """|q(K/2) - q(K)| / (2^p - 1): the error of q(K) if q(K) = q + A K^{-p} exactly."""
    return abs(q_half - q_K) / (2.0**p - 1.0)


def method_tolerance(q_K: float, q_half: float, p: float, *, q_quarter: float | None = None,
                     extra: float = 0.0) -> float:
    """The tolerance rule of every spectra claim: the method's accuracy, estimated from the method.

    ``RICHARDSON_SAFETY`` x the Richardson error estimate (:func:`richardson_error` of q at K and K/2,
    neglected order p from :func:`correction_order`; where q(K/4) is given, the larger of that and the
    estimate from K/4 and K/2 carried to K, |q(K/4) - q(K/2)| / ((2^p - 1) 2^p), which guards against a
    K not yet asymptotic, where two correction terms of opposite sign make q(K/2) - q(K) small) +
    ``extra`` (a fit's regression half-width) + ``ARITHMETIC_FLOOR`` x max(1, |q(K)|). It uses the
    measured quantity at several degrees, never the prediction it is compared with.
    """
    err = richardson_error(q_K, q_half, p)
    if q_quarter is not None:
        err = max(err, richardson_error(q_half, q_quarter, p) / 2.0**p)
    return RICHARDSON_SAFETY * err + extra + ARITHMETIC_FLOOR * max(1.0, abs(q_K))


def tolerance_of(q, K: int, p: float, *, extra: float = 0.0) -> float:
    """:func:`method_tolerance` of a quantity ``q(k)`` (a function of the degree) at K, K/2 and K/4
    (same parity, :func:`half_k`)."""
    K2 = half_k(K)
    return method_tolerance(q(K), q(K2), p, q_quarter=q(half_k(K2)), extra=extra)


# --------------------------------------------------------------------------- kernels and spectra

def spectrum_kernels(cfg: Config) -> list[dict]:
    """Kernel specifications (plain dicts: cacheable, picklable) of the spectra section."""
    specs = [{"name": "ntk", "L": L} for L in cfg.depths] + [{"name": "rf", "L": L} for L in cfg.depths]
    specs += [{"name": "laplace", "c": cfg.laplace_c}, {"name": "ntk", "L": 2, "bias": True}]
    specs += [{"name": "step", "L": L} for L in cfg.step_depths]
    return specs


def kernel_curves(cfg: Config, n: int = 801) -> pd.DataFrame:
    """kappa(u)/kappa(1) on a grid of u, one column per kernel label (deterministic)."""
    u = np.linspace(-1.0, 1.0, n)
    cols = {"u": u}
    for spec in spectrum_kernels(cfg):
        k = kernels.make_kernel(**spec)
        cols[k.label] = k(u) / k.value_at_one
    return pd.DataFrame(cols)


def _endpoint_polynomial(kern: kernels.DotProductKernel, end: int, t: np.ndarray) -> np.ndarray:
    """The Taylor terms of kappa(end (1 - t)) of order below the leading non-integer power.

    Constant kappa(+-1) when that power is < 1 (NTK, Laplace, step); RF (power 3/2) also has the linear
    term: (kappa^L)'(u) = prod_{l<L} kappa0(kappa^l(u)) is 1 at u = 1 (kappa0(1) = 1), so kappa^L(1 - t) =
    1 - t + ..., and 0 at u = -1 (its last factor is kappa0(kappa^1(-1)) = kappa0(-1) = 0).
    """
    value = float(kern.of_theta(0.0 if end == 1 else np.pi))
    if kern.name == "rf":
        return value - t if end == 1 else np.full_like(t, value)
    return np.full_like(t, value)


def cusp_curves(cfg: Config, n: int = 161) -> pd.DataFrame:
    """|kappa(+-(1 - t)) - poly(t)| for t in [1e-8, 0.1] and the Theorem-1 term |c| t^nu, per kernel and end.

    poly: the Taylor terms below the leading non-integer power (:func:`_endpoint_polynomial`). The angle
    form is used (theta = arccos(1 - t) = 2 arcsin sqrt(t/2) keeps full accuracy at small t). Ends where
    the kernel has no non-integer power (Laplace and bias NTK at u = -1: their t^nu coefficient is 0)
    are left out. Long format: columns kernel (label), spec, end (+1/-1), t, singular, theory, nu.
    """
    t = np.logspace(-8, -1, n)
    theta = 2.0 * np.arcsin(np.sqrt(t / 2.0))
    rows = []
    for spec in spectrum_kernels(cfg):
        kern = kernels.make_kernel(**spec)
        asym = kernels.asymptotics(kern, 3)            # the endpoint data do not depend on d
        ends = [(1, asym.nu, asym.c1)]
        if asym.c_minus1 != 0:
            ends.append((-1, asym.nu, asym.c_minus1))
        elif asym.minus1_term is not None:
            ends.append((-1, *asym.minus1_term))
        for end, nu, c in ends:
            value = kern.of_theta(theta if end == 1 else np.pi - theta)
            sing = np.abs(value - _endpoint_polynomial(kern, end, t))
            rows += [{"kernel": kern.label, "spec": spec, "end": end, "t": ti, "singular": si,
                      "theory": abs(c) * ti**nu, "nu": nu} for ti, si in zip(t, sing)]
    return pd.DataFrame(rows)


def trusted_spectrum(*, kernel: dict, d: int, k_max: int, prec_bits: int) -> dict:
    """mu_0..mu_{k_max} in float64 and in extended precision, the latter's error estimate, and where
    float64 can be trusted.

    Returns a dict with ``mu64``, ``mu_hp`` (float64-rounded extended-precision values), ``rel_err``
    (their estimated relative error, :func:`companion.hiprec.funk_hecke_hp`) and ``trusted`` (bool: the
    float64 value within ``TRUST_RTOL`` of a 160-bit value that is itself good to TRUST_RTOL/10).
    """
    k = kernels.make_kernel(**kernel)
    mu64 = sphere.funk_hecke(k, d, k_max)
    mu_hp, rel_err = hiprec.funk_hecke_hp(k, d, k_max, prec_bits=prec_bits)
    return {"mu64": mu64, "mu_hp": mu_hp, "rel_err": rel_err,
            "trusted": hiprec.trusted_float64(mu64, mu_hp, rtol=TRUST_RTOL, hp_rel_err=rel_err)}


def spectra(cfg: Config) -> pd.DataFrame:
    """One row per (d, kernel): the float64 and extended-precision spectra (cached sweep)."""
    points = [{"kernel": spec, "d": d, "k_max": km, "prec_bits": cfg.prec_bits}
              for d, km in zip(cfg.d_values, cfg.k_max) for spec in spectrum_kernels(cfg)]
    table = sweep(trusted_spectrum, points, seeds=(None,))
    table["label"] = [kernels.make_kernel(**s).label for s in table["kernel"]]
    return table


def _is_zero_parity(spec: dict, parity: int) -> bool:
    """Parities that vanish exactly (k >= 2): two-layer NTK and RF without bias have a linear odd part
    (odd k >= 3 vanish); kappa0 = 1/2 + arcsin(u)/pi (the two-layer step kernel) has a constant even
    part (even k >= 2 vanish)."""
    if spec["name"] in ("ntk", "rf") and spec["L"] == 2 and not spec.get("bias", False):
        return parity == 1
    return spec["name"] == "step" and spec["L"] == 2 and parity == 0


def plotted(row) -> np.ndarray:
    """Mask of the 160-bit eigenvalues that are plotted and fitted: estimated relative error below
    ``TRUST_RTOL``, and not an exactly vanishing parity (k >= 2)."""
    k = np.arange(row["mu_hp"].size)
    zero = np.zeros(k.size, bool)
    for parity in (0, 1):
        if _is_zero_parity(row["kernel"], parity):
            zero |= (k % 2 == parity) & (k >= 2)
    return (np.asarray(row["rel_err"]) < TRUST_RTOL) & ~zero


def trusted_limit(row, parity: int) -> int:
    """Largest k of the given parity such that every k' <= k of that parity (k' >= 2) is trusted."""
    k = np.arange(row["trusted"].size)
    sel = (k % 2 == parity) & (k >= 2)
    bad = k[sel & ~row["trusted"]]
    good = k[sel & row["trusted"]]
    if good.size == 0:
        return 0
    return int(good.max() if bad.size == 0 else good[good < bad.min()].max(initial=0))


def last_k(row, parity: int) -> int:
    """The largest plotted degree of the given parity (0 if none)."""
    k = np.flatnonzero(plotted(row))
    k = k[k % 2 == parity]
    return int(k.max()) if k.size else 0


def half_k(K: int) -> int:
    """The degree of the same parity as K nearest below K/2 (the Richardson partner of K)."""
    h = K // 2
    return h if h % 2 == K % 2 else h - 1


# --------------------------------------------------------------------------- exponents

def fit_exponent(row, parity: int, K: int | None = None):
    """Power-law fit (with a 1/k correction) of one parity over [K/4, K], K the largest plotted degree.

    Fits use the extended-precision eigenvalues that pass ``TRUST_RTOL`` (:func:`plotted`): the result
    does not depend on the float64 roundoff of a particular machine.
    """
    K = last_k(row, parity) if K is None else K
    ok = plotted(row)
    k = np.arange(parity, K + 1, 2)
    k = k[ok[k]]
    return fit_power_law(k, np.abs(row["mu_hp"][k]), window=(K // 4, K), correction=True)


def _zero_parity_claim(row, parity: int, q: str) -> Claim:
    mu = np.abs(row["mu_hp"])
    k = np.arange(2 + parity, mu.size)
    k = k[k % 2 == parity]
    ratio = float(np.max(mu[k] / mu[k - 1]))
    scale = kernels.make_kernel(**row["kernel"]).value_at_one
    bound = float(np.max((k + 1.0) ** 2 * 2.0 ** -row["prec_bits"] * scale / mu[k - 1]))
    return Claim(quantity=q + f": max |mu_k / mu_(k-1)|, k >= 2 ({row['prec_bits']} bits)", measured=ratio,
                 theory=0.0, tol=ZERO_MARGIN * bound,
                 tol_reason=("10 x the roundoff bound (k+1)^2 2^-prec kappa(1) of a vanishing extended-precision "
                             "eigenvalue, relative to its neighbour mu_(k-1)"),
                 source="this parity of kappa is a polynomial of degree <= 1")


def exponent_claims(table: pd.DataFrame) -> list[Claim]:
    """Fitted decay exponent per kernel, d and parity, against Theorem 1's -(d + 2 nu - 1).

    Deterministic claims (no interval): the tolerance is the fit's accuracy (:func:`method_tolerance`
    with the exponents fitted at K and K/2 and the regression half-width), shown as the tolerance.
    """
    out = []
    for _, row in table.iterrows():
        kern = kernels.make_kernel(**row["kernel"])
        theory = kernels.asymptotics(kern, row["d"])
        p = correction_order(row["kernel"], "exponent")
        step = kern.name == "step" and kern.L >= 3
        for parity, pname in ((0, "even"), (1, "odd")):
            q = f"d={row['d']}  {kern.label}, {pname} k"
            if _is_zero_parity(row["kernel"], parity):
                out.append(_zero_parity_claim(row, parity, q))
                continue
            K = last_k(row, parity)
            try:
                f = fit_exponent(row, parity, K)
                tol = tolerance_of(lambda k: fit_exponent(row, parity, k).exponent, K, p, extra=f.half_width)
            except ValueError:           # too few plotted degrees in a window
                out.append(Claim(quantity=q + " exponent", measured=float("nan"), theory=theory.exponent,
                                 source="Theorem 1: -(d + 2 nu - 1)"))
                continue
            out.append(Claim(quantity=q + f" exponent, k in [{K // 4}, {K}]", measured=f.exponent,
                             theory=theory.exponent, tol=tol,
                             tol_reason=_TOL_REASON["exponent_step" if step else "exponent"],
                             source="Theorem 1: -(d + 2 nu - 1)", digits=5))
    return out


# --------------------------------------------------------------------------- constants and parity

def _constant_at(row, asym, k: int) -> float:
    """mu_k / (exact eigenvalue of (1 - u)^nu at k): estimates c1 +- c_minus1, free of d."""
    return float(row["mu_hp"][k] / kernels.exact_eigs_power(asym.nu, int(row["d"]), k))


def _relative_tolerance(row, asym, K: int) -> float:
    """Relative accuracy of the constant measured at K (:func:`method_tolerance`, order "constant")."""
    c = _constant_at(row, asym, K)
    return tolerance_of(lambda k: _constant_at(row, asym, k) / c, K, correction_order(row["kernel"], "constant"))


def constants(table: pd.DataFrame, d: int, name: str) -> pd.DataFrame:
    """mu_K / (Theorem-1 Gamma-ratio form) at the largest plotted K and at K/2, per depth and parity."""
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
            Kh = half_k(K)
            theory = asym.c1 + (1 if K % 2 == 0 else -1) * asym.c_minus1
            rows.append({"L": spec["L"], "parity": "even" if parity == 0 else "odd", "k": K, "k_half": Kh,
                         "measured_constant": _constant_at(row, asym, K),
                         "measured_constant_half": _constant_at(row, asym, Kh), "theory_constant": theory,
                         "rel_tol": _relative_tolerance(row, asym, K),
                         "tol": tolerance_of(lambda k: _constant_at(row, asym, k) / theory, K,
                                             correction_order(spec, "constant"))})
    out = pd.DataFrame(rows)
    if not out.empty:  # = mu_K / the Gamma-ratio form of Theorem 1
        out["ratio_to_gamma_form"] = out["measured_constant"] / out["theory_constant"]
        out["ratio_half"] = out["measured_constant_half"] / out["theory_constant"]
    return out


def _c1_estimates(c: pd.DataFrame, column: str) -> pd.Series:
    """c1(L) as the mean of the even and odd coefficients (a vanishing parity counting as 0): free of c-1."""
    c1 = c.pivot_table(index="L", columns="parity", values=column, fill_value=0.0)
    return c1.reindex(columns=["even", "odd"], fill_value=0.0).mean(axis=1)


def constant_claims(table: pd.DataFrame, d: int) -> list[Claim]:
    """Constants of Theorem 1: per depth and parity, and their growth with depth.

    The mean of the even and odd coefficients estimates c1(L), so c1(L)/c1(L0) (L0 the smallest depth)
    is measured free of c-1; theory: L(L-1)/2 (NTK), L-1 (RF), relative to L0. Its tolerance is the sum
    of the relative tolerances of the constants it is made of (their O(k^-2) terms nearly cancel in the
    ratio, which leaves a rest that need not scale as k^-2, so the ratio's own Richardson estimate is
    not used).
    """
    out = []
    for name, growth in (("ntk", lambda L: L * (L - 1) / 2), ("rf", lambda L: L - 1.0)):
        c = constants(table, d, name)
        for _, r in c.iterrows():
            out.append(Claim(quantity=f"d={d}  {name.upper()} L={r['L']} {r['parity']}: mu_k / Theorem-1 form, k={r['k']}",
                             measured=r["ratio_to_gamma_form"], theory=1.0,
                             tol=r["tol"],
                             tol_reason=_TOL_REASON["constant"], digits=6,
                             source="Theorem 1 with c1(L), c-1(L) (NTK: -(sqrt2/pi) L(L-1)/2, -(sqrt2/pi) Pi_L; "
                                    "RF: (2 sqrt2/3pi) (L-1), (2 sqrt2/3pi) Pi_L) and C(d, nu)"))
        if c.empty or c["L"].nunique() < 2:
            continue
        c1 = _c1_estimates(c, "measured_constant")
        rel_tol = c.groupby("L")["rel_tol"].max()
        L0 = int(c1.index.min())
        for L in c1.index:
            if L == L0:
                continue
            q = float(c1[L] / c1[L0])
            out.append(Claim(quantity=f"d={d}  {name.upper()}: c1(L={L}) / c1(L={L0})", measured=q,
                             theory=growth(L) / growth(L0), tol=abs(q) * (rel_tol[L] + rel_tol[L0]),
                             tol_reason=_TOL_REASON["ratio"], digits=5,
                             source="L(L-1)/2 for the NTK, L-1 for RF"))
    return out


def parity_ratio(row, asym, K: int) -> float:
    """Measured even/odd ratio of the constants at the odd degree K: c(K-1)/c(K), c(k) = mu_k / eigenvalue
    of (1 - u)^nu at k (so the k-dependence of the leading term cancels exactly)."""
    return _constant_at(row, asym, K - 1) / _constant_at(row, asym, K)


def parity_rows(table: pd.DataFrame, d: int):
    """(row, spec, kernel, asymptotics) of every kernel at dimension ``d`` whose even and odd
    eigenvalues both decay (the even/odd ratio is defined)."""
    for _, row in table[table["d"] == d].iterrows():
        spec = row["kernel"]
        if _is_zero_parity(spec, 0) or _is_zero_parity(spec, 1):
            continue
        kern = kernels.make_kernel(**spec)
        yield row, spec, kern, kernels.asymptotics(kern, d)


def parity_table(table: pd.DataFrame, d: int) -> pd.DataFrame:
    """Even/odd ratio of the constants at the largest odd K (and at K/2), against Theorem 1.

    theory: the ratio of the Gamma-ratio forms, (c1 + c-1)/(c1 - c-1) for NTK, RF, Laplace and bias NTK;
    for step kernels with L >= 3 the two-term form with the t^{1/2} term at u = -1
    (:attr:`companion.kernels.Asymptotics.minus1_term`), whose leading order alone would give 1 (``leading``).
    """
    rows = []
    for row, spec, kern, asym in parity_rows(table, d):
        K = last_k(row, 1)
        if last_k(row, 0) < K - 1:
            K = last_k(row, 0) + 1
        Kh = half_k(K)
        two_term = asym.minus1_term is not None
        q, q_half = parity_ratio(row, asym, K), parity_ratio(row, asym, Kh)
        theory = float(asym.per_parity_constant(K - 1) / asym.per_parity_constant(K))
        if two_term:   # Richardson on measured / two-term form: the form itself varies as k^-(1 - 2 nu)
            def rest(k):
                return parity_ratio(row, asym, k) * asym.per_parity_constant(k) / asym.per_parity_constant(k - 1)
            tol = abs(theory) * tolerance_of(rest, K, correction_order(spec, "parity"))
        else:
            tol = abs(q) * (_relative_tolerance(row, asym, K - 1) + _relative_tolerance(row, asym, K))
        rows.append({"kernel": kern.label, "spec": spec, "k": K, "k_half": Kh, "tol": tol,
                     "measured": q, "measured_half": q_half, "theory": theory,
                     "leading": float((asym.c1 + asym.c_minus1) / (asym.c1 - asym.c_minus1)),
                     "two_term": two_term})
    return pd.DataFrame(rows)


def parity_claims(table: pd.DataFrame, d: int) -> list[Claim]:
    """Even/odd constant ratio vs Theorem 1 (two-term form for step kernels, leading order as the rival)."""
    out = []
    for _, r in parity_table(table, d).iterrows():
        tol = r["tol"]
        if r["two_term"]:
            out.append(Claim(quantity=f"d={d}  {r['kernel']}: even/odd constant ratio, k={r['k']}",
                             measured=r["measured"], theory=r["theory"], tol=tol, digits=6,
                             tol_reason=_TOL_REASON["parity_step"],
                             source="two terms: c1 t^nu at u = 1 and c' t^(1/2) at u = -1, c' = (sqrt2/pi) "
                                    "prod kappa0'(x_l) (step kernel)",
                             rival=r["leading"], rival_source="Theorem 1 at leading order (c-1 = 0 at order nu)"))
        else:
            out.append(Claim(quantity=f"d={d}  {r['kernel']}: even/odd constant ratio, k={r['k']}",
                             measured=r["measured"], theory=r["theory"], tol=tol, digits=6,
                             tol_reason=_TOL_REASON["ratio"], source="(c1 + c-1)/(c1 - c-1), Theorem 1"))
    return out


# --------------------------------------------------------------------------- d = 10

def high_dimension_kernels(cfg: Config) -> list[dict]:
    """NTK and RF at the smallest and largest depth of the page."""
    Ls = sorted({min(cfg.depths), max(cfg.depths)})
    return [{"name": name, "L": L} for name in ("ntk", "rf") for L in Ls]


def high_dimension(cfg: Config) -> pd.DataFrame:
    """NTK and RF spectra at d = d_high in float64 and extended precision (where float64 gives out)."""
    points = [{"kernel": spec, "d": cfg.d_high, "k_max": cfg.k_max_high, "prec_bits": cfg.prec_bits}
              for spec in high_dimension_kernels(cfg)]
    table = sweep(trusted_spectrum, points, seeds=(None,))
    table["label"] = [kernels.make_kernel(**s).label for s in table["kernel"]]
    return table


def high_dimension_claims(table: pd.DataFrame) -> list[Claim]:
    """At the last plotted even k: mu_k / Gamma-ratio form (Theorem 1's finite-k prediction) and, reported
    without a prediction, mu_k / pure power law (how far the asymptote still is)."""
    out = []
    for _, row in table.iterrows():
        kern = kernels.make_kernel(**row["kernel"])
        asym = kernels.asymptotics(kern, row["d"])
        K = last_k(row, 0)

        def q(k):
            return float(row["mu_hp"][k] / asym.gamma_ratio(k))
        out.append(Claim(quantity=f"d={row['d']}  {kern.label}: mu_k / Gamma-ratio form, k={K}", measured=q(K),
                         theory=1.0, tol=tolerance_of(q, K, correction_order(row["kernel"], "constant")),
                         tol_reason=_TOL_REASON["constant"], digits=5,
                         source="Theorem 1: (c1 + c-1) C(d, nu) Gamma(k - nu) / Gamma(k + nu + d - 1)"))
        out.append(Claim(quantity=f"d={row['d']}  {kern.label}: mu_k / pure power law (c1 + c-1) C(d, nu) k^(-d-2nu+1), k={K}",
                         measured=float(row["mu_hp"][K] / asym.power_law(K)), digits=3))
    return out


# --------------------------------------------------------------------------- precision

def _nonvanishing(row) -> np.ndarray:
    k = np.arange(row["mu_hp"].size)
    keep = np.ones(k.size, bool)
    for parity in (0, 1):
        if _is_zero_parity(row["kernel"], parity):
            keep &= ~((k % 2 == parity) & (k >= 2))
    return keep


def precision_table(*tables: pd.DataFrame) -> pd.DataFrame:
    """Per (d, kernel): the largest estimated relative error of the 160-bit eigenvalues (exact zeros
    left out) and how many of them are plotted (estimated relative error below ``TRUST_RTOL``)."""
    rows = []
    for _, row in pd.concat(tables, ignore_index=True).iterrows():
        keep = _nonvanishing(row)
        rel = np.asarray(row["rel_err"])[keep]
        rows.append({"d": int(row["d"]), "kernel": row["label"], "k_max": row["mu_hp"].size - 1,
                     "plotted": f"{int(plotted(row).sum())} of {int(keep.sum())}",
                     "largest estimated relative error": f"{rel.max():.0e}"})
    return pd.DataFrame(rows)


def precision_claims(*tables: pd.DataFrame) -> list[Claim]:
    """Per d: the largest estimated relative error of every nonvanishing 160-bit eigenvalue computed (all
    kernels, all k), against the plotting threshold: below it, every computed value is plotted and
    every plotted digit is trusted."""
    both = pd.concat(tables, ignore_index=True)
    out = []
    for d, g in both.groupby("d"):
        worst = max(float(np.max(np.asarray(r["rel_err"])[_nonvanishing(r)])) for _, r in g.iterrows())
        K = max(r["mu_hp"].size - 1 for _, r in g.iterrows())
        out.append(Claim(quantity=f"d={d}: largest estimated relative error of the {g['prec_bits'].iloc[0]}-bit "
                                  f"eigenvalues, all kernels, k <= {K}",
                         measured=worst, theory=0.0, tol=TRUST_RTOL,
                         tol_reason="the plotting threshold: a relative 1e-6 is invisible on a log axis",
                         source="quadrature converged (graded rule for the step kernels)"))
    return out


def float64_agreement(*tables: pd.DataFrame) -> list[Claim]:
    """Per d: max over kernels and every k of |mu64 - mu160| / kappa(1): float64 roundoff, absolute."""
    both = pd.concat(tables, ignore_index=True)
    eps = float(np.finfo(np.float64).eps)
    out = []
    for d, g in both.groupby("d"):
        worst, n_max, K = 0.0, 0, 0
        for _, row in g.iterrows():
            kern = kernels.make_kernel(**row["kernel"])
            K = max(K, row["mu64"].size - 1)
            n_max = max(n_max, sphere.graded_n_nodes(row["mu64"].size - 1, int(d), sphere.rule_grading(kern)))
            worst = max(worst, float(np.max(np.abs(row["mu64"] - row["mu_hp"])) / kern.value_at_one))
        # the Funk-Hecke constant exp(lgamma(d/2) - lgamma((d-1)/2) - log(sqrt pi)) carries a relative
        # error ~ eps (|lgamma(d/2)| + |lgamma((d-1)/2)| + 1), times |mu_k| <= kappa(1)
        g_d = abs(math.lgamma(d / 2)) + abs(math.lgamma((d - 1) / 2)) + 1.0
        out.append(Claim(quantity=f"d={d}: max |mu_k(float64) - mu_k({g['prec_bits'].iloc[0]} bits)| / kappa(1), "
                                  f"k <= {K}, all kernels",
                         measured=worst, theory=0.0, tol=(math.sqrt(n_max) + g_d) * eps,
                         tol_reason=("float64 roundoff: a sum of n quadrature terms, each at most kappa(1) w_j "
                                     "(sqrt(n) eps, random-walk growth; n = the largest rule), plus the Funk-Hecke "
                                     "constant's exp(lgamma - lgamma) (eps (|lgamma(d/2)| + |lgamma((d-1)/2)| + 1))"),
                         source="same integral, two precisions"))
    return out


def float64_limits(*tables: pd.DataFrame) -> list[Claim]:
    """The last degree (even, odd) up to which float64 agrees with extended precision to TRUST_RTOL, and
    the worst float64 error in units of eps kappa(1), per d.

    Machine-dependent by nature (it measures roundoff of this machine's libm and BLAS): recorded, and
    shown, but not compared by the regression tests. Where float64 never gives out within the computed
    range, the limit reads ">= k_max".
    """
    both = pd.concat(tables, ignore_index=True)
    eps = float(np.finfo(np.float64).eps)
    out = []
    for _, row in both.iterrows():
        kern = kernels.make_kernel(**row["kernel"])
        for parity, pname in ((0, "even"), (1, "odd")):
            if _is_zero_parity(row["kernel"], parity):
                continue
            lim = trusted_limit(row, parity)
            K = row["mu64"].size - 1
            K -= (K % 2 != parity)
            rel = "≥" if lim == K else "="
            out.append(Claim(quantity=f"d={row['d']}  {kern.label}: float64 trusted up to k {rel} ({pname})",
                             measured=lim, digits=0))
    for d, g in both.groupby("d"):
        worst = max(float(np.max(np.abs(r["mu64"] - r["mu_hp"]))) / kernels.make_kernel(**r["kernel"]).value_at_one
                    for _, r in g.iterrows())
        out.append(Claim(quantity=f"d={d}: max |mu_k(float64) - mu_k({g['prec_bits'].iloc[0]} bits)| / (eps kappa(1)), "
                                  "all k, all kernels",
                         measured=worst / eps, digits=1))
    return out
