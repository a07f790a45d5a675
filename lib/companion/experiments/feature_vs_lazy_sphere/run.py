"""The computations of the page: learning curves (one cached sweep), the random-field check, the
trained networks. :func:`curve_point` is the sweep's unit of work."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...kernels import gram, make_kernel
from ...krr import krr_coef
from ...minl1 import count_atoms, min_l1, relu_features
from ...sphere import sample_sphere
from ...sphere_fields import constant_target, s2_quadrature, sample_grf, spectrum_on_s2
from ...sweep import sweep
from ...twolayer import train_feature, train_lazy
from .config import Config

#: The lazy regime's kernel: the NTK of a one-hidden-layer ReLU net without bias.
NTK = make_kernel("ntk", L=2)


def data(*, d: int, n_pool: int, n_test: int, target: str, nu_t: float, seed: int):
    """Training pool (n_pool, d), test points (n_test, d) and the target at both, from ``seed``.

    ``target`` is "constant" or "grf" (the even random field of smoothness nu_t, drawn jointly at all
    points). Training sets of one seed are the prefixes of the pool (nested)."""
    ss = np.random.SeedSequence(seed).spawn(2)
    X = sample_sphere(n_pool + n_test, d, seed=ss[0])
    y = constant_target(X) if target == "constant" else sample_grf(X, nu_t=nu_t, seed=ss[1])
    return X[:n_pool], y[:n_pool], X[n_pool:], y[n_pool:]


def ntk_predictor(X, y, X_eval) -> np.ndarray:
    """Ridgeless regression with the analytic two-layer NTK: K(X_eval, X) K(X, X)^{-1} y."""
    return NTK(gram(X_eval, X)) @ krr_coef(NTK(gram(X)), y, lam=0.0)


def curve_point(*, d: int, n: int, n_pool: int, n_test: int, M: int, target: str, nu_t: float, seed: int) -> dict:
    """Feature (minimum-L1 LP) and lazy (NTK) test errors at one size and seed, with the LP's atoms."""
    X, y, Xt, yt = data(d=d, n_pool=n_pool, n_test=n_test, target=target, nu_t=nu_t, seed=seed)
    X, y = X[:n], y[:n]
    sol = min_l1(X, y, M=M, seed=int(np.random.SeedSequence(seed).spawn(3)[2].generate_state(1)[0]))
    return dict(eps_feature=float(np.mean((sol.predict(Xt) - yt) ** 2)),
                eps_lazy=float(np.mean((ntk_predictor(X, y, Xt) - yt) ** 2)),
                n_atoms=count_atoms(sol.theta, sol.w, X), n_neurons=len(sol.w), tv=sol.norm, lp_seconds=sol.seconds,
                target_var=float(np.var(yt)))


def _curve_point_seeded(*, seed_: int, **kw) -> dict:
    """The sweep's function: each grid point carries its own seed (``seed_``), so that the whole page
    is one list ordered by cost (the sweep, with ``seeds=(None,)``, adds none)."""
    return curve_point(seed=seed_, **kw)


def curves(cfg: Config) -> pd.DataFrame:
    """Every learning-curve point of the page in one cached sweep: constant target at each d, the
    random field at grf_d, and the 2M check at the largest size of each (seed 0). Columns: the
    point's parameters, seed, eps_feature, eps_lazy, n_atoms, n_neurons, tv, lp_seconds, target_var."""
    grid = []
    groups = [(d, ns, "constant") for d, ns in zip(cfg.dims, cfg.sizes)] + [(cfg.grf_d, cfg.grf_sizes, "grf")]
    for d, ns, target in groups:
        for n in ns:
            grid += [dict(d=d, n=n, n_pool=max(ns), n_test=cfg.n_test, M=cfg.M, target=target, nu_t=cfg.nu_t, seed=s)
                     for s in range(cfg.seeds)]
        grid.append(dict(d=d, n=max(ns), n_pool=max(ns), n_test=cfg.n_test, M=2 * cfg.M, target=target, nu_t=cfg.nu_t,
                         seed=0))
    grid.sort(key=lambda p: -p["n"] * p["M"])       # the largest LPs first, so that workers stay busy
    grid = [{k: v for k, v in p.items() if k != "seed"} | {"seed_": p["seed"]} for p in grid]
    table = sweep(_curve_point_seeded, grid, seeds=(None,))
    table = table.drop(columns="seed").rename(columns={"seed_": "seed"})
    return table.sort_values(["target", "d", "M", "seed", "n"], kind="stable").reset_index(drop=True)


