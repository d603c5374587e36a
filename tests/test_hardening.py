"""Issue 17: the named attacks on input, inspect and outputs, one test each.

Bounds are structural (how many times a file is parsed, how much memory a load peaks at with
tracemalloc), never wall-clock time: speed is measured by scripts/bench.py only.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import os
import shutil
import tracemalloc
from pathlib import Path

import pytest
from ruamel.yaml.main import YAML
from typer.testing import CliRunner

from checker.cli.main import app
from checker.io import profile_edit
from checker.io.load import load_profile
from checker.io.profile_edit import ProfileFile, UnwritableError, outside_section
from checker.model.errors import InputError
from checker.model.profile import InspectionVerdict
from checker.render import documents
from checker.render.safe import csv_cell
from tests.conftest import FIXTURES, RULES

runner = CliRunner()
AS_OF = "2024-05-01"
VERDICT = InspectionVerdict(rule="FED-ORG-001", verdict="confirmed", note="приказ есть",
                            at=dt.datetime(2024, 5, 1, 10, 0))
BASE = "schema_version: 1\nschool:\n  id: s1\n  name: Школа № 1\n"


def _check(path: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", str(path), "--rules", str(RULES), "--as-of", AS_OF,
                                 *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _write(tmp_path: Path, text: str, name: str = "school.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- item 7: alias bomb ------------------------------------------------------------------

def _alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + f"\nschool: {{id: s1, name: *a{levels - 1}}}\n"


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    path = _write(tmp_path, _alias_bomb(9))  # 9**9 ≈ 387 million strings once expanded
    tracemalloc.start()
    try:
        code, output = _check(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 2
    assert "ссылки (alias, *имя) раскрываются больше чем в 100000 узлов" in output
    assert "school.yaml:1:" in output
    assert len(output) < 1000
    assert peak < 200 * 2**20  # the expansion would be gigabytes


def test_aliases_within_the_limit_still_work(tmp_path: Path) -> None:
    text = BASE + "procedures:\n  - id: v1\n    kind: ВПР\n    observers: &obs\n" \
        "      - {type: public, relation: none}\n  - id: v2\n    kind: ВПР\n    observers: *obs\n"
    profile = load_profile(text, "x.yaml")
    assert profile.procedures is not None and profile.procedures[1].observers is not None


# --- item 8: nesting, size and one parse for all problems ----------------------------------

@pytest.mark.parametrize("depth", [101, 300, 40_000])
def test_deep_flow_nesting_is_refused_with_its_line(tmp_path: Path, depth: int) -> None:
    path = _write(tmp_path, BASE + "staff: " + "[" * depth + "]" * depth + "\n")
    code, output = _check(path)
    assert code == 2
    assert "school.yaml:5:" in output
    assert "вложенность списков и словарей глубже 100 уровней" in output


def test_deep_block_nesting_is_refused(tmp_path: Path) -> None:
    nested = "".join(f"{'  ' * level}- \n" for level in range(300)) + "  " * 300 + "- x\n"
    code, output = _check(_write(tmp_path, BASE + "staff:\n" + nested))
    assert code == 2
    assert "вложенность" in output
    assert "Traceback" not in output


def test_nesting_at_the_limit_is_not_refused_for_depth(tmp_path: Path) -> None:
    # 98 lists under the root mapping and «staff»: depth 100 in all, wrong type but no limit
    text = BASE + "staff: " + "[" * 98 + "]" * 98 + "\n"
    with pytest.raises(InputError) as error:
        load_profile(text, "x.yaml")
    assert "вложенность" not in str(error.value)


def test_depth_limit_is_an_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBJCHECK_MAX_DEPTH", "3")
    with pytest.raises(InputError, match="глубже 3 уровней"):
        load_profile(BASE + "staff: [[[1]]]\n", "x.yaml")


def test_file_over_the_size_limit_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OBJCHECK_MAX_FILE_MB", "1")
    path = _write(tmp_path, BASE + "# " + "x" * (2 * 2**20) + "\n")
    code, output = _check(path)
    assert code == 2
    assert "файл больше 1 МБ (предел задаёт OBJCHECK_MAX_FILE_MB)" in output


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    for name in ("load", "compose", "parse"):
        original = getattr(YAML, name)

        def counted(self: YAML, *args: object, _original: object = original,
                    _name: str = name) -> object:
            calls.append(_name)
            return _original(self, *args)  # type: ignore[operator]

        monkeypatch.setattr(YAML, name, counted)
    return calls


def test_four_hundred_problems_are_located_in_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = "".join(f"  - {{id: t{i}, name: Учитель {i}, mood: {i}}}\n" for i in range(400))
    text = BASE + "staff:\n" + entries
    calls = _count_parses(monkeypatch)
    with pytest.raises(InputError) as error:
        load_profile(text, "x.yaml")
    assert len(error.value.problems) == 400
    assert calls == ["load", "parse"]  # the file read once, then located once
    assert str(error.value.problems[0]).startswith("x.yaml:6: staff[0].mood: неизвестный ключ")
    assert str(error.value.problems[399]).startswith("x.yaml:405: staff[399].mood:")


# --- item 16 and echo limits: a wrong type never echoes a subtree --------------------------

def test_staff_as_a_mapping_names_location_and_type_only(tmp_path: Path) -> None:
    text = BASE + "staff:\n  t1: {name: Петрова Анна Сергеевна}\n  t2: Сидоров Пётр\n"
    code, output = _check(_write(tmp_path, text))
    assert code == 2
    assert "school.yaml:5: staff: ожидается список, получено (словарь)" in output
    assert "Петрова" not in output and "Сидоров" not in output


def test_duplicate_key_names_the_key_not_its_values(tmp_path: Path) -> None:
    text = BASE + "staff:\n  - {id: t1, name: Петрова Анна}\nstaff: [{id: t2, name: Сидоров}]\n"
    code, output = _check(_write(tmp_path, text))
    assert code == 2
    assert "school.yaml:7: повторяющийся ключ «staff»" in output
    assert "Петрова" not in output and "Сидоров" not in output


def test_long_scalar_is_cut_short_in_the_message(tmp_path: Path) -> None:
    text = BASE + "procedures:\n  - id: v1\n    kind: " + "Ж" * 5000 + "\n"
    code, output = _check(_write(tmp_path, text))
    assert code == 2
    assert "Ж" * 79 + "…" in output
    assert "Ж" * 81 not in output


# --- item 11: tracebacks that become Russian messages ----------------------------------------

def test_academic_year_of_two_non_consecutive_years_is_located(tmp_path: Path) -> None:
    code, output = _check(_write(tmp_path, BASE + "academic_year: 2023/2025\n"))
    assert code == 2
    assert "school.yaml:5: academic_year: учебный год — два соседних года" in output


def _rules_copy(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    return rules


def test_pack_not_in_utf8_is_a_located_error(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path)
    bad = rules / "federal" / "cp1251.yaml"
    bad.write_bytes("pack: плохой\n".encode("cp1251"))
    result = runner.invoke(app, ["rules", "list", "--rules", str(rules)])
    assert result.exit_code == 2
    assert "cp1251.yaml: не удалось прочитать файл: файл не в кодировке UTF-8" in result.output


def test_directory_named_like_a_pack_is_a_clear_error(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path)
    (rules / "federal" / "extra.yaml").mkdir()
    result = runner.invoke(app, ["rules", "list", "--rules", str(rules)])
    assert result.exit_code == 2
    assert "extra.yaml: это каталог, а не обычный файл" in result.output


MARKUP = "Школа [/] [/red] [link=https://evil.example]жми[/link] [bold] :thumbs_up:"


@pytest.mark.parametrize("command", [
    ["check"], ["report", "--format", "docx"], ["plan", "--format", "xlsx"],
])
def test_rich_markup_in_a_value_and_a_path_is_printed_as_is(
    tmp_path: Path, command: list[str]
) -> None:
    folder = tmp_path / "[" / "red] :thumbs_up:"  # the path contains «[/red]» and an emoji code
    folder.mkdir(parents=True)
    text = (FIXTURES / "school-conflict.yaml").read_text(encoding="utf-8")
    text = text.replace("name: МБОУ «Основная общеобразовательная школа № 7»", f'name: "{MARKUP}"')
    path = _write(folder, text)
    result = runner.invoke(app, [*command, str(path), "--rules", str(RULES), "--as-of", AS_OF])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0
    shown = result.output.replace("\n", "")
    if command == ["check"]:
        assert MARKUP in shown
    else:  # «Записано: <path>»
        assert f"{folder}/school." in shown


def test_rich_markup_in_an_error_message_is_printed_as_is(tmp_path: Path) -> None:
    folder = tmp_path / "[" / "]"  # the path contains «[/]»
    folder.mkdir(parents=True)
    code, output = _check(_write(folder, BASE + '"[link=https://evil.example]x[/link]": 1\n'))
    assert code == 2
    assert "[/]/school.yaml:5: [link=https://evil.example]x[/link]: неизвестный ключ" in output


# --- item 14: terminal injection ------------------------------------------------------------

def test_escape_sequences_from_a_file_never_reach_the_terminal(tmp_path: Path) -> None:
    text = (FIXTURES / "school-conflict.yaml").read_text(encoding="utf-8")
    text = text.replace("name: МБОУ «Основная общеобразовательная школа № 7»",
                        'name: "Школа\\e[2J\\e]8;;https://evil.example\\e\\\\ № 7\\x9b31m"')
    code, output = _check(_write(tmp_path, text))
    assert code == 0
    assert "Школа[2J]8;;https://evil.example\\ № 7" in output
    assert "\x1b" not in output and "\x9b" not in output


def test_escape_sequences_in_an_error_never_reach_the_terminal(tmp_path: Path) -> None:
    code, output = _check(_write(tmp_path, BASE + '"\\e[2J": 1\n'))
    assert code == 2
    assert "\x1b" not in output
    assert "неизвестный ключ" in output


def test_terminal_report_is_safe_on_a_plain_console(tmp_path: Path) -> None:
    """render_report itself: batch writes .txt reports with an ordinary rich Console."""
    from rich.console import Console

    from checker.core.check import Checker
    from checker.io.packs import load_rulebook
    from checker.render.text import render_report

    text = (FIXTURES / "school-conflict.yaml").read_text(encoding="utf-8")
    text = text.replace("subject: математика", 'subject: "математика [/red] \\e[2J"')
    text = text.replace("name: МБОУ «Основная общеобразовательная школа № 7»",
                        f'name: "{MARKUP} \\e[2J"')
    report = Checker(load_rulebook(RULES)).check(load_profile(text, "x.yaml"),
                                                 dt.date.fromisoformat(AS_OF))
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(render_report(report))
    assert f"{MARKUP} [2J" in buffer.getvalue()
    assert "математика [/red] [2j" in buffer.getvalue()  # the label lowercases a subject
    assert "\x1b" not in buffer.getvalue()


# --- item 12: XSS in the справка ------------------------------------------------------------

HOSTILE = {
    "school": "<script>alert('школа')</script>",
    "staff": "<img src=x onerror=alert('учитель')>",
    "subject": "<script>alert('предмет')</script>",
    "inspector": "<img src=x onerror=alert('проверяющий')>",
}


def _hostile_profile(tmp_path: Path) -> Path:
    text = (FIXTURES / "school-conflict.yaml").read_text(encoding="utf-8")
    text = text.replace("МБОУ «Основная общеобразовательная школа № 7»", f'"{HOSTILE["school"]}"')
    text = text.replace("Морозова Светлана Ивановна", f'"{HOSTILE["staff"]}"')
    text = text.replace("subject: математика", f'subject: "{HOSTILE["subject"]}"')
    text += f'inspection:\n  inspector: "{HOSTILE["inspector"]}"\n  verdicts: []\n'
    return _write(tmp_path, text)


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_hostile_names_are_escaped_in_the_spravka(tmp_path: Path, fmt: str) -> None:
    path = _hostile_profile(tmp_path)
    result = runner.invoke(app, ["report", str(path), "--rules", str(RULES), "--as-of", AS_OF,
                                 "--format", fmt])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert('школа')&lt;/script&gt;" in out.replace("&#39;", "'")
    assert "&lt;img src=x onerror=alert('проверяющий')&gt;" in out.replace("&#39;", "'")
    assert "&lt;script&gt;alert('предмет')&lt;/script&gt;" in out.replace("&#39;", "'")
    if fmt == "html":  # the package's own stylesheet is not escaped
        assert 'font-family: "Times New Roman"' in out


def test_markdown_link_syntax_in_a_value_is_not_a_link() -> None:
    doc = documents.Document(school="[жми](javascript:alert(1))", as_of="01.05.2024",
                             academic_year="2023/2024", sections=[])
    text = documents.spravka_markdown(doc)
    assert "\\[жми\\](javascript:alert(1))" in text


# --- item 13: CSV formula injection -----------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_cell_neutralises_every_formula_start() -> None:
    for start in FORMULA_STARTS:
        assert csv_cell(f"{start}HYPERLINK(\"http://evil\")") == f"'{start}HYPERLINK(\"http://evil\")"
    assert csv_cell("Школа") == "Школа"
    assert csv_cell(-3) == -3


def _hostile_school(text: str) -> str:
    text = text.replace("МБОУ «Основная общеобразовательная школа № 7»", '"=HYPERLINK(1)"')
    text = text.replace("Калининский муниципальный округ", '"+SUM(1)"')
    return text.replace("region: Тверская область", 'region: "@cmd"')


def test_batch_csv_cells_never_start_a_formula(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBJCHECK_CACHE_DIR", str(tmp_path / "cache"))
    schools = tmp_path / "schools"
    schools.mkdir()
    good = (FIXTURES / "school-conflict.yaml").read_text(encoding="utf-8")
    _write(schools, _hostile_school(good), "=good.yaml")
    _write(schools, "school: [\n", "-broken.yaml")
    _write(schools, BASE + '"=1+1": 1\n', "@unknown.yaml")
    _write(schools, _alias_bomb(9), "bomb.yaml")
    _write(schools, BASE + "staff: " + "[" * 40_000 + "]" * 40_000 + "\n", "deep.yaml")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(schools), "--out", str(out), "--rules", str(RULES),
                                 "--as-of", AS_OF, "-j", "1"])
    assert result.exit_code == 2, result.output
    cells = 0
    for name in ("summary.csv", "findings.csv", "errors.csv"):
        text = (out / name).read_text(encoding="utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
            for cell in row:
                cells += 1
                assert not cell.startswith(FORMULA_STARTS), (name, cell)
    assert cells > 100
    summary = (out / "summary.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1)" in summary and "'+SUM(1)" in summary and "'@cmd" in summary
    errors = (out / "errors.csv").read_text(encoding="utf-8-sig")
    assert "'-broken.yaml" in errors or "/-broken.yaml" in errors
    assert "ссылки (alias, *имя) раскрываются" in errors  # bomb.yaml, an error row
    assert "вложенность списков и словарей глубже 100" in errors  # deep.yaml, no crash
    assert summary.count("\n") == 2  # the header and the one good school
    _assert_xlsx_text(out / "summary.xlsx", "=HYPERLINK(1)")


def _assert_xlsx_text(path: Path, value: str) -> None:
    from openpyxl import load_workbook

    found = 0
    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == value:
                    found += 1
                    assert cell.data_type == "s"
    assert found


def test_plan_csv_and_xlsx_keep_hostile_text_as_text(tmp_path: Path) -> None:
    section = documents.Section("1.", "Раздел", [documents.Row(
        "1.1.", "Мера", measure="=HYPERLINK(\"http://evil\")", due="-1", responsible="@cmd")])
    doc = documents.Document(school="=школа", as_of="01.05.2024", academic_year="2023/2024",
                             sections=[section])
    rows = list(csv.reader(io.StringIO(documents.plan_csv(doc)), delimiter=";"))
    assert rows[2] == ["1.1.", "'=HYPERLINK(\"http://evil\")", "'-1", "'@cmd"]
    path = tmp_path / "plan.xlsx"
    documents.plan_xlsx(doc, path)
    _assert_xlsx_text(path, "=HYPERLINK(\"http://evil\")")


# --- items 3 and 4: inspect keeps links, owner and mode; handles every valid shape ---------

def _profile(tmp_path: Path, text: str | None = None, name: str = "school.yaml") -> Path:
    path = tmp_path / name
    if text is None:
        shutil.copy(FIXTURES / "kamenskaya-2022.yaml", path)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_symlinked_profile_is_written_through_to_its_target(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    real = _profile(tmp_path / "store")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    ProfileFile(link).record([VERDICT])
    assert link.is_symlink() and link.resolve() == real
    assert "rule: FED-ORG-001" in real.read_text(encoding="utf-8")


def test_hard_link_partner_sees_the_verdict(tmp_path: Path) -> None:
    first = _profile(tmp_path)
    second = tmp_path / "partner.yaml"
    os.link(first, second)
    inode = first.stat().st_ino
    ProfileFile(first).record([VERDICT])
    assert first.stat().st_ino == inode == second.stat().st_ino
    assert "rule: FED-ORG-001" in second.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.old"))  # the safe copy is gone after a good write


def test_mode_and_owner_are_kept(tmp_path: Path) -> None:
    path = _profile(tmp_path)
    path.chmod(0o640)
    if os.geteuid() == 0:
        os.chown(path, 12345, 23456)
    ProfileFile(path).record([VERDICT])
    info = path.stat()
    assert info.st_mode & 0o7777 == 0o640
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (12345, 23456)


SHAPES = {
    "flow_section": BASE + "inspection: {inspector: Иванов, verdicts: []}  # сверка\n",
    "quoted_key": BASE + '"inspection":\n  inspector: Иванов\n',
    "single_quoted_key": BASE + "'inspection': {}\n",
    "end_marker": BASE + "...\n",
    "end_marker_after_section": BASE + "inspection:\n  inspector: Иванов\n...\n# хвост\n",
    "bom_inspection_first": "\ufeffinspection:\n  inspector: Иванов\n" + BASE,
    "bom_no_section": "\ufeff" + BASE,
    "document_start": "---\n" + BASE,
    "no_final_newline": BASE.rstrip("\n"),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_inspect_writes_into_every_valid_shape(tmp_path: Path, shape: str) -> None:
    before = SHAPES[shape]
    path = _profile(tmp_path, before)
    file = ProfileFile(path)
    file.record([VERDICT], "Петров")
    after = path.read_text(encoding="utf-8")
    assert after.startswith("\ufeff") == before.startswith("\ufeff")
    profile = load_profile(after, str(path))
    assert profile.inspection is not None and VERDICT in profile.inspection.verdicts
    assert profile.inspection.inspector == "Петров"
    assert profile.school.name == "Школа № 1"
    if "..." in before:
        assert after.index("rule: FED-ORG-001") < after.index("...\n")
    kept = outside_section(before).replace("\n", "")
    assert kept.replace("\ufeff", "") in outside_section(after).replace("\n", "").replace(
        "\ufeff", "")


def test_whole_profile_in_braces_is_not_written_and_says_why(tmp_path: Path) -> None:
    path = _profile(tmp_path, '{schema_version: 1, school: {id: s1, name: "Школа"}}\n')
    before = path.read_bytes()
    with pytest.raises(UnwritableError, match="фигурных скобках"):
        ProfileFile(path).record([VERDICT])
    assert path.read_bytes() == before


def test_full_disk_leaves_the_profile_as_it_was(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = _profile(tmp_path)
    before = path.read_bytes()
    file = ProfileFile(path)

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(profile_edit, "_atomic_replace", full)
    with pytest.raises(OSError):
        file.record([VERDICT])
    assert path.read_bytes() == before


def test_full_disk_during_an_in_place_write_leaves_the_profile_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _profile(tmp_path)
    os.link(path, tmp_path / "partner.yaml")  # hard links: written in place
    before = path.read_bytes()

    def full(fd: int, size: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(profile_edit, "_reserve", full)
    with pytest.raises(OSError):
        ProfileFile(path).record([VERDICT])
    assert path.read_bytes() == before


def test_unwritable_verdict_is_printed_as_yaml_to_paste(tmp_path: Path) -> None:
    """The whole inspect command, with a profile in braces: the answer comes back as YAML."""
    path = _profile(tmp_path, '{schema_version: 1, school: {id: s1, name: "Школа"}}\n')
    before = path.read_bytes()
    answers = "1\nпроверено на месте\n\n\n"
    result = runner.invoke(app, ["inspect", str(path), "--rules", str(RULES), "--as-of", AS_OF,
                                 "--inspector", "Петров"], input=answers)
    assert result.exit_code == 3, result.output
    assert "ответ НЕ записан" in result.output
    assert "Вставьте в профиль (раздел inspection) вручную:" in result.output
    pasted = result.output.split("вручную:\n", 1)[1]
    data = YAML(typ="safe").load(pasted)
    verdict = data["inspection"]["verdicts"][0]
    assert verdict["verdict"] == "confirmed" and verdict["note"] == "проверено на месте"
    assert data["inspection"]["inspector"] == "Петров"
    assert path.read_bytes() == before


def test_fifo_as_a_profile_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "school.yaml"
    os.mkfifo(fifo)
    result = runner.invoke(app, ["inspect", str(fifo), "--rules", str(RULES)])
    assert result.exit_code == 2
    assert "это именованный канал (FIFO), а не обычный файл" in result.output


def test_inspect_screens_show_file_text_without_escapes_or_markup(tmp_path: Path) -> None:
    text = (FIXTURES / "school-conflict.yaml").read_text(encoding="utf-8")
    text = text.replace("subject: математика", 'subject: "математика \\e[2J [/red] :x:"')
    path = _write(tmp_path, text)
    answers = "\n" * 12 + "q\n"  # skip a dozen measures, each shown on its screen, then quit
    result = runner.invoke(app, ["inspect", str(path), "--rules", str(RULES), "--as-of", AS_OF],
                           input=answers)
    assert result.exit_code == 0, result.output
    assert "мера 12 из" in result.output
    assert "\x1b" not in result.output
    assert "Где: ВПР · математика [2j [/red] :x: · 5 кл." in result.output  # labels lowercase


@pytest.mark.parametrize("command", [
    ["report", "--format", "docx"], ["plan", "--format", "docx"], ["plan", "--format", "xlsx"],
])
def test_control_characters_in_names_do_not_break_docx_and_xlsx(
    tmp_path: Path, command: list[str]
) -> None:
    """XML cannot hold them: python-docx and openpyxl raised, a traceback with exit 1."""
    text = (FIXTURES / "school-conflict.yaml").read_text(encoding="utf-8")
    text = text.replace("МБОУ «Основная общеобразовательная школа № 7»", '"Школа\\e[2J\\x01 № 7"')
    path = _write(tmp_path, text)
    output = tmp_path / "document.out"
    result = runner.invoke(app, [*command, str(path), "--rules", str(RULES), "--as-of", AS_OF,
                                 "--output", str(output)])
    assert result.exit_code == 0, result.output
    if command == ["report", "--format", "docx"]:
        import docx

        paragraphs = " ".join(p.text for p in docx.Document(str(output)).paragraphs)
        assert "Школа[2J № 7" in paragraphs
    assert output.stat().st_size > 0


def _round_trip_line(node: object, loc: tuple[str | int, ...]) -> int | None:
    """The line as the round-trip loader sees it (how problems were located before)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    line: int | None = 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _all_locs(data: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [prefix, (*prefix, "absent"), (*prefix, 10_000)]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_all_locs(value, (*prefix, str(key))))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_all_locs(value, (*prefix, index)))
    return found


