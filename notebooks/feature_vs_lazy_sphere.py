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
# # Feature learning can be worse than lazy: regression on the sphere
#
# **Claim** {cite}`petrini2022sparse`. Training a one-hidden-layer ReLU network in the feature
# (mean-field) regime makes its predictor *sparse*: a sum of $n_A = O(n)$ ReLU "atoms"
# $\sigma(\theta_j\cdot x)$. In the lazy regime the predictor is a kernel expansion
# $\sum_i g_i\,\Theta(x_i\cdot x)$ with the neural tangent kernel $\Theta$, which is smoother than a ReLU.
# For targets that are smooth along the sphere sparsity hurts: the test error $\varepsilon(n)\sim n^{-\beta}$
# of the lazy predictor decays *faster*, even in large dimension.
#
# **Predictions.** With $n$ points uniform on $\mathbb{S}^{d-1}$, a target whose harmonic power decays as
# $c_k\sim k^{-2\nu_t-(d-1)}$ (smoothness $\nu_t$; $\nu_t=\infty$ for the constant target) and a predictor
# built from functions whose harmonic coefficients decay as $k^{-a}$, the spectral-bias ansatz
# ($k_c\sim n^{1/(d-1)}$) gives $\beta=\min(2\nu_t,2a)/(d-1)$:
#
# $$\beta_{\rm feature}=\frac{\min(2\nu_t,\,d+2)}{d-1},\qquad \beta_{\rm lazy}=\frac{\min(2\nu_t,\,2d)}{d-1}.$$
#
# These formulas are *derived* under that ansatz (the project's science brief), not quoted from the
# paper's text. The regimes differ when $\nu_t>(d+2)/2$: for the constant target $4$ vs $4$ at $d=2$,
# $2.5$ vs $3$ at $d=3$, $1.75$ vs $2.5$ at $d=5$; for a rough target ($\nu_t=1.5$, $d=3$) both are $1.5$.
#
# **Method.** *Feature regime:* with a vanishing L1 penalty (or initialisation) the feature regime
# selects the minimum-total-variation interpolant, $\min \sum_j |w_j|$ subject to
# $\sum_j w_j\sigma(\theta_j\cdot x_i)=y_i$, which over a dictionary of $M$ random unit directions is a
# linear program (scipy's HiGHS; `companion.minl1`); we check the dictionary is large enough by doubling
# $M$. This is the limit of training, not training itself; trained networks are compared with it
# below. *Lazy regime:* ridgeless regression with the analytic NTK of the bias-free two-layer ReLU
# net, $\Theta(u)=u\,\kappa_0(u)+\kappa_1(u)$. Test errors on fresh points, several seeds (a seed
# draws the data, the target and the dictionary); the training sets of one seed are nested.
#
# ```{admonition} Deviations from the paper's protocol
# :class: warning
# * **Feature limit by LP, not by $10^5$–$10^7$ GD steps.** The learning curves use the minimum-L1 LP
#   over a random dictionary; trained networks are shown only at small $n$.
# * **Targets.** The rough target is an exact Gaussian process with a prescribed even spectrum
#   (no odd harmonics: a bias-free ReLU and its NTK cannot represent odd degrees $k\ge 3$), sampled
#   jointly at training and test points, instead of the authors' wide random teacher.
# * **Sizes.** $n\le 256$ at $d=3$ and $n\le 128$ at $d=2,5$, three seeds (the `paper` profile goes to
#   $n=1024$ with eight seeds).
# * **Image part left out.** The paper's experiments with fully-connected nets on images (test error and
#   stability to smooth deformations in both regimes) do not fit this page's time budget.
# ```

# %% tags=["parameters"]
profile = "book"      # "book" (published), "smoke" (seconds) or "paper" (a big machine)
sizes = None          # training-set sizes, one increasing list per d of dims, e.g. [[8, 16, 32, 64, 128], [16, ..., 256], [16, ..., 128]]
seeds = None          # seeds per size, at least 2
M = None              # random directions of the LP dictionary (checked at 2M), e.g. 4000
nu_t = None           # smoothness of the rough random-field target, e.g. 1.5
steps = None          # GD steps of the trained feature-regime network, e.g. 10000

# %%
from companion import style
from companion.claims import publish
from companion.experiments import feature_vs_lazy_sphere as fvl

cfg = fvl.make_config(profile, sizes=sizes, seeds=seeds, M=M, nu_t=nu_t, steps=steps)
style.apply()

# %% [markdown]
# ## The rough target: checking its construction
#
# The random field has covariance $C(x\cdot y)=\sum_{k\ \rm even\ \ge 2}c_k N(d,k)P_k(x\cdot y)$ with
# $c_k=k^{-2\nu_t-(d-1)}$ (`companion.sphere_fields`). Sampled on an exact quadrature of $\mathbb{S}^2$,
# its measured power per mode must follow the prescribed decay, and its odd-degree power must vanish.

