"""Bad input: a Russian message with the file, the line and the field; exit code 2; no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli.main import app
from checker.io.load import load_profile
from checker.model.errors import InputError

from .conftest import FIXTURES, RULES

runner = CliRunner()

GOOD_PROFILE = """\
schema_version: 1
school:
  id: s1
  name: Школа
procedures:
  - id: v1
    kind: ВПР
    date: 2024-04-16
    observers:
      - type: public
        relation: none
"""


def _run_profile(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "school.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path), "--rules", str(RULES)])
    return result.exit_code, result.output


PROFILE_CASES = {
    "yaml_syntax": (GOOD_PROFILE.replace("kind: ВПР", "kind: [ВПР"), 8, "",
                    "не закрыт список: ожидалась «,» или «]» (конструкция начата в строке 7)"),
    "wrong_type": (
        GOOD_PROFILE.replace("kind: ВПР", "kind: ВПР\n    grade: пятый"), 8, "procedures[0].grade",
        "ожидается целое число",
    ),
    "unknown_key": (
        GOOD_PROFILE.replace("relation: none", "relation: none\n        mood: good"), 12,
        "procedures[0].observers[0].mood", "неизвестный ключ",
    ),
    "impossible_date": (GOOD_PROFILE.replace("2024-04-16", "2024-02-30"), 8, "procedures[0].date",
                        "несуществующая дата"),
    "duplicate_key": (GOOD_PROFILE.replace("    kind: ВПР", "    kind: ВПР\n    kind: ЕГЭ"), 8, "",
                      "повторяющийся ключ"),
    "bad_enum": (GOOD_PROFILE.replace("relation: none", "relation: mother"), 11,
                 "procedures[0].observers[0].relation", "недопустимое значение «mother»"),
    "exception_without_agreement": (
        GOOD_PROFILE + "exceptions:\n  - rule: FED-VID-001\n    reason: ремонт\n"
        "    until: 2024-06-01\n", 13, "exceptions[0].agreed", "обязательное поле не заполнено",
    ),
    "complete_and_incomplete": (
        GOOD_PROFILE.replace("procedures:", "incomplete: [documents]\ncomplete: [documents]\n"
                             "procedures:"), 6, "complete",
        "раздел «documents» не может быть одновременно в complete и в incomplete",
    ),
    "site_sections_without_site": (
        GOOD_PROFILE.replace("  name: Школа\n", "  name: Школа\n  website: false\n"
                             "  site_sections: {info: true}\n"), 6, "school.site_sections",
        "у школы нет сайта (website: false), а разделы сайта указаны",
    ),
    "document_names_unknown_procedure": (
        GOOD_PROFILE + "documents:\n  - {id: d1, kind: vpr_codes_protocol, procedures: [v9]}\n",
        13, "documents[0].procedures[0]", "нет процедуры с id «v9» в разделе procedures",
    ),
    "empty_file": ("# только комментарий\n", 1, "", "файл пуст"),
    "not_a_mapping": ("- school\n", 1, "", "файл должен содержать словарь"),
}


def test_good_profile_is_accepted(tmp_path: Path) -> None:
    code, output = _run_profile(tmp_path, GOOD_PROFILE)
    assert code == 0, output


@pytest.mark.parametrize("case", sorted(PROFILE_CASES))
def test_bad_profile_is_located_and_exits_2(tmp_path: Path, case: str) -> None:
    text, line, field, phrase = PROFILE_CASES[case]
    code, output = _run_profile(tmp_path, text)
    assert code == 2
    assert "Traceback" not in output
    assert f"school.yaml:{line}:" in output, output
    assert field in output
    assert phrase in output


def test_reference_to_unknown_staff_is_located(tmp_path: Path) -> None:
    text = GOOD_PROFILE + "staff: []\n"
    text = text.replace("    date: 2024-04-16", "    date: 2024-04-16\n    organizers: [nobody]")
    code, output = _run_profile(tmp_path, text)
    assert code == 2
    assert "school.yaml:9: procedures[0].organizers[0]: нет работника с id «nobody»" in output


def test_every_repeated_id_is_located() -> None:
    """Each repeat of an id is reported where it stands, the first occurrence is not; a
    section without repeats says nothing."""
    text = GOOD_PROFILE + (
        "staff:\n"
        "  - {id: t1, name: Анна}\n"
        "  - {id: t2, name: Борис}\n"
        "  - {id: t1, name: Вера}\n"
        "  - {id: t1, name: Глеб}\n"
        "documents:\n"
        "  - {id: d1, kind: other}\n"
        "  - {id: d2, kind: other}\n"
    )
    with pytest.raises(InputError) as caught:
        load_profile(text, "school.yaml")
    assert [str(problem) for problem in caught.value.problems] == [
        "school.yaml:15: staff[2].id: id «t1» повторяется",
        "school.yaml:16: staff[3].id: id «t1» повторяется",
    ]


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "не удалось прочитать файл" in result.output


# --- rule packs ---------------------------------------------------------------------------

PACK_HEAD = """\
pack: broken
title: Сломанный пакет
layer: regional
scope: {region: Нигде}
rules:
  - id: BRK-001
    title: Проверка сломанного пакета
    direction: procedure
    source: {document: "seed:000", item: "1.1", quote: Изучение нормативных документов}
    severity: low
    check:
      each: {kind: procedure}
      has: {kind: observer, where: {independent: true}}
    remediation: {measure: сделать, responsible: директор, due: сразу}
