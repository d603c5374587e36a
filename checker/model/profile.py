"""The school profile: what a school documents about its assessment procedures.

Convention used by every optional field: a field that is **absent** (``None``) means
«не сообщено» — the profile says nothing; an explicit empty list or ``false`` means
«не сделано». The evaluator keeps the two apart (see ``checker.model.factkinds``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from checker.model.labels import ClassText
from checker.model.waivers import Waiver

SchemaVersion = Literal[1, 2]
SCHEMA_VERSION: SchemaVersion = 2

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

# Documents and activities made for one procedure: listed without ``procedures`` /
# ``procedure`` they might be for any procedure («не сообщено», for which); other kinds are
# linked to a procedure only when the profile names it.
PROCEDURE_DOCUMENT_KINDS = frozenset({"vpr_codes_protocol", "vpr_works_storage"})
PROCEDURE_ACTIVITY_KINDS = frozenset({"briefing", "journal_comparison"})

ObserverType = Literal["public", "independent", "authority", "other_school"]
ObserverRelation = Literal["none", "employee", "parent"]
PersonRole = Literal[
    "public_observer",
    "independent_observer",
    "authority",
    "other_school_teacher",
    "expert",
    "parent",
    "other",
]
# The observer type a role implies when a procedure refers to the person without a type.
OBSERVER_TYPE_OF_ROLE: dict[str, str] = {
    "public_observer": "public",
    "independent_observer": "independent",
    "authority": "authority",
    "other_school_teacher": "other_school",
}
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


class SiteSections(Strict):
    """Sections of the school's website, as the school states them: true — есть, false — нет."""

    info: bool | None = Field(
        None, description="Раздел «Сведения об образовательной организации»"
    )
    vsoko: bool | None = Field(None, description="Страница о внутренней системе оценки качества")
    results: bool | None = Field(None, description="Результаты оценочных процедур")


class School(Strict):
    id: Id = Field(description="Код школы (ИНН, код ОО в регионе или иной уникальный)")
    name: Text = Field(description="Полное наименование")
    type: SchoolType | None = Field(None, description="Тип: СОШ, ООШ, лицей, гимназия, …")
    region: Text | None = Field(None, description="Субъект РФ, например «Красноярский край»")
    municipality: Text | None = Field(None, description="Муниципальное образование")
    oktmo: Annotated[str, Field(pattern=r"^\d{8}(\d{3})?$")] | None = Field(
        None, description="Код ОКТМО муниципального образования (8 или 11 цифр)"
    )
    website: Text | Literal[False] | None = Field(
        None, description="Адрес официального сайта; false — сайта нет"
    )
    site_sections: SiteSections | None = Field(
        None, description="Какие разделы есть на сайте (true — есть, false — нет)"
    )

    @field_validator("site_sections")
    @classmethod
    def _site_exists(
        cls, value: SiteSections | None, info: ValidationInfo
    ) -> SiteSections | None:
        if value is not None and info.data.get("website") is False:
            raise ValueError("у школы нет сайта (website: false), а разделы сайта указаны")
        return value


class Publication(Strict):
    url: Text | None = Field(None, description="Где опубликован (адрес страницы)")
    date: dt.date | None = Field(None, description="Когда опубликован")


class Document(Strict):
    id: Id
    kind: DocumentKind = Field(description="Вид документа")
    number: Text | int | None = Field(None, description="Номер приказа / акта")
    date: dt.date | None = Field(None, description="Дата утверждения")
    title: Text | None = None
    procedures: list[Id] | Literal["all"] | None = Field(
        None,
        description="К каким процедурам относится документ (id); all — ко всем; без поля — "
        "не сообщено",
    )
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
    classes: list[ClassText] | None = Field(None, description="Классы, в которых ведёт уроки")
    children: list[ClassText] | None = Field(
        None,
        description="Классы этой школы, где учатся дети работника; [] — детей в школе нет "
        "(с версии 2 схемы)",
    )


class Person(Strict):
    """Someone from outside the school's staff: an observer, an expert, a representative…"""

    id: Id = Field(description="Постоянный id человека (не совпадает с id работников)")
    name: Text = Field(description="ФИО")
    role: PersonRole = Field(
        description="public_observer — общественный наблюдатель; independent_observer — "
        "независимый наблюдатель; authority — представитель органа управления образованием; "
        "other_school_teacher — педагог другой школы; expert — эксперт; parent — родитель; "
        "other — иное"
    )
    employer: Text | None = Field(
        None, description="Место работы (организация); работники этой школы — в разделе staff"
    )
    children: list[ClassText] | None = Field(
        None,
        description="Классы этой школы, где учатся дети этого человека; [] — детей в школе нет",
    )
    accreditation: Text | Literal[False] | None = Field(
        None, description="Номер удостоверения общественного наблюдателя; false — нет"
    )


