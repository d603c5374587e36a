"""``python -m checker`` — the same as the ``objcheck`` command."""

from checker.cli import main

main()
