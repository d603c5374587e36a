"""The help screens of objcheck in Russian: «Использование», «Параметры», «[обязательно]».

Typer (0.29, with click vendored as ``typer._click``) writes its framing in English and has
no translation catalogue; its texts are module constants and a few defaults, replaced here
once, before the first help screen. Types are shown as Russian placeholders (ПУТЬ, ТЕКСТ,
ЧИСЛО, the choices) instead of ``<path>``/``<bool>``/``<list[str]>``; flags show none.
tests/test_cli_conventions.py walks every command's help, so an upgrade of Typer that
moves these names fails a test instead of silently printing English.

Usage errors (a missing argument, an unknown option, a bad choice, an extra argument…) are
built by the vendored click with f-strings, not gettext, so there is no catalogue to hook:
the message is translated where Typer prints it (``rich_utils.rich_format_error``) by the
patterns below, which match click's wording exactly. An unknown wording is printed as it
is; the same test walks every command with each kind of mistake, so a reworded message
fails it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_FRAMING = {
    "REQUIRED_LONG_STRING": "[обязательно]",
    "DEFAULT_STRING": "[по умолчанию: {}]",
    "ENVVAR_STRING": "[переменная окружения: {}]",
    "DEPRECATED_STRING": "(устарело) ",
    "ARGUMENTS_PANEL_TITLE": "Аргументы",
    "OPTIONS_PANEL_TITLE": "Параметры",
    "COMMANDS_PANEL_TITLE": "Команды",
    "ERRORS_PANEL_TITLE": "Ошибка",
    "ABORTED_TEXT": "Прервано.",
    "RICH_HELP": "Справка: [blue]{command_path} {help_option}[/]",
}
USAGE = "Использование: "
_USAGE_WORDS = {"[OPTIONS]": "[ПАРАМЕТРЫ]", "COMMAND [ARGS]...": "КОМАНДА [АРГУМЕНТЫ]..."}
HELP_TEXT = "Показать эту справку и выйти"
COMPLETION_HELP = {
    "--install-completion": "Установить автодополнение команд для текущей оболочки",
    "--show-completion": "Показать скрипт автодополнения для текущей оболочки",
}
_PLACEHOLDERS = {"path": "ПУТЬ", "str": "ТЕКСТ", "int": "ЧИСЛО", "float": "ЧИСЛО",
                 "int range": "ЧИСЛО", "float range": "ЧИСЛО"}

_done = False


def russian_help() -> None:
    """Replace Typer's English framing (idempotent)."""
    global _done
    if _done:
        return
    _done = True
    import typer.main
    from typer import rich_utils
    from typer._click import decorators, formatting
    from typer.core import TyperArgument, TyperOption

    for name, text in _FRAMING.items():
        setattr(rich_utils, name, text)
    _usage_prefix(formatting)
    _help_option(decorators)
    TyperOption.display_type_rich = _option_type  # type: ignore[method-assign]
    TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign]
    TyperArgument.get_error_hint = _argument_hint  # type: ignore[method-assign]
    completion = typer.main.get_install_completion_arguments

    def russian_completion() -> Any:
        params: Any = completion()
        for param in params:
            for opt in param.opts:
                if opt in COMPLETION_HELP:
                    param.help = COMPLETION_HELP[opt]
        return params

    typer.main.get_install_completion_arguments = russian_completion
    _russian_errors(rich_utils)


def _usage_prefix(formatting: Any) -> None:
    original = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, russian in _USAGE_WORDS.items():
            args = args.replace(english, russian)
        args = re.sub(r"\{(\w+)\}", lambda name: name.group(1).upper(), args)  # {paths}
        original(self, prog, args, USAGE if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage


def _help_option(decorators: Any) -> None:
    original = decorators.help_option

    def help_option(param_decls: list[str]) -> Any:
        decorate = original(param_decls)

        def apply(command: Any) -> Any:
            result = decorate(command)
            command.params[-1].help = HELP_TEXT  # the option just appended
            return result

        return apply

    decorators.help_option = help_option


def _label(param: Any, ctx: Any, named: bool = True) -> str | None:
    if named and param.metavar is not None:
        return str(param.metavar)
    if getattr(param, "is_flag", False):
        return None  # a switch takes no value: nothing to show
    desc = param.type_descriptor
    if desc.is_choice:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices or ())
    shown = str(param.display_type(ctx)).strip("<>")
    if shown.startswith("list[") and shown.endswith("]"):
        shown = shown[5:-1]
    return _PLACEHOLDERS.get(shown.lower(), shown.upper())


