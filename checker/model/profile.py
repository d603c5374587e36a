"""The school profile: what a school documents about its assessment procedures.

Convention used by every optional field: a field that is **absent** (``None``) means
«не сообщено» — the profile says nothing; an explicit empty list or ``false`` means
«не сделано». The evaluator keeps the two apart (see ``checker.model.factkinds``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

ProcedureKind = Literal["ВПР", "РПР", "ДКР", "ОГЭ", "ЕГЭ", "НИКО", "ВсОШ"]
PROCEDURE_KINDS: tuple[str, ...] = ("ВПР", "РПР", "ДКР", "ОГЭ", "ЕГЭ", "НИКО", "ВсОШ")

SchoolType = Literal[
    "СОШ", "ООШ", "НОШ", "лицей", "гимназия", "центр образования", "школа-интернат", "другое"
]

DocumentKind = Literal[
    "vsoko_regulation",
    "assessment_regulation",
    "coi_regulation",
    "order_responsible",
    "order_commission",
    "order_objectivity",
    "order_infosec",
    "objectivity_plan",
    "objectivity_report",
    "quality_program",
    "self_examination_report",
    "procedure_schedule",
    "pay_regulation",
    "training_plan",
    "observer_schedule",
    "site_info_section",
    "vpr_codes_protocol",
    "vpr_works_storage",
    "other",
]

DOCUMENT_KIND_TITLES: dict[str, str] = {
    "vsoko_regulation": "Положение о ВСОКО",
    "assessment_regulation": "Положение о текущем контроле и промежуточной аттестации",
    "coi_regulation": "Положение о конфликте интересов при проведении оценочных процедур",
    "order_responsible": "Приказ о назначении ответственных за оценочные процедуры",
    "order_commission": "Приказ о составе комиссий по проверке работ",
    "order_objectivity": "Приказ об обеспечении объективности оценочных процедур",
    "order_infosec": "Приказ о назначении ответственного за информационную безопасность",
    "objectivity_plan": "План мероприятий по обеспечению объективности",
    "objectivity_report": "Отчёт об исполнении плана мероприятий по объективности",
    "quality_program": "Программа повышения качества образования",
    "self_examination_report": "Отчёт о самообследовании",
    "procedure_schedule": "График оценочных процедур",
    "pay_regulation": "Положение о стимулирующих выплатах",
    "training_plan": "План повышения квалификации",
    "observer_schedule": "График выходов общественных наблюдателей",
    "site_info_section": "Раздел сайта «Сведения об образовательной организации»",
    "vpr_codes_protocol": "Бумажный протокол соответствия кодов участников ВПР и ФИО",
    "vpr_works_storage": "Приказ (акт) о хранении работ участников ВПР до получения результатов",
    "other": "Иной документ",
}

ObserverType = Literal["public", "independent", "authority", "other_school"]
ObserverRelation = Literal["none", "employee", "parent"]
CheckingMode = Literal["school", "municipal", "cross", "federal", "regional"]
ActivityKind = Literal[
    "results_analysis",
    "journal_comparison",
    "parent_meeting",
    "parent_consultation",
    "site_publication",
    "teacher_training",
    "methodical_meeting",
    "teachers_council",
    "observer_training",
    "briefing",
    "hotline",
    "recheck",
    "deficit_analysis",
    "kim_analysis",
    "medalist_analysis",
    "teacher_consultation",
    "psych_support",
    "other",
]

ACTIVITY_KIND_TITLES: dict[str, str] = {
    "results_analysis": "анализ результатов оценочной процедуры",
    "journal_comparison": "сравнение результатов с отметками в журнале",
    "parent_meeting": "родительское собрание",
    "parent_consultation": "консультация / беседа с родителями",
    "site_publication": "публикация на сайте школы",
    "teacher_training": "повышение квалификации по оцениванию",
    "methodical_meeting": "заседание ШМО / методический семинар",
    "teachers_council": "педагогический совет",
    "observer_training": "подготовка общественных наблюдателей",
    "briefing": "инструктаж организаторов, наблюдателей, экспертов",
    "hotline": "горячая линия",
    "recheck": "перепроверка работ",
    "deficit_analysis": "анализ профессиональных дефицитов педагогов",
    "kim_analysis": "анализ контрольно-измерительных материалов",
    "medalist_analysis": "анализ результатов медалистов / аттестатов с отличием",
    "teacher_consultation": "консультирование педагогов по оцениванию и Положению о ВСОКО",
    "psych_support": "психолого-педагогическое сопровождение педагогов и обучающихся",
    "other": "иное мероприятие",
}

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s]+$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]


class Strict(BaseModel):
    """Base of every profile model: unknown keys are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class School(Strict):
    id: Id = Field(description="Код школы (ИНН, код ОО в регионе или иной уникальный)")
    name: Text = Field(description="Полное наименование")
    type: SchoolType | None = Field(None, description="Тип: СОШ, ООШ, лицей, гимназия, …")
    region: Text | None = Field(None, description="Субъект РФ, например «Красноярский край»")
    municipality: Text | None = Field(None, description="Муниципальное образование")
    website: Text | Literal[False] | None = Field(
        None, description="Адрес официального сайта; false — сайта нет"
    )


