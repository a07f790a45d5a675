"""companion: the shared library behind every page of the book.

One module per concern: ``sphere`` (sampling, Gegenbauer polynomials, Funk–Hecke),
``kernels`` (dot-product kernels composed by depth), ``krr`` (kernel ridge regression),
``fit`` (power laws with intervals), ``nets`` (empirical kernels of finite torch nets),
``sweep`` and ``cache`` (cached, parallel grids), ``claims`` (measured-vs-theory tables),
``style`` (figures), ``pages`` (executing the book's pages) and ``experiments/<page>``.
"""

__version__ = "0.1.0"
