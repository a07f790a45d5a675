"""The Sparse Random Hierarchy Model (Tomasini & Wyart, ICML 2024, arXiv:2404.10727): the experiments
behind the page ``notebooks/sparse_rhm.py``.

Every public function is called by the page; the page defines no logic of its own. Modules:

* :mod:`.config`   the page's parameters, profiles and validation
* :mod:`.run`      the training runs (one cached sweep) and their reductions (P*, P*_S, P*_D, exponents)
* :mod:`.claims`   measured against predicted, with the tolerances and their reasons
* :mod:`.figures`  the page's figures
"""

from .config import PAGE, PROFILES, Config, P_grid, make_config, model, test_size  # noqa: F401
from .run import *  # noqa: F401,F403
from .claims import *  # noqa: F401,F403
from .claims import outcomes  # noqa: F401
from .figures import *  # noqa: F401,F403
