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
# # The Random Hierarchy Model: deep CNNs learn with $P^* \sim n_c m^L$ data
#
# **Claim** {cite}`cagnetta2024rhm`. Data generated
# by a random, hierarchical, context-free grammar with synonyms are learnt by a deep convolutional
# network whose filters match the tree with
#
# $$P^* \sim n_c\, m^L$$
#
# training points: polynomial in the input dimension $d = s^L$ ($P^*/n_c \sim d^{\ln m/\ln s}$). A
# shallow network needs instead a finite fraction of all $P_{\max} = n_c\, m^{(s^L-1)/(s-1)}$ distinct
# data, exponential in $d$: the curse of dimensionality. $P^*$ is also the training-set size at which
# the hidden representations become insensitive to exchanges of synonyms, and the size at which the
# correlations of single input patches with the label rise above sampling noise; when those
# correlations are removed, deep networks stay at chance.
#
# **The model.** Depth $L$, patch size $s$, vocabulary $v$ at every level, $m$ synonyms, $n_c$ classes.
# At the top level each class gets $m$ distinct $s$-tuples of level-$(L-1)$ symbols; at every lower
# level each of the $v$ symbols gets $m$ distinct $s$-tuples of the level below; level-1 tuples are the
# input patches. A level's $n_{\rm parents}\, m$ tuples are drawn uniformly *without replacement* from
# the $v^s$ possible ones, so every tuple has one parent and the label is a function of the input;
# each level has its own table, and a rule depends on the parent symbol, not on its position. A datum
# is a uniform class and, at each of the $(s^L-1)/(s-1)$ internal nodes of the tree, a uniform choice of
# one of its symbol's $m$ rules: an integer in $[0, P_{\max})$ read in mixed radix (class first, then
# one base-$m$ digit per node, breadth-first). Training and test sets are disjoint samples of these
# integers without replacement (`companion.rhm`). The input is the one-hot encoding of the $s^L$
# leaves, built batch by batch.
#
# **Synonymic sensitivity.** For the output $f_k$ of hidden layer $k$ and the exchange $P_l$ that
# re-draws every rule choice at level $l$ (keeping the label),
#
# $$S_{k,l} = \frac{\langle \|f_k(x) - f_k(P_l x)\|^2\rangle_x}{\langle \|f_k(x) - f_k(y)\|^2\rangle_{x,y}}.$$
#
# Level 1 exchanges input patches for synonyms; layer $k$ sees a patch of $s^k$ inputs, the
# span of one level-$k$ symbol, so it can become invariant to exchanges at every level $l \le k$.
#
# **Protocol.** For each $(m, L)$ at $v = n_c = 8$, $s = 2$: a deep CNN with $L$ hidden layers of
# non-overlapping convolutions (filter size = stride = $s$) and ReLU, a linear readout, trained on
# the cross-entropy to near-zero training loss, at training-set sizes $P$ on a grid in units of
# $n_c m^L$, several seeds (a seed draws a new grammar, data, initialisation and batch order); test
# error on a disjoint test set. $P^*$ is the first $P$ at which the test error falls below 10% of the
# chance error $1 - 1/n_c$, interpolated linearly in $\log P$ between grid points.
#
# ```{admonition} Deviations from the paper's protocol
# :class: warning
# * **Optimiser.** Adam (learning rate 0.03, batches of 128, no weight decay, no schedule) instead of
#   SGD with momentum and a learning rate scaled with the width.
# * **Parametrisation.** Weights $\mathcal N(0,1)$ divided by $\sqrt{\text{fan-in}}$ in the forward
#   pass and a readout divided by the width (the paper's mean-field scaling), but biases start at
#   zero, arithmetic is float32 (the authors' code defaults to float64), and the widths (128 for the
#   CNN, 256 for the shallow net in the book profile) are chosen for a CPU budget, not matched to the
#   paper's.
# * **Stopping rule.** Training stops after the first epoch whose mean minibatch cross-entropy is
#   below 0.01, or after 1000 epochs; every run is checked for zero training error below.
# * **Threshold and grid.** $P^*$ at 10% of the chance error, interpolated on a grid of half-octave
#   steps in units of $n_c m^L$; few seeds (book profile: 4 per $(m, L)$), a test set of 2000 points.
# * **Sensitivity.** Measured on 500 test points, on each layer's output after the ReLU; the
#   exchange re-draws every rule choice at its level uniformly (it may redraw the same rule).
# * **Shallow baseline.** A fully-connected network with one hidden layer, same optimiser and
#   stopping rule, on grammars small enough to reach a fraction of $P_{\max}$.
# * **Uncorrelated control.** The authors' code does not include it: here its rules give parent $a$
#   the tuples $(i, (i + a) \bmod v)$, up to random relabellings, with $m = v$ (every tuple used), so
#   that each position of a tuple is uniform whatever its parent; at $v = m = 2$ it is a tree of XORs.
# ```

