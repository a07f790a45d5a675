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
# # The Sparse Random Hierarchy Model: invariance to deformations and its cost in data
#
# **Claim** {cite}`tomasini2024sparse`. Real images are *sparse*: the features that matter sit among
# uninformative pixels, and small smooth deformations move them without changing the class. Adding
# this sparsity to the Random Hierarchy Model (the page *The Random Hierarchy Model*) makes the task
# invariant to discrete displacements of its features, and a deep network then learns three things at
# the same training-set size $P^*$: the task, the invariance to exchanges of synonyms, and the
# invariance to displacements ($P^*_S \approx P^*_D \approx P^*$). Sparsity costs data:
#
# $$P^*_{\rm LCN} \sim (s_0+1)^L\, n_c m^L, \qquad P^*_{\rm CNN} \sim (s_0+1)^2\, n_c m^L,$$
#
# a factor growing with depth $L$ for locally connected networks (no weight sharing), and one that does
# not depend on $L$ for CNNs — the quadratic dependence on $s_0+1$ is an empirical law that the paper
# calls unexplained. This is offered as the explanation of the correlation seen on CIFAR-10 between a
# network's test error and its sensitivity to diffeomorphisms {cite}`petrini2021relative`.
#
# **The model** (reconstructed from the authors' code and notes; `companion.sparse_rhm`, an extension
# of `companion.rhm`). The RHM with depth $L$, patch size $s$, vocabulary $v$, $m$ synonyms and $n_c$
# classes, plus an *empty* symbol. Every $s$-tuple a rule produces becomes a patch of $s(s_0+1)$
# positions: each informative child gets a sub-patch of $s_0+1$ slots and sits in one of them, uniform
# and independent per node and per datum, the other $s_0$ slots empty; an empty position produces an
# all-empty patch below. The input has $(s(s_0+1))^L$ positions, $s^L$ of them informative, one-hot over
# the $v$ symbols there and all-zero at empty slots. A datum is the RHM's digits (class and rule choices)
# plus one slot digit per non-root node, so there are
# $P_{\max} = n_c\, m^{(s^L-1)/(s-1)}\, (s_0+1)^{s(s^L-1)/(s-1)}$ distinct data (checked by enumeration in
# the tests); training and test sets are disjoint samples without replacement. A **diffeomorphism** at
# level $l$ re-draws the slots of the level-$(l-1)$ symbols (values and rules kept); a **synonym
# exchange** at level $l$ re-draws the rule choices (slots kept); both keep the label, and each draws
# from its own random stream.
#
# **Sensitivities.** For the output $f_2$ of the second hidden layer, with $x'$ the transformed datum and
# $y$ an unrelated one, $\langle\|f_2(x)-f_2(x')\|^2\rangle / \langle\|f_2(x)-f_2(y)\|^2\rangle$: $S_2$
# for a synonym exchange and $D_2$ for a diffeomorphism, both at level 1 (the same function as the
# RHM page's $S_{k,l}$).
#
# **Protocol.** For each depth and $s_0 \in \{0, 1, 2\}$: a locally connected network (LCN: each patch
# position has its own weights) and a CNN, both with $L$ hidden layers of filter size = stride
# $= s(s_0+1)$, ReLU and a linear readout, trained on the cross-entropy to near-zero training loss, at
# training-set sizes $P = 2^{k/2}\, n_c m^L$ (the grid reaches further for larger $s_0$), several seeds
# (a seed draws the grammar — the same at every $s_0$ —, the data, the initialisation and the batch
# order). $P^*$ is the first $P$ at which the test error falls below 10% of chance, interpolated in
# $\log P$; $P^*_S$ and $P^*_D$ where $S_2$ and $D_2$ fall below half of their untrained value, compared
# with $P_{1/2}$, where the test error falls below half of chance (thresholds fixed before any run).
#
# ```{admonition} Deviations from the paper's protocol
# :class: warning
# * **Sizes.** Different grammars at the two depths, chosen for a CPU budget (parameters below): at
#   $L = 2$ and $s_0 = 0$ there are only $m$ times $n_c m^L$ data in all, so that depth needs a large
#   $m$, while $L = 3$ needs a small $n_c m^L$. The paper uses $v = m = n_c$ at both depths (the `paper`
#   profile: $v = m = n_c = 8$, width 512, eight seeds, $s_0$ up to 3).
# * **Optimiser.** Adam (learning rate 0.03, batches of 128, no schedule) instead of SGD with momentum,
#   batch 4 and a learning rate scaled with the width; width 32 in the book profile instead of 512;
#   float32; biases start at zero.
# * **Stopping rule.** Training stops at the first epoch whose mean minibatch cross-entropy is below
#   0.01 (the paper: $10^{-3}$), or after 300 epochs; every run's training error is checked below.
# * **Thresholds and grid.** $P^*$ at 10% of the chance error; $P^*_S$, $P^*_D$ at half the untrained
#   sensitivity (the paper chose its thresholds per figure); a half-octave grid reaching $2^3$ times the
#   LCN's predicted $P^*$ (less where $P_{\max}$ stops it); three seeds per curve; test sets of up to
#   1000 points (fewer at $s_0 = 0$, where $P_{\max}$ is small); sensitivities on up to 300 test points.
# * **Not reproduced.** No fully-connected baseline; no CIFAR-10 networks — the error–sensitivity
#   correlation is measured across the networks of this page.
# ```

