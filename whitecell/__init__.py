"""whitecell: run geopolitical crisis simulations and seminar wargames."""

import os

__version__ = "0.1.0"

if os.environ.get("WHITECELL_NATIVE"):  # a compiled core to use (whitecell.native)
    from whitecell.native import use_from_environment

    use_from_environment()