class Observer(Strict):
    person: Id | None = Field(
        None,
        description="id человека из реестра people или staff (с версии 2 схемы); тогда ФИО, "
        "место работы и классы детей берутся из реестра",
    )
    name: Text | None = Field(None, description="ФИО наблюдателя (без реестра)")
    room: Text | None = Field(None, description="Аудитория, где находился наблюдатель")
    type: ObserverType | None = Field(
        None,
        description="public — общественный; independent — независимый; authority — "
        "представитель органа управления образованием; other_school — педагог другой школы. "
        "Без реестра обязателен; для человека из реестра выводится из его роли",
    )
    accreditation: Text | Literal[False] | None = Field(
        None, description="Номер удостоверения об аккредитации; false — не аккредитован"
    )
    relation: ObserverRelation | None = Field(
        None,
        description="Связь со школой по заявлению школы: none — нет; employee — работник "
        "школы; parent — родитель участника. Для человека из реестра связь выводится из "
        "реестра, а расхождение с заявленной — отдельное замечание",
    )

    @model_validator(mode="after")
    def _person_or_type(self) -> Observer:
        if self.person is None and self.type is None:
            raise ValueError("укажите person (id из реестра) или type наблюдателя")
        if self.person is not None and self.name is not None:
            raise ValueError("ФИО наблюдателя из реестра берётся из реестра: уберите name")
        return self


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


Count = Annotated[int, Field(ge=0, le=100_000)]
Mark = Annotated[int, Field(ge=2, le=5)]  # not a Literal: JSON keys are strings
JournalPeriod = Literal["четверть", "триместр", "полугодие", "год"]


class MarkScale(Strict):
    """The work's scale: the least primary score that gives «3», «4» and «5»."""

    min3: Annotated[int, Field(ge=1, le=200)] = Field(description="Первичный балл для «3»")
    min4: Annotated[int, Field(ge=1, le=200)] = Field(description="Первичный балл для «4»")
    min5: Annotated[int, Field(ge=1, le=200)] = Field(description="Первичный балл для «5»")

    @model_validator(mode="after")
    def _ascending(self) -> MarkScale:
        if not self.min3 < self.min4 < self.min5:
            raise ValueError("границы шкалы должны расти: min3 < min4 < min5")
        return self


class PreviousYear(Strict):
    """The same cohort's result in this work a year before (e.g. 4А last year for 5А)."""

    year: Annotated[int, Field(ge=2015, le=2100)] = Field(description="Год прошлой работы")
    participants: Count = Field(description="Участников тогда")
    marks: dict[Mark, Count] = Field(description="Сколько получили «2», «3», «4», «5» тогда")


class ClassResult(Strict):
    """One class's result in one procedure, aggregated (pupil rows are never kept)."""

    name: ClassText = Field(description="Класс, например «5А»")
    participants: Count = Field(description="Сколько учеников писали работу")
    marks: dict[Mark, Count] | None = Field(
        None, description="Сколько получили «2», «3», «4», «5»"
    )
    lowered: Count | None = Field(
        None, description="Понизили: отметка за работу ниже отметки по журналу"
    )
    confirmed: Count | None = Field(None, description="Подтвердили отметку по журналу")
    raised: Count | None = Field(
        None, description="Повысили: отметка за работу выше отметки по журналу"
    )
    differ_by_two: Count | None = Field(
        None, description="Сколько учеников с разницей отметок за работу и по журналу ≥ 2"
    )
    journal_period: JournalPeriod | None = Field(
        None, description="За какой период отметка по журналу"
    )
    scores: dict[Annotated[int, Field(ge=0, le=200)], Count] | None = Field(
        None, description="Распределение первичных баллов: балл → число учеников"
    )
    previous: PreviousYear | None = Field(
        None, description="Результат того же класса (когорты) годом раньше"
    )

    @model_validator(mode="after")
    def _counts_fit(self) -> ClassResult:
        if self.marks is not None and sum(self.marks.values()) > self.participants:
            raise ValueError("отметок больше, чем участников")
        journal = [self.lowered, self.confirmed, self.raised]
        if None not in journal and sum(j or 0 for j in journal) > self.participants:
            raise ValueError("понизили + подтвердили + повысили больше, чем участников")
        return self