# %% tags=["parameters"]
profile = "book"      # "book" (published), "smoke" (seconds) or "paper" (a big machine)
grammars = None       # one [L, v, m, n_c] per depth, e.g. [[2, 6, 6, 2], [3, 4, 2, 2]]
s0s = None            # empty slots per informative slot, increasing from 0, at least 3 values, e.g. [0, 1, 2]
seeds = None          # seeds per curve, at least 2
width = None          # channels of every hidden layer, e.g. 32
threshold = None      # P* is where the test error falls below threshold times chance, in (0, 1), e.g. 0.1

# %%
from companion import style
from companion.claims import publish
from companion.experiments import sparse_rhm as sr

cfg = sr.make_config(profile, grammars=grammars, s0s=s0s, seeds=seeds, width=width, threshold=threshold)
style.apply()

# %% [markdown]
# ## One sparse datum
#
# A datum at depth 2 with one empty slot per informative one; below it the same datum after a
# diffeomorphism and after a synonym exchange at level 1. Thick lines bound the patches that one
# first-layer filter sees, thin lines the sub-patches; the parse of the grammar (bottom-up) returns
# the same label for all three.

# %%
fig = sr.plot_datum(cfg)

# %% [markdown]
# ## The runs
#
# Every network of the page is trained in one cached sweep. The table checks the protocol: every
# network must interpolate its training set.

# %%
runs = sr.run(cfg)
ps = sr.thresholds(runs, cfg)

# %% tags=["nbval-ignore-output"]
training_claims = sr.training_claims(runs)
publish(training_claims, page=sr.PAGE, section="Training protocol")

# %% [markdown]
# ## Learning curves
#
# Test error against $P$ for each depth and architecture, one curve per $s_0$ (mean over seeds, range
# shaded); dotted: the threshold defining $P^*$; dashed: chance.

# %%
fig = sr.plot_learning_curves(runs, cfg)

# %% [markdown]
# ## The cost of sparsity
#
# $P^*(s_0)/P^*(0)$ of every seed (dots; the same grammar at every $s_0$) and their geometric mean with
# a 95% interval, against $s_0+1$. Dashed: the LCN law $(s_0+1)^L$ at each depth; dotted: the CNN law
# $(s_0+1)^2$. At $L = 2$ the two laws coincide; they part at $L = 3$.

# %%
fig = sr.plot_cost(ps, cfg)

# %% [markdown]
# The exponent of $s_0+1$ is fitted seed by seed (least squares of $\log P^*$ against $\log(s_0+1)$)
# with a Student-$t$ interval over seeds; each architecture's law is the other's rival. The depth
# claim compares the exponents at the two depths directly: $+1$ for the LCN, $0$ for the CNN.

# %% tags=["nbval-ignore-output"]
exponent_claims = sr.exponent_claims(runs, ps, cfg) + sr.depth_claims(runs, ps, cfg)
publish(exponent_claims, page=sr.PAGE, section="Cost of sparsity: exponent of s0+1")

# %% tags=["nbval-ignore-output"]
cost_claims = sr.cost_claims(ps, cfg)
publish(cost_claims, page=sr.PAGE, section="Cost of sparsity: P*(s0)/P*(0)")

# %% [markdown]
# ## Invariances learnt together with the task
#
# At the largest $s_0$: $S_2$ and $D_2$ relative to their untrained values and the test error relative
# to chance, against $P$, mean over seeds. Vertical lines: $P^*_S$ and $P^*_D$ (the sensitivity at
# half its untrained value, dashed, same colours), $P_{1/2}$ (the error at half of chance) and $P^*$
# (dash-dotted), geometric means over seeds; dotted: the two thresholds.

