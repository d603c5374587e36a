"""The help screens of objcheck in Russian: «Использование», «Параметры», «[обязательно]».

Typer (0.29, with click vendored as ``typer._click``) writes its framing in English and has
no translation catalogue; its texts are module constants and a few defaults, replaced here
once, before the first help screen. Types are shown as Russian placeholders (ПУТЬ, ТЕКСТ,
ЧИСЛО, the choices) instead of ``<path>``/``<bool>``/``<list[str]>``; flags show none.
tests/test_cli_conventions.py walks every command's help, so an upgrade of Typer that
moves these names fails a test instead of silently printing English.
"""

from __future__ import annotations

import re
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
    completion = typer.main.get_install_completion_arguments

    def russian_completion() -> Any:
        params: Any = completion()
        for param in params:
            for opt in param.opts:
                if opt in COMPLETION_HELP:
                    param.help = COMPLETION_HELP[opt]
        return params

    typer.main.get_install_completion_arguments = russian_completion


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


def _label(param: Any, ctx: Any) -> str | None:
    if param.metavar is not None:
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
    label: str | None = _label(self, ctx)
    return label
