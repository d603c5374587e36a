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

from checker.model.profile import PROCEDURE_KINDS, SCHEMA_VERSION

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
# Documents a school that does everything has (see fixtures/school-exemplary.yaml), then
# others that only pad the list to 10–20.
_REQUIRED_DOCS = ("vsoko_regulation", "assessment_regulation", "coi_regulation",
                  "order_responsible", "order_objectivity", "observer_schedule",
                  "quality_program", "vpr_codes_protocol", "vpr_works_storage",
                  "site_info_section", "self_examination_report", "procedure_schedule",
                  "order_infosec", "pay_regulation")
_OTHER_DOCS = ("order_commission", "objectivity_plan", "objectivity_report",
               "self_examination_report", "training_plan", "other")
_PUBLISHED_DOCS = frozenset({"vsoko_regulation", "assessment_regulation", "site_info_section",
                             "self_examination_report", "procedure_schedule"})
_REQUIRED_ACTIVITIES = ("briefing", "observer_training", "medalist_analysis", "kim_analysis",
                        "deficit_analysis", "parent_consultation", "methodical_meeting",
                        "results_analysis", "journal_comparison", "parent_meeting",
                        "site_publication", "teacher_training")
_OTHER_ACTIVITIES = ("teachers_council", "hotline", "recheck", "briefing", "results_analysis")
_TYPES = ("СОШ", "СОШ", "СОШ", "ООШ", "лицей", "гимназия", "центр образования")


def _person(rng: random.Random) -> str:
    surname = rng.choice(_SURNAMES)
    return f"{surname} {rng.choice(_INITIALS)}. {rng.choice(_INITIALS)}."


def _date(rng: random.Random, year: int, month_from: int, month_to: int) -> dt.date:
    """A day between two months of the academic year that starts in September ``year``."""
    span = (month_to - month_from) % 12
    month = (month_from - 1 + rng.randint(0, span)) % 12 + 1
    return dt.date(year if month >= 9 else year + 1, month, rng.randint(1, 28))


# --- class-level ВПР results: honest and inflating schools ---------------------------
#
# A separate random stream (so the rest of a school is the same as before). About one
# school in seven inflates: its journal marks are «raised» by the ВПР for a third to a half
# of a class, and pupils a point or two short of a mark are «pulled up» to its boundary
# score. An honest class has the usual picture: more «понизили» than «повысили», a smooth
# score distribution. ``inflates`` is the truth the checks are measured against.

INFLATING_SHARE = 0.15
SCALE = {"min3": 7, "min4": 11, "min5": 15}  # a 20-point work
MAX_SCORE = 20


def inflates(seed: int, index: int) -> bool:
    """Whether synthetic school ``index`` inflates its ВПР results (the ground truth)."""
    return random.Random(f"inflate|{seed}|{index}").random() < INFLATING_SHARE


def _pupil(rng: random.Random, inflating: bool) -> tuple[int, int, int]:
    """(primary score, ВПР mark, journal mark) of one pupil."""
    score = max(0, min(MAX_SCORE, round(rng.gauss(10.5, 3.8))))
    if inflating:
        for bound in (SCALE["min3"], SCALE["min4"], SCALE["min5"]):
            if bound - 2 <= score < bound and rng.random() < 0.7:
                score = bound  # pulled up to the least score of the next mark
    mark = 2 + sum(score >= bound for bound in SCALE.values())
    if inflating:
        journal = mark - (1 if rng.random() < 0.45 else 0)
    else:
        # ФИС ОКО's usual picture: about two thirds confirm, a quarter get a lower mark on
        # the ВПР than in the journal, a few a higher one; now and then 2 points apart.
        draw = rng.random()
        journal = mark + (1 if draw < 0.27 else -1 if draw < 0.33 else 0)
        if rng.random() < 0.02:
            journal += 1
    return score, mark, max(2, min(5, journal))


