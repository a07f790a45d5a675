"""Laplace KRR on a classification interface (Tomasini, Sclocchi & Wyart, ICML 2022): the experiments.

Every public function is called by the page ``notebooks/laplace_krr_crossover.py``; the page defines
no logic of its own. The setup and the exponents are a reconstruction (from the paper's abstract, the
authors' slides and a scaling argument; the paper's full text and code were not available to us).
Modules:

* :mod:`.config`     parameters, profiles, validation, windows and the scaling predictions
* :mod:`.one_d`      d = 1 (exact): learning curves split by region, extreme gaps, spread over
                     training sets, crossover ridge, one predictor
* :mod:`.theory`     spectral-bias theory on the d = 1 Nyström grid, and its ratio to the simulations
* :mod:`.interface`  d >= 2 (conjugate gradients): the test error split at the interface
* :mod:`.claims`     measured vs predicted, with sources, rivals and tolerances
* :mod:`.figures`    the figures, drawn for the book's column
"""

from .claims import *  # noqa: F401,F403
from .config import *  # noqa: F401,F403
from .config import PAGE, PROFILES, Config, make_config  # noqa: F401
from .figures import *  # noqa: F401,F403
from .interface import *  # noqa: F401,F403
from .one_d import *  # noqa: F401,F403
from .theory import *  # noqa: F401,F403
