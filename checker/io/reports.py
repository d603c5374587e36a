"""Reading an earlier JSON report (``objcheck check --since``, ``objcheck diff``)."""

from __future__ import annotations

import json
from pathlib import Path

from checker.io.files import os_reason
from checker.io.validation import validate
from checker.model.errors import InputError, Problem
from checker.model.report import REPORT_VERSION, Report

SUPPORTED_MAJOR = REPORT_VERSION.split(".", 1)[0]


def load_report(text: str, origin: str) -> Report:
    """Parse and validate a report written by ``objcheck check --format json``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(origin, exc.lineno, (), "файл не является JSON-отчётом "
                                  f"objcheck: ошибка синтаксиса JSON ({exc.msg})")]) from None
    if isinstance(data, dict):
        version = str(data.get("report_version", ""))
        if version.split(".", 1)[0] != SUPPORTED_MAJOR:
            raise InputError([Problem(origin, 1, ("report_version",), (
                f"версия отчёта «{version or 'не указана'}» не поддерживается: нужен отчёт "
                f"objcheck версии {SUPPORTED_MAJOR}.x (objcheck check --format json)"))])
    return validate(Report, data, text, origin)


def read_report(path: Path) -> Report:
    """Read and load a report file; unreadable files become an ``InputError`` too."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "файл не в кодировке UTF-8" if isinstance(exc, UnicodeDecodeError) else (
            os_reason(exc))
        raise InputError([Problem(str(path), None, (), f"не удалось прочитать файл: {reason}")]
                         ) from None
    return load_report(text, str(path))
