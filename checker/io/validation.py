"""Pydantic validation with Russian messages that point at the file, line and field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar, get_args, get_origin

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
    "date_type": "дата ДД.ММ.ГГГГ или ГГГГ-ММ-ДД (без кавычек)",
    "datetime_type": "дата и время ГГГГ-ММ-ДДTЧЧ:ММ:СС",
    "date_from_datetime_inexact": "дата без времени",
    "none_required": "пусто",
    "int_parsing": "целое число",
    "bool_parsing": "true или false",
    # JSON has no date type: a date there is an ISO string, parsed by pydantic
    "date_parsing": "дата ГГГГ-ММ-ДД (в YAML можно и ДД.ММ.ГГГГ)",
    "is_instance_of": "значение другого вида",
    "enum": "одно из допустимых значений",
    "float_type": "число",
    "literal_error": "одно из допустимых значений",
    "date_from_datetime_parsing": "дата в формате ГГГГ-ММ-ДД",
}


def russian_message(error: ErrorDetails) -> str:
    kind = error["type"]
    given = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "неизвестный ключ (проверьте написание; допустимые ключи — в `objcheck schema`)"
    if kind == "missing":
        return "обязательное поле не заполнено"
    if kind == "literal_error":
        return f"недопустимое значение {_given(given)}; допустимо: {_alternatives(ctx)}"
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
    # pydantic's own text is English: the value and the field are enough to act on
    return f"недопустимое значение {_given(given)}"


def _alternatives(ctx: dict[str, Any]) -> str:
    """pydantic's «'a', 'b' or 'c'» in Russian."""
    expected = str(ctx.get("expected", ""))
    head, sep, last = expected.rpartition(" or ")
    return f"{head} или {last}" if sep else expected


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


def _model_fields(annotation: Any) -> dict[str, Any]:
    """The fields of every model inside ``annotation`` (through unions, lists, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {name: info.annotation for name, info in annotation.model_fields.items()}
    fields: dict[str, Any] = {}
    for argument in get_args(annotation):
        fields.update(_model_fields(argument))
    return fields


def clean_loc(model: type[BaseModel], loc: tuple[int | str, ...]) -> Loc:
    """The field path of a pydantic error location: pydantic's union branch labels
    (``'literal[False]'``, ``'Publication'``, ``'date'``…) dropped.

    Told apart from field names by walking the model, since a field may be named like a
    branch label (``date``).
    """
    cleaned: list[str | int] = []
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            cleaned.append(part)
            continue
        fields = _model_fields(current)
        if part in fields:
            cleaned.append(part)
            current = fields[part]
            continue
        values = _mapping_values(current)
        if values is not None:  # a key of a mapping field, written in the file
            cleaned.append(part)
            current = values
        elif not fields and not _looks_like_branch(part):  # free-form data (Any): keep keys
            cleaned.append(part)
    return tuple(cleaned)


def _looks_like_branch(part: str) -> bool:
    """pydantic's label of a union branch, where the model no longer says what comes."""
    return (
        part.startswith(("literal[", "function-", "union[", "json-or-python", "lax-or-strict",
                         "list[", "dict["))
        or part[:1].isupper()
        or part in {"str", "int", "bool", "date", "datetime", "float", "list", "dict"}
    )


def _mapping_values(annotation: Any) -> Any:
    """The value type of a ``dict`` inside ``annotation``, or None when there is none."""
    if get_origin(annotation) in (dict, Mapping):
        return get_args(annotation)[1]
    for argument in get_args(annotation):
        found = _mapping_values(argument)
        if found is not None:
            return found
    return None


def problems_from_validation(
    exc: ValidationError, text: str, origin: str, model: type[BaseModel]
) -> list[Problem]:
    """One located, Russian problem per distinct field (union branches are merged)."""
    messages: dict[Loc, str] = {}
    for error in exc.errors():
        loc = clean_loc(model, error["loc"])
        if error["type"] == "extra_forbidden":  # the unknown key itself is no field
            loc += (error["loc"][-1],)
        if loc not in messages:
            messages[loc] = russian_message(error)
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
        raise InputError(problems_from_validation(exc, text, origin, model)) from None


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
        raise InputError(problems_from_validation(exc, text, origin, model)) from None