# %%
fig = sr.plot_sensitivities(runs, ps, cfg)

# %% tags=["nbval-ignore-output"]
sensitivity_claims = sr.sensitivity_claims(ps, cfg)
publish(sensitivity_claims, page=sr.PAGE, section="P*_S and P*_D against P_1/2")

# %% [markdown]
# The ratios to $P^*$ itself (measured: $P^*$, at 10% of chance, lies further along the error's fall
# than the half-way points):

# %% tags=["nbval-ignore-output"]
publish(sr.ratio_table(ps, cfg), page=sr.PAGE, section="P*_S / P* and P*_D / P*")

# %% [markdown]
# ## Test error against sensitivity
#
# Every trained network with empty slots ($s_0 > 0$): both architectures, both depths, every $s_0$ and
# $P$. The paper's explanation of the CIFAR-10 correlation {cite}`petrini2021relative`: the networks
# that generalise are those that became invariant to diffeomorphisms. Here the networks differ mostly
# by their training-set size, which moves both quantities; the correlation is measured, not predicted.

# %%
fig = sr.plot_correlation(runs, cfg)

# %% tags=["nbval-ignore-output"]
correlation_claims = sr.correlation_claims(runs)
publish(correlation_claims, page=sr.PAGE, section="Correlation of test error with D_2 and S_2")

# %% [markdown]
# ## What this shows
#
# Every claim's outcome at the precision that the regression tests compare across machines (trained
# networks move a test error in its second digit between BLAS builds, so the tables above are recorded
# but not compared):

# %% tags=["nbval-check-output"]
sr.outcomes(exponent_claims)

# %% [markdown]
# The numbers behind the conclusions, as this run measured them:

# %% tags=["nbval-ignore-output"]
print(sr.conclusion(runs, ps, cfg))

# %% [markdown]
# - **Sparsity costs data, and for the LCN the cost grows with depth.** At depth 3 the LCN's exponent
#   of $s_0+1$ agrees with $L$ and its interval excludes the CNN's law; the exponent rises from depth 2
#   to depth 3 by an amount whose interval contains $+1$ and excludes $0$. At depth 2 the two laws
#   coincide, so that row tests only their common value; the LCN's estimate there lies above 2 with a
#   wide interval (three seeds, and $P^*(0)$ at $L = 2$ is measured on the small test set that
#   $P_{\max}$ leaves).
# - **For the CNN the cost does not depend on depth.** Its exponent agrees with 2 at both depths, and the
#   change from depth 2 to depth 3 agrees with 0 and excludes $+1$. At depth 3 alone its interval,
#   widened by the grid tolerance, still reaches the LCN's law, so that row reads "does not
#   discriminate": it is the depth comparison that separates the two architectures. The quadratic law
#   itself remains, as in the paper, an empirical observation that this page reproduces, not explains.
# - **Invariances and the task.** Both sensitivities of the second layer fall over the same range of
#   training-set sizes as the test error, and $P^*_S$ lies close to $P^*$ (the ratio printed above). The
#   like-with-like test is stricter: with the thresholds fixed in advance (half the untrained
#   sensitivity against half the chance error) the synonymic sensitivity halves one to two octaves
#   *after* the test error does, so several rows of the table "$P^*_S$ and $P^*_D$ against $P_{1/2}$"
#   disagree; the diffeomorphism sensitivity halves together with the error at depth 2 and a little
#   later at depth 3. That the two invariances and the task are learnt at one $P^*$ therefore holds
#   here up to a factor of order 2 that depends on the thresholds — the paper, which chose its
#   thresholds per figure, does not fix that factor either.
# - **Test error against sensitivity.** Across all trained networks with empty slots the test error
#   rises with $D_2$ (rank correlation printed above), more tightly than with $S_2$. Here the networks
#   differ mostly by their training-set size, which moves both quantities, so the correlation is a
#   consequence of the falls above rather than an independent test.
#
# - **Protocol.** Every network stopped on the loss threshold; a few LCN runs stopped with a training
#   point still misclassified (the stopping rule reads the mean loss, not the training error; counts
#   printed above), which the protocol table flags as a disagreement with "train to interpolation".
#
# What this page does not reproduce: the paper's optimiser, batch size and widths (see the deviations),
# its grammars with $v = m = n_c$ at both depths and its larger $s_0$ (the `paper` profile), a
# fully-connected baseline, and networks trained on CIFAR-10.
