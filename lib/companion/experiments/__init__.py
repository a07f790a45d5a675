"""One module per page: its ``Config`` (with profiles), the experiments it runs, and its figures."""
