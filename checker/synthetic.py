"""Synthetic school profiles for the benchmark and the batch tests.

Profiles are sized like real schools (30–60 procedures, 40–80 staff, 10–20 documents,
observers, video, checking, activities) and are fully determined by a seed, so a run can
be repeated exactly. Names are invented from neutral parts; no real person is described.
YAML is emitted by a tiny block-style writer (ruamel's dumper would dominate generation
time for tens of thousands of files).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

from checker.profile import PROCEDURE_KINDS

SEED_MUNICIPALITIES: tuple[tuple[str, str], ...] = (
    ("Красноярский край", "Богучанский район"),
    ("Ленинградская область", "Сосновоборский городской округ"),
    ("Республика Алтай", "Шебалинский район"),
    ("Калининградская область", "Нестеровский муниципальный округ"),
)
OTHER_MUNICIPALITIES: tuple[tuple[str, str], ...] = (
    ("Красноярский край", "город Красноярск"),
    ("Ленинградская область", "Гатчинский муниципальный округ"),
    ("Новосибирская область", "Искитимский район"),
    ("Республика Татарстан", "Елабужский муниципальный район"),
    ("Свердловская область", "городской округ Ревда"),
    ("Калининградская область", "город Калининград"),
)
MUNICIPALITIES = SEED_MUNICIPALITIES + OTHER_MUNICIPALITIES

_SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов",
             "Новиков", "Морозов", "Волков", "Алексеев", "Павлов", "Семёнов", "Голубев")
_INITIALS = "АБВГДЕИКЛМНОПРСТ"
_SUBJECTS = ("русский язык", "математика", "история", "биология", "география",
             "физика", "химия", "обществознание", "английский язык", "литература",
             "информатика", "окружающий мир")
_DOC_KINDS = ("vsoko_regulation", "assessment_regulation", "coi_regulation",
              "order_responsible", "order_commission", "order_objectivity", "order_infosec",
              "objectivity_plan", "objectivity_report", "quality_program",
              "self_examination_report", "procedure_schedule", "pay_regulation",
              "training_plan", "observer_schedule", "other")
_ACTIVITY_KINDS = ("results_analysis", "journal_comparison", "parent_meeting",
                   "parent_consultation", "site_publication", "teacher_training",
                   "methodical_meeting", "teachers_council", "observer_training", "briefing",
                   "hotline", "recheck", "deficit_analysis", "kim_analysis")
_TYPES = ("СОШ", "СОШ", "СОШ", "ООШ", "лицей", "гимназия", "центр образования")


def _person(rng: random.Random) -> str:
    surname = rng.choice(_SURNAMES)
    return f"{surname} {rng.choice(_INITIALS)}. {rng.choice(_INITIALS)}."


def _date(rng: random.Random, year: int, month_from: int, month_to: int) -> dt.date:
    """A day between two months of the academic year that starts in September ``year``."""
    span = (month_to - month_from) % 12
    month = (month_from - 1 + rng.randint(0, span)) % 12 + 1
    return dt.date(year if month >= 9 else year + 1, month, rng.randint(1, 28))


def make_profile(seed: int, index: int) -> dict[str, Any]:
    """One synthetic profile as plain data; ``quality`` (0–1) drives how complete it is."""
    rng = random.Random(seed * 1_000_003 + index)
    region, municipality = MUNICIPALITIES[index % len(MUNICIPALITIES)]
    quality = rng.betavariate(4, 1.2)  # most schools do most things; a tail does little
    conflicted = rng.random() < 0.12  # a few schools let teachers check their own classes
    year = rng.choice((2022, 2023, 2024))
    school_type = rng.choice(_TYPES)
    school: dict[str, Any] = {
        "id": f"school-{seed}-{index:06d}",
        "name": f"МБОУ «{school_type} № {index % 97 + 1}» ({municipality})",
        "type": school_type,
        "region": region,
        "municipality": municipality,
        "website": f"https://school{index}.example.ru" if rng.random() < 0.9 else False,
    }
    staff = []
    grade_of: dict[str, int] = {}
    for n in range(rng.randint(40, 80)):
        grade = rng.randint(1, 11)
        grade_of[f"t{n + 1}"] = grade
        staff.append({
            "id": f"t{n + 1}",
            "name": _person(rng),
            "position": "учитель",
            "subjects": rng.sample(_SUBJECTS, rng.randint(1, 2)),
            "classes": [f"{grade}{letter}" for letter in rng.sample("АБВГ", rng.randint(1, 3))],
        })
    documents = []
    doc_kinds = list(_DOC_KINDS)
    rng.shuffle(doc_kinds)
    for n in range(rng.randint(10, 20)):
        kind = doc_kinds[n % len(doc_kinds)]
        doc: dict[str, Any] = {"id": f"d{n + 1}", "kind": kind}
        if rng.random() < 0.5 + quality / 2:
            doc["number"] = rng.randint(1, 400)
            doc["date"] = _date(rng, year, 8, 10)
        if rng.random() < 0.2 + quality:
            doc["published"] = {"url": f"https://school{index}.example.ru/docs/{n + 1}",
                                "date": _date(rng, year, 9, 11)}
        elif rng.random() < 0.3:
            doc["published"] = False
        if kind == "pay_regulation":
            doc["uses_vpr_for_evaluation"] = rng.random() < 0.05
        if kind == "self_examination_report":
            doc["compares_external_internal"] = rng.random() < quality
        if kind == "assessment_regulation":
            doc["collegial_agreement"] = rng.random() < quality
        documents.append(doc)
    procedures = []
    for n in range(rng.randint(30, 60)):
        kind = rng.choice(PROCEDURE_KINDS[:3]) if rng.random() < 0.8 else rng.choice(
            PROCEDURE_KINDS)
        grade = rng.randint(4, 11)
        day = _date(rng, year, 9, 5)
        proc: dict[str, Any] = {
            "id": f"p{n + 1}",
            "kind": kind,
            "subject": rng.choice(_SUBJECTS),
            "grade": grade,
            "classes": [f"{grade}{letter}" for letter in rng.sample("АБВГ", rng.randint(1, 3))],
            "date": day,
            "rooms": [str(rng.randint(101, 320)) for _ in range(rng.randint(1, 3))],
            "organizers": [f"t{rng.randint(1, len(staff))}" for _ in range(rng.randint(1, 3))],
        }
        outsiders = [sid for sid, g in grade_of.items() if g != grade] or list(grade_of)
        if kind == "ВПР":
            proc["federal_control"] = rng.random() < 0.1
        if kind in ("ОГЭ", "ЕГЭ"):
            proc["in_school_ppe"] = rng.random() < 0.5
        if rng.random() < 0.2 + quality * 0.8:
            proc["observers"] = [
                {"name": _person(rng),
                 "type": rng.choice(("public", "public", "independent", "authority",
                                     "other_school")),
                 "accreditation": f"№ {rng.randint(100, 9999)}" if rng.random() < quality
                 else False,
                 "relation": rng.choice(("parent", "employee")) if conflicted
                 and rng.random() < 0.1 else "none"}
                for _ in range(rng.randint(1, 2))
            ]
        elif rng.random() < 0.5:
            proc["observers"] = []
        roll = rng.random()
        if roll < 0.1 + quality:
            proc["video"] = {"rooms": list(proc["rooms"]),
                             "checking_filmed": rng.random() < 0.2 + quality,
                             "storage": "сервер школы"}
        elif roll < quality + 0.3:
            proc["video"] = False
        if rng.random() < 0.9:
            proc["checking"] = {
                "mode": "school" if rng.random() > 0.2 + quality else rng.choice(
                    ("municipal", "cross", "regional")),
                "members": rng.sample(list(grade_of) if conflicted else outsiders, 3),
                "criteria_agreed": rng.random() < 0.2 + quality,
                "recheck_share": rng.randint(0, 30),
            }
        if rng.random() < 0.8:
            participants = rng.randint(10, 90)
            lowered = rng.randint(0, participants // 3)
            raised = rng.randint(0, participants // 5)
            proc["results"] = {"participants": participants, "lowered": lowered,
                               "raised": raised,
                               "confirmed": participants - lowered - raised}
        procedures.append(proc)
    activities = []
    for _ in range(rng.randint(8, 20)):
        activity: dict[str, Any] = {"kind": rng.choice(_ACTIVITY_KINDS),
                                    "date": _date(rng, year, 9, 6)}
        if rng.random() < 0.4:
            activity["procedure"] = f"p{rng.randint(1, len(procedures))}"
        activities.append(activity)
    return {
        "schema_version": 1,
        "school": school,
        "academic_year": f"{year}/{year + 1}",
        "lists": {"federal": rng.random() < 0.05, "regional": rng.random() < 0.1},
        "documents": documents,
        "staff": staff,
        "procedures": procedures,
        "activities": activities,
    }


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | dt.date):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _emit(value: Any, indent: str, out: list[str]) -> None:
    """Block-style YAML for dicts and lists of dicts; scalar lists go in flow style."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) or (
                isinstance(item, list) and item and isinstance(item[0], dict)
            ):
                out.append(f"{indent}{key}:")
                _emit(item, indent + "  ", out)
            elif isinstance(item, list):
                out.append(f"{indent}{key}: [{', '.join(_scalar(v) for v in item)}]")
            else:
                out.append(f"{indent}{key}: {_scalar(item)}")
    else:
        for element in value:
            lines: list[str] = []
            _emit(element, indent + "  ", lines)
            out.append(f"{indent}- {lines[0][len(indent) + 2:]}")
            out.extend(lines[1:])


def to_yaml(data: dict[str, Any]) -> str:
    out: list[str] = []
    _emit(data, "", out)
    return "\n".join(out) + "\n"


def write_profiles(directory: Path, count: int, seed: int = 1) -> list[Path]:
    """Write ``count`` profiles under ``directory/<region>/<municipality>/``."""
    paths = []
    for index in range(count):
        data = make_profile(seed, index)
        school = data["school"]
        folder = directory / school["region"] / school["municipality"]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{school['id']}.yaml"
        path.write_text(to_yaml(data), encoding="utf-8")
        paths.append(path)
    return paths
