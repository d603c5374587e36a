"""click's own usage errors in Russian (issue 15): every command, given no argument where
one is required, an unknown option, an option without its value, a bad choice or number, an
extra argument or an unknown subcommand, says so in Russian with exit 2 and no traceback —
no «Missing argument», «No such option», «Usage», «Error», «Try … for help»."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from checker.cli.help_ru import russian_error
from checker.cli.main import app
from tests.test_cli_conventions import _commands

BAD = "неверно"
WORDS = re.compile(r"[A-Za-z]{2,}")


def _options(command: Any) -> list[Any]:
    return [p for p in command.params if p.param_type_name == "option" and p.opts[0] != "--help"]


def _arguments(command: Any) -> list[Any]:
    return [p for p in command.params if p.param_type_name == "argument"]


def _required_args(command: Any) -> list[str]:
    return ["а" for a in _arguments(command) if a.required]


def _cases() -> list[tuple[str, tuple[str, ...], str]]:
    """(command, arguments, the Russian words the error must have)."""
    cases: list[tuple[str, tuple[str, ...], str]] = []
    for path, command in _commands().items():
        words = tuple(path.split())
        cases.append((path, (*words, "--zzz"), "Нет такого параметра: --zzz"))
        if hasattr(command, "commands"):
            cases.append((path, (*words, "нетакой"), "Нет такой команды: 'нетакой'"))
            continue
        arguments = _arguments(command)
        if any(a.required for a in arguments):
            cases.append((path, words, "Не указан обязательный аргумент"))
        if all(a.nargs == 1 for a in arguments):
            extra = ["а"] * (len(arguments) + 1)
            cases.append((path, (*words, *extra), "Лишние аргументы: а"))
        given = _required_args(command)
        for option in _options(command):
            name = option.opts[0]
            if getattr(option, "is_flag", False):
                continue
            cases.append((f"{path} {name}", (*words, *given, name), "нужно значение"))
            desc = option.type_descriptor
            if desc.is_choice:
                cases.append((f"{path} {name}", (*words, *given, name, BAD),
                              "нет среди допустимых значений"))
            elif desc.annotation is int:
                cases.append((f"{path} {name}", (*words, *given, name, BAD),
                              "нужно целое число"))
    return cases


def _allowed(path: str) -> set[str]:
    """Latin words a Russian message may still show: the program's, the command's and its
    options' names, and the choices it offers (codes the user types)."""
    commands = _commands()
    allowed = {"objcheck", "ID", "help", "zzz", *path.split()}
    command = commands[path.split(" --")[0]] if path else commands[""]
    for option in command.params:
        for opt in option.opts:
            allowed.update(WORDS.findall(opt))
        desc = getattr(option, "type_descriptor", None)
        for choice in (desc.choices or ()) if desc is not None and desc.is_choice else ():
            allowed.update(WORDS.findall(str(getattr(choice, "value", choice))))
    allowed.update(getattr(command, "commands", {}))
    return allowed


CASES = _cases()


def test_the_walk_covers_each_kind_of_mistake() -> None:
    kinds = {expected for _path, _args, expected in CASES}
    assert {"Нет такого параметра: --zzz", "Не указан обязательный аргумент",
            "Лишние аргументы: а", "нужно значение", "нет среди допустимых значений",
            "нужно целое число", "Нет такой команды: 'нетакой'"} <= kinds
    assert len({path.split(" --")[0] for path, _args, _exp in CASES}) == len(_commands())


@pytest.mark.parametrize(("path", "args", "expected"), CASES,
                         ids=[" ".join(args) for _path, args, _exp in CASES])
def test_usage_errors_are_russian(path: str, args: tuple[str, ...], expected: str) -> None:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "300"})
    output = result.output
    assert result.exit_code == 2, output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), output
    assert "Traceback" not in output
    assert expected in output, output
    assert "Ошибка" in output  # (the usage line too, when click knows the command)
    allowed = _allowed(path.split(" --")[0])
    english = [w for w in WORDS.findall(output) if w not in allowed and w.lower() not in allowed]
    assert english == [], output


def test_a_real_process_says_it_in_russian_with_exit_2() -> None:
    done = subprocess.run([sys.executable, "-m", "checker", "check"], capture_output=True,
                          text=True, check=False, env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"})
    assert done.returncode == 2
    assert "Не указан обязательный аргумент ПРОФИЛЬ." in done.stderr
    assert "Traceback" not in done.stderr and "Missing" not in done.stderr


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        ("Missing option '--out' / '-o'.", "Не указан обязательный параметр '--out' / '-o'."),
        ("No such option: --x (Possible options: --xy, --xz)",
         "Нет такого параметра: --x (возможно, имелся в виду: --xy, --xz)"),
        ("Missing command.", "Не указана команда"),
        ("Option '--x' does not take a value.", "Параметр '--x' не принимает значения"),
        ("Option '--x' requires 2 arguments.", "Параметру '--x' нужно значений: 2"),
        ("Invalid value for '-j': Input should be greater than or equal to 1",
         "Недопустимое значение '-j': нужно число не меньше 1"),
        ("Invalid value for '--chunk': Input should be less than or equal to 10000",
         "Недопустимое значение '--chunk': нужно число не больше 10000"),
        ("Something new.", "Something new."),  # an unknown wording is left as it is
    ],
)
def test_each_wording_of_click(english: str, russian: str) -> None:
    assert russian_error(english) == russian


def test_typer_is_the_one_the_translation_was_written_for() -> None:
    """The patterns match the vendored click's f-strings; a Typer that builds its errors
    elsewhere must make this fail, not print English."""
    command = typer.main.get_command(app)
    with pytest.raises(typer._click.exceptions.UsageError) as raised:
        command.main(["check"], standalone_mode=False)
    assert russian_error(raised.value.format_message()) != raised.value.format_message()
