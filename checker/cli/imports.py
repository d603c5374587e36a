"""``objcheck import``: bring data schools already have into a profile.

``questionnaire`` (``checker.cli.import_questionnaire``) turns a filled Excel questionnaire
into a profile; ``vpr`` reads ВПР result tables (ФИС ОКО, the school's protocol, a class
table), aggregates pupil rows to classes and writes them into the matching ВПР procedures
of the profile. The workbook is opened here (openpyxl); the layouts and the profile edit are
``checker.io.vpr_import``.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Annotated

import typer
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from checker.io.files import UnreadableFileError, read_regular
from checker.io.profile_edit import refuse_json
from checker.io.reference_import import (
    read_csv_rows,
    read_reference_rows,
    read_reference_yaml,
)
from checker.io.vpr_import import Rows, VprFileError, import_into_profile, read_sheets
from checker.model.errors import InputError
from checker.model.reference import WorkReference
from checker.render.safe import SafeConsole

EXIT_INPUT = 2
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000  # a parallel of a large school is a few hundred rows
MAX_COLUMNS = 200

import_app = typer.Typer(
    help="Импорт данных, которые у школы уже есть (анкета Excel, результаты ВПР), в профиль.",
    no_args_is_help=True,
)
stdout = SafeConsole(soft_wrap=True)
stderr = SafeConsole(stderr=True, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    stderr.print(f"ошибка: {message}", markup=False, highlight=False)
    return typer.Exit(EXIT_INPUT)


def read_workbook(path: Path) -> list[tuple[str, Rows]]:
    """The sheets of an .xlsx file as rows of cell values (formulas as last computed)."""
    try:
        data = read_regular(path, MAX_WORKBOOK_BYTES)
    except OSError as error:
        raise VprFileError(f"{path}: файл не прочитать ({error})") from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise VprFileError(f"{path}: это не книга Excel .xlsx (или файл повреждён)") from None
    sheets: list[tuple[str, Rows]] = []
    try:
        for sheet in book.worksheets:
            rows: list[tuple[object, ...]] = []
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                rows.append(tuple(row))
                if len(rows) > MAX_ROWS:
                    raise VprFileError(f"{path}: лист «{sheet.title}» длиннее {MAX_ROWS} строк")
            sheets.append((sheet.title, rows))
    finally:
        book.close()
    return sheets


def _scale(value: str | None) -> tuple[int, int, int] | None:
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    try:
        bounds = tuple(int(p) for p in parts)
    except ValueError:
        bounds = ()
    if len(bounds) != 3 or not 0 < bounds[0] < bounds[1] < bounds[2]:
        raise _fail(f"--scale: «{value}» — нужны три растущих балла для «3», «4», «5», "
                    "например 7,11,15")
    return bounds[0], bounds[1], bounds[2]


@import_app.command("vpr")
def import_vpr(
    files: Annotated[list[Path], typer.Argument(
        metavar="ФАЙЛ", help="Файлы .xlsx с результатами ВПР",
    )],
    profile: Annotated[Path, typer.Option("--profile", help="Профиль школы (YAML; JSON "
                                          "сначала переводится: objcheck convert)")],
    subject: Annotated[
        str | None, typer.Option("--subject", help="Предмет, если в файле нет строки «ВПР …»")
    ] = None,
    grade: Annotated[
        int | None,
        typer.Option("--grade", min=1, max=11, help="Класс (параллель), если его нет в файле"),
    ] = None,
    scale: Annotated[
        str | None,
        typer.Option("--scale", help="Баллы для «3», «4», «5» через запятую, если в файле нет "
                     "отметок (например, 7,11,15)"),
    ] = None,
) -> None:
    """Добавить или заменить результаты ВПР по классам в профиле (строки учеников
    сводятся к классам и в профиль не попадают)."""
    bounds = _scale(scale)
    works = []
    try:
        refuse_json(str(profile))  # before the workbooks are read: nothing to write into
        for file in files:
            works += read_sheets(read_workbook(file), subject, grade, bounds)
        changed = import_into_profile(profile, works)
    except VprFileError as error:
        raise _fail(str(error)) from None
    except InputError as error:
        for problem in error.problems:
            stderr.print(f"ошибка: {problem}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    except OSError as error:
        raise _fail(f"{profile}: не удалось записать ({error.strerror})") from None
    for work, proc in zip(works, changed, strict=True):
        classes = ", ".join(c.name for c in work.classes)
        stdout.print(
            f"{proc}: ВПР {work.subject}, {work.grade} кл. — {work.layout}; классы: {classes}",
            markup=False, highlight=False,
        )


def read_references(path: Path) -> list[WorkReference]:
    """The distributions of marks of ``check --reference FILE`` (by its suffix), or exit 2
    with the file, sheet, row and column of the problem."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return read_reference_rows(read_workbook(path))
        if suffix == ".csv":
            return read_reference_rows(read_csv_rows(path))
        if suffix in (".yaml", ".yml", ".json"):
            return read_reference_yaml(path)
    except VprFileError as error:
        message = str(error)
        raise _fail(message if message.startswith(str(path)) else f"{path}: {message}") from None
    except UnreadableFileError as error:
        raise _fail(f"{path}: {error.reason}") from None
    except UnicodeDecodeError as error:
        raise _fail(f"{path}: файл не в кодировке UTF-8 (байт {error.start})") from None
    except InputError as error:
        for problem in error.problems:
            stderr.print(f"ошибка: {problem}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INPUT) from None
    raise _fail(f"{path}: --reference: ожидался файл .xlsx, .csv, .yaml или .json")