def main_runs(table: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """The learning-curve runs at the page's M (the 2M checks left out)."""
    return table[table["M"] == cfg.M].reset_index(drop=True)


def doubling(table: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """Per (target, d): the LP at the largest size, seed 0, with M and 2M directions."""
    rows = []
    for (target, d), g in table[table["seed"] == 0].groupby(["target", "d"], sort=False):
        n = g["n"].max()
        a, b = (g[(g["n"] == n) & (g["M"] == m)].iloc[0] for m in (cfg.M, 2 * cfg.M))
        rows.append(dict(target=target, d=d, n=n, eps_M=a["eps_feature"], eps_2M=b["eps_feature"], tv_M=a["tv"],
                         tv_2M=b["tv"], atoms_M=a["n_atoms"], atoms_2M=b["n_atoms"], lp_seconds_2M=b["lp_seconds"]))
    return pd.DataFrame(rows)


def grf_spectrum(cfg: Config) -> pd.DataFrame:
    """Measured per-mode power of the random field on an exact S^2 quadrature, mean over
    ``spectrum_seeds`` samples; columns k, c_k (measured), c_k_std (over samples)."""
    X, w = s2_quadrature(cfg.spectrum_nodes)
    k_hi = cfg.spectrum_k[1]
    spectra = np.array([spectrum_on_s2(sample_grf(X, nu_t=cfg.nu_t, seed=1000 + s), X, w, k_hi)
                        for s in range(cfg.spectrum_seeds)])
    k = np.arange(k_hi + 1)
    return pd.DataFrame(dict(k=k, c_k=spectra.mean(0), c_k_std=spectra.std(0)))


def atoms_picture(cfg: Config, *, n: int = 64, seed: int = 0, grid: int = 121) -> dict:
    """The LP's atoms and both predictors at d = 3 for the constant target, on a longitude-latitude grid."""
    X, y, _, _ = data(d=3, n_pool=n, n_test=1, target="constant", nu_t=cfg.nu_t, seed=seed)
    sol = min_l1(X, y, M=cfg.M, seed=int(np.random.SeedSequence(seed).spawn(3)[2].generate_state(1)[0]))
    lon, lat = np.meshgrid(np.linspace(-np.pi, np.pi, 2 * grid), np.linspace(-np.pi / 2, np.pi / 2, grid))
    G = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1).reshape(-1, 3)
    return dict(X=X, theta=sol.theta, w=sol.w, lon=lon, lat=lat, n=n,
                f_feature=sol.predict(G).reshape(lon.shape), f_lazy=ntk_predictor(X, y, G).reshape(lon.shape),
                n_atoms=count_atoms(sol.theta, sol.w, X))


def trained_feature(cfg: Config, *, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Projected GD with an L1 penalty (d = 3, constant target) against the LP at each train size.

    Returns (summary per n, history per n and recorded step): TV norm, atoms, test error."""
    record = tuple(sorted({s for s in np.unique(np.geomspace(10, cfg.steps, 12).astype(int))} | {cfg.steps}))
    rows, hist = [], []
    for n in cfg.train_sizes:
        X, y, Xt, yt = data(d=3, n_pool=n, n_test=cfg.n_test, target="constant", nu_t=cfg.nu_t, seed=seed)
        sol = min_l1(X, y, M=2 * cfg.M, seed=int(np.random.SeedSequence(seed).spawn(3)[2].generate_state(1)[0]))
        eps_lp = float(np.mean((sol.predict(Xt) - yt) ** 2))
        out = train_feature(X, y, H=cfg.H, lam=cfg.lam, lr=cfg.lr, steps=cfg.steps, seed=seed, record=record)
        for step, theta, c in out["history"]:
            hist.append(dict(n=n, step=step, tv=float(np.abs(c).sum()), n_atoms=count_atoms(theta, c, X),
                             eps=float(np.mean((relu_features(Xt, theta) @ c - yt) ** 2))))
        last = hist[-1]
        rows.append(dict(n=n, tv_gd=last["tv"], tv_lp=sol.norm, atoms_gd=last["n_atoms"],
                         atoms_lp=count_atoms(sol.theta, sol.w, X), eps_gd=last["eps"], eps_lp=eps_lp,
                         train_mse=out["train_mse"], gd_seconds=out["seconds"], lp_seconds=sol.seconds,
                         device=out["device"]))
    return pd.DataFrame(rows), pd.DataFrame(hist)


def trained_lazy(cfg: Config, *, seed: int = 0) -> pd.DataFrame:
    """The alpha-scaled network (f - f0 subtracted) at each alpha and train size (d = 3, constant
    target): its distance to the same GD on the linearised model (gap_lin), to ridgeless regression
    with its empirical NTK at initialisation (gap_entk) and with the analytic NTK (gap_ntk), all as
    mean squared differences of test predictions, and its test error against the NTK's."""
    rows = []
    for n in cfg.train_sizes:
        X, y, Xt, yt = data(d=3, n_pool=n, n_test=cfg.n_test, target="constant", nu_t=cfg.nu_t, seed=seed)
        f_ntk = ntk_predictor(X, y, Xt)
        for alpha in cfg.alphas:
            out = train_lazy(X, y, Xt, H=cfg.H, alpha=alpha, lr=cfg.lazy_lr, steps=cfg.lazy_steps, seed=seed)
            f_entk = out["K0_test"] @ np.linalg.solve(out["K0"], y)
            p = out["pred_test"]
            rows.append(dict(n=n, alpha=alpha, gap_lin=float(np.mean((p - out["pred_lin"]) ** 2)),
                             gap_entk=float(np.mean((p - f_entk) ** 2)), gap_ntk=float(np.mean((p - f_ntk) ** 2)),
                             entk_vs_ntk=float(np.mean((f_entk - f_ntk) ** 2)), eps_net=float(np.mean((p - yt) ** 2)),
                             eps_ntk=float(np.mean((f_ntk - yt) ** 2)), train_mse=out["train_mse"],
                             seconds=out["seconds"]))
    return pd.DataFrame(rows)
