"""Timings of the Laplace-KRR solvers (a script that prints figures; not a test).

    .venv/bin/python benchmarks/bench_laplace.py [--P-dense 8192] [--repeats 3]

1. d = 1 exact solver (companion.laplace.solve_1d): P = 65 536 points solved and the exact test MSE
   integrated (target <= 0.1 s).
2. Dense KRR at P = 8192, float64, through companion.krr.krr_coef, against the bare LAPACK
   Cholesky + two triangular solves (dpotrf + dpotrs) of the same matrix, measured in the same run
   (target ratio <= 1.3), and against scikit-learn's KernelRidge(kernel="precomputed") (must be
   slower than krr_coef). BLAS threads are left as they are.
3. d >= 2 ridgeless KRR by conjugate gradients with the Vecchia preconditioner
   (companion.laplace.vecchia_factor + solve_pcg) against dense Cholesky at P = --P-dense: time,
   iterations and the largest difference of the predictions; then PCG alone at --P-pcg (the
   Gram is 8 P^2 bytes: 2 GiB at 16384), where Cholesky (P^3/3 flops) would take minutes on one core.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.linalg.lapack
from sklearn.kernel_ridge import KernelRidge
from threadpoolctl import threadpool_info

from companion.krr import krr_coef
from companion.laplace import InterfaceData, laplace_gram, solve_1d, solve_pcg, vecchia_factor


def best_of(fn, repeats, setup=lambda: None):
    """Minimum wall time of ``fn(setup())`` over ``repeats`` runs (setup not timed)."""
    times, out = [], None
    for _ in range(repeats):
        arg = setup()
        t0 = time.perf_counter()
        out = fn(arg)
        times.append(time.perf_counter() - t0)
    return min(times), out


def bench_1d(P: int, repeats: int) -> None:
    print(f"== d = 1 exact solver, P = {P}")
    for chi in (0.0, 1.0, 2.0):
        data = InterfaceData(d=1, chi=chi)
        X, y = data.sample(P, seed=0)
        for lam in (0.0, 1e-2):
            t_solve, model = best_of(lambda _: solve_1d(X[:, 0], y, lam=lam, sigma=1.0), repeats)
            t_total, mse = best_of(lambda _: solve_1d(X[:, 0], y, lam=lam, sigma=1.0).test_mse(data), repeats)
            t_cls, err = best_of(lambda _: model.class_err(data), repeats)
            print(f"  chi={chi:g} lam={lam:g}: solve {1e3 * t_solve:6.1f} ms, solve + exact test MSE "
                  f"{1e3 * t_total:6.1f} ms (target <= 100 ms) -> mse = {mse:.4e};  exact class. error "
                  f"{1e3 * t_cls:5.1f} ms -> {err:.3e}")


def bench_dense(P: int, repeats: int, lam: float = 1e-3) -> None:
    print(f"== dense KRR, P = {P}, d = 2, float64, lam = {lam:g}")
    blas = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
    print(f"  BLAS/OpenMP pools as found: {blas}")
    X, y = InterfaceData(d=2, chi=1.0).sample(P, seed=0)
    K = laplace_gram(X, X, sigma=1.0)
    A = K.copy()
    A.flat[:: P + 1] += lam  # K + lam I, the matrix every route factorises

    potrf, potrs = scipy.linalg.lapack.dpotrf, scipy.linalg.lapack.dpotrs

    def bare(M):  # M: F-ordered copy of K + lam I, factorised in place, no triangle cleaning
        c, info = potrf(M, lower=0, clean=0, overwrite_a=1)
        x, info2 = potrs(c, y[:, None], lower=0)
        assert info == 0 and info2 == 0
        return x[:, 0]

    def sk(_):
        return KernelRidge(kernel="precomputed", alpha=lam).fit(K, y).dual_coef_

    # interleaved rounds, so that drifts of clock speed or load hit every route alike
    routes = {
        "ref": (bare, lambda: np.array(A, order="F")),
        "copy": (lambda _: krr_coef(K, y, lam=lam), lambda: None),
        "over": (lambda M: krr_coef(M, y, lam=lam, overwrite_K=True), lambda: K.copy()),
        "sk": (sk, lambda: None),
    }
    times = {k: [] for k in routes}
    coefs = {}
    for _ in range(repeats):
        for k, (fn, setup) in routes.items():
            t, coefs[k] = best_of(fn, 1, setup)
            times[k].append(t)
    t_ref, t_copy, t_over, t_sk = (min(times[k]) for k in ("ref", "copy", "over", "sk"))
    a_ref, a1, a2, a3 = (coefs[k] for k in ("ref", "copy", "over", "sk"))
    for a in (a1, a2, a3):
        assert np.allclose(a, a_ref, rtol=1e-6, atol=1e-6 * np.abs(a_ref).max())
    print(f"  best of {repeats} interleaved rounds; all times: "
          + ", ".join(f"{k} [{' '.join(f'{t:.2f}' for t in v)}]" for k, v in times.items()))
    print(f"  bare LAPACK dpotrf + dpotrs               {t_ref:7.3f} s   (reference)")
    print(f"  krr_coef(K, y, lam)        [copies K]     {t_copy:7.3f} s   ratio {t_copy / t_ref:5.2f} (target <= 1.3)")
    print(f"  krr_coef(..., overwrite_K=True)           {t_over:7.3f} s   ratio {t_over / t_ref:5.2f}")
    print(f"  sklearn KernelRidge(precomputed).fit      {t_sk:7.3f} s   ratio {t_sk / t_ref:5.2f}"
          f"  ({'slower' if t_sk > t_copy else 'FASTER'} than krr_coef by {t_sk / t_copy:.2f}x)")


def bench_pcg(P_dense: int, P_pcg: int) -> None:
    for d, chi in ((2, 2.0), (3, 1.0)):
        data = InterfaceData(d=d, chi=chi, x1_law="power")
        X, y = data.sample(P_pcg, seed=0)
        Xt, _ = data.sample(2000, seed=1)
        for P in (P_dense, P_pcg):
            t0 = time.perf_counter()
            K = laplace_gram(X[:P], X[:P], sigma=1.0)
            t_gram = time.perf_counter() - t0
            t0 = time.perf_counter()
            factor = vecchia_factor(X[:P], sigma=1.0)
            t_vecchia = time.perf_counter() - t0
            t0 = time.perf_counter()
            a, n_iter = solve_pcg(K, y[:P], lam=0.0, factor=factor)
            t_pcg = time.perf_counter() - t0
            line = (f"  d={d} chi={chi:g} P={P}: Gram {t_gram:.2f} s, Vecchia {t_vecchia:.2f} s, "
                    f"PCG {n_iter} iterations {t_pcg:.2f} s")
            if P == P_dense:
                t0 = time.perf_counter()
                a0 = krr_coef(K, y[:P], lam=0.0, overwrite_K=True)
                t_chol = time.perf_counter() - t0
                Kt = laplace_gram(Xt, X[:P], sigma=1.0)
                line += f"; Cholesky {t_chol:.2f} s; max |f_PCG - f_Cholesky| = {np.abs(Kt @ (a - a0)).max():.1e}"
            print(line)
            del K


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--P-1d", type=int, default=65536)
    parser.add_argument("--P-dense", type=int, default=8192)
    parser.add_argument("--P-pcg", type=int, default=16384)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    bench_1d(args.P_1d, args.repeats)
    bench_dense(args.P_dense, args.repeats)
    print("== d >= 2 ridgeless: Vecchia-preconditioned CG vs dense Cholesky")
    bench_pcg(args.P_dense, args.P_pcg)


if __name__ == "__main__":
    main()
