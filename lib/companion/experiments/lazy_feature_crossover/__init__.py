"""The lazy-feature crossover alpha* ~ 1/sqrt(h) (Geiger, Spigler, Jacot & Wyart, J. Stat. Mech. 2020):
the experiments behind the page ``notebooks/lazy_feature_crossover.py``.

* :mod:`.config`   the page's parameters, profiles and validation
* :mod:`.run`      the gradient-flow runs (one cached sweep over alpha x h x seed) and their reductions
* :mod:`.claims`   measured against predicted, with tolerances and their reasons
* :mod:`.figures`  the page's figures
"""

from .claims import *  # noqa: F401,F403
from .config import *  # noqa: F401,F403
from .config import PAGE, PROFILES, Config, make_config  # noqa: F401
from .figures import *  # noqa: F401,F403
from .run import *  # noqa: F401,F403
