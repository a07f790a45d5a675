# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Laplace kernel regression: when the spectral-bias prediction fails
#
# **Claim** {cite}`tomasini2022failure`. Spectral-bias (replica) theories of kernel ridge regression
# {cite}`canatar2021spectral` predict that with $P$ training points the regressor learns the top
# $O(P)$ eigenmodes of the kernel, and that its predictor is self-averaging. Take a classification
# target $f^*(x) = \mathrm{sign}(x_1)$, a data density that vanishes at the decision boundary as
# $p(x) \sim |x_1|^\chi$, and the Laplace kernel $K(x,y) = e^{-\|x-y\|/\sigma}$. Then
#
# 1. there is a crossover ridge $\lambda^*(P) \sim P^{-1/(d+\chi)}$: for $\lambda \gg \lambda^*$ the
#    spectral-bias prediction is right; for $\lambda \ll \lambda^*$ it fails, because the predictor is
#    then set by the few training points nearest the interface, not by an average over the data;
# 2. for ridgeless regression spectral bias predicts the right learning-curve exponent only as
#    $d \to \infty$ (and, in any $d$, for $\chi = 0$).
#
# ```{admonition} A reconstruction
# :class: warning
# No public code and no full text of the paper were available to us. The setup below and the three
# exponent formulas are a **reconstruction** from the abstract, the authors' slides and a scaling
# argument; this page checks them numerically. Numbers on this page test the reconstruction, not the
# paper's own figures.
# ```
#
# **Setup.** $x \in \mathbb{R}^d$ with $x_\perp \sim \mathcal{N}(0, I_{d-1})$ and $x_1$ of density
# $\propto |x_1|^\chi e^{-x_1^2/2}$; label $\mathrm{sign}(x_1)$; $\sigma = 1$. The ridge convention is
# the book's, $(K + \lambda I)\,a = y$ without a $1/P$ factor, so the continuum regulariser is
# $\lambda/P$. The test error is the mean-squared error $\varepsilon = \mathbb{E}_x(f_P(x) - f^*(x))^2$.
#
# **Scaling argument.** The nearest training point lies at $r \sim P^{-1/(d+\chi)}$ from the interface;
# spectral bias smooths the target over $\ell \sim (\lambda\sigma/P)^{1/(d+1+\chi)}$; the error is the
# mass of the band that is wrong, $\varepsilon \sim \max(r, \ell)^{1+\chi}$. The two lengths meet at
# $\lambda^* \sim P^{-1/(d+\chi)}/\sigma$, equivalently $P^*(\lambda) \sim (\lambda\sigma)^{-(d+\chi)}$.
# With $\varepsilon \sim P^{-\beta}$:
#
# | regime | $\beta$ | $d = 1$, $\chi = 0, 1, 2$ |
# |---|---|---|
# | $\lambda \ll \lambda^*$, ridgeless included (truth) | $(1+\chi)/(d+\chi)$ | $1, 1, 1$ |
# | fixed $\lambda > 0$, $P \gg P^*(\lambda)$ (spectral bias holds) | $(1+\chi)/(d+1+\chi)$ | $1/2, 2/3, 3/4$ |
# | spectral-bias prediction for $\lambda \to 0^+$ | $\beta_{SB} = (1+\chi)(d+1)/(d(d+1+\chi))$ | $1, 4/3, 3/2$ |
#
# **Methods.** In $d = 1$ the Laplace Gram on sorted points is an Ornstein–Uhlenbeck covariance: its
# inverse is tridiagonal, kernel regression costs $O(P)$, and the test error is integrated exactly
# between training points (`companion.laplace.solve_1d`), so $P$ reaches $10^5$. The spectral-bias
# theory (the equations for $\kappa$, $\gamma$ and $E_g$ of {cite}`canatar2021spectral`, written for
# $(K + \lambda I)$) is evaluated on a Nyström discretisation of the kernel's eigenproblem under the
# data measure (`companion.spectral_bias`), with $\ge 16$ grid nodes per relevant mode. In $d \ge 2$ the
# regression is a dense Cholesky solve with a Monte-Carlo test set.
#
# **Fit windows, fixed in advance.** Exponents are fitted seed by seed on log-log axes, with a 95%
# Student-$t$ interval over seeds. Ridgeless: the upper 8 octaves of $P$ (all sizes in $d \ge 2$).
# Fixed $\lambda$: the upper 4 octaves, keeping only sizes with $\lambda \ge 10\,\lambda^*(P)$; fewer
# than three sizes and the regime is reported as *not reached*.

