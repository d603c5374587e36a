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
    "achievement_analysis",
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
    "achievement_analysis": "мониторинг и анализ успеваемости по итогам полугодия, года",
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
        None,
        title="Раздел «Сведения об образовательной организации»",
        description="Есть ли на сайте раздел «Сведения об образовательной организации»: "
        "true — есть, false — нет",
    )
    vsoko: bool | None = Field(
        None,
        title="Страница о ВСОКО",
        description="Есть ли страница о внутренней системе оценки качества образования",
    )
    results: bool | None = Field(
        None,
        title="Результаты оценочных процедур",
        description="Опубликованы ли на сайте результаты оценочных процедур",
    )


class School(Strict):
    """The school itself: name, codes, place and website."""

    id: Id = Field(
        title="Код школы",
        description="Код школы (ИНН, код ОО в регионе или иной уникальный)",
        examples=["2466001234"],
    )
    name: Text = Field(
        title="Наименование",
        description="Полное наименование школы",
        examples=["МБОУ «Средняя общеобразовательная школа № 1»"],
    )
    type: SchoolType | None = Field(
        None, title="Тип школы", description="Тип: СОШ, ООШ, лицей, гимназия, …"
    )
    region: Text | None = Field(
        None,
        title="Субъект РФ",
        description="Субъект РФ, например «Красноярский край»; по нему выбирается "
        "региональный пакет мер",
        examples=["Красноярский край"],
    )
    municipality: Text | None = Field(
        None,
        title="Муниципалитет",
        description="Муниципальное образование",
        examples=["г. Красноярск"],
    )
    oktmo: Annotated[str, Field(pattern=r"^\d{8}(\d{3})?$")] | None = Field(
        None,
        title="ОКТМО",
        description="Код ОКТМО муниципального образования (8 или 11 цифр)",
        examples=["04701000"],
    )
    website: Text | Literal[False] | None = Field(
        None,
        title="Сайт",
        description="Адрес официального сайта; false — сайта нет",
        examples=["https://school1.example.ru"],
    )
    advanced_subjects: list[Text] | None = Field(
        None,
        title="Предметы с углублённым изучением",
        description="Предметы, которые школа изучает углублённо (классы с углублённым "
        "изучением); высокие результаты по ним не считаются выбросом относительно "
        "муниципалитета",
        examples=[["математика", "физика"]],
    )
    site_sections: SiteSections | None = Field(
        None,
        title="Разделы сайта",
        description="Какие разделы есть на сайте (true — есть, false — нет)",
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
    """Where and when a document is published on the school's website."""

    url: Text | None = Field(
        None, title="Адрес страницы", description="Где опубликован (адрес страницы)"
    )
    date: dt.date | None = Field(
        None, title="Дата публикации", description="Когда опубликован (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)"
    )


class Document(Strict):
    """A local regulation, order, plan or report of the school."""

    id: Id = Field(
        title="Код документа",
        description="Короткий уникальный код документа в профиле (латиница, цифры, без "
        "пробелов), например order-vpr",
        examples=["order-vpr-2024"],
    )
    kind: DocumentKind = Field(title="Вид документа", description="Вид документа")
    number: Text | int | None = Field(
        None, title="Номер", description="Номер приказа / акта", examples=["01-15/45"]
    )
    date: dt.date | None = Field(
        None,
        title="Дата утверждения",
        description="Дата утверждения (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)",
        examples=["29.08.2024"],
    )
    title: Text | None = Field(
        None, title="Название", description="Название документа, как в самом документе"
    )
    procedures: list[Id] | Literal["all"] | None = Field(
        None,
        title="Процедуры",
        description="К каким процедурам относится документ (id); all — ко всем; без поля — "
        "не сообщено",
    )
    published: Publication | Literal[False] | None = Field(
        None,
        title="Публикация на сайте",
        description="Где и когда опубликован на сайте; false — не опубликован",
    )
    uses_vpr_for_evaluation: bool | None = Field(
        None,
        title="Оценка учителей по ВПР",
        description="Использует ли документ результаты ВПР для оценки учителей или школы",
    )
    compares_external_internal: bool | None = Field(
        None,
        title="Сопоставление внешней и внутренней оценки",
        description="Есть ли сопоставление внешней и внутренней оценки (самообследование)",
    )
    collegial_agreement: bool | None = Field(
        None,
        title="Коллегиальное согласование подходов",
        description="Предусматривает ли предварительное коллегиальное обсуждение подходов "
        "к оцениванию",
    )


class Staff(Strict):
    """A member of the school's staff."""

    id: Id = Field(
        title="Код работника",
        description="Постоянный короткий код работника (латиница, цифры, без пробелов); "
        "ФИО в ссылках не используется",
        examples=["t01"],
    )
    name: Text = Field(title="ФИО", description="ФИО работника", examples=["Иванова Анна Петровна"])
    position: Text | None = Field(
        None, title="Должность", description="Должность", examples=["учитель математики"]
    )
    subjects: list[Text] | None = Field(
        None, title="Предметы", description="Преподаваемые предметы", examples=[["математика"]]
    )
    classes: list[ClassText] | None = Field(
        None,
        title="Классы",
        description="Классы, в которых ведёт уроки",
        examples=[["5А", "6Б"]],
    )
    children: list[ClassText] | None = Field(
        None,
        title="Классы детей",
        description="Классы этой школы, где учатся дети работника; [] — детей в школе нет "
        "(с версии 2 схемы)",
    )


class Person(Strict):
    """Someone from outside the school's staff: an observer, an expert, a representative…"""

    id: Id = Field(
        title="Код человека",
        description="Постоянный id человека (не совпадает с id работников)",
        examples=["p01"],
    )
    name: Text = Field(title="ФИО", description="ФИО", examples=["Петров Пётр Петрович"])
    role: PersonRole = Field(
        title="Роль",
        description="public_observer — общественный наблюдатель; independent_observer — "
        "независимый наблюдатель; authority — представитель органа управления образованием; "
        "other_school_teacher — педагог другой школы; expert — эксперт; parent — родитель; "
        "other — иное",
    )
    employer: Text | None = Field(
        None,
        title="Место работы",
        description="Место работы (организация); работники этой школы — в разделе staff",
    )
    children: list[ClassText] | None = Field(
        None,
        title="Классы детей",
        description="Классы этой школы, где учатся дети этого человека; [] — детей в школе нет",
    )
    accreditation: Text | Literal[False] | None = Field(
        None,
        title="Удостоверение наблюдателя",
        description="Номер удостоверения общественного наблюдателя; false — нет",
    )


class Observer(Strict):
    """An observer at a procedure: a person from the register, or named in place (v1)."""

    person: Id | None = Field(
        None,
        title="Человек из реестра",
        description="id человека из реестра people или staff (с версии 2 схемы); тогда ФИО, "
        "место работы и классы детей берутся из реестра",
    )
    name: Text | None = Field(
        None, title="ФИО", description="ФИО наблюдателя (без реестра)"
    )
    room: Text | None = Field(
        None, title="Аудитория", description="Аудитория, где находился наблюдатель"
    )
    type: ObserverType | None = Field(
        None,
        title="Тип наблюдателя",
        description="public — общественный; independent — независимый; authority — "
        "представитель органа управления образованием; other_school — педагог другой школы. "
        "Без реестра обязателен; для человека из реестра выводится из его роли",
    )
    accreditation: Text | Literal[False] | None = Field(
        None,
        title="Аккредитация",
        description="Номер удостоверения об аккредитации; false — не аккредитован",
    )
    relation: ObserverRelation | None = Field(
        None,
        title="Связь со школой",
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
    """Video recording at a procedure."""

    rooms: list[Text] | None = Field(
        None, title="Аудитории с записью", description="Аудитории, где велась запись работы"
    )
    coverage: Literal["full", "partial", "none"] | None = Field(
        None,
        title="Охват",
        description="Охват аудиторий словами отчёта, когда перечня аудиторий нет: full — все, "
        "partial — частично, none — ни одной",
    )
    checking_filmed: bool | None = Field(
        None, title="Запись проверки", description="Велась ли запись при проверке работ"
    )
    storage: Text | None = Field(
        None, title="Хранение записей", description="Где хранятся записи"
    )
    storage_until: dt.date | None = Field(
        None, title="Срок хранения", description="До какой даты хранятся записи"
    )
    hq: bool | None = Field(
        None, title="Штаб ППЭ", description="Видеонаблюдение в штабе ППЭ"
    )
    entrance: bool | None = Field(
        None, title="Вход в ППЭ", description="Видеонаблюдение на входе в ППЭ"
    )


class Checking(Strict):
    """Who checked the works, and how."""

    mode: CheckingMode = Field(
        title="Кто проверяет",
        description="school — школьная комиссия; municipal — муниципальная; cross — "
        "перекрёстная с другой школой; regional / federal — внешняя проверка",
    )
    members: list[Id] | None = Field(
        None, title="Члены комиссии", description="Члены комиссии (id из staff)"
    )
    criteria_agreed: bool | None = Field(
        None,
        title="Подходы согласованы",
        description="Подходы к оцениванию согласованы коллегиально",
    )
    agreed_on: dt.date | None = Field(
        None, title="Дата согласования", description="Когда согласованы подходы"
    )
    recheck_share: Annotated[int, Field(ge=0, le=100)] | None = Field(
        None, title="Перепроверено, %", description="Доля перепроверенных работ, % (0–100)"
    )


Count = Annotated[int, Field(ge=0, le=100_000)]
Mark = Annotated[int, Field(ge=2, le=5)]  # not a Literal: JSON keys are strings
JournalPeriod = Literal["четверть", "триместр", "полугодие", "год"]


class MarkScale(Strict):
    """The work's scale: the least primary score that gives «3», «4» and «5»."""

    min3: Annotated[int, Field(ge=1, le=200)] = Field(
        title="Балл для «3»", description="Первичный балл для «3»"
    )
    min4: Annotated[int, Field(ge=1, le=200)] = Field(
        title="Балл для «4»", description="Первичный балл для «4»"
    )
    min5: Annotated[int, Field(ge=1, le=200)] = Field(
        title="Балл для «5»", description="Первичный балл для «5»"
    )

    @model_validator(mode="after")
    def _ascending(self) -> MarkScale:
        if not self.min3 < self.min4 < self.min5:
            raise ValueError("границы шкалы должны расти: min3 < min4 < min5")
        return self


class PreviousYear(Strict):
    """The same cohort's result in this work a year before (e.g. 4А last year for 5А)."""

    year: Annotated[int, Field(ge=2015, le=2100)] = Field(
        title="Год", description="Год прошлой работы"
    )
    participants: Count = Field(title="Участников", description="Участников тогда")
    marks: dict[Mark, Count] = Field(
        title="Отметки", description="Сколько получили «2», «3», «4», «5» тогда"
    )


class ClassResult(Strict):
    """One class's result in one procedure, aggregated (pupil rows are never kept)."""

    name: ClassText = Field(title="Класс", description="Класс, например «5А»")
    participants: Count = Field(
        title="Участников", description="Сколько учеников писали работу"
    )
    marks: dict[Mark, Count] | None = Field(
        None, title="Отметки", description="Сколько получили «2», «3», «4», «5»"
    )
    lowered: Count | None = Field(
        None, title="Понизили",
        description="Понизили: отметка за работу ниже отметки по журналу",
    )
    confirmed: Count | None = Field(
        None, title="Подтвердили", description="Подтвердили отметку по журналу"
    )
    raised: Count | None = Field(
        None, title="Повысили",
        description="Повысили: отметка за работу выше отметки по журналу",
    )
    differ_by_two: Count | None = Field(
        None, title="Разница ≥ 2",
        description="Сколько учеников с разницей отметок за работу и по журналу ≥ 2",
    )
    journal_period: JournalPeriod | None = Field(
        None, title="Период журнала", description="За какой период отметка по журналу"
    )
    scores: dict[Annotated[int, Field(ge=0, le=200)], Count] | None = Field(
        None, title="Первичные баллы",
        description="Распределение первичных баллов: балл → число учеников",
    )
    previous: PreviousYear | None = Field(
        None, title="Год назад", description="Результат того же класса (когорты) годом раньше"
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
    """The works' marks compared with the register's marks."""

    participants: Annotated[int, Field(ge=0)] | None = Field(
        None, title="Участников", description="Сколько обучающихся писали работу"
    )
    lowered: Annotated[int, Field(ge=0)] | None = Field(
        None,
        title="Понизили",
        description="Понизили отметку по журналу (отметка за работу ниже)",
    )
    confirmed: Annotated[int, Field(ge=0)] | None = Field(
        None, title="Подтвердили", description="Подтвердили отметку по журналу"
    )
    raised: Annotated[int, Field(ge=0)] | None = Field(
        None, title="Повысили", description="Повысили отметку по журналу (отметка за работу выше)"
    )
    classes: list[ClassResult] | None = Field(
        None,
        title="Результаты по классам",
        description="Результаты по классам (objcheck import vpr записывает их сам)",
    )
    scale: MarkScale | None = Field(
        None, title="Шкала отметок", description="Шкала перевода первичных баллов в отметки"
    )


class Procedure(Strict):
    """One assessment procedure: one work in one subject for one grade."""

    id: Id = Field(
        title="Код процедуры",
        description="Короткий уникальный код процедуры (латиница, цифры, без пробелов)",
        examples=["vpr-ma-5"],
    )
    kind: ProcedureKind = Field(title="Вид процедуры", description="Вид оценочной процедуры")
    subject: Text | None = Field(
        None, title="Предмет", description="Учебный предмет", examples=["математика"]
    )
    grade: Annotated[int, Field(ge=1, le=11)] | None = Field(
        None, title="Параллель", description="Номер класса (параллели), 1–11", examples=[5]
    )
    classes: list[ClassText] | None = Field(
        None, title="Классы", description="Классы, писавшие работу", examples=[["5А", "5Б"]]
    )
    date: dt.date | None = Field(
        None,
        title="Дата",
        description="Дата проведения (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)",
        examples=["15.04.2025"],
    )
    rooms: list[Text] | None = Field(
        None, title="Аудитории", description="Аудитории проведения", examples=[["12", "14"]]
    )
    federal_control: bool | None = Field(
        None,
        title="Федеральный контроль",
        description="ВПР с контролем объективности (федеральная выборка)",
    )
    in_school_ppe: bool | None = Field(
        None, title="ППЭ в школе", description="ППЭ ГИА расположен в школе"
    )
    remote_ppe: bool | None = Field(
        None,
        title="ППЭ в труднодоступной местности",
        description="ППЭ в труднодоступной и отдалённой местности: Порядок ГИА допускает "
        "организаторов — учителей сдающих",
    )
    organizers: list[Id] | None = Field(
        None, title="Организаторы", description="Организаторы (id из staff)"
    )
    observers: list[Observer] | None = Field(
        None, title="Наблюдатели", description="Наблюдатели; [] — наблюдателей не было"
    )
    video: Video | Literal[False] | None = Field(
        None, title="Видеонаблюдение", description="Видеонаблюдение; false — не велось"
    )
    checking: Checking | None = Field(
        None, title="Проверка работ", description="Кто и как проверял работы"
    )
    results: Results | None = Field(
        None,
        title="Результаты",
        description="Сравнение результатов работы с отметками по журналу",
    )


class Activity(Strict):
    """Something the school did for objective assessment (a meeting, an analysis…)."""

    kind: ActivityKind = Field(title="Вид мероприятия", description="Вид мероприятия")
    date: dt.date | None = Field(
        None, title="Дата", description="Дата мероприятия (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)"
    )
    title: Text | None = Field(
        None, title="Название", description="Название или тема мероприятия"
    )
    procedure: Id | None = Field(
        None, title="Процедура", description="К какой процедуре относится (id)"
    )


ListKind = Literal["federal", "regional"]
LIST_TITLES: dict[str, str] = {
    "federal": "федеральный перечень",
    "regional": "региональный перечень",
}


class Listing(Strict):
    """One year on a list of schools with signs of unobjective results."""

    kind: ListKind = Field(
        title="Перечень",
        description="federal — федеральный перечень; regional — региональный",
    )
    year: Annotated[int, Field(ge=2015, le=2100)] = Field(
        title="Год",
        description="Год ВПР (оценочной процедуры), по результатам которой школа попала в "
        "перечень",
        examples=[2023],
    )
    works: list[Text] | None = Field(
        None,
        title="Работы",
        description="Работы с признаками необъективности, например «4 РУ», «5 МА»",
    )
    document: Text | None = Field(
        None, title="Документ", description="Документ, которым школа включена в перечень"
    )


class Lists(Strict):
    """Whether the school is on the lists of schools with signs of unobjective results."""

    federal: bool | None = Field(
        None,
        title="В федеральном перечне",
        description="Школа в федеральном перечне ОО с признаками необъективности",
    )
    regional: bool | None = Field(
        None, title="В региональном перечне", description="Школа в региональном перечне"
    )
    history: list[Listing] | None = Field(
        None,
        title="История",
        description="В каких перечнях и в какие годы была школа, по каким работам",
    )


SelfLevel = Literal["высокий", "средний", "низкий"]


class SelfAssessment(Strict):
    """The level the school gave itself (e.g. the last line of its справка)."""

    level: SelfLevel = Field(
        title="Уровень", description="Уровень объективности по оценке самой школы"
    )
    document: Text | None = Field(
        None, title="Документ", description="Где школа так себя оценила (справка, отчёт)"
    )
    date: dt.date | None = Field(None, title="Дата", description="Дата документа")


VerdictKind = Literal["confirmed", "rejected", "not_checked"]
VERDICT_TITLES: dict[str, str] = {
    "confirmed": "подтверждено",
    "rejected": "не подтверждено",
    "not_checked": "не проверялось",
}


class InspectionEvidence(Strict):
    """What the inspector saw: a document (number and date) or a photo / file."""

    number: Text | int | None = Field(None, title="Номер", description="Номер документа")
    date: dt.date | None = Field(None, title="Дата", description="Дата документа")
    file: Text | None = Field(
        None, title="Файл", description="Фото или файл: имя, путь или адрес"
    )


class InspectionVerdict(Strict):
    """The inspector's verdict on one measure (a rule), for one subject or for the whole school."""

    rule: Annotated[str, Field(pattern=r"^[A-Z]{2,6}(-[A-Z]{2,6})?-\d{3}$")] = Field(
        title="Мера", description="id правила (меры)", examples=["DOC-001"]
    )
    subject: Id | None = Field(
        None,
        title="Субъект",
        description="Субъект (id процедуры, документа…); без него — мера в целом",
    )
    verdict: VerdictKind = Field(
        title="Вердикт",
        description="confirmed — подтверждено; rejected — не подтверждено; not_checked — не "
        "проверялось",
    )
    note: Text | None = Field(None, title="Примечание", description="Примечание проверяющего")
    evidence: InspectionEvidence | None = Field(
        None, title="Подтверждение", description="Что видел проверяющий: документ, фото, файл"
    )
    at: dt.datetime | dt.date | None = Field(
        None, title="Когда записан", description="Когда записан вердикт"
    )


class Inspection(Strict):
    """An inspection of the school: kept apart from the school's own statements."""

    inspector: Text | None = Field(None, title="Проверяющий", description="ФИО проверяющего")
    date: dt.date | None = Field(None, title="Дата проверки", description="Дата проверки")
    verdicts: list[InspectionVerdict] = Field(
        default_factory=list,
        title="Вердикты",
        description="Вердикты по мерам (записывает objcheck inspect)",
    )


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
        title="Версия схемы",
        description="Версия схемы профиля: 2 — с реестром людей (people); 1 — прежняя, "
        "читается с предупреждением",
    )
    school: School = Field(title="Школа", description="Сведения о школе")
    academic_year: Annotated[str, Field(pattern=r"^\d{4}/\d{4}$")] | None = Field(
        None,
        title="Учебный год",
        description="Учебный год, например 2023/2024",
        examples=["2024/2025"],
    )
    incomplete: list[Section] = Field(
        default_factory=list,
        title="Неполные разделы",
        description="Разделы, перечисленные не полностью (так считается по умолчанию): "
        "отсутствие записи — «не сообщено»; пустой список такого раздела — тоже «не сообщено»",
    )
    complete: list[Section] = Field(
        default_factory=list,
        title="Полные разделы",
        description="Разделы, перечисленные полностью: отсутствие записи в них означает "
        "«не сделано»",
    )
    lists: Lists | None = Field(
        None,
        title="Перечни",
        description="Включалась ли школа в перечни ОО с признаками необъективных результатов",
    )
    documents: list[Document] | None = Field(
        None, title="Документы", description="Локальные акты, приказы, планы и отчёты школы"
    )
    staff: list[Staff] | None = Field(
        None,
        title="Сотрудники",
        description="Работники школы, которые упоминаются в процедурах (организаторы, "
        "проверяющие, учителя классов)",
    )
    people: list[Person] | None = Field(
        None,
        title="Люди вне школы",
        description="Реестр людей вне штата школы: наблюдатели, эксперты, представители "
        "органа управления, педагоги других школ (с версии 2 схемы)",
    )
    procedures: list[Procedure] | None = Field(
        None,
        title="Процедуры",
        description="Оценочные процедуры учебного года: ВПР, ОГЭ, ЕГЭ, региональные работы…",
    )
    activities: list[Activity] | None = Field(
        None,
        title="Мероприятия",
        description="Мероприятия по объективности: анализ результатов, собрания, обучение…",
    )
    self_assessment: SelfAssessment | None = Field(
        None,
        title="Самооценка",
        description="Уровень объективности, который школа указала сама (например, в справке)",
    )
    inspection: Inspection | None = Field(
        None,
        title="Выездная проверка",
        description="Результаты выездной проверки (записывает objcheck inspect)",
    )
    exceptions: list[Waiver] | None = Field(
        None,
        title="Исключения",
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


SCHOOL_TYPE_TITLES: dict[str, str] = {
    "СОШ": "средняя общеобразовательная школа",
    "ООШ": "основная общеобразовательная школа",
    "НОШ": "начальная общеобразовательная школа",
    "лицей": "лицей",
    "гимназия": "гимназия",
    "центр образования": "центр образования",
    "школа-интернат": "школа-интернат",
    "другое": "другое",
}
PROCEDURE_KIND_TITLES: dict[str, str] = {
    "ВПР": "Всероссийские проверочные работы",
    "РПР": "региональные проверочные работы",
    "ДКР": "диагностические контрольные работы",
    "ОГЭ": "основной государственный экзамен",
    "ЕГЭ": "единый государственный экзамен",
    "НИКО": "национальные исследования качества образования",
    "ВсОШ": "Всероссийская олимпиада школьников",
}
OBSERVER_TYPE_TITLES: dict[str, str] = {
    "public": "общественный наблюдатель",
    "independent": "независимый наблюдатель",
    "authority": "представитель органа управления образованием",
    "other_school": "педагог другой школы",
}
OBSERVER_RELATION_TITLES: dict[str, str] = {
    "none": "нет связи со школой",
    "employee": "работник школы",
    "parent": "родитель участника",
}
PERSON_ROLE_TITLES: dict[str, str] = {
    "public_observer": "общественный наблюдатель",
    "independent_observer": "независимый наблюдатель",
    "authority": "представитель органа управления образованием",
    "other_school_teacher": "педагог другой школы",
    "expert": "эксперт",
    "parent": "родитель",
    "other": "иное",
}
CHECKING_MODE_TITLES: dict[str, str] = {
    "school": "школьная комиссия",
    "municipal": "муниципальная комиссия",
    "cross": "перекрёстная проверка с другой школой",
    "federal": "федеральная проверка",
    "regional": "региональная проверка",
}
VIDEO_COVERAGE_TITLES: dict[str, str] = {
    "full": "все аудитории",
    "partial": "часть аудиторий",
    "none": "ни одной аудитории",
}
SECTION_TITLES: dict[str, str] = {
    "documents": "документы",
    "staff": "сотрудники",
    "procedures": "процедуры",
    "activities": "мероприятия",
}
SELF_LEVEL_TITLES: dict[str, str] = {
    "высокий": "высокий",
    "средний": "средний",
    "низкий": "низкий",
}

# Russian titles of every enumerated value of the profile, per enumeration; the editor
# schema (``checker.model.profile_schema``), ``objcheck init`` and the questionnaire show
# them. Values such as «other» or «none» recur in several enumerations with different
# meanings, so a value is looked up in the enumeration whose values it came with.
ENUM_TITLES: tuple[dict[str, str], ...] = (
    SCHOOL_TYPE_TITLES,
    PROCEDURE_KIND_TITLES,
    DOCUMENT_KIND_TITLES,
    OBSERVER_TYPE_TITLES,
    OBSERVER_RELATION_TITLES,
    PERSON_ROLE_TITLES,
    CHECKING_MODE_TITLES,
    ACTIVITY_KIND_TITLES,
    VIDEO_COVERAGE_TITLES,
    LIST_TITLES,
    SELF_LEVEL_TITLES,
    VERDICT_TITLES,
    SECTION_TITLES,
    {"all": "ко всем процедурам"},
    # journal periods are Russian words already: each is its own title
    {period: period for period in ("четверть", "триместр", "полугодие", "год")},
)