"""

PACK_CASES = {
    "yaml_syntax": (PACK_HEAD.replace("severity: low", "severity: [low"), 11, "",
                    "не закрыт список"),
    "wrong_type": (PACK_HEAD.replace("severity: low", "severity: low\n    weight: много"), 11,
                   "rules[0].weight", "ожидается"),
    "unknown_key": (PACK_HEAD.replace("severity: low", "sevirity: low"), 10, "rules[0].sevirity",
                    "неизвестный ключ"),
    "impossible_date": (PACK_HEAD.replace("severity: low", "severity: low\n    timing: {deadline: 2023-11-31}"),
                        11, "", "несуществующая дата"),
    "duplicate_key": (PACK_HEAD.replace("severity: low", "severity: low\n    severity: high"), 11, "",
                      "повторяющийся ключ"),
    "unknown_fact_kind": (PACK_HEAD.replace("kind: observer", "kind: inspector"), 13,
                          "rules[0].check.has.kind", "неизвестный вид факта «inspector»"),
    "unknown_field": (PACK_HEAD.replace("independent: true", "indepedent: true"), 13,
                      "rules[0].check.has.where.indepedent", "нет поля «indepedent»"),
    # A procedure_document of a kind not made for one procedure would read «не сделано» into
    # a document that does not say which procedure it serves.
    "unlinked_document_kind": (
        PACK_HEAD.replace("kind: observer, where: {independent: true}",
                          "kind: procedure_document, where: {kind: observer_schedule}"),
        13, "rules[0].check.has.where.kind", "по видам, которые составляют к одной процедуре",
    ),
    "bad_scope_oktmo": (PACK_HEAD.replace("scope: {region: Нигде}",
                                          "scope: {region: Нигде, oktmo: 27-624}"), 4,
                        "scope.oktmo", "не соответствует формату"),
}


@pytest.mark.parametrize("case", sorted(PACK_CASES))
def test_bad_pack_is_located_and_exits_2(tmp_path: Path, case: str) -> None:
    text, line, field, phrase = PACK_CASES[case]
    rules = tmp_path / "rules"
    shutil.copytree(RULES / "federal", rules / "federal")
    pack = rules / "regional" / "broken.yaml"
    pack.parent.mkdir(parents=True)
    pack.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(FIXTURES / "school-silent.yaml"), "--rules", str(rules)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"broken.yaml:{line}:" in result.output, result.output
    assert field in result.output
    assert phrase in result.output


def test_the_broken_pack_head_itself_is_valid(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES / "federal", rules / "federal")
    (rules / "regional").mkdir()
    (rules / "regional" / "broken.yaml").write_text(PACK_HEAD, encoding="utf-8")
    result = runner.invoke(app, ["check", str(FIXTURES / "school-silent.yaml"), "--rules", str(rules)])
    assert result.exit_code == 0, result.output
