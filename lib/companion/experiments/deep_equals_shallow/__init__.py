"""Deep equals shallow (Bietti & Bach, ICLR 2021): the experiments behind the page.

Every public function is called by the page ``notebooks/deep_equals_shallow.py``; the page defines
no logic of its own. Modules:

* :mod:`.config`      the page's parameters, profiles and validation
* :mod:`.spectra`     kernels, spectra (float64 against extended precision), exponents, constants, d = 10
* :mod:`.spectra_figures`  their figures
* :mod:`.networks`    finite networks against the analytic kernels
* :mod:`.regression`  kernel ridge regression with deep and shallow kernels
* :mod:`.paper`       the paper's own experiments: a bump on S^3, MNIST digits
"""

from .config import *  # noqa: F401,F403
from .config import PAGE, Config, make_config  # noqa: F401
from .networks import *  # noqa: F401,F403
from .paper import *  # noqa: F401,F403
from .regression import *  # noqa: F401,F403
from .spectra import *  # noqa: F401,F403
from .spectra import _is_zero_parity  # noqa: F401
from .spectra_figures import *  # noqa: F401,F403
from .spectra_figures import _family  # noqa: F401