# %% tags=["parameters"]
profile = "book"      # "book" (published), "smoke" (seconds) or "paper" (a big machine)
chis = None           # exponents chi of the density |x_1|^chi at the interface, e.g. [0, 1, 2]; each > -1
lams = None           # ridges of the 1-dimensional learning curves, increasing from 0, e.g. [0, 1e-3, 1e-2, 0.1, 1]
lam_fixed = None      # the ridge of the fixed-lambda fits (one of lams), e.g. 1.0
P_1d = None           # 1-dimensional training-set sizes, increasing, e.g. [64, 128, ..., 131072]
seeds_1d = None       # seeds of the 1-dimensional curves (at least 2)
dense_d = None        # dimensions of the dense ridgeless curves, e.g. [2, 3]
dense_P = None        # their training-set sizes, increasing, at most 32768

# %%
import time

from companion import style
from companion.claims import publish
from companion.experiments import laplace_krr_crossover as lkc

cfg = lkc.make_config(profile, chis=chis, lams=lams, lam_fixed=lam_fixed, P_1d=P_1d, seeds_1d=seeds_1d,
                      dense_d=dense_d, dense_P=dense_P)
style.apply()
t_start = time.perf_counter()
print(cfg)

# %% [markdown]
# ## Learning curves in $d = 1$
#
# Test MSE against $P$ for every $\chi$ and ridge, exact for each training set (nested training sets
# per seed). Ridgeless, every $\chi$ should give $\beta = 1$; at a fixed ridge the curve bends, once
# $P \gg P^*(\lambda)$, towards $P^{-(1+\chi)/(2+\chi)}$. The spectral-bias theory is evaluated at the
# same $(\lambda, P)$; its own ridgeless exponent is a check of the Nyström computation against the
# closed form $\beta_{SB}$.

# %%
curves = lkc.learning_curves_1d(cfg)
theory = lkc.sb_curves(cfg)
fits_1d = lkc.fit_exponents_1d(curves, cfg)
theory_fits = lkc.theory_exponents_1d(theory, cfg)
fig = lkc.plot_learning_curves_1d(curves, fits_1d, cfg)

# %%
# NBVAL_CHECK_OUTPUT
publish(lkc.ridgeless_claims(fits_1d, theory_fits), page=lkc.PAGE, section="d = 1, ridgeless exponents")

# %% [markdown]
# ## A fixed ridge: the spectral-bias exponent, reached slowly
#
# At $\lambda = 1$ the local exponent $-d\log\varepsilon/d\log P$ approaches $(1+\chi)/(2+\chi)$
# from above, and slowly: the smoothing length $\ell \sim (\lambda/P)^{1/(2+\chi)}$ shrinks only as
# $P^{-1/4}$ at $\chi = 2$ (still $0.06$ at $P = 10^5$), so the corrections to scaling fade slowly.
# The fair comparison at reachable $P$ is the theory's own local slope (dashed), which carries the
# same pre-asymptotic drift; the asymptote is dotted. Both are in the table.

# %%
fig = lkc.plot_local_slopes(curves, theory, fits_1d, cfg)

# %%
# NBVAL_CHECK_OUTPUT
publish(lkc.fixed_lam_claims(fits_1d, theory_fits, cfg), page=lkc.PAGE, section=f"d = 1, fixed λ = {cfg.lam_fixed:g}")

# %% [markdown]
# ## The crossover ridge $\lambda^* \sim P^{-1/(d+\chi)}$
#
# Rescaled by the ridgeless law, $\varepsilon\,P^{(1+\chi)/(d+\chi)}$ should be a function of
# $\lambda/\lambda^*(P)$ alone: flat (the ridgeless value, shaded band) for $\lambda \ll \lambda^*$,
# growing as $(\lambda/\lambda^*)^{(1+\chi)/(2+\chi)}$ for $\lambda \gg \lambda^*$. Every learning curve
# of the previous section, at every ridge and size, is replotted this way (geometric mean over seeds,
# the typical error). The scaling form needs both lengths small, $r, \ell \ll 1$: at $\chi = 2$ and
# $\lambda = 1$, $\ell = (\lambda/P)^{1/4}$ is still $0.1$ at $P = 10^4$, and that curve joins the
# others only at its largest sizes.