class Results(Strict):
    participants: Annotated[int, Field(ge=0)] | None = None
    lowered: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Понизили отметку по журналу (отметка за работу ниже)"
    )
    confirmed: Annotated[int, Field(ge=0)] | None = Field(None, description="Подтвердили")
    raised: Annotated[int, Field(ge=0)] | None = Field(None, description="Повысили")
    classes: list[ClassResult] | None = Field(
        None, description="Результаты по классам (objcheck import vpr записывает их сам)"
    )
    scale: MarkScale | None = Field(None, description="Шкала перевода первичных баллов в отметки")


class Procedure(Strict):
    id: Id
    kind: ProcedureKind
    subject: Text | None = None
    grade: Annotated[int, Field(ge=1, le=11)] | None = None
    classes: list[ClassText] | None = None
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


ListKind = Literal["federal", "regional"]
LIST_TITLES: dict[str, str] = {
    "federal": "федеральный перечень",
    "regional": "региональный перечень",
}


class Listing(Strict):
    """One year on a list of schools with signs of unobjective results."""

    kind: ListKind = Field(description="federal — федеральный перечень; regional — региональный")
    year: Annotated[int, Field(ge=2015, le=2100)] = Field(
        description="Год ВПР (оценочной процедуры), по результатам которой школа попала в перечень"
    )
    works: list[Text] | None = Field(
        None, description="Работы с признаками необъективности, например «4 РУ», «5 МА»"
    )
    document: Text | None = Field(None, description="Документ, которым школа включена в перечень")


class Lists(Strict):
    federal: bool | None = Field(
        None, description="Школа в федеральном перечне ОО с признаками необъективности"
    )
    regional: bool | None = Field(None, description="Школа в региональном перечне")
    history: list[Listing] | None = Field(
        None, description="В каких перечнях и в какие годы была школа, по каким работам"
    )


SelfLevel = Literal["высокий", "средний", "низкий"]


class SelfAssessment(Strict):
    """The level the school gave itself (e.g. the last line of its справка)."""

    level: SelfLevel = Field(description="Уровень объективности по оценке самой школы")
    document: Text | None = Field(None, description="Где школа так себя оценила (справка, отчёт)")
    date: dt.date | None = Field(None, description="Дата документа")


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


Section = Literal["documents", "staff", "procedures", "activities"]


class Profile(Strict):
    """A school's documented setup for one academic year.

    A listed section (``documents``, ``staff``, ``procedures``, ``activities``) is not
    complete unless ``complete`` names it or it is an explicit empty list: a missing entry
    is «не сообщено». ``incomplete`` says so explicitly (the default) and also turns an
    empty list into «не заполнено» instead of «ничего не сделано».
    """

    schema_version: SchemaVersion = Field(
        SCHEMA_VERSION,
        description="Версия схемы профиля: 2 — с реестром людей (people); 1 — прежняя, "
        "читается с предупреждением",
    )
    school: School
    academic_year: Annotated[str, Field(pattern=r"^\d{4}/\d{4}$")] | None = Field(
        None, description="Учебный год, например 2023/2024"
    )
    incomplete: list[Section] = Field(
        default_factory=list,
        description="Разделы, перечисленные не полностью (так считается по умолчанию): "
        "отсутствие записи — «не сообщено»; пустой список такого раздела — тоже «не сообщено»",
    )
    complete: list[Section] = Field(
        default_factory=list,
        description="Разделы, перечисленные полностью: отсутствие записи в них означает "
        "«не сделано»",
    )
    lists: Lists | None = None
    documents: list[Document] | None = None
    staff: list[Staff] | None = None
    people: list[Person] | None = Field(
        None,
        description="Реестр людей вне штата школы: наблюдатели, эксперты, представители "
        "органа управления, педагоги других школ (с версии 2 схемы)",
    )
    procedures: list[Procedure] | None = None
    activities: list[Activity] | None = None
    self_assessment: SelfAssessment | None = Field(
        None, description="Уровень объективности, который школа указала сама (например, в справке)"
    )
    inspection: Inspection | None = Field(
        None, description="Результаты выездной проверки (записывает objcheck inspect)"
    )
    exceptions: list[Waiver] | None = Field(
        None,
        description="Исключения: меры, которые не выполняются по согласованной с органом "
        "управления образованием причине, со сроком действия",
    )

    @field_validator("complete")
    @classmethod
    def _not_both(cls, value: list[Section], info: ValidationInfo) -> list[Section]:
        both = [name for name in value if name in info.data.get("incomplete", [])]
        if both:
            raise ValueError(
                f"раздел «{both[0]}» не может быть одновременно в complete и в incomplete"
            )
        return value

    def section_complete(self, section: Section) -> bool:
        """Whether a missing entry of ``section`` means «не сделано» (see the class docs)."""
        if section in self.incomplete:
            return False
        return section in self.complete or getattr(self, section) == []

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
