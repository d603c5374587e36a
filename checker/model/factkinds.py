"""The fact catalogue: every kind of fact the rules may talk about, and its fields.

Facts are flat records (no lists, no nesting) so that the rule engine can join them and
so that a rule pack can be checked against this catalogue when it is loaded: a rule naming
an unknown kind or field is a load error, never a silently unmatched pattern.

Each kind but ``school`` has a *parent*: the fact whose section of the profile it comes
from, and the boolean *flag* on that parent that says whether the section was reported at
all. «не сообщено» (flag false) and «не сделано» (flag true, no fact) are kept apart this
way: the first gives ``unknown``, the second ``gap``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

FieldType = Literal["str", "int", "bool", "date"]


@dataclass(frozen=True)
class FactKind:
    """One kind of fact: its fields, its parent and the flag that says it was reported."""

    name: str
    title: str
    fields: dict[str, FieldType]
    parent: str | None = None
    parent_key: str = ""
    flag: str = ""
    descriptions: dict[str, str] = field(default_factory=dict)
    identity: tuple[str, ...] = ()


# Every fact also has ``t`` (its kind), ``id`` (f1, f2, … unique per school) and ``ref``
# (the profile id of the thing it describes) and ``path`` (where in the profile it is).
COMMON_FIELDS: dict[str, FieldType] = {"ref": "str", "path": "str"}

SCHOOL_FLAGS = (
    "documents_reported",
    "staff_reported",
    "procedures_reported",
    "activities_reported",
    "lists_reported",
    "website_reported",
    "site_sections_reported",
    # Whom / what the people named by procedures teach is known: see checker.core.facts.
    "staff_classes_reported",
    "staff_subjects_reported",
)

PROCEDURE_FLAGS = (
    "classes_reported",
    "rooms_reported",
    "organizers_reported",
    "observers_reported",
    "video_reported",
    "checking_reported",
    "checkers_reported",
    "results_reported",
    "class_results_reported",
    # The school's documents and activities sections, repeated on each procedure: the
    # flags of procedure_document / procedure_activity.
    "documents_reported",
    "activities_reported",
)

_KINDS = [
    FactKind(
        "school",
        "школа",
        {
            "type": "str",
            "region": "str",
            "municipality": "str",
            "has_website": "bool",
            "on_federal_list": "bool",
            "on_regional_list": "bool",
            "procedures_count": "int",
            **dict.fromkeys(SCHOOL_FLAGS, "bool"),
        },
    ),
    FactKind(
        "document",
        "локальный акт или приказ",
        {
            "kind": "str",
            "number": "str",
            "date": "date",
            "has_number": "bool",
            "published": "bool",
            "published_on": "date",
            "uses_vpr_for_evaluation": "bool",
            "compares_external_internal": "bool",
            "covers_collegial_agreement": "bool",
        },
        parent="school",
        flag="documents_reported",
        identity=("kind",),
    ),
    FactKind("staff", "работник", {"position": "str"}, "school", "", "staff_reported"),
    FactKind(
        "teaches_class",
        "учитель ведёт класс",
        {"staff": "str", "class": "str", "class_label": "str"},
        "school",
        "",
        "staff_classes_reported",
        {
            "class": "класс в нормальной форме («5А»): по нему соединяются факты",
            "class_label": "класс, как его записала школа",
        },
    ),
    FactKind(
        "teaches_subject",
        "учитель ведёт предмет",
        {"staff": "str", "subject": "str"},
        "school",
        "",
        "staff_subjects_reported",
    ),
    FactKind(
        "procedure",
        "оценочная процедура",
        {
            "kind": "str",
            "subject": "str",
            "grade": "int",
            "date": "date",
            "federal_control": "bool",
            "in_school_ppe": "bool",
            "remote_ppe": "bool",
            "held_at_school": "bool",
            **dict.fromkeys(PROCEDURE_FLAGS, "bool"),
        },
        "school",
        "",
        "procedures_reported",
    ),
    FactKind(
        "procedure_class",
        "класс, писавший работу",
        {"procedure": "str", "class": "str", "class_label": "str"},
        "procedure",
        "procedure",
        "classes_reported",
        {
            "class": "класс в нормальной форме («5А»): по нему соединяются факты",
            "class_label": "класс, как его записала школа",
        },
    ),
    FactKind(
        "procedure_document",
        "документ, относящийся к процедуре",
        {"procedure": "str", "kind": "str", "date": "date", "covers": "bool"},
        "procedure",
        "procedure",
        "documents_reported",
    ),
    FactKind(
        "procedure_activity",
        "мероприятие, относящееся к процедуре",
        {"procedure": "str", "kind": "str", "date": "date", "covers": "bool"},
        "procedure",
        "procedure",
        "activities_reported",
    ),
    FactKind(
        "observation",
        "общественное наблюдение на процедуре",
        {"procedure": "str", "rooms_covered": "bool"},
        "procedure",
        "procedure",
        "observers_reported",
    ),
    FactKind(
        "organizer",
        "организатор процедуры",
        {"procedure": "str", "staff": "str"},
        "procedure",
        "procedure",
        "organizers_reported",
    ),
    FactKind(
        "observer",
        "наблюдатель",
        {
            "procedure": "str",
            "person": "str",
            "type": "str",
            "relation": "str",
            "declared_relation": "str",
            "relation_matches": "bool",
            "employee": "bool",
            "parent": "bool",
            "child_class": "str",
            "accredited": "bool",
            "independent": "bool",
        },
        "procedure",
        "procedure",
        "observers_reported",
        {
            "person": "id человека из реестра (people или staff); у наблюдателя без реестра — "
            "его место в профиле",
            "employee": "работает в школе: по реестру (работник из staff или место работы — "
            "эта школа), без реестра — по заявлению школы",
            "parent": "родитель ученика класса, писавшего работу: по реестру (классы детей × "
            "классы процедуры), без реестра — по заявлению школы",
            "relation": "связь со школой: employee, parent или none — из employee и parent",
            "independent": "не работает в школе и не родитель участника",
            "child_class": "класс процедуры, где учится ребёнок наблюдателя (нормальная форма)",
            "declared_relation": "связь, заявленная школой для человека из реестра",
            "relation_matches": "заявленная связь совпадает с выведенной из реестра",
        },
    ),
    FactKind(
        "video",
        "видеонаблюдение",
        {
            "procedure": "str",
            "during_work": "bool",
            "coverage_pct": "int",
            "checking_filmed": "bool",
            "storage_known": "bool",
            "storage_until": "date",
            "storage_until_march": "bool",
            "hq": "bool",
            "entrance": "bool",
        },
        "procedure",
        "procedure",
        "video_reported",
    ),
    FactKind(
        "checking",
        "проверка работ",
        {
            "procedure": "str",
            "mode": "str",
            "external": "bool",
            "criteria_agreed": "bool",
            "agreed_before": "bool",
            "recheck_pct": "int",
        },
        "procedure",
        "procedure",
        "checking_reported",
    ),
    FactKind(
        "checker",
        "член комиссии по проверке",
        {"procedure": "str", "staff": "str"},
        "procedure",
        "procedure",
        "checkers_reported",
    ),
    FactKind(
        "result",
        "результаты процедуры",
        {
            "procedure": "str",
            "participants": "int",
            "lowered_pct": "int",
            "raised_pct": "int",
            "confirmed_pct": "int",
        },
        "procedure",
        "procedure",
        "results_reported",
    ),
    FactKind(
        "class_result",
        "результаты класса (или параллели) в процедуре",
        {
            "procedure": "str",
            "kind": "str",
            "subject": "str",
            "grade": "int",
            "class": "str",
            "parallel": "bool",
            "participants": "int",
            "few_data": "bool",
            "pct2": "int",
            "pct3": "int",
            "pct4": "int",
            "pct5": "int",
            "lowered_pct": "int",
            "confirmed_pct": "int",
            "raised_pct": "int",
            "differ2_pct": "int",
            "peak_pct": "int",
            "rise2_pp": "int",
            "rise5_pp": "int",
        },
        "procedure",
        "procedure",
        "class_results_reported",
    ),
    FactKind(
        "work_result",
        "результаты школы по работе (все классы) против распределения муниципалитета или "
        "региона",
        {
            "procedure": "str",
            "kind": "str",
            "subject": "str",
            "grade": "int",
            "participants": "int",
            "few_data": "bool",
            "pct45": "int",
            "ref_group": "str",
            "ref_pct45": "int",
            "excess_pp": "int",
            "z10": "int",
            "sign_pp": "int",
            "not_sign": "str",
        },
        "procedure",
        "procedure",
        "class_results_reported",
    ),
    FactKind(
        "listing",
        "перечень ОО с признаками необъективности, о котором школа сообщила",
        {"list": "str", "listed": "bool"},
        "school",
        "",
        "lists_reported",
        identity=("list",),
    ),
    FactKind(
        "site_section",
        "раздел сайта школы",
        {"section": "str", "present": "bool"},
        "school",
        "",
        "site_sections_reported",
        identity=("section",),
    ),
    FactKind(
        "activity",
        "мероприятие школы",
        {"kind": "str", "date": "date", "procedure": "str"},
        "school",
        "",
        "activities_reported",
    ),
]

FACT_KINDS: dict[str, FactKind] = {kind.name: kind for kind in _KINDS}


def field_type(kind: str, name: str) -> FieldType | None:
    """Type of a field of a fact kind, or None when the kind has no such field."""
    fact_kind = FACT_KINDS[kind]
    if name in fact_kind.fields:
        return fact_kind.fields[name]
    return COMMON_FIELDS.get(name)


# --- facts of one school ---------------------------------------------------------------

Fact = dict[str, Any]


@dataclass(frozen=True)
class Facts:
    """All facts of one school, with ids ``f1``, ``f2``, … in a stable order."""

    school_id: str
    items: tuple[Fact, ...]
    _by_kind: dict[str, list[Fact]] = field(default_factory=dict, compare=False, repr=False)

    def of_kind(self, kind: str) -> list[Fact]:
        """The facts of one kind, in order (indexed on first use; do not modify)."""
        if not self._by_kind and self.items:
            for fact in self.items:
                self._by_kind.setdefault(fact["t"], []).append(fact)
        return self._by_kind.get(kind, [])

    @property
    def school(self) -> Fact:
        return self.items[0]


# --- Russian meaning of every field, for rule authors (docs/rules-authoring.md) ----------

COMMON_DESCRIPTIONS = {
    "ref": "идентификатор того, что описывает факт (id из профиля: процедуры, документа, "
    "работника; у школы — её код)",
    "path": "где в профиле это записано (для ссылок в отчёте)",
}

_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "school": {
        "type": "тип школы: СОШ, ООШ, НОШ, лицей, гимназия, …",
        "region": "субъект РФ",
        "municipality": "муниципальное образование",
        "has_website": "у школы есть официальный сайт",
        "on_federal_list": "школа в федеральном перечне ОО с признаками необъективности",
        "on_regional_list": "школа в региональном перечне",
        "procedures_count": "сколько оценочных процедур указано (нет, если раздел не заполнен)",
        "documents_reported": "раздел «документы» заполнен полностью",
        "staff_reported": "раздел «работники» заполнен полностью",
        "procedures_reported": "раздел «процедуры» заполнен полностью",
        "activities_reported": "раздел «мероприятия» заполнен полностью",
        "lists_reported": "сказано, входит ли школа в перечни",
        "website_reported": "сказано, есть ли у школы сайт",
        "site_sections_reported": "сказано, какие разделы есть на сайте школы",
        "staff_classes_reported": "у каждого названного работника указаны его классы",
        "staff_subjects_reported": "у каждого названного работника указаны его предметы",
    },
    "document": {
        "kind": "вид документа (vsoko_regulation, order_responsible, … — см. схему профиля)",
        "number": "номер приказа или акта",
        "date": "дата утверждения",
        "has_number": "у документа указан номер",
        "published": "опубликован на сайте школы (false — не опубликован)",
        "published_on": "дата публикации",
        "uses_vpr_for_evaluation": "документ использует результаты ВПР для оценки учителей "
        "или школы",
        "compares_external_internal": "в отчёте сопоставлены внешняя и внутренняя оценка",
        "covers_collegial_agreement": "приказ предусматривает коллегиальное обсуждение "
        "подходов к оцениванию",
    },
    "staff": {"position": "должность"},
    "teaches_class": {"staff": "id работника", "class": "класс, в котором он ведёт уроки"},
    "teaches_subject": {
        "staff": "id работника",
        "subject": "предмет, который он преподаёт (строчными буквами)",
    },
    "procedure": {
        "kind": "вид процедуры: ВПР, РПР, ДКР, ОГЭ, ЕГЭ, НИКО, ВсОШ",
        "subject": "предмет (строчными буквами)",
        "grade": "класс (параллель), 1–11",
        "date": "дата проведения",
        "federal_control": "процедура в штатном режиме с федеральным контролем",
        "in_school_ppe": "ППЭ ГИА расположен в школе",
        "remote_ppe": "ППЭ в труднодоступной и отдалённой местности",
        "classes_reported": "указаны классы, писавшие работу",
        "rooms_reported": "указаны аудитории",
        "organizers_reported": "указаны организаторы",
        "observers_reported": "сказано о наблюдателях (в том числе что их не было)",
        "video_reported": "сказано о видеонаблюдении",
        "checking_reported": "сказано, кто проверял работы",
        "checkers_reported": "указан состав комиссии по проверке",
        "results_reported": "указаны результаты",
        "class_results_reported": "указаны результаты по классам (results.classes)",
        "held_at_school": "процедура проходила в школе (ГИА не в чужом ППЭ)",
        "documents_reported": "раздел «документы» заполнен полностью (для мер по процедуре)",
        "activities_reported": "раздел «мероприятия» заполнен полностью (для мер по процедуре)",
    },
    "procedure_document": {
        "procedure": "id процедуры",
        "kind": "вид документа",
        "date": "дата документа",
        "covers": "документ относится к этой процедуре (нет поля — не сказано, к какой)",
    },
    "procedure_activity": {
        "procedure": "id процедуры",
        "kind": "вид мероприятия",
        "date": "дата мероприятия",
        "covers": "мероприятие относится к этой процедуре (нет поля — не сказано, к какой)",
    },
    "observation": {
        "procedure": "id процедуры",
        "rooms_covered": "в каждой аудитории был независимый наблюдатель",
    },
    "site_section": {
        "section": "раздел сайта: info (сведения об ОО), vsoko, results",
        "present": "раздел есть на сайте (false — его нет)",
    },
    "procedure_class": {"procedure": "id процедуры", "class": "класс, писавший работу"},
    "organizer": {"procedure": "id процедуры", "staff": "id работника-организатора"},
    "observer": {
        "procedure": "id процедуры",
        "type": "вид наблюдателя: public, independent, authority, other_school",
        "relation": "связь со школой: none, employee (работник), parent (родитель участника)",
        "accredited": "наблюдатель аккредитован",
        "independent": "не работник школы и не родитель участника",
    },
    "video": {
        "procedure": "id процедуры",
        "during_work": "видеонаблюдение велось во время работы",
        "coverage_pct": "доля аудиторий процедуры под видеонаблюдением, % («частично» — 1)",
        "checking_filmed": "велась запись при проверке работ",
        "storage_known": "известно, где или до какого числа хранятся записи",
        "storage_until": "до какой даты хранятся записи",
        "storage_until_march": "записи ГИА хранятся до 1 марта следующего года",
        "hq": "видеонаблюдение в штабе ППЭ",
        "entrance": "видеонаблюдение на входе в ППЭ",
    },
    "checking": {
        "procedure": "id процедуры",
        "mode": "кто проверял: school, municipal, cross, federal, regional",
        "external": "проверяла не только школьная комиссия",
        "criteria_agreed": "подходы к оцениванию согласованы заранее",
        "agreed_before": "подходы согласованы не позже дня процедуры",
        "recheck_pct": "доля выборочно перепроверенных работ, %",
    },
    "checker": {"procedure": "id процедуры", "staff": "id работника — члена комиссии"},
    "result": {
        "procedure": "id процедуры",
        "participants": "число участников",
        "lowered_pct": "доля понизивших отметку, %",
        "raised_pct": "доля повысивших отметку, %",
        "confirmed_pct": "доля подтвердивших отметку, %",
    },
    "class_result": {
        "procedure": "id процедуры",
        "kind": "вид процедуры",
        "subject": "предмет (строчными буквами)",
        "grade": "класс (параллель), 1–11",
        "class": "класс, как в профиле; «параллель» — итог по всем классам",
        "parallel": "итог по параллели, а не один класс",
        "participants": "число участников (N)",
        "few_data": "участников меньше 10: доли не считаются («мало данных»)",
        "pct2": "доля отметок «2», %",
        "pct3": "доля отметок «3», %",
        "pct4": "доля отметок «4», %",
        "pct5": "доля отметок «5», %",
        "lowered_pct": "доля понизивших отметку по журналу, %",
        "confirmed_pct": "доля подтвердивших отметку по журналу, %",
        "raised_pct": "доля повысивших отметку по журналу, %",
        "differ2_pct": "доля учеников, у которых отметки за работу и по журналу "
        "расходятся на 2 и больше, %",
        "peak_pct": "доля класса (%), стоящая на границе отметки сверх среднего двух соседних "
        "баллов (худшая граница): пик распределения первичных баллов",
        "rise2_pp": "рост доли «2» у той же когорты за год, процентных пунктов",
        "rise5_pp": "рост доли «5» у той же когорты за год, процентных пунктов",
    },
    "work_result": {
        "procedure": "id процедуры",
        "kind": "вид процедуры",
        "subject": "предмет (строчными буквами)",
        "grade": "класс (параллель), 1–11",
        "participants": "число участников с отметкой во всех классах школы (N)",
        "few_data": "участников меньше 10: сравнение не делается («мало данных»)",
        "pct45": "доля отметок «4» и «5» в школе, %",
        "ref_group": "с чьим распределением сравнивали: муниципалитет, регион (в batch — без "
        "самой школы)",
        "ref_pct45": "доля отметок «4» и «5» в эталоне, %",
        "excess_pp": "превышение доли «4» и «5» школы над эталоном, процентных пунктов",
        "z10": "то же превышение в стандартных ошибках доли при N школы, умноженное на 10",
        "sign_pp": "превышение, которое считается признаком: 0, если оно объяснимо случаем "
        "(меньше results_outlier_min_z стандартных ошибок) или объяснено (not_sign)",
        "not_sign": "почему высокая доля не признак: лицей, гимназия, углублённое изучение "
        "предмета, подтверждают результаты ГИА",
    },
    "listing": {
        "list": "перечень: federal или regional",
        "listed": "школа в этом перечне (нет поля — школа о нём не сообщила)",
    },
    "activity": {
        "kind": "вид мероприятия (results_analysis, parent_meeting, hotline, … — см. схему "
        "профиля)",
        "date": "дата проведения",
        "procedure": "id процедуры, к которой оно относится",
    },
}

FACT_KINDS = {
    name: replace(kind, descriptions={**_DESCRIPTIONS.get(name, {}), **kind.descriptions})
    for name, kind in FACT_KINDS.items()
}