def _option_type(self: Any, ctx: Any) -> str | None:
    label = _label(self, ctx)
    if label is not None and self.nargs != 1:
        label += "…"
    return label


def _argument_type(self: Any, ctx: Any) -> str | None:
    """The type of an argument: its Russian name (``metavar``) is already shown beside it."""
    label: str | None = _label(self, ctx, named=False)
    return label


def _argument_hint(self: Any) -> str:
    """An argument is named in errors as in the «Использование» line: by its metavar."""
    return f"'{self.metavar or self.name.upper()}'"


# Values of options that a type rejected: pydantic's wording (Typer coerces with it) and
# click's. ``{0}``… are the groups of the match.
_VALUE_ERRORS: tuple[tuple[str, str], ...] = (
    (r"Value error, (.+) is not one of (.+)\.", "{0} — нет среди допустимых значений: {1}"),
    (r"Input should be a valid integer.*", "нужно целое число"),
    (r"Input should be a valid number.*", "нужно число"),
    (r"Input should be a valid boolean.*", "нужно true или false"),
    (r"Input should be greater than or equal to (\S+)", "нужно число не меньше {0}"),
    (r"Input should be less than or equal to (\S+)", "нужно число не больше {0}"),
    (r"Input should be greater than (\S+)", "нужно число больше {0}"),
    (r"Input should be less than (\S+)", "нужно число меньше {0}"),
    (r"Value (.+) is not a valid (.+)\.", "недопустимое значение {0}"),
)


def _value(message: str) -> str:
    return _translated(message, _VALUE_ERRORS) or message


def _missing(kind: str, hint: str, extra: str | None) -> str:
    if kind == "argument":  # named as in the «Использование» line above it: ПРОФИЛЬ
        text = f"не указан обязательный аргумент {hint.strip(chr(39))}"
    else:
        text = f"не указан обязательный параметр {hint}"
    return f"{text}. {extra}" if extra else f"{text}."


def _possible(option: str, possible: str | None) -> str:
    text = f"нет такого параметра: {option}"
    return f"{text} (возможно, имелся в виду: {possible})" if possible else text


# click's usage errors, the whole message each; the values are formats or functions of the
# groups.
_USAGE_ERRORS: tuple[tuple[str, str | Callable[..., str]], ...] = (
    (r"Missing (argument|option|parameter) ?(.*?)\.(?: (.*))?", _missing),
    (r"No such option: (\S+)(?: \(Possible options: (.+)\))?", _possible),
    (r"No such command (.+)\.", "нет такой команды: {0}"),
    (r"Missing command\.", "не указана команда"),
    (r"Got unexpected extra arguments? \((.*)\)", "лишние аргументы: {0}"),
    (r"Got unexpected extra argument\(s\) \((.*)\)", "лишние аргументы: {0}"),
    (r"Option (.+) requires an argument\.", "параметру {0} нужно значение"),
    (r"Option (.+) requires (\d+) arguments\.", "параметру {0} нужно значений: {1}"),
    (r"Option (.+) does not take a value\.", "параметр {0} не принимает значения"),
    (r"Argument (.+) takes (\d+) values\.", "аргументу {0} нужно значений: {1}"),
    (r"Invalid value for (.+?): (.*)", lambda hint, message: (
        f"недопустимое значение {hint}: {_value(message)}")),
    (r"Invalid value: (.*)", lambda message: f"недопустимое значение: {_value(message)}"),
    (r"Could not open file (.+?): (.*)", "не удалось открыть файл {0}: {1}"),
)


def _translated(
    message: str, table: tuple[tuple[str, str | Callable[..., str]], ...]
) -> str | None:
    for pattern, russian in table:
        found = re.fullmatch(pattern, message, flags=re.DOTALL)
        if found is None:
            continue
        groups = found.groups()
        if callable(russian):
            return russian(*groups)
        return russian.format(*groups)
    return None


def russian_error(message: str) -> str:
    """click's English usage error in Russian (unchanged when its wording is unknown)."""
    russian = _translated(message, _USAGE_ERRORS)
    if russian is None:
        return message
    return russian[:1].upper() + russian[1:]


def _russian_errors(rich_utils: Any) -> None:
    original = rich_utils.rich_format_error

    def rich_format_error(error: Any) -> None:
        english = error.format_message
        error.format_message = lambda: russian_error(english())
        original(error)

    rich_utils.rich_format_error = rich_format_error
