"""The ``objcheck import`` command group: other formats turned into a school profile."""

from __future__ import annotations

import typer

import_app = typer.Typer(
    help="Импорт сведений школы из других форматов (анкета Excel) в профиль YAML.",
    no_args_is_help=True,
)
