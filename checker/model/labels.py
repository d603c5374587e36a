"""Normal forms of the labels that join facts: class labels and names.

A school writes the same class as «5а», «5 А», «5-А» or with a Latin «A»; a teacher's load
and a procedure's classes join only if both are read the same way. Labels are normalised
once, when the profile is validated (``ClassLabel``); the school's own spelling is kept for
display. A spelling read before is not read again (``_labelled``: validation of 60 synthetic
schools 1.53 → 0.95 ms a school). Names that join (subjects, an employer against the school)
are compared by ``name_key``: ё = е, case and repeated spaces ignored.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler
from pydantic_core import core_schema

# Latin letters that look exactly like a Cyrillic one in the case written. Only letters that
# are alike in that case: a Latin «b» is not «в» (it reads as «б»), so it is not guessed.
_LOOK_ALIKES = str.maketrans(
    {
        "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р",
        "C": "С", "T": "Т", "X": "Х", "Y": "У",
        "a": "а", "e": "е", "k": "к", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у",
        "ё": "е", "Ё": "Е",
    }
)
# grade 1–11, then an optional separator and an optional letter, an optional «кл.»/«класс»
_CLASS = re.compile(
    r"^(?P<grade>1[01]|[1-9])\s*[-‐–—]?\s*(?P<letter>[А-Я])?\s*(?:КЛ\.?|КЛАСС)?$"
)
_SPACES = re.compile(r"\s+")


def class_key(label: str) -> str | None:
    """«5 а», «5-А», «5A» → «5А»; ``None`` when the label is not a grade and a letter."""
    text = _SPACES.sub(" ", label.translate(_LOOK_ALIKES)).strip().upper()
    found = _CLASS.match(text)
    if found is None:
        return None
    return found["grade"] + (found["letter"] or "")


# Names repeat: a school's dozen subjects are read for hundreds of facts (teachers' loads,
# procedures, class results). A cached key costs ~0.2 µs against ~1.9 µs to compute it:
# −0.3 ms of a synthetic school's ~3 ms of facts. Bounded, as batch names change by school.
@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """A name as it joins: ё = е, case and repeated spaces ignored."""
    return _SPACES.sub(" ", name.replace("ё", "е").replace("Ё", "Е")).strip().casefold()


class ClassLabel(str):
    """A class label as the school wrote it, with its normal form (``key``).

    ``key`` is ``None`` when the label cannot be read as a grade and a letter; such a label
    still joins with the same spelling (``join_key``) and the load warns about it.
    """

    key: str | None

    def __new__(cls, value: str) -> ClassLabel:
        label = super().__new__(cls, value)
        label.key = class_key(value)
        return label

    def __getnewargs__(self) -> tuple[str]:
        return (str(self),)

    @property
    def join_key(self) -> str:
        """The value facts join on: the normal form, or the name key of an unreadable label."""
        return self.key if self.key is not None else name_key(self)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # Validated as a plain string (so the JSON Schema says «string»), then labelled.
        return core_schema.no_info_after_validator_function(
            _labelled, core_schema.str_schema(min_length=1, max_length=200, strict=True)
        )


# A profile repeats a handful of class labels hundreds of times (teachers' loads, procedures,
# results): a label is read once and then shared, which is safe as a label is never changed
# after it is made. The C cache calls no Python code on a hit (0.13 against 2.3 µs a label,
# ~260 labels a synthetic school). Bounded, so odd spellings in a batch of thousands of
# schools cannot grow it without limit.
_labelled = lru_cache(maxsize=4096)(ClassLabel)


ClassText = Annotated[ClassLabel, Field(description="Класс: номер и буква, например «5А»")]
