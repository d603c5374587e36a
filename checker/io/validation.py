"""Pydantic validation with Russian messages that point at the file, line and field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from checker.io.yamlio import located
from checker.model.errors import InputError, Loc, Problem, echo

ModelT = TypeVar("ModelT", bound=BaseModel)

_TYPE_NAMES = {
    "string_type": "строка",
    "int_type": "целое число",
    "int_from_float": "целое число",
    "bool_type": "true или false",
    "list_type": "список",
    "dict_type": "словарь (ключ: значение)",
    "model_type": "словарь (ключ: значение)",
    "model_attributes_type": "словарь (ключ: значение)",
    "date_type": "дата в формате ГГГГ-ММ-ДД",
    "float_type": "число",
    "literal_error": "одно из допустимых значений",
}


def _russian_message(error: ErrorDetails) -> str:
    kind = error["type"]
    given = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "неизвестный ключ (проверьте написание; допустимые ключи — в `objcheck schema`)"
    if kind == "missing":
        return "обязательное поле не заполнено"
    if kind == "literal_error":
        return f"недопустимое значение {_given(given)}; допустимо: {ctx.get('expected', '')}"
    if kind in ("string_too_short",):
        return "пустая строка"
    if kind == "string_too_long":
        return f"слишком длинная строка (не более {ctx.get('max_length')} символов)"
    if kind == "string_pattern_mismatch":
        return f"значение {_given(given)} не соответствует формату {ctx.get('pattern')}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"значение {_given(given)} слишком мало (должно быть не меньше {_bound(ctx)})"
    if kind in ("less_than_equal", "less_than"):
        return f"значение {_given(given)} слишком велико (должно быть не больше {_bound(ctx)})"
    if kind in _TYPE_NAMES:
        return f"ожидается {_TYPE_NAMES[kind]}, получено {_given(given)}"
    if kind == "value_error":
        return echo(ctx.get("error", error["msg"]), 200)
    return f"недопустимое значение: {echo(error['msg'], 200)}"


def _given(value: Any) -> str:
    """What the file holds at the location: a scalar cut short, a collection by type only.

    A list or a mapping is never echoed: under ``staff`` it is every teacher's name, and
    an alias bomb expands to gigabytes.
    """
    if isinstance(value, dict | list):
        return f"({_yaml_type(value)})"
    if value is None:
        return "пусто"
    return f"«{echo(value)}» ({_yaml_type(value)})"


def _bound(ctx: dict[str, Any]) -> Any:
    for key in ("ge", "gt", "le", "lt"):
        if key in ctx:
            return ctx[key]
    return "?"


def _yaml_type(value: Any) -> str:
    names = {
        str: "строка",
        int: "число",
        float: "число",
        bool: "логическое",
        list: "список",
        dict: "словарь",
    }
    if value is None:
        return "пусто"
    for python_type, name in names.items():
        if type(value) is python_type:
            return name
    return type(value).__name__


def _clean_loc(loc: tuple[int | str, ...]) -> Loc:
    """Drop pydantic's union branch labels (``'literal[False]'``, ``'Publication'``…)."""
    cleaned: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (
            part.startswith(("literal[", "function-", "union[", "json-or-python", "lax-or-strict"))
            or part[:1].isupper()
            or part in {"str", "int", "bool", "date", "list", "dict"}
        ):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def problems_from_validation(exc: ValidationError, text: str, origin: str) -> list[Problem]:
    """One located, Russian problem per distinct field (union branches are merged)."""
    messages: dict[Loc, str] = {}
    for error in exc.errors():
        loc = _clean_loc(error["loc"])
        if loc not in messages:
            messages[loc] = _russian_message(error)
    return located(origin, text, messages.items())


def validate(model: type[ModelT], data: Any, text: str, origin: str) -> ModelT:
    """Validate parsed YAML against ``model``; on failure raise a located ``InputError``."""
    if data is None:
        raise InputError([Problem(origin, 1, (), "файл пуст: нет ни одного раздела")])
    if not isinstance(data, dict):
        raise InputError([Problem(origin, 1, (), "файл должен содержать словарь (ключ: значение)")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, text, origin)) from None