# %%
fig = lkc.plot_collapse(curves, cfg)

# %% [markdown]
# To measure $\lambda^*$ directly, take one training set, and find the ridge $\lambda_\times$ at which
# its test error reaches twice its ridgeless value (a root in $\log\lambda$). Its exponent in $P$
# should be $-1/(1+\chi)$.

# %%
crossover = lkc.crossover_ridges(cfg)
fig = lkc.plot_crossover(crossover, cfg)

# %%
# NBVAL_CHECK_OUTPUT
publish(lkc.crossover_claims(crossover), page=lkc.PAGE, section="Crossover ridge λ×(P)")

# %% [markdown]
# ## Spectral-bias theory against the simulations
#
# Top: the mean simulated error (markers) and the theory (dashed) at every ridge. Bottom: their ratio
# against $\lambda/\lambda^*(P)$. The theory predicts the *mean* error over training sets, so the
# ratio uses the arithmetic mean over seeds. For $\lambda \gg \lambda^*$ the ratio should tend to 1; for
# $\lambda \ll \lambda^*$ and $\chi > 0$ it should grow, ridgeless as $P^{\beta_{SB} - \beta}$
# (second figure).

# %%
fig = lkc.plot_theory_vs_simulation(curves, theory, cfg)

# %%
fig = lkc.plot_ridgeless_ratio(curves, theory, cfg)

# %%
# NBVAL_CHECK_OUTPUT
publish(lkc.ratio_claims(lkc.ratio_table(curves, theory), cfg), page=lkc.PAGE, section="Spectral-bias theory vs simulation")

# %% [markdown]
# ## Why: the extreme points near the interface
#
# One predictor, $\chi = 1$, $P = 1000$, near $x = 0$. Ridgeless (left), the predictor interpolates
# the labels, so between the two training points nearest the interface, $x_A < 0 < x_B$, it crosses
# over from $-1$ to $+1$ wherever these happen to fall: the error is set by that one random gap,
# $r \sim P^{-1/(1+\chi)}$, different for every training set (thin lines). The spectral-bias mean
# predictor $\bar f(x) = \sum_\rho \frac{P\eta_\rho}{P\eta_\rho + \kappa}\, c_\rho \phi_\rho(x)$ (dashed,
# from the Nyström spectrum and the theory's renormalised ridge $\kappa$) is instead a smooth step of
# width $\ell \ll r$: it assumes the data resolve the interface better than any finite sample does.
# At a large ridge (right) the smoothing length $\ell$ exceeds the gap; the predictors of all
# training sets are close to $\bar f$: self-averaging, and spectral bias is right.

# %%
fig = lkc.plot_predictor(lkc.predictors(cfg), lkc.mean_predictors(cfg), cfg)

# %% [markdown]
# ## $d \ge 2$: dense kernel regression
#
# Ridgeless learning curves in $d = 2$ and $3$ by dense Cholesky ($P \le 4096$ in the book profile,
# a Monte-Carlo test set of $10^4$ points), and one fixed ridge $\lambda = 1$ in $d = 2$. The
# spectral-bias theory is not computed here (the library's Nyström solver separates the eigenproblem
# only in $d = 1$). The truth and $\beta_{SB}$ differ by $0$, $0.08$, $0.15$ ($d = 2$) and $0$, $0.03$,
# $0.07$ ($d = 3$) for $\chi = 0, 1, 2$: these fits, claimed to $\pm 0.1$, cannot tell them apart
# except perhaps at $d = 2$, $\chi = 2$. The fixed-ridge regime needs $P \ge 10^{d+\chi}$ for
# $\lambda \ge 10\lambda^*$: the table says where that is not reached.

# %%
dense = lkc.dense_curves(cfg)
fits_dense = lkc.fit_exponents_dense(dense, cfg)
fig = lkc.plot_dense(dense, fits_dense, cfg)