class Publication(Strict):
    url: Text | None = Field(None, description="Где опубликован (адрес страницы)")
    date: dt.date | None = Field(None, description="Когда опубликован")


class Document(Strict):
    id: Id
    kind: DocumentKind = Field(description="Вид документа")
    number: Text | int | None = Field(None, description="Номер приказа / акта")
    date: dt.date | None = Field(None, description="Дата утверждения")
    title: Text | None = None
    published: Publication | Literal[False] | None = Field(
        None, description="Где и когда опубликован на сайте; false — не опубликован"
    )
    uses_vpr_for_evaluation: bool | None = Field(
        None, description="Использует ли документ результаты ВПР для оценки учителей или школы"
    )
    compares_external_internal: bool | None = Field(
        None, description="Есть ли сопоставление внешней и внутренней оценки (самообследование)"
    )
    collegial_agreement: bool | None = Field(
        None,
        description="Предусматривает ли предварительное коллегиальное обсуждение подходов "
        "к оцениванию",
    )


class Staff(Strict):
    id: Id
    name: Text = Field(description="ФИО")
    position: Text | None = None
    subjects: list[Text] | None = Field(None, description="Преподаваемые предметы")
    classes: list[Text] | None = Field(None, description="Классы, в которых ведёт уроки")


class Observer(Strict):
    name: Text | None = Field(None, description="ФИО наблюдателя")
    type: ObserverType = Field(
        description="public — общественный; independent — независимый; authority — "
        "представитель органа управления образованием; other_school — педагог другой школы"
    )
    accreditation: Text | Literal[False] | None = Field(
        None, description="Номер удостоверения об аккредитации; false — не аккредитован"
    )
    relation: ObserverRelation | None = Field(
        None,
        description="Связь со школой: none — нет; employee — работник школы; "
        "parent — родитель участника",
    )


class Video(Strict):
    rooms: list[Text] | None = Field(None, description="Аудитории, где велась запись работы")
    coverage: Literal["full", "partial", "none"] | None = Field(
        None,
        description="Охват аудиторий словами отчёта, когда перечня аудиторий нет: full — все, "
        "partial — частично, none — ни одной",
    )
    checking_filmed: bool | None = Field(None, description="Велась ли запись при проверке работ")
    storage: Text | None = Field(None, description="Где хранятся записи")
    storage_until: dt.date | None = Field(None, description="До какой даты хранятся записи")
    hq: bool | None = Field(None, description="Видеонаблюдение в штабе ППЭ")
    entrance: bool | None = Field(None, description="Видеонаблюдение на входе в ППЭ")


class Checking(Strict):
    mode: CheckingMode = Field(
        description="school — школьная комиссия; municipal — муниципальная; cross — "
        "перекрёстная с другой школой; regional / federal — внешняя проверка"
    )
    members: list[Id] | None = Field(None, description="Члены комиссии (id из staff)")
    criteria_agreed: bool | None = Field(
        None, description="Подходы к оцениванию согласованы коллегиально"
    )
    agreed_on: dt.date | None = Field(None, description="Когда согласованы подходы")
    recheck_share: Annotated[int, Field(ge=0, le=100)] | None = Field(
        None, description="Доля перепроверенных работ, %"
    )


