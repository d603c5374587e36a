"""Values the engine would misread never reach it: only str (under 65,000 bytes), int64 and
bool of the fields some test names (checker.engine.session)."""

from __future__ import annotations

import pytest

from checker.engine import Engine, EngineError
from tests.test_engine_properties import _SYNTHETIC, _SYNTHETIC_PARAMS

ENGINE = Engine(_SYNTHETIC.rules, _SYNTHETIC_PARAMS)


def _facts(kind: object, path: object = "procedures[0]") -> list[dict[str, object]]:
    return [{"id": "f1", "t": "school", "ref": "s", "path": "school"},
            {"id": "f2", "t": "procedure", "ref": "p", "path": path, "kind": kind}]


@pytest.mark.parametrize(("value", "message"), [
    ("Ж" * 33_000, "слишком длинная строка в поле kind"),  # 66,000 bytes in UTF-8
    (2**63, "целое вне диапазона int64 в поле kind"),
    (-(2**63), "целое вне диапазона int64 в поле kind"),
    (1.5, "недопустимый тип float в поле kind"),
    (None, "недопустимый тип NoneType в поле kind"),
])
def test_a_tested_field_the_engine_would_misread_is_refused(value: object, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        ENGINE.run(_facts(value))


def test_values_within_the_limits_and_untested_fields_pass() -> None:
    assert ENGINE.run(_facts("Ж" * 32_000)).of("SYN-007").subjects
    assert ENGINE.run(_facts(2**63 - 1)).of("SYN-007").subjects
    # ``path`` is named by no test: it is not asserted, so its value cannot break the engine
    assert ENGINE.run(_facts("ВПР", path=1.5)).of("SYN-007").subjects
