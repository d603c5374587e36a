"""The batch export written while schools are checked (issue 18): the same bytes as writing
after the run, at any worker count and order of arrival; failures while streaming keep the
old outputs."""

from __future__ import annotations

import errno
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from checker.batch import export
from checker.batch.export import STAGING_PREFIX, BatchStream, write_all
from checker.batch.run import (
    BatchOptions,
    FindingRow,
    FindingStore,
    InFileOrder,
    MissingTally,
    SchoolRow,
    collect_files,
    most_missing,
    run_batch,
)
from checker.batch.xlsx import XlsxWriter
from checker.cli.main import app
from checker.testing.synthetic import make_profile, to_yaml, write_profiles
from tests.conftest import FIXTURES

AS_OF = "2024-05-01"
OUTPUTS = ("summary.csv", "findings.csv", "errors.csv", "summary.json", "summary.xlsx",
           "index.html")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The fixtures, generated schools and a file that cannot be read as a profile."""
    root = tmp_path / "schools"
    shutil.copytree(FIXTURES, root / "fixtures")
    write_profiles(root / "generated", 10, seed=11)
    (root / "generated" / "broken.yaml").write_text("school: [\n", encoding="utf-8")
    return root


# every batch here caches into the test's own folder (fixture in conftest)
pytestmark = pytest.mark.usefixtures("cache_home")


def _options() -> BatchOptions:
    import datetime as dt

    return BatchOptions(as_of=dt.date.fromisoformat(AS_OF))


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_streamed_outputs_equal_written_after_the_run(corpus: Path, tmp_path: Path) -> None:
    """2 workers on shuffled paths, streamed (chunks of one file arrive out of order) —
    byte for byte what 1 worker gives when everything is written after the run."""
    files, _ = collect_files([str(corpus)])
    shuffled = list(files)
    random.Random(5).shuffle(shuffled)
    after = run_batch([str(corpus)], _options(), workers=1)
    write_all(after, tmp_path / "after")
    stream = BatchStream(tmp_path / "streamed")
    streamed = run_batch(shuffled, _options(), workers=2, sink=stream)
    write_all(streamed, tmp_path / "streamed", stream=stream)
    assert _bytes(tmp_path / "after") == _bytes(tmp_path / "streamed")
    # the counts tallied as schools arrived are those read back from every finding
    assert streamed.most_missing() == most_missing(streamed.schools, streamed.findings_of)
    assert streamed.most_missing()  # the corpus has missing measures to count
    # the bad file is still an error row, and its school-less place did not stop the stream
    assert any(e.file.endswith("broken.yaml") for e in streamed.errors)
    findings = (tmp_path / "streamed" / "findings.csv").read_text(encoding="utf-8-sig")
    assert len(findings.splitlines()) - 1 == sum(len(streamed.findings_of(s))
                                                 for s in streamed.schools)
    assert not list((tmp_path / "streamed").glob("tmp*"))  # the JSON spool leaves no file


def test_cli_streams_the_same_bytes_at_one_and_two_workers(corpus: Path, tmp_path: Path) -> None:
    for workers in ("1", "2"):
        run = CliRunner().invoke(app, ["batch", str(corpus), "--out", str(tmp_path / workers),
                                       "-j", workers, "--as-of", AS_OF])
        assert run.exit_code == 2, run.output  # the broken file
    assert _bytes(tmp_path / "1") == _bytes(tmp_path / "2")


class _Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple[FindingRow, ...]]] = []

    def school(self, school: SchoolRow, findings: Sequence[FindingRow]) -> None:
        self.seen.append((school.file, tuple(findings)))


def _school(file: str, outcome: str = "gap") -> SchoolRow:
    finding = FindingRow("R-1", "мера", "high", outcome, 0, 1, 1, f"сообщение {file}")
    return SchoolRow(file, "id", "школа", None, "регион", "муниципалитет", "низкий", 0.1,
                     1.0, {outcome: 1}, (finding,))


def test_sink_receives_schools_in_file_order_whatever_the_arrival() -> None:
    """Files finish in any order (and an error file has no school): the sink still sees
    every school once, in the order of the files, with its own findings — those of a school
    that finished early read back from the store."""
    files = [f"{n:02d}.yaml" for n in range(30)]
    schools = {f: None if n % 7 == 3 else _school(f) for n, f in enumerate(files)}
    arrival = list(files)
    random.Random(1).shuffle(arrival)
    store = FindingStore()
    recorder = _Recorder()
    order = InFileOrder(files, recorder, store)
    for file in arrival:
        school = schools[file]
        if school is None:
            order.done(file, None)
        else:
            stored = SchoolRow(**{**_fields(school), "findings": (),  # type: ignore[arg-type]
                                  "findings_ref": store.add(school.findings)})
            order.done(file, stored, school.findings)
    order.finish()
    assert [file for file, _ in recorder.seen] == [f for f in files if schools[f] is not None]
    assert all(findings[0].message == f"сообщение {file}" for file, findings in recorder.seen)


def _fields(school: SchoolRow) -> dict[str, object]:
    return {name: getattr(school, name) for name in SchoolRow.__slots__}


def test_missing_tally_does_not_depend_on_the_order_of_arrival() -> None:
    schools = [_school(f"{n:02d}.yaml", outcome) for n, outcome in
               enumerate(["gap", "violation", "met", "overdue", "gap", "met"])]
    # the title of a rule is the one of the last file in file order
    schools[4] = SchoolRow(**{**_fields(schools[4]),  # type: ignore[arg-type]
                              "findings": (schools[4].findings[0]._replace(title="новая"),)})
    expected = most_missing(schools, lambda s: s.findings)
    assert expected[0].title == "новая" and expected[0].schools == 4
    shuffled = list(schools)
    random.Random(2).shuffle(shuffled)
    tally = MissingTally()
    for school in shuffled:
        tally.add(school.file, school.findings)
    assert tally.measures(len(schools)) == expected


@pytest.mark.parametrize(("rows", "shown"), [(4, 4), (5, 5), (6, 5), (9, 5)])
def test_streamed_sheet_caps_rows_like_one_call(tmp_path: Path, rows: int, shown: int) -> None:
    """Rows added a few at a time are cut at the cap exactly as when given at once: the
    last row that fits says that the list is cut only if more rows came."""
    data = [[f"строка {n}", n] for n in range(rows)]
    with XlsxWriter(tmp_path / "once.xlsx") as book:
        book.sheet("Лист", ["текст", "число"], data, max_rows=5, overflow="обрезано")
    with XlsxWriter(tmp_path / "parts.xlsx") as book:
        sheet = book.open_sheet("Лист", ["текст", "число"], max_rows=5, overflow="обрезано")
        for start in range(0, rows, 2):
            sheet.add(data[start:start + 2])
        assert sheet.close() == shown
    assert (tmp_path / "once.xlsx").read_bytes() == (tmp_path / "parts.xlsx").read_bytes()
    values = [row[0] for row in load_workbook(tmp_path / "parts.xlsx")["Лист"].values]
    assert len(values) == shown + 1
    assert values[-1] == ("обрезано" if rows > 5 else f"строка {rows - 1}")


def test_a_streamed_sheet_keeps_its_tab(tmp_path: Path) -> None:
    with XlsxWriter(tmp_path / "book.xlsx") as book:
        second = book.open_sheet("второй", ["a"], number=2)
        second.add([["x"]])
        second.close()
        book.sheet("первый", ["a"], [["y"]])
        book.sheet("третий", ["a"], [["z"]])
    assert load_workbook(tmp_path / "book.xlsx").sheetnames == ["первый", "второй", "третий"]


# --- failures while streaming: the old outputs stay ------------------------------------------


def _old_outputs(out: Path) -> dict[str, bytes]:
    out.mkdir(parents=True, exist_ok=True)
    old = {name: f"старый {name}\n".encode() for name in OUTPUTS}
    for name, data in old.items():
        (out / name).write_bytes(data)
    return old


def _kept(out: Path, old: dict[str, bytes]) -> bool:
    current = {name: (out / name).read_bytes() for name in old}
    staging = [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
    return current == old and not staging


def test_full_disk_while_streaming_keeps_old_outputs(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    old = _old_outputs(out)

    def full(*_args: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "csv_cell", full)  # the first write of each school
    run = CliRunner().invoke(app, ["batch", str(corpus), "--out", str(out), "-j", "1",
                                   "--as-of", AS_OF])
    assert run.exit_code == 2, run.output
    assert "на диске нет места" in run.output and "прежние файлы не изменены" in run.output
    assert "Traceback" not in run.output
    assert _kept(out, old)


def test_unwritable_character_while_streaming_is_a_message(
    tmp_path: Path,
) -> None:
    """A finding's text the CSV encoding cannot carry: met while streaming, reported as
    before (exit 2, the character named, the old outputs kept)."""
    schools = tmp_path / "schools"
    schools.mkdir()
    data = make_profile(3, 1)
    data["school"]["name"] = "Школа ☃"
    (schools / "a.yaml").write_text(to_yaml(data), encoding="utf-8")
    out = tmp_path / "out"
    old = _old_outputs(out)
    run = CliRunner().invoke(app, ["batch", str(schools), "--out", str(out), "-j", "1",
                                   "--as-of", AS_OF, "--csv-encoding", "cp1251"])
    assert run.exit_code == 2, run.output
    assert "«☃» нельзя записать в кодировке «cp1251»" in run.output
    assert "Traceback" not in run.output
    assert _kept(out, old)
