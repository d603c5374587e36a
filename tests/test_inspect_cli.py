"""``objcheck inspect`` driven end to end in a pseudo-terminal, as an inspector would.

pexpect's timeout is only a safety net against a hung process; no test depends on timing.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pexpect

from checker.io.load import read_profile
from checker.io.profile_edit import outside_section
from tests.conftest import FIXTURES

SAFETY_NET = 120


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "school.yaml"
    shutil.copy(FIXTURES / "kamenskaya-2022.yaml", path)
    return path


def _spawn(path: Path, *extra: str) -> pexpect.spawn[str]:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "LINES": "50"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "checker", "inspect", str(path), "--as-of", "2022-04-01", *extra],
        encoding="utf-8",
        env=env,
        timeout=SAFETY_NET,
        dimensions=(50, 200),
    )


def _answer(child: pexpect.spawn[str], prompt: str, answer: str) -> None:
    child.expect_exact(prompt)
    child.sendline(answer)


def test_answers_are_recorded_and_quit_midway_keeps_them(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    original = path.read_text(encoding="utf-8")
    child = _spawn(path, "--inspector", "Проверяющая А.А.")
    # 1st measure (unknown first): the order of responsible persons, confirmed with a document.
    child.expect_exact("FED-ORG-001")
    _answer(child, "Вердикт", "1")
    _answer(child, "Примечание", "приказ предъявлен")
    _answer(child, "номер", "45-од")
    _answer(child, "Дата документа", "31.02.2022")  # no such date: asked again
    _answer(child, "Дата документа", "01.09.2021")
    _answer(child, "Фото или файл", "")
    child.expect_exact("Записано: мера выполнена")
    # 2nd: observers at the ВПР — not confirmed, a photo as evidence.
    child.expect_exact("FED-OBS-001")
    _answer(child, "Вердикт", "2")
    _answer(child, "Примечание", "наблюдателей не было")
    _answer(child, "номер", "")
    _answer(child, "Фото или файл", "IMG_0042.jpg")
    child.expect_exact("Записано: мера не выполнена")
    # 3rd: skipped; 4th: quit at the verdict prompt.
    _answer(child, "Вердикт", "")
    _answer(child, "Вердикт", "q")
    child.expect_exact("Проверка прервана. Записано ответов: 2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    text = path.read_text(encoding="utf-8")
    assert outside_section(text).rstrip("\n") == original.rstrip("\n")
    assert text.startswith(original)
    # the inspection date and each answer's date are written out, not as a YAML alias
    # («date: &id001 2022-04-01» … «at: *id001») a person editing the file cannot read
    section = text[len(original):]
    assert "&id" not in section and "*id" not in section, section
    assert Path(f"{path}.bak").read_text(encoding="utf-8") == original
    inspection = read_profile(path).inspection
    assert inspection is not None and inspection.inspector == "Проверяющая А.А."
    got = [(v.rule, v.subject, v.verdict, v.note) for v in inspection.verdicts]
    assert got == [
        ("FED-ORG-001", "kamenskaya-sosh", "confirmed", "приказ предъявлен"),
        ("FED-OBS-001", "vpr", "rejected", "наблюдателей не было"),
    ]
    first, second = inspection.verdicts
    assert first.evidence is not None and first.evidence.number == "45-од"
    assert str(first.evidence.date) == "2021-09-01"
    assert second.evidence is not None and second.evidence.file == "IMG_0042.jpg"

    # Resumed: what is recorded is not asked again; quitting in the note keeps the verdict.
    child = _spawn(path)
    child.expect_exact("Мер к проверке:")
    child.expect_exact("Вердикт")
    shown = str(child.before)
    assert "FED-ORG-001" not in shown
    assert "FED-OBS-001" in shown and "ДКР" in shown
    child.sendline("3")
    _answer(child, "Примечание", "q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    inspection = read_profile(path).inspection
    assert inspection is not None
    assert [(v.rule, v.subject, v.verdict) for v in inspection.verdicts][-1] == (
        "FED-OBS-001", "dkr", "not_checked"
    )
    # The backup is still the version from before the session that changed the file last.
    assert Path(f"{path}.bak").read_text(encoding="utf-8") == text


def test_file_edited_by_someone_else_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    child = _spawn(path)
    child.expect_exact("Вердикт")
    edited = path.read_text(encoding="utf-8").replace(
        "name: МКОУ", "name: Муниципальное казённое общеобразовательное учреждение МКОУ"
    ) + "# правка завуча\n"
    path.write_text(edited, encoding="utf-8")
    child.sendline("2")
    _answer(child, "Примечание", "нет приказа")
    _answer(child, "номер", "")
    _answer(child, "Фото или файл", "")
    child.expect_exact("изменён другим пользователем")
    child.expect_exact("незаписанный ответ")
    child.expect_exact("FED-ORG-001")
    child.expect_exact("примечание: нет приказа")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3
    assert path.read_text(encoding="utf-8") == edited
    assert not Path(f"{path}.bak").exists()


def test_choices_say_what_was_seen_and_the_last_answer_can_be_changed(tmp_path: Path) -> None:
    """«1 — подтверждено» next to «По профилю: нарушение» read as «I confirm the violation»
    and recorded the measure as met; the choices now say what the inspector saw."""
    path = _copy(tmp_path)
    child = _spawn(path)
    child.expect_exact("FED-ORG-001")
    # the requirement is the source's words, not the remedy
    child.expect_exact("Требование: «")
    child.expect_exact("1 — мера выполнена, 2 — мера не выполнена, 3 — не проверял, б — назад")
    child.sendline("б")
    child.expect_exact("Это первая мера: назад некуда.")
    _answer(child, "Вердикт", "2")
    _answer(child, "Примечание", "")
    _answer(child, "номер", "")
    _answer(child, "Фото или файл", "")
    child.expect_exact("Записано: мера не выполнена")
    child.expect_exact("FED-OBS-001")
    _answer(child, "Вердикт", "б")  # back to FED-ORG-001: the order was found after all
    child.expect_exact("новый ответ заменит записанный")
    child.expect_exact("FED-ORG-001")
    _answer(child, "Вердикт", "1")
    _answer(child, "Примечание", "приказ нашёлся")
    _answer(child, "номер", "")
    _answer(child, "Фото или файл", "")
    child.expect_exact("Записано: мера выполнена")
    _answer(child, "Вердикт", "q")
    child.expect_exact("Записано ответов: 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    inspection = read_profile(path).inspection
    assert inspection is not None
    assert [(v.rule, v.verdict, v.note) for v in inspection.verdicts] == [
        ("FED-ORG-001", "confirmed", "приказ нашёлся"),
    ]
    # --as-of 2022-04-01 is not today: the answer is dated that day, as the inspection is,
    # not stamped with today's clock
    assert str(inspection.date) == "2022-04-01"
    assert str(inspection.verdicts[0].at) == "2022-04-01"