# %% tags=["parameters"]
profile = "book"      # "book" (published), "smoke" (seconds) or "paper" (a big machine)
pairs = None          # deep-CNN (m, L) pairs at v, n_c and s of the profile, e.g. [[2, 4], [3, 3], [4, 3], [4, 4], [8, 3]]
P_ratios = None       # training-set sizes in units of n_c m^L, increasing, e.g. [0.25, 0.3536, ..., 4.0]
seeds = None          # seeds per (m, L), at least 2 (each seed a new grammar, data and initialisation)
width = None          # channels of every CNN hidden layer, e.g. 128
threshold = None      # P* is where the test error falls below threshold times chance, in (0, 1), e.g. 0.1
shallow_pairs = None  # (m, L) pairs of the shallow nets, e.g. [[2, 3], [3, 3], [4, 3]]
shallow_fracs = None  # shallow training-set sizes in units of P_max, increasing, below 0.95
control_ratios = None # sizes of the uncorrelated control in units of n_c m^L, e.g. [1, 4, 16]

# %%
from companion import style
from companion.claims import publish
from companion.experiments import rhm_sample_complexity as rsc

cfg = rsc.make_config(profile, pairs=pairs, P_ratios=P_ratios, seeds=seeds, width=width, threshold=threshold,
                      shallow_pairs=shallow_pairs, shallow_fracs=shallow_fracs, control_ratios=control_ratios)
style.apply()

# %% [markdown]
# ## The runs
#
# Every network of the page is trained in one cached, parallel sweep (one worker per core, one
# thread per worker). The first table checks the protocol: every network must interpolate its
# training set, and the stopping rule says how many reached the loss threshold before the epoch cap.

# %%
runs = rsc.run(cfg)
deep, shallow, control = (rsc.of_kind(runs, k) for k in ("deep", "shallow", "control"))
ps = rsc.sample_complexity(deep, threshold=cfg.threshold)

# %% tags=["nbval-ignore-output"]
training_claims = rsc.training_claims(runs)
publish(training_claims, page=rsc.PAGE, section="Training protocol")

# %% [markdown]
# ## Learning curves and their collapse
#
# Test error against $P$ (top) and against $P/(n_c m^L)$ (bottom), the mean over seeds with the range
# of seeds shaded. The pairs span more than a factor 30 in $n_c m^L$ and orders of magnitude in
# $P_{\max}$ (the summary at the end gives both); if $P^* \propto n_c m^L$ the curves fall on one
# another in the bottom panel. Dotted: the threshold
# that defines $P^*$.

# %%
fig = rsc.plot_learning_curves(deep, ps, cfg)

# %% [markdown]
# ## The sample complexity $P^*$
#
# $P^*$ of every seed (dots) and their geometric mean with a 95% interval, against $n_c m^L$. The
# slope is fitted seed by seed on log-log axes, with a Student-$t$ interval over seeds. The rival is
# the scaling of shallow networks, $P^* \propto P_{\max}$: fitted over the same pairs it would give the
# slope marked on the dotted line (the pairs were chosen so that the two slopes differ).

# %%
slope = rsc.slope_fit(ps)
fig = rsc.plot_sample_complexity(ps, slope, rsc.rival_slope(cfg.pairs, cfg), cfg)

# %% tags=["nbval-ignore-output"]
slope_claims = rsc.slope_claims(ps, cfg)
publish(slope_claims, page=rsc.PAGE, section="P* against n_c m^L")

# %% [markdown]
# The prefactor $P^*/(n_c m^L)$ is not predicted (it depends on the optimiser and on the threshold);
# its values per pair, with 95% intervals over seeds:

# %% tags=["nbval-ignore-output"]
publish(rsc.ratio_claims(ps), page=rsc.PAGE, section="P*/(n_c m^L) per (m, L)")

# %% [markdown]
# ## Synonymic sensitivity
#
# $S_{1,1}$ and $S_{2,1}$ (the first and second hidden layers, level-1 synonyms: input patches
# exchanged for synonyms) and $S_{3,2}$ (the third layer, level-2 synonyms), mean over seeds, against
# $P/(n_c m^L)$; hollow markers at the left: the untrained network. The shaded band is the range of $P^*/(n_c m^L)$ over
# all pairs and seeds. The table compares like with like: $P_S$, where the sensitivity first falls
# below half its untrained value, with $P_{1/2}$, where the test error of the same seed first falls
# below half of chance (the half-way points of the two falls; $P^*$, at 10% of chance, lies further
# along the error's fall).

# %%
fig = rsc.plot_sensitivity(deep, ps, cfg)

# %% tags=["nbval-ignore-output"]
sensitivity_claims = rsc.sensitivity_claims(deep, cfg)
publish(sensitivity_claims, page=rsc.PAGE, section="Sensitivity falls with the test error")

# %% [markdown]
# The first hidden layer is a ReLU of a linear function of one one-hot patch, a sum of one weight
# vector per position: it cannot in general send all $m$ synonyms of a patch to one vector, and
# $S_{1,1}$ (left panel) falls only part of the way. The invariance to level-1 synonyms appears one
# layer up, in $S_{2,1}$.

