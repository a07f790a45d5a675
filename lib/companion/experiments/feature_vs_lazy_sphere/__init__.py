"""Feature learning can be worse than lazy training: regression on the sphere (Petrini, Cagnetta,
Vanden-Eijnden & Wyart, NeurIPS 2022) — the experiments behind ``notebooks/feature_vs_lazy_sphere.py``.

* :mod:`.config`   parameters, profiles and validation
* :mod:`.run`      minimum-L1 and NTK learning curves (one cached sweep), the random-field check,
                   the trained networks
* :mod:`.claims`   measured against predicted, with tolerances and rivals
* :mod:`.figures`  the page's figures
"""

from .claims import *  # noqa: F401,F403
from .config import PAGE, PROFILES, Config, beta_feature, beta_lazy, make_config  # noqa: F401
from .figures import *  # noqa: F401,F403
from .run import *  # noqa: F401,F403