# %%
# NBVAL_CHECK_OUTPUT
publish(lkc.dense_claims(fits_dense), page=lkc.PAGE, section="d ≥ 2, dense")

# %% [markdown]
# ## The exponents as $d$ grows
#
# The three formulas for $d = 1, 2, 3, \dots$ and $d \to \infty$. All exponents vanish as
# $d \to \infty$; the meaningful comparison is the ratio $\beta_{SB}/\beta$, which is 1 for $\chi = 0$
# at every $d$ and tends to 1 as $d \to \infty$ for $\chi > 0$, but only as $1 + \chi/d^2$. Measured
# exponents (95% intervals) from this page are added where they exist.

# %%
fits_all = lkc.combine_fits(fits_1d, fits_dense)
fig = lkc.plot_exponents_vs_d(fits_all, cfg)

# %%
# NBVAL_CHECK_OUTPUT
lkc.exponent_table(fits_all, cfg).set_index(["χ", "d"])

# %% [markdown]
# ## What this shows
#
# Read the tables against the claim.
#
# - **Ridgeless, $d = 1$.** The measured exponents are 1 for every $\chi$, as the extreme-value
#   argument says, and exclude the spectral-bias values $4/3$ and $3/2$ for $\chi = 1, 2$: the rows
#   marked DISAGREES *are* the claim of the paper, that spectral bias fails there. The Nyström theory
#   itself reproduces $\beta_{SB}$, so the failure is the theory's, not the discretisation's, and the
#   ratio simulation / theory grows as $P^{\beta_{SB}-\beta}$, by more than an order of magnitude over
#   the sizes reached at $\chi = 2$.
# - **$\chi = 0$.** Exponents agree (both are 1) and the ridgeless mean error is within the stated 10%
#   of the theory, with a wide interval: the ridgeless error is heavy-tailed over training sets (it
#   is set by one random gap), so the mean of 16 seeds scatters by tens of per cent from one size to
#   the next. At the smallest sizes ($P \le 128$) the theory overestimates the error at small ridges,
#   by up to about 30% at $P = 64$: a finite-$P$ correction, within a few per cent from $P = 256$ on.
# - **Fixed ridge.** For $\lambda \gg \lambda^*$ the theory matches the mean error to within 10%, and the
#   measured local exponents follow the theory's own local slopes. At $\chi = 2$ both still lie above
#   the asymptotic $3/4$ at $P \sim 10^5$: the asymptote is approached slowly, and the agreement with it
#   rests on the stated tolerance; the comparison with the theory at the same $P$ does not.
# - **Crossover.** The curves of all ridges and sizes collapse against $\lambda/\lambda^*(P)$ (at
#   $\chi = 2$ only once $\ell$ is small), and the directly measured $\lambda_\times(P)$ scales as
#   $P^{-1/(1+\chi)}$ within wide intervals: per-training-set crossovers fluctuate with the gap at the
#   interface.
# - **$d \ge 2$: not confirmed at these sizes.** For $\chi = 0$ the ridgeless exponents match
#   $1/d$. For $\chi > 0$ the measured exponents lie *above* the reconstruction's truth
#   $(1+\chi)/(d+\chi)$, close to or above $\beta_{SB}$: at $d = 2$, $\chi = 2$ the interval contains
#   $\beta_{SB}$ and misses the truth (which agrees only through the tolerance), and at $d = 3$,
#   $\chi = 2$ it misses the truth even with the tolerance. At $P \le 4096$ the nearest-point distance
#   $P^{-1/(d+\chi)}$ is still $0.1$–$0.2\,\sigma$, so these sizes may be pre-asymptotic (the fixed-ridge
#   exponents in $d = 2$ also lie above their asymptotes), but this page cannot show it: the
#   reconstruction's ridgeless exponent in $d \ge 2$ with $\chi > 0$, and with it the claimed failure of
#   spectral bias at finite $d \ge 2$, is **not confirmed** here. The `paper` profile (sizes to 16384,
#   8 seeds) is the next test.
#
# What this page does not reproduce: the paper's own figures and constants (not available), the
# classification error (the exponents here are of the MSE), and the spectral-bias theory in
# $d \ge 2$.

# %%
# NBVAL_IGNORE_OUTPUT
print(f"page computed in {time.perf_counter() - t_start:.0f} s wall")