# %% [markdown]
# ## Shallow networks: the curse of dimensionality
#
# A fully-connected network with one hidden layer on three grammars small enough for it to reach a
# fraction of $P_{\max}$. Top: its test error against $P/P_{\max}$. Bottom: at the same $P$, in units of
# $n_c m^L$, against the deep CNN on the same grammars. The claim is a slope of $P^*$ against
# $P_{\max}$ equal to 1; the rival is the deep scaling $P^* \propto n_c m^L$, whose slope over these
# pairs is given in the table.

# %%
ps_fc = rsc.shallow_complexity(shallow, threshold=cfg.threshold)
fig = rsc.plot_shallow(shallow, deep, cfg)

# %% tags=["nbval-ignore-output"]
shallow_claims = rsc.shallow_claims(ps_fc, ps, cfg)
publish(shallow_claims, page=rsc.PAGE, section="Shallow nets: P* against P_max")

# %% tags=["nbval-ignore-output"]
publish(rsc.shallow_ratio_claims(ps_fc, ps), page=rsc.PAGE, section="Shallow nets: P* per (m, L)")

# %% [markdown]
# ## The uncorrelated control
#
# The same deep CNN on a grammar with $v = m = n_c$ and on its uncorrelated counterpart, whose single
# patches carry no information on the label. The paper's argument says the CNN finds the hierarchy
# through those correlations: without them it should stay at chance far beyond $n_c m^L$.

# %%
fig = rsc.plot_control(control, cfg)

# %% tags=["nbval-ignore-output"]
control_claims = rsc.control_claims(control, cfg)
publish(control_claims, page=rsc.PAGE, section="Uncorrelated control")

# %% [markdown]
# ## What this shows
#
# Every claim of the page at the precision that the regression tests compare across machines
# (trained networks move a test error in its second digit between BLAS builds and thread counts, so
# the tables above are recorded but not compared): whether it holds (with or without its tolerance),
# and the decade of each prefactor $P^*/(n_c m^L)$.

# %% tags=["nbval-check-output"]
rsc.outcomes(training_claims + slope_claims + sensitivity_claims + shallow_claims + control_claims)

# %% tags=["nbval-check-output"]
rsc.order_of_magnitude(ps)

# %% [markdown]
# The numbers behind the conclusions, as this run measured them:

# %% tags=["nbval-ignore-output"]
print(rsc.conclusion(deep, ps, slope, shallow, ps_fc, control, cfg))

# %% [markdown]
# - **$P^* \propto n_c m^L$, with a small drift.** The learning curves of
#   all pairs fall on one another when $P$ is counted in units of $n_c m^L$, and the prefactor
#   $P^*/(n_c m^L)$ is of order one for every pair (the decade table), varying by less than a factor 2
#   while $P_{\max}$ varies over more than five decades: the shallow scaling $P^* \propto P_{\max}$,
#   whose slope over these pairs is printed as the rival, is excluded by far. The fitted slope lies
#   slightly *below* 1, and its interval over seeds excludes 1: the agreement rests on the tolerance
#   of the grid on which $P^*$ is read. The two largest pairs have the smallest prefactors; whether
#   that drift is a pre-asymptotic correction or a property of this training protocol (Adam, small
#   widths) is not settled by four seeds over a factor 32 — the `paper` profile, with more pairs,
#   seeds and a finer grid, is the next test.
# - **Synonymic invariance emerges as the task is learnt.** The second hidden layer loses its
#   sensitivity to exchanges of level-1 synonyms at the same training-set size as the test error
#   makes its fall (the half-way points coincide within the grid's accuracy for every pair); the
#   third layer's invariance to level-2 synonyms follows a little later, within one grid step. The
#   first layer cannot become invariant, as argued above. For $m = 2$ the sensitivity has already
#   fallen half-way at the smallest size of the grid for some seeds, which leaves that row with a
#   wide interval.
# - **Shallow networks are far behind.** At the largest size where every deep CNN has learnt its
#   grammar, the one-hidden-layer network still errs on a large fraction of the test set (printed
#   above), and its own $P^*$ is several times (for $(m, L) = (3, 3)$) to an order of magnitude (for
#   $(4, 3)$) larger than the deep CNN's. Over three grammars its $P^*$ grows nearly in proportion to
#   $P_{\max}$: the slope is a little below 1, holds only within the grid tolerance, and excludes the
#   deep scaling. Three small grammars are all a CPU budget reaches; the curse of dimensionality
#   proper (a fraction of $P_{\max}$ growing exponentially with $d$) is an extrapolation from them.
# - **Uncorrelated control.** Without single-patch correlations the deep CNN stays at chance (even a
#   little above it) at the largest size tried, where it has learnt the correlated grammar with the
#   same $(v, m, n_c, L)$ perfectly: the correlations are what it learns from, as the paper argues.
#
# What this page does not reproduce: the paper's optimiser and widths (see the deviations above),
# its larger grids and seed counts (the `paper` profile widens both), the measurement of input-label
# correlations themselves, and kernels (only a trained shallow network stands for shallow methods).
