"""The Random Hierarchy Model (Cagnetta, Petrini, Tomasini, Favero & Wyart, PRX 14, 031001, 2024):
the experiments behind the page ``notebooks/rhm_sample_complexity.py``.

Every public function is called by the page; the page defines no logic of its own. Modules:

* :mod:`.config`   the page's parameters, profiles and validation
* :mod:`.run`      the training runs (one cached sweep) and their reductions (P*, intervals)
* :mod:`.claims`   measured against predicted, with the tolerances and their reasons
* :mod:`.figures`  the page's figures
"""

from .claims import *  # noqa: F401,F403
from .config import *  # noqa: F401,F403
from .config import PAGE, PROFILES, Config, control_grammar, grammar, make_config, shallow_grid  # noqa: F401
from .figures import *  # noqa: F401,F403
from .run import *  # noqa: F401,F403
