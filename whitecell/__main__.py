"""``python -m whitecell``: the same as the ``whitecell`` command."""

from whitecell.cli import main

main()