# %%
spec = fvl.grf_spectrum(cfg)
fig = fvl.plot_spectrum(spec, cfg)

# %% tags=["nbval-check-output"]
spectrum_claims = fvl.spectrum_claims(spec, cfg)
publish(spectrum_claims, page=fvl.PAGE, section="Random-field target")

# %% [markdown]
# ## Learning curves
#
# Test error against $n$ in both regimes (thin lines: seeds; markers: geometric mean), with the
# predicted slopes dashed through the last point; the fit window is shaded. Each exponent is fitted
# seed by seed over the window, with a Student-$t$ interval over seeds; each claim carries the other
# regime's prediction as its rival, except where the two coincide ($d=2$, the rough target).

# %%
table = fvl.curves(cfg)
runs = fvl.main_runs(table, cfg)
fig = fvl.plot_learning_curves(runs, cfg)

# %% tags=["nbval-check-output"]
exponent_claims = fvl.exponent_claims(runs, cfg)
publish(exponent_claims, page=fvl.PAGE, section="Learning-curve exponents")

# %% [markdown]
# **Is the dictionary large enough?** The LP at the largest size of each curve, re-solved with $2M$
# directions: the change of its test error against the seed-to-seed spread at that size.

# %% tags=["nbval-ignore-output"]
doubling_claims = fvl.doubling_claims(fvl.doubling(table, cfg), runs, cfg)
publish(doubling_claims, page=fvl.PAGE, section="Dictionary size M -> 2M")

# %% [markdown]
# ## Sparsity
#
# The number of atoms $n_A$ of the minimum-L1 solution (neurons with non-zero weight, merged when
# they have the same activation pattern on the training set) against $n$. The lazy predictor, for
# comparison, is a dense expansion over all $n$ training points (in network terms: every neuron
# moves a little).

# %%
fig = fvl.plot_atoms_vs_n(runs, cfg)

# %% tags=["nbval-check-output"]
sparsity_claims = fvl.sparsity_claims(runs, cfg)
publish(sparsity_claims, page=fvl.PAGE, section="Atoms")

# %% [markdown]
# What the two predictors look like at $d=3$ for the constant target (one seed): the atoms of the
# minimum-L1 solution on $\mathbb{S}^2$ (longitude–latitude; marker area $\propto|w_j|$) and the
# deviation $f(x)-1$ of each predictor. The sparse predictor is a sum of ReLU ridges, whose kinks
# (great circles $\theta_j\cdot x=0$) it cannot smooth away; the NTK predictor's deviations are smaller.

# %%
pic = fvl.atoms_picture(cfg)
fig = fvl.plot_atoms_picture(pic)

# %% [markdown]
# ## Trained networks
#
# **Feature regime.** The authors' protocol at small $n$ ($d=3$, constant target): $f(x)=\frac1H\sum_h
# w_h\sigma(\theta_h\cdot x)$, $H$ neurons, $\theta_h$ projected on the sphere, $w$ initialised at zero,
# a small L1 penalty $\frac{\lambda}{H}\sum_h|w_h|$ (applied by soft thresholding), full-batch GD in
# float64 (`companion.twolayer.train_feature`). Its total variation and atom count against the GD
# step, with the LP's values (at $2M$) dashed.

# %%
feat_summary, feat_hist = fvl.trained_feature(cfg)
fig = fvl.plot_trained_feature(feat_hist, feat_summary)

# %% tags=["nbval-ignore-output"]
feature_claims = fvl.feature_training_claims(feat_summary, feat_hist, cfg)
publish(feature_claims, page=fvl.PAGE, section="Trained feature-regime net vs the LP")

# %% [markdown]
# **Lazy regime.** $f_\alpha(x)=\frac{\alpha}{\sqrt H}\sum_h[w_h\sigma(\theta_h\cdot x)-w^0_h\sigma(\theta^0_h\cdot x)]$
# trained by GD on $\frac{1}{2n\alpha^2}\sum_i(f_\alpha(x_i)-y_i)^2$ (`companion.twolayer.train_lazy`;
# in the $1/N$ normalisation of the seed notation, $N=\sqrt H/\alpha$). As $\alpha$ grows the net follows
# its linearisation at initialisation. Its parameters move by $O(1/\alpha)$: for a smooth activation the
# mean squared distance falls as $\alpha^{-2}$. At fixed $H$ the ReLU's kink adds activation flips (a
# fraction $O(1/\alpha)$ of neurons near each input, each changing $f$ by $O(1/\alpha)$); a rough
# argument of ours says these rare events could slow the fall to $\alpha^{-1}$. The claim tests the
# fitted slope against that argument, with the smooth rate $\alpha^{-2}$ as its rival. The
# linearisation's limit is regression with the *empirical* NTK of width $H$, which differs from the
# analytic NTK by a finite-width amount that $\alpha$ cannot remove.

