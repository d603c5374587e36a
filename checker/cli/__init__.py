"""The ``objcheck`` command: one module per command group over the public API."""

from checker.cli.main import app, main

__all__ = ["app", "main"]
