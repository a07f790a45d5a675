"""How deep CNNs lose spatial information (Tomasini, Petrini, Cagnetta & Wyart, MLST 2023): the
experiments behind the page ``notebooks/spatial_pooling.py``.

Every public function is called by the page; the page defines no logic of its own. Modules:

* :mod:`.config`   the page's parameters, profiles and validation
* :mod:`.theory`   the idealised pooling network's depth scalings (this book's derivation)
* :mod:`.run`      the training runs (one cached sweep), the idealised networks, reductions
* :mod:`.claims`   measured against predicted, with the tolerances and their reasons
* :mod:`.figures`  the page's figures
"""

from .claims import *  # noqa: F401,F403
from .config import PAGE, PROFILES, Config, make_config, task  # noqa: F401
from .figures import *  # noqa: F401,F403
from .run import *  # noqa: F401,F403
from .theory import *  # noqa: F401,F403