def class_results(seed: int, index: int, procedure: int, classes: list[str]) -> dict[str, Any]:
    """``results.classes`` and ``results.scale`` of one ВПР of a synthetic school."""
    rng = random.Random(f"classes|{seed}|{index}|{procedure}")
    inflating = inflates(seed, index)
    rows = []
    for name in classes:
        pupils = [_pupil(rng, inflating) for _ in range(rng.randint(6, 28))]
        marks = {m: sum(1 for _, mark, _ in pupils if mark == m) for m in (2, 3, 4, 5)}
        scores: dict[int, int] = {}
        for score, _, _ in pupils:
            scores[score] = scores.get(score, 0) + 1
        rows.append({
            "name": name, "participants": len(pupils), "marks": marks,
            "lowered": sum(1 for _, m, j in pupils if m < j),
            "confirmed": sum(1 for _, m, j in pupils if m == j),
            "raised": sum(1 for _, m, j in pupils if m > j),
            "differ_by_two": sum(1 for _, m, j in pupils if abs(m - j) >= 2),
            "journal_period": "четверть",
            "scores": dict(sorted(scores.items())),
        })
    return {"scale": dict(SCALE), "classes": rows}


def make_profile(seed: int, index: int) -> dict[str, Any]:
    """One synthetic profile as plain data.

    A school's ``quality`` (0–1, most schools high, a tail low) is the chance that it takes
    each measure; a measure a school takes is applied to (nearly) every procedure, as in a
    real school, so the levels come out mixed: some «высокий», many «средний», a share of
    «низкий» (also every school with a conflict of interest) and a few «не определён»
    (schools that report little).
    """
    rng = random.Random(seed * 1_000_003 + index)
    region, municipality = MUNICIPALITIES[index % len(MUNICIPALITIES)]
    quality = rng.betavariate(5, 1.1)
    sparse = rng.random() < 0.05  # reports documents and bare procedures only
    conflicted = rng.random() < 0.08  # teachers check their own classes, teach the exam

    def takes(floor: float = 0.2) -> bool:
        return rng.random() < floor + (1 - floor) * quality

    year = rng.choice((2022, 2023))
    school_type = rng.choice(_TYPES)
    school: dict[str, Any] = {
        "id": f"school-{seed}-{index:06d}",
        "name": f"МБОУ «{school_type} № {index % 97 + 1}» ({municipality})",
        "type": school_type,
        "region": region,
        "municipality": municipality,
        "website": f"https://school{index}.example.ru" if rng.random() < 0.95 else False,
    }
    staff = []
    grade_of: dict[str, int] = {}
    subjects_of: dict[str, list[str]] = {}
    for n in range(rng.randint(40, 80)):
        grade = rng.randint(1, 11)
        grade_of[f"t{n + 1}"] = grade
        subjects = rng.sample(_SUBJECTS, rng.randint(1, 2))
        subjects_of[f"t{n + 1}"] = subjects
        staff.append({
            "id": f"t{n + 1}",
            "name": _person(rng),
            "position": "учитель",
            "subjects": subjects,
            "classes": [f"{grade}{letter}" for letter in rng.sample("АБВГ", rng.randint(1, 3))],
        })
    documents = []
    kinds = [kind for kind in _REQUIRED_DOCS if takes(0.3)]
    while len(kinds) < 10 or (len(kinds) < 20 and rng.random() < 0.5):
        kinds.append(rng.choice(_OTHER_DOCS))
    for n, kind in enumerate(kinds):
        doc: dict[str, Any] = {"id": f"d{n + 1}", "kind": kind}
        day = _date(rng, year, 8, 9)
        if takes(0.5):
            doc["number"] = rng.randint(1, 400)
        doc["date"] = day
        if kind in _PUBLISHED_DOCS and takes(0.2):
            doc["published"] = {"url": f"https://school{index}.example.ru/docs/{n + 1}",
                                "date": day + dt.timedelta(days=rng.randint(1, 7))}
        elif rng.random() < 0.2:
            doc["published"] = False
        if kind == "pay_regulation":
            doc["uses_vpr_for_evaluation"] = conflicted and rng.random() < 0.3
        if kind == "self_examination_report":
            doc["compares_external_internal"] = takes(0.1)
        if kind in ("assessment_regulation", "order_objectivity"):
            doc["collegial_agreement"] = takes(0.2)
        documents.append(doc)
    # the measures this school takes at its procedures
    observed, filmed, checking_filmed, external, agreed, gia_video = (
        takes(0.1), takes(0.2), takes(0.1), takes(0.1), takes(0.2), takes(0.2))
    procedures = []
    for n in range(rng.randint(30, 60)):
        kind = rng.choice(PROCEDURE_KINDS[:3]) if rng.random() < 0.8 else rng.choice(
            PROCEDURE_KINDS)
        grade = rng.randint(4, 11)
        day = _date(rng, year, 9, 4)
        subject = rng.choice(_SUBJECTS)
        outsiders = [sid for sid, g in grade_of.items() if g != grade] or list(grade_of)
        neutral = [sid for sid in outsiders if subject not in subjects_of[sid]] or outsiders
        proc: dict[str, Any] = {
            "id": f"p{n + 1}",
            "kind": kind,
            "subject": subject,
            "grade": grade,
            "classes": [f"{grade}{letter}" for letter in rng.sample("АБВГ", rng.randint(1, 3))],
            "date": day,
            "rooms": [str(rng.randint(101, 320)) for _ in range(rng.randint(1, 3))],
            "organizers": rng.sample(list(grade_of) if conflicted else neutral,
                                     rng.randint(1, 3)),
        }
        if kind == "ВПР":
            proc["federal_control"] = rng.random() < 0.1
        if kind in ("ОГЭ", "ЕГЭ"):
            proc["in_school_ppe"] = rng.random() < 0.5
        procedures.append(proc)
        if sparse:
            continue
        usually = 0.97  # a measure a school takes still slips now and then
        if observed and rng.random() < usually:
            proc["observers"] = [
                {"name": _person(rng),
                 "type": rng.choice(("public", "public", "independent", "authority",
                                     "other_school")),
                 "accreditation": f"№ {rng.randint(100, 9999)}" if takes(0.3) else False,
                 "relation": rng.choice(("parent", "employee")) if conflicted
                 and rng.random() < 0.2 else "none"}
                for _ in range(rng.randint(1, 2))
            ]
        elif rng.random() < 0.5:
            proc["observers"] = []
        if filmed and rng.random() < usually:
            video: dict[str, Any] = {"rooms": list(proc["rooms"]),
                                     "checking_filmed": checking_filmed,
                                     "storage": "сервер школы"}
            if proc.get("in_school_ppe"):
                video.update(hq=gia_video, entrance=gia_video,
                             storage_until=dt.date(day.year + 1, 3, 1 + rng.randint(0, 27)))
            proc["video"] = video
        elif rng.random() < 0.5:
            proc["video"] = False
        if rng.random() < 0.95:
            proc["checking"] = {
                "mode": rng.choice(("municipal", "cross", "regional"))
                if external and rng.random() < usually else "school",
                "members": rng.sample(list(grade_of) if conflicted else outsiders, 3),
                "criteria_agreed": agreed and rng.random() < usually,
                "recheck_share": rng.randint(0, 30),
            }
        if rng.random() < 0.8:
            participants = rng.randint(10, 90)
            lowered = rng.randint(0, participants // 3)
            raised = rng.randint(0, participants // 5)
            proc["results"] = {"participants": participants, "lowered": lowered,
                               "raised": raised,
                               "confirmed": participants - lowered - raised}
            if kind == "ВПР":
                proc["results"].update(class_results(seed, index, n, proc["classes"]))
    activities = []
    kinds = [kind for kind in _REQUIRED_ACTIVITIES if takes(0.2)]
    while len(kinds) < 8 or (len(kinds) < 20 and rng.random() < 0.5):
        kinds.append(rng.choice(_OTHER_ACTIVITIES))
    for kind in kinds:
        activity: dict[str, Any] = {"kind": kind, "date": _date(rng, year, 9, 4)}
        if kind in ("results_analysis", "journal_comparison") or rng.random() < 0.3:
            activity["procedure"] = f"p{rng.randint(1, len(procedures))}"
        activities.append(activity)
    profile: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "school": school,
        "academic_year": f"{year}/{year + 1}",
        "lists": {"federal": conflicted and rng.random() < 0.3, "regional": rng.random() < 0.05},
        "documents": documents,
        "staff": staff,
        "procedures": procedures,
        "activities": activities,
    }
    if sparse:
        del profile["staff"], profile["activities"]
    elif rng.random() < 0.8:
        # An export from the school's records lists everything: the sections are complete.
        # (Drawn last, so the rest of a school is the same with or without it.)
        profile["complete"] = ["documents", "staff", "procedures", "activities"]
    return profile


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
