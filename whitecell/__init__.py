"""whitecell: run geopolitical crisis simulations and seminar wargames."""

__version__ = "0.1.0"
