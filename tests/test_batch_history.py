"""Each school's listing history in the batch summary: words in CSV/XLSX, codes in JSON."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from openpyxl import load_workbook

from checker.batch.export import list_history_text, write_all
from checker.batch.run import BatchOptions, run_batch
from checker.testing.synthetic import to_yaml

AS_OF = dt.date(2024, 5, 1)


def _school(folder: Path, index: int, history: list[dict[str, object]] | None) -> None:
    profile: dict[str, object] = {
        "schema_version": 2,
        "school": {"id": f"s{index}", "name": f"Школа № {index}", "municipality": "город N"},
    }
    if history is not None:
        profile["lists"] = {"history": history}
    (folder / f"s{index}.yaml").write_text(to_yaml(profile), "utf-8")


def test_history_reads_in_words_by_year() -> None:
    history = [("regional", 2023, ("5 МА",)), ("federal", 2024, ("4 РУ", "5 МА")),
               ("regional", 2024, ())]
    assert list_history_text(history) == (
        "региональный 2023: 5 МА; федеральный 2024: 4 РУ, 5 МА; региональный 2024")
    assert list_history_text([]) == ""


def test_batch_outputs_give_each_schools_listing_history(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    # written out of order: the summary gives the years in order
    _school(corpus, 1, [{"kind": "federal", "year": 2024, "works": ["4 РУ"]},
                        {"kind": "regional", "year": 2023, "works": ["5 МА"]}])
    _school(corpus, 2, None)
    out = tmp_path / "out"
    write_all(run_batch([str(corpus)], BatchOptions(as_of=AS_OF), workers=1), out)

    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle, delimiter=";"))
    column = header.index("история перечней")
    cells = {row[1]: row[column] for row in rows}
    assert cells == {"s1": "региональный 2023: 5 МА; федеральный 2024: 4 РУ", "s2": ""}

    data = json.loads((out / "summary.json").read_text("utf-8"))
    history = {s["school_id"]: s["list_history"] for s in data["schools"]}
    assert history == {
        "s1": [{"kind": "regional", "year": 2023, "works": ["5 МА"]},
               {"kind": "federal", "year": 2024, "works": ["4 РУ"]}],
        "s2": [],
    }

    sheet = load_workbook(out / "summary.xlsx", read_only=True)["Школы"]
    rows = list(sheet.iter_rows(values_only=True))
    at = rows[0].index("история перечней")
    assert {r[1]: r[at] for r in rows[1:]}["s1"] == (
        "региональный 2023: 5 МА; федеральный 2024: 4 РУ")