class Results(Strict):
    participants: Annotated[int, Field(ge=0)] | None = None
    lowered: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Понизили отметку по журналу (отметка за работу ниже)"
    )
    confirmed: Annotated[int, Field(ge=0)] | None = Field(None, description="Подтвердили")
    raised: Annotated[int, Field(ge=0)] | None = Field(None, description="Повысили")


class Procedure(Strict):
    id: Id
    kind: ProcedureKind
    subject: Text | None = None
    grade: Annotated[int, Field(ge=1, le=11)] | None = None
    classes: list[Text] | None = None
    date: dt.date | None = None
    rooms: list[Text] | None = None
    federal_control: bool | None = Field(
        None, description="ВПР с контролем объективности (федеральная выборка)"
    )
    in_school_ppe: bool | None = Field(None, description="ППЭ ГИА расположен в школе")
    organizers: list[Id] | None = Field(None, description="Организаторы (id из staff)")
    observers: list[Observer] | None = None
    video: Video | Literal[False] | None = Field(None, description="false — не велось")
    checking: Checking | None = None
    results: Results | None = None


class Activity(Strict):
    kind: ActivityKind
    date: dt.date | None = None
    title: Text | None = None
    procedure: Id | None = Field(None, description="К какой процедуре относится (id)")


class Lists(Strict):
    federal: bool | None = Field(
        None, description="Школа в федеральном перечне ОО с признаками необъективности"
    )
    regional: bool | None = Field(None, description="Школа в региональном перечне")


VerdictKind = Literal["confirmed", "rejected", "not_checked"]
VERDICT_TITLES: dict[str, str] = {
    "confirmed": "подтверждено",
    "rejected": "не подтверждено",
    "not_checked": "не проверялось",
}


class InspectionEvidence(Strict):
    """What the inspector saw: a document (number and date) or a photo / file."""

    number: Text | int | None = Field(None, description="Номер документа")
    date: dt.date | None = Field(None, description="Дата документа")
    file: Text | None = Field(None, description="Фото или файл: имя, путь или адрес")


class InspectionVerdict(Strict):
    """The inspector's verdict on one measure (a rule), for one subject or for the whole school."""

    rule: Annotated[str, Field(pattern=r"^[A-Z]{2,6}(-[A-Z]{2,6})?-\d{3}$")] = Field(
        description="id правила (меры)"
    )
    subject: Id | None = Field(
        None, description="Субъект (id процедуры, документа…); без него — мера в целом"
    )
    verdict: VerdictKind = Field(
        description="confirmed — подтверждено; rejected — не подтверждено; not_checked — не "
        "проверялось"
    )
    note: Text | None = Field(None, description="Примечание проверяющего")
    evidence: InspectionEvidence | None = None
    at: dt.datetime | dt.date | None = Field(None, description="Когда записан вердикт")


class Inspection(Strict):
    """An inspection of the school: kept apart from the school's own statements."""

    inspector: Text | None = Field(None, description="ФИО проверяющего")
    date: dt.date | None = Field(None, description="Дата проверки")
    verdicts: list[InspectionVerdict] = Field(default_factory=list)


class Profile(Strict):
    """A school's documented setup for one academic year."""

    schema_version: Literal[1] = 1
    school: School
    academic_year: Annotated[str, Field(pattern=r"^\d{4}/\d{4}$")] | None = Field(
        None, description="Учебный год, например 2023/2024"
    )
    incomplete: list[Literal["documents", "staff", "procedures", "activities"]] = Field(
        default_factory=list,
        description="Разделы, перечисленные не полностью (например, профиль составлен по "
        "справке): отсутствие записи в них означает «не сообщено», а не «не сделано»",
    )
    lists: Lists | None = None
    documents: list[Document] | None = None
    staff: list[Staff] | None = None
    procedures: list[Procedure] | None = None
    activities: list[Activity] | None = None
    inspection: Inspection | None = Field(
        None, description="Результаты выездной проверки (записывает objcheck inspect)"
    )

    @field_validator("academic_year")
    @classmethod
    def _consecutive_years(cls, value: str | None) -> str | None:
        """«2023/2025» matches the pattern but names no academic year."""
        if value is not None:
            first, second = (int(part) for part in value.split("/"))
            if second != first + 1 or not 1900 <= first <= 2999:
                raise ValueError(
                    f"учебный год — два соседних года, например 2023/2024, а не «{value}»"
                )
        return value
