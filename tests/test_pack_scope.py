"""A municipal pack is chosen by the canonical key of the place, not its spelling (issue 11,
defect 7); a region with municipal packs of which none is the school's says so."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from checker.cli.main import app
from checker.core.check import Checker
from checker.io.packs import RuleBook, load_pack, place_key
from checker.model.profile import Profile
from checker.render.text import render_report

from .conftest import RULES

AS_OF = dt.date(2024, 6, 30)
KALININGRAD = "Калининградская область"


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("Нестеровский МО", "Нестеровский муниципальный округ"),
        ("МО «Нестеровский муниципальный округ»", "Нестеровский муниципальный округ"),
        ('нестеровский  м.о.', "Нестеровский муниципальный округ"),
        ("Нестеровский район", "Нестеровский муниципальный округ"),
        ("Богучанский р-н", "Богучанский район"),
        ("МО \"Шебалинский район\"", "Шебалинский район"),
        ("Озёрский городской округ", "Озерский ГО"),
        ("Калининградская обл.", KALININGRAD),
        ("республика  Алтай", "Республика Алтай"),
    ],
)
def test_spellings_of_one_place_share_a_key(spelling: str, canonical: str) -> None:
    assert place_key(spelling) == place_key(canonical)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Республика Алтай", "Алтайский край"),
        ("Нестеровский муниципальный округ", "Гусевский муниципальный округ"),
        ("Шебалинский район", "Шебалинское сельское поселение"),
    ],
)
def test_different_places_keep_different_keys(one: str, other: str) -> None:
    assert place_key(one) != place_key(other)


def _packs(checker: Checker, municipality: str | None, region: str = KALININGRAD) -> set[str]:
    return {p.pack for p in checker.rulebook.select(region, municipality).packs}


@pytest.mark.parametrize(
    "municipality",
    ["Нестеровский МО", "нестеровский муниципальный округ", "МО «Нестеровский район»"],
)
def test_a_school_spelling_its_municipality_its_own_way_gets_the_pack(
    checker: Checker, municipality: str
) -> None:
    """Regression: «Нестеровский МО» silently lost the municipal pack."""
    selection = checker.rulebook.select(
        "Калининградская обл.", municipality, school="МАОУ СОШ г. Нестерова им. В. И. Пацаева"
    )
    assert "nesterov" in {p.pack for p in selection.packs}
    assert selection.warnings == ()


def test_an_alias_of_the_pack_selects_it(checker: Checker) -> None:
    assert "sosnovy_bor" in _packs(checker, "г. Сосновый Бор", "Ленинградская область")


def _profile(municipality: str | None) -> Profile:
    school = {"id": "s1", "name": "Школа", "region": KALININGRAD}
    if municipality is not None:
        school["municipality"] = municipality
    return Profile.model_validate({"schema_version": 2, "school": school})


@pytest.mark.parametrize("municipality", ["Гусевский городской округ", None])
def test_region_with_packs_but_no_match_warns(checker: Checker, municipality: str | None) -> None:
    report = checker.check(_profile(municipality), AS_OF)
    assert {p.layer for p in report.packs} == {"federal"}
    (warning,) = report.warnings
    assert "«Нестеровский муниципальный округ»" in warning
    assert ("«Гусевский городской округ»" if municipality else "не указан") in warning
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(render_report(report))
    assert "ни с одним не совпал" in console.export_text()


def test_the_warning_reaches_the_json_output(tmp_path: Path) -> None:
    path = tmp_path / "school.yaml"
    path.write_text(
        "schema_version: 1\nschool:\n  id: s1\n  name: Школа\n"
        f"  region: {KALININGRAD}\n  municipality: Гусевский ГО\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["check", str(path), "--rules", str(RULES), "--format", "json", "--as-of",
              "2024-06-30"],
    )
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.output)["warnings"]
    assert any("Гусевский ГО" in w for w in warnings)


def test_a_region_without_municipal_packs_does_not_warn(checker: Checker) -> None:
    selection = checker.rulebook.select("Томская область", "город Томск")
    assert selection.warnings == ()


OKTMO_PACK = """
pack: oktmo_test
title: Пакет, выбранный по ОКТМО
layer: municipal
scope: {region: Калининградская область, municipality: Нестеровский муниципальный округ, oktmo: "27624"}
rules: []
"""


def test_an_oktmo_code_decides_alone(rulebook: RuleBook) -> None:
    federal = [p for p in rulebook.packs if p.layer == "federal"]
    book = RuleBook([*federal, load_pack(OKTMO_PACK, "oktmo.yaml")])
    chosen = {p.pack for p in book.select(KALININGRAD, "где-то", "27624000").packs}
    assert "oktmo_test" in chosen
    other = book.select(KALININGRAD, "Нестеровский МО", "27612000")
    assert "oktmo_test" not in {p.pack for p in other.packs}
    assert other.warnings  # a code that matches no pack is said, too
    by_name = {p.pack for p in book.select(KALININGRAD, "Нестеровский МО").packs}
    assert "oktmo_test" in by_name


@pytest.mark.parametrize(
    "name",
    ["МАОУ СОШ г. Нестерова им. В. И. Пацаева", "маоу «СОШ г.Нестерова»", "Школа им. Пацаева"],
)
def test_the_school_an_order_addresses_gets_its_pack(checker: Checker, name: str) -> None:
    """Order №525 item 2 addresses МАОУ СОШ г. Нестерова: that school gets the pack."""
    selection = checker.rulebook.select(KALININGRAD, "Нестеровский МО", school=name)
    assert "nesterov" in {p.pack for p in selection.packs}


def test_another_school_of_the_municipality_does_not_get_a_pack_addressed_to_one(
    checker: Checker,
) -> None:
    """Regression: the plan of order №525 applied to every school of the municipality."""
    selection = checker.rulebook.select(
        KALININGRAD, "Нестеровский МО", school="МБОУ «Илюшинская ООШ»"
    )
    assert "nesterov" not in {p.pack for p in selection.packs}
    # the municipality was recognised: no «municipality not matched» warning
    assert selection.warnings == ()