@pytest.mark.parametrize("name", ["kamenskaya-2022.yaml", "school-conflict.yaml",
                                  "school-exemplary.yaml"])
def test_one_pass_location_agrees_with_the_round_trip_loader(name: str) -> None:
    from checker.io.yamlio import load_fast, locate_all, round_trip_yaml

    text = (FIXTURES / name).read_text(encoding="utf-8")
    locs = _all_locs(load_fast(text, name))
    lines = locate_all(text, locs)
    reference = round_trip_yaml().load(text)
    assert len(locs) > 150
    for loc in locs:
        assert lines[loc] == _round_trip_line(reference, loc), loc


def test_long_value_in_a_pack_is_cut_short_in_the_message(tmp_path: Path) -> None:
    from tests.test_bad_input import PACK_HEAD

    rules = tmp_path / "rules"
    shutil.copytree(RULES / "federal", rules / "federal")
    (rules / "regional").mkdir()
    long_kind = "наблюдатель" * 500
    (rules / "regional" / "broken.yaml").write_text(
        PACK_HEAD.replace("kind: observer", f"kind: {long_kind}"), encoding="utf-8")
    result = runner.invoke(app, ["rules", "list", "--rules", str(rules)])
    assert result.exit_code == 2
    assert "broken.yaml:13: rules[0].check.has.kind: неизвестный вид факта «наблюдатель" in (
        result.output)
    assert "…»" in result.output
    assert len(result.output) < 2000