# %%
lazy = fvl.trained_lazy(cfg)
fig = fvl.plot_trained_lazy(lazy)

# %% tags=["nbval-ignore-output"]
lazy_claims = fvl.lazy_training_claims(lazy, cfg)
publish(lazy_claims, page=fvl.PAGE, section="Trained lazy net vs the NTK")

# %% [markdown]
# ## What this shows
#
# Every claim's outcome (recorded tables above; this one is compared across machines):

# %% tags=["nbval-check-output"]
fvl.outcomes(spectrum_claims + exponent_claims + doubling_claims + sparsity_claims + feature_claims + lazy_claims)

# %% [markdown]
# The numbers behind the conclusions, as this run measured them:

# %% tags=["nbval-ignore-output"]
print(fvl.conclusion(runs, fvl.doubling(table, cfg), feat_summary, lazy, cfg))

# %% [markdown]
# - **Feature is worse than lazy for the constant target.** At $d=3$ and $d=5$ the minimum-L1 (feature)
#   predictor's test error lies above the NTK (lazy) one at every size, by a factor printed above for
#   the largest $n$ (about two orders of magnitude in this run), and the gap widens with $n$: the lazy
#   exponent is the larger one, as the paper claims. At $d=3$ both exponents land near their
#   predictions ($2.5$ and $3$); the feature interval is wide enough to hold the lazy value too, so that
#   claim *does not discriminate* — more seeds would narrow it. At $d=2$, where the two predictions
#   coincide, both measured exponents are close to $4$.
# - **At $d=5$ both exponents disagree with the formulas, in the same direction.** Both measured
#   exponents lie *above* their predictions while keeping $\beta_{\rm lazy}>\beta_{\rm feature}$. At
#   $d=5$ and $n\le 128$ the cut-off degree $k_c\sim n^{1/(d-1)}$ is only about 3: the curves are far
#   from the asymptotic regime that the spectral-bias ansatz describes, and the window drift
#   (the tolerance) underestimates that pre-asymptotic bias. Larger $n$ (the `paper` profile, to 1024)
#   is the test.
# - **Rough target: no difference.** For the random field with $\nu_t=1.5$ both regimes share the
#   predicted exponent $2\nu_t/(d-1)=1.5$; both measured exponents agree with it and the two test
#   errors nearly coincide at the largest size. The field's construction is checked: its measured
#   spectrum decays with the prescribed exponent and its odd-degree power vanishes. The LP's error at
#   $n=256$ on this target moves by more than the seed spread when $M$ doubles (the dictionary check
#   *disagrees*): a rough target needs more directions, and its largest-$n$ point carries that bias.
#   For the constant target the doubling changes the error by less than the seed spread.
# - **Sparsity.** The number of atoms is a finite fraction of $n$ that rises towards $n$ (the bound at
#   an LP vertex) as $n$ grows: $n_A/n$ is printed for the largest sizes. That rise makes the fitted
#   slope of $n_A$ against $n$ slightly *above* 1, and at $d=3,5$ its interval excludes 1: $n_A=O(n)$
#   holds, $n_A\propto n$ exactly does not yet. The lazy predictor, by contrast, spreads over all $n$
#   kernel terms with smooth bumps (the map above), the feature one over a few dozen ReLU ridges.
# - **Trained networks.** The lazy network follows its linearisation with a gap that shrinks with
#   $\alpha$ by four to five decades over three decades of $\alpha$. The fitted slopes lie between
#   $-1$ and $-2$; both intervals exclude $-1$, so the rare-flip argument for $\alpha^{-1}$ is refuted
#   (*disagrees*), while one interval also excludes $-2$; the fall steepens towards the smooth rate $\alpha^{-2}$ at the largest $\alpha$
#   (the conclusion's numbers), so the pure $\alpha^{-2}$ law describes the large-$\alpha$ end, not
#   the whole range. Its distance to the analytic-NTK predictor stops at the
#   finite-width difference between the empirical and the analytic NTK, as it must, and its test
#   error matches the NTK's within that difference. The feature-regime network trained by projected GD
#   with an L1 penalty reaches the LP's total variation to within a few percent, but after the
#   budgeted steps it still spreads its weight over two to three times as many activation patterns as
#   the LP has atoms (the count is still falling at the last step), and its test error is *lower*
#   than the LP's: it has not converged to the sparse limit (the authors ran $10^5$–$10^7$ steps on a
#   GPU). Those claims say *disagrees*; this is the page's main open point, and a longer run
#   (the `paper` profile, $10^5$ steps) is its test.
#
# Not reproduced here: the paper's image experiments (left out for time), its largest sizes, and
# the GD route to the feature limit at the sizes of the learning curves.
