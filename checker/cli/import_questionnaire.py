"""``objcheck import questionnaire``: a filled Excel questionnaire → a profile (YAML, or
JSON when the target is named ``*.json``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from checker.cli.imports import import_app
from checker.io.convert import profile_json
from checker.io.files import UnreadableFileError, os_reason, read_regular, write_new
from checker.io.load import is_json
from checker.io.questionnaire import profile_yaml
from checker.io.yamlio import Limits
from checker.model.errors import InputError
from checker.render.questionnaire import read_questionnaire
from checker.render.safe import SafeConsole

EXIT_INPUT = 2
_stderr = SafeConsole(stderr=True, soft_wrap=True)


def _fail(messages: list[str]) -> typer.Exit:
    for message in messages:
        _stderr.print(Text.assemble(("ошибка:", "red"), f" {message}"), highlight=False)
    return typer.Exit(EXIT_INPUT)


@import_app.command("questionnaire")
def questionnaire(
    workbook: Annotated[Path, typer.Argument(metavar="АНКЕТА", help="Заполненная анкета (.xlsx)")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Куда записать профиль (по умолчанию — рядом, "
                     "с тем же именем и расширением .yaml; имя *.json — профиль в JSON)"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Перезаписать существующий профиль")
    ] = False,
) -> None:
    """Перевести заполненную анкету Excel в профиль школы (YAML или JSON); ошибки — с листом и
    ячейкой."""
    target = output or workbook.with_suffix(".yaml")
    try:
        content = read_regular(workbook, Limits.from_env().max_bytes)
    except UnreadableFileError as exc:
        raise _fail([f"{workbook}: {exc.reason}"]) from None
    try:
        profile, data = read_questionnaire(content, str(workbook))
    except InputError as error:
        raise _fail([str(problem) for problem in error.problems]) from None
    try:
        text = (profile_json(profile) if is_json(str(target))
                else profile_yaml(data, workbook.name))
        write_new(target, text.encode("utf-8"), overwrite=force)
    except FileExistsError:
        raise _fail([f"профиль {target} уже есть; чтобы заменить его, добавьте --force"]
                    ) from None
    except OSError as exc:
        raise _fail([f"не удалось записать {target}: {os_reason(exc)}"]) from None
    _stderr.print(f"Записано: {target}. Проверьте: objcheck check {target}", highlight=False,
                  markup=False)
