"""Timings of the spectra: float64 Funk-Hecke sweep and extended-precision (arb) sweeps.

Run:  .venv/bin/python benchmarks/bench_spectra.py

Prints the time for mu_0..mu_2000 of the depth-4 NTK on S^2 (d = 3), relative to references measured
in the same run on the same node count n (the Gauss-Legendre rule itself, and one dense
(k_max + 1, n) @ (n,) matrix-vector product, i.e. reading a table of P_k values once), and the
funk_hecke_hp timings the hiprec module promises (d = 10, k_max = 300; d = 3, k_max = 2000; 160 bits).
"""

from __future__ import annotations

import time

import numpy as np

from companion import hiprec, sphere
from companion.kernels import make_kernel


def best_of(fn, repeat: int) -> float:
    """Smallest wall time of ``repeat`` calls (seconds)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(repeat: int = 9) -> dict[str, float]:
    d, k_max = 3, 2000
    kernel = make_kernel("ntk", L=4)
    n = sphere.default_n_nodes(k_max, d)

    def nodes_cold():
        sphere._half_nodes.cache_clear()
        sphere._half_nodes(n)

    t_nodes = best_of(nodes_cold, repeat)
    sphere._half_nodes(n)                                  # warm the cache for the sweeps below
    t_warm = best_of(lambda: sphere.funk_hecke(kernel, d, k_max), repeat)
    t_cold = best_of(lambda: (sphere._half_nodes.cache_clear(), sphere.funk_hecke(kernel, d, k_max)), repeat)
    table = np.random.default_rng(0).standard_normal((k_max + 1, n))
    vec = np.random.default_rng(1).standard_normal(n)
    t_matvec = best_of(lambda: table @ vec, repeat)

    print(f"float64 funk_hecke, NTK L=4, d={d}, mu_0..mu_{k_max}, n_nodes={n}:")
    print(f"  sweep with cached nodes   {t_warm * 1e3:8.1f} ms  = {t_warm / t_matvec:6.1f} x one "
          f"({k_max + 1}x{n}) matvec ({t_matvec * 1e3:.2f} ms)")
    print(f"  including node rule       {t_cold * 1e3:8.1f} ms  = {t_cold / t_nodes:6.2f} x the node rule alone "
          f"({t_nodes * 1e3:.1f} ms)")

    out = {"float64_warm_s": t_warm, "float64_cold_s": t_cold, "nodes_s": t_nodes, "matvec_s": t_matvec}
    for d_hp, k_hp in ((10, 300), (3, 2000)):
        hiprec._half_rule.cache_clear()
        t0 = time.perf_counter()
        _, rel = hiprec.funk_hecke_hp(kernel, d_hp, k_hp)
        t_hp = time.perf_counter() - t0
        n_hp, n_lo = hiprec.hp_n_nodes(k_hp, d_hp, 160)
        print(f"funk_hecke_hp 160 bits, NTK L=4, d={d_hp}, k_max={k_hp} (nodes {n_hp} + {n_lo}): "
              f"{t_hp:6.2f} s  = {t_hp / t_warm:7.0f} x the float64 sweep; max rel_err {np.max(rel):.1e}")
        out[f"hp_d{d_hp}_k{k_hp}_s"] = t_hp
    return out


if __name__ == "__main__":
    main()
