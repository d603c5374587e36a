"""Pydantic validation with Russian messages that point at the file, line and field."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from checker.io.yamlio import Limits, load_fast, located
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
    # JSON has no date type: a date is a string, parsed by pydantic
    "date_parsing": "дата в формате ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "дата в формате ГГГГ-ММ-ДД",
    "date_from_datetime_inexact": "дата в формате ГГГГ-ММ-ДД",
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
    if kind == "json_invalid" and "recursion limit" in error["msg"]:
        return "вложенность списков и словарей слишком глубокая"
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


def _check_shape(data: Any, origin: str) -> None:
    if data is None:
        raise InputError([Problem(origin, 1, (), "файл пуст: нет ни одного раздела")])
    if not isinstance(data, dict):
        raise InputError([Problem(origin, 1, (), "файл должен содержать словарь (ключ: значение)")])


def validate(model: type[ModelT], data: Any, text: str, origin: str) -> ModelT:
    """Validate parsed YAML against ``model``; on failure raise a located ``InputError``."""
    _check_shape(data, origin)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, text, origin)) from None


class _DuplicateKeyError(Exception):
    """A JSON object repeats a key (``json`` would keep the last value without a word)."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKeyError
    return result


_JSON_PROBLEMS = {
    "Expecting value": "ожидалось значение",
    "Expecting property name enclosed in double quotes": "ожидался ключ в двойных кавычках",
    "Expecting ':' delimiter": "не найдено ожидаемое «:»",
    "Expecting ',' delimiter": "ожидалась «,» между элементами",
    "Unterminated string starting at": "не закрыта строка (нет второй кавычки)",
    "Invalid control character at": "управляющий символ внутри строки",
    "Invalid \\escape": "недопустимая escape-последовательность «\\»",
    "Extra data": "лишний текст после конца JSON",
}


def _json_syntax(exc: json.JSONDecodeError, origin: str) -> Problem:
    russian = next((text for english, text in _JSON_PROBLEMS.items()
                    if exc.msg.startswith(english)), f"ошибка синтаксиса JSON: {echo(exc.msg)}")
    return Problem(origin, exc.lineno, (), f"{russian} (столбец {exc.colno})")


def validate_json(model: type[ModelT], text: str, origin: str) -> ModelT:
    """Validate a JSON document against ``model`` through pydantic's JSON path (dates are
    ISO strings there); problems are located like YAML's (JSON is YAML flow syntax, so the
    same event walk finds their lines).

    The text is read once by ``json`` first: for its syntax errors with line and column,
    repeated keys (refused, as in YAML, with their line), and the same shape checks as YAML
    (empty, not an object). That costs a fraction of a millisecond beside validation.
    """
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise InputError([_json_syntax(exc, origin)]) from None
    except _DuplicateKeyError:
        load_fast(text, origin)  # the YAML loader names the key and its line
        raise InputError([Problem(origin, None, (), "повторяющийся ключ")]) from None
    except RecursionError:
        limit = Limits.from_env().max_depth
        raise InputError([Problem(origin, None, (), f"вложенность списков и словарей глубже "
                                  f"{limit} уровней")]) from None
    _check_shape(data, origin)
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, text, origin)) from None
