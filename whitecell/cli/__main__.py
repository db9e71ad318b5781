"""``python -m whitecell.cli``: the same as the ``whitecell`` command."""

from whitecell.cli import main

main()
