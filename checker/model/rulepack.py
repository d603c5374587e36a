"""Rule packs: declarative rules as data, with strict models.

A rule says *what* must hold in a small vocabulary (see ``Check``):

* ``each`` + ``has``   — every subject fact has a related fact (``each`` on ``school`` is
  «exists»: the school has at least one such fact);
* ``each`` + ``forbid`` — a pattern of joined facts must not occur for a subject;
* ``each`` + ``compare`` — a numeric field of the subject or of a related fact against a
  pack parameter.

Rules never contain code. Field names and kinds are checked against the fact catalogue
(``checker.model.factkinds``) when a pack is loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from checker.model.profile import ProcedureKind, SchoolType

Severity = Literal["critical", "high", "medium", "low", "recommendation"]
SEVERITY_ORDER: tuple[str, ...] = ("recommendation", "low", "medium", "high", "critical")
SEVERITY_TITLES = {
    "critical": "критично",
    "high": "высокая",
    "medium": "средняя",
    "low": "низкая",
    "recommendation": "рекомендация",
}
DEFAULT_WEIGHTS = {"critical": 5.0, "high": 3.0, "medium": 2.0, "low": 1.0, "recommendation": 0.0}

Direction = Literal["procedure", "prevention", "attitude"]
DIRECTION_TITLES = {
    "procedure": "1. Обеспечение объективности в рамках конкретной оценочной процедуры",
    "prevention": "2. Выявление необъективных результатов и профилактическая работа",
    "attitude": "3. Формирование позитивного отношения к объективной оценке",
}

Level = Literal["высокий", "средний", "низкий"]
LEVELS: tuple[str, ...] = ("низкий", "средний", "высокий")
UNDETERMINED = "не определён"

Op = Literal[">=", ">", "<=", "<", "==", "!="]
Scalar = str | int | bool

RuleId = Annotated[str, Field(pattern=r"^[A-Z]{2,6}(-[A-Z]{2,6})?-\d{3}$")]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Condition(Strict):
    """A test of one field: a bare value is equality, a list is «any of»."""

    eq: Scalar | None = None
    ne: Scalar | None = None
    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None
    present: bool | None = None


WhereValue = Scalar | list[Scalar] | Condition
Where = dict[str, WhereValue]


class Subject(Strict):
    kind: str = Field(description="Вид факта-субъекта: school, procedure, document, …")
    where: Where = Field(default_factory=dict)


class Related(Strict):
    kind: str
    where: Where = Field(default_factory=dict)


class Pattern(Strict):
    """One fact of a forbidden pattern; ``match`` joins it to earlier aliases."""

    alias: str = Field(alias="as", pattern=r"^[a-z][a-z0-9]{0,7}$")
    kind: str
    where: Where = Field(default_factory=dict)
    match: dict[str, str] = Field(
        default_factory=dict,
        description="поле → «псевдоним.поле»; subject.ref — идентификатор субъекта",
    )


class Compare(Strict):
    kind: str | None = Field(None, description="Связанный факт; без него — поле субъекта")
    field: str
    op: Op
    param: Name


class Check(Strict):
    each: Subject
    has: Related | None = None
    forbid: list[Pattern] | None = None
    compare: Compare | None = None
    person: str | None = Field(
        None, description="«псевдоним.поле» с id человека в forbid (подстановка {person} — ФИО)"
    )
    place: str | None = Field(
        None,
        description="«псевдоним.поле» с местом нарушения в forbid, например классом "
        "(подстановка {place})",
    )

    @model_validator(mode="after")
    def _exactly_one_form(self) -> Check:
        forms = [f for f in (self.has, self.forbid, self.compare) if f is not None]
        if len(forms) != 1:
            raise ValueError("у проверки должна быть ровно одна форма: has, forbid или compare")
        return self


class Source(Strict):
    document: str = Field(description="Документ: seed:000 … seed:004 или федеральный акт")
    item: str = Field(description="Пункт документа")
    quote: str = Field(min_length=3, max_length=400)
    confirmed: bool = Field(
        True, description="false — источник не подтверждён (метки [K]/[I] в domain.md)"
    )
    conflicts_with: str | None = Field(
        None, description="Норма, которой противоречит региональный пункт"
    )
    normative: bool = Field(
        False,
        description="true — источник устанавливает обязанность (закон, постановление, порядок, "
        "приказ органа управления образованием с адресатом-школой); false — рекомендация, "
        "план или отчёт школы",
    )
    valid_from: dt.date | None = Field(
        None, description="С какой даты действует документ (его принятие или вступление в силу)"
    )
    quote_supports: str | None = Field(
        None,
        min_length=10,
        description="Проверенная заметка: почему цитата подтверждает проверяемое, когда в ней "
        "нет ключевого слова правила",
    )


class Applies(Strict):
    procedures: list[ProcedureKind] | None = None
    school_types: list[SchoolType] | None = None
    federal_control: bool | None = Field(
        None,
        description="false — мера не применяется к ВПР с контролем объективности (работы "
        "проверяет федеральный организатор); true — только к ним",
    )
    remote_ppe: bool | None = Field(
        None,
        description="false — мера не применяется к ППЭ в труднодоступной и отдалённой местности "
        "(исключение Порядков ГИА для состава организаторов)",
    )


class Remediation(Strict):
    measure: str
    responsible: str
    due: str


class Messages(Strict):
    met: str | None = None
    gap: str | None = None
    violation: str | None = None
    unknown: str | None = None
    # Time outcomes (checker.core.timing); without them the met / gap message gets the dates.
    met_late: str | None = None
    overdue: str | None = None
    due_soon: str | None = None
    not_yet_due: str | None = None
    stale: str | None = None


class Within(Strict):
    """«в течение N (рабочих) дней после события»; 0 — не позднее дня события («перед
    каждой процедурой»: ``days: 0, after: procedure_date``)."""

    days: int = Field(ge=0, le=366)
    working: bool = False
    after: Literal["document_date", "procedure_date"] = "document_date"
    event: Where | None = Field(
        None,
        description="Связанные факты, чья дата запускает отсчёт, пока мера не исполнена "
        "(например, {kind: vsoko_regulation} для ещё не опубликованного положения)",
    )


class Timing(Strict):
    """When a measure is due and how long its evidence stays valid (see checker.core.timing)."""

    period: Literal["once", "academic_year", "per_procedure", "quarter", "half_year"] | None = None
    deadline: dt.date | None = Field(None, description="«до 01.11.2023»")
    deadline_month: Annotated[str, Field(pattern=r"^\d{4}-\d{2}$")] | None = Field(
        None, description="«Январь 2021 г.» → 2021-01: срок — конец месяца"
    )
    within: Within | None = None
    validity: Literal["academic_year", "until_replaced"] | None = None
    year_from_month: int = Field(
        9,
        ge=6,
        le=9,
        description="С какого месяца мера засчитывается учебному году, если её срок начинается "
        "до 1 сентября («август, сентябрь» → 8): педсовет 30 августа открывает новый год, а не "
        "закрывает прошлый",
    )
    done_on: str = Field("date", description="Поле связанного факта, датирующее исполнение")
    occurrences: list[Annotated[int, Field(ge=1, le=12)]] | None = Field(
        None,
        min_length=1,
        max_length=12,
        description="Месяцы учебного года, к концу каждого из которых мера нужна снова («январь, "
        "март, июнь» → [1, 3, 6]): каждое исполнение оценивается отдельно",
    )

    @model_validator(mode="after")
    def _occurrences_alone(self) -> Timing:
        if self.occurrences is None:
            return self
        if len(set(self.occurrences)) != len(self.occurrences):
            raise ValueError("месяцы occurrences повторяются")
        if any(v is not None for v in (self.period, self.deadline, self.deadline_month,
                                       self.within, self.validity)):
            raise ValueError("occurrences задаёт сроки сам: period, deadline, deadline_month, "
                             "within и validity с ним не указываются")
        return self


class Rule(Strict):
    id: RuleId
    title: str = Field(min_length=5)
    direction: Direction
    source: Source
    also: list[Source] = Field(
        default_factory=list,
        description="Другие источники той же меры (более ранний или нормативный текст)",
    )
    severity: Severity
    weight: float | None = Field(None, ge=0, le=10)
    applies: Applies = Field(default_factory=Applies)
    check: Check
    timing: Timing | None = None
    valid_from: dt.date | None = Field(
        None, description="С какой даты мера действует (принятие акта, который её вводит)"
    )
    valid_to: dt.date | None = Field(
        None, description="До какой даты включительно мера действует (утрата силы актом)"
    )
    override_of: RuleId | None = Field(
        None,
        description="Правило вышележащего слоя, которое это правило уточняет (срок, важность, "
        "период): для школ в области пакета оно заменяет то правило, а не добавляется к нему",
    )
    message: Messages = Field(default_factory=Messages)
    remediation: Remediation

    @model_validator(mode="after")
    def _period_in_order(self) -> Rule:
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError("valid_from позже valid_to")
        return self

    @property
    def sources(self) -> tuple[Source, ...]:
        """The main source first, then the others (``also``)."""
        return (self.source, *self.also)

    @property
    def normative_source(self) -> Source | None:
        """The first source that imposes the measure as a duty, if any."""
        return next((s for s in self.sources if s.normative), None)

    @property
    def effective_weight(self) -> float:
        return DEFAULT_WEIGHTS[self.severity] if self.weight is None else self.weight


class Parameter(Strict):
    value: int
    title: str
    # Which way is stricter: for a minimum, a larger value is stricter.
    stricter: Literal["higher", "lower"]
    loosen_allowed: bool = False
    provisional: bool = Field(
        False, description="true — значение выбрано objcheck, опубликованного источника нет"
    )
    basis: str | None = Field(None, description="Откуда значение (или почему оно условное)")


class Band(Strict):
    level: Level
    min_score: float = Field(ge=0, le=1)


class Cap(Strict):
    """Limits the level whatever the score, when findings of this kind exist.

    Caps are graded: ``min_subjects`` is how many subjects (a procedure, a document, the
    school) must have the outcome before the cap fires, so an isolated critical finding can
    cap less than a repeated one. A cap cites where its level comes from (``basis``) or is
    ``provisional`` — this project's own choice.
    """

    id: Name
    title: str
    max_level: Level
    outcome: Literal["violation", "gap"] = "violation"
    severity: Severity | None = None
    rules: list[RuleId] | None = None
    min_subjects: int = Field(
        1, ge=1, le=1000, description="Сколько субъектов с таким исходом нужно, чтобы сработало"
    )
    provisional: bool = Field(
        True, description="true — ограничение выбрано objcheck, опубликованного источника нет"
    )
    basis: str | None = Field(None, description="Откуда взято ограничение (или почему условно)")


class LevelPolicy(Strict):
    min_coverage: float = Field(ge=0, le=1)
    bands: list[Band]
    caps: list[Cap] = Field(default_factory=list)
    due_soon_days: int = Field(
        14, ge=0, le=366, description="Горизонт «срок скоро»: дней до срока, не больше"
    )
    provisional: bool = Field(
        True,
        description="true — полосы, порог полноты, веса и ограничения не взяты из опубликованных "
        "официальных критериев; каждый вывод тогда называет шкалу условной",
    )
    basis: str = Field(
        min_length=10, description="Откуда пороги шкалы: источник или почему они условные"
    )
    waivable: list[Severity] = Field(
        default_factory=list,
        description="Важность мер, по которым профиль может заявить исключение (exceptions); "
        "критичные меры исключать нельзя",
    )

    @model_validator(mode="after")
    def _critical_never_waived(self) -> LevelPolicy:
        # A conflict of interest or ВПР used to judge teachers cannot be agreed away.
        if "critical" in self.waivable:
            raise ValueError("критичные меры (critical) не могут быть исключены: уберите "
                             "critical из waivable")
        return self


class PackScope(Strict):
    """Where a pack applies. Names are compared by their canonical key
    (``checker.io.packs.place_key``: case, ё/е, quotes, spaces and words such as «район»,
    «МО», «муниципальный округ» do not matter); an ОКТМО code, when both the pack and the
    profile give one, decides alone."""

    region: str | None = None
    municipality: str | None = None
    region_aliases: list[str] = Field(
        default_factory=list, description="Другие написания региона"
    )
    municipality_aliases: list[str] = Field(
        default_factory=list,
        description="Другие написания муниципалитета (прежнее название, город вместо округа)",
    )
    oktmo: Annotated[str, Field(pattern=r"^\d{2,11}$")] | None = Field(
        None, description="Код ОКТМО муниципалитета (или его начало — для региона)"
    )
    schools: list[Annotated[str, Field(min_length=3)]] = Field(
        default_factory=list,
        description="Школы, к которым обращён документ пакета (например, приказ адресован "
        "руководителю одной школы): пакет применяется, только если в названии школы есть все "
        "слова одного из этих названий (регистр, ё/е, кавычки и точки не важны)",
    )


class Conflict(Strict):
    """A pack's own source item that contradicts a rule of another layer (which wins)."""

    item: str = Field(description="Пункт документа пакета")
    quote: str = Field(min_length=3, max_length=400)
    overridden_by: RuleId = Field(description="Правило, которое имеет приоритет")
    note: str = Field(min_length=3)


class RulePack(Strict):
    pack: Name
    title: str
    version: Annotated[str, Field(pattern=r"^\d+(\.\d+){0,2}$")] | None = Field(
        None,
        description="Версия пакета (например, 2024.1): меняется при каждом изменении правил, "
        "чтобы сравнение проверок показало, что правила стали другими",
    )
    layer: Literal["federal", "regional", "municipal"]
    scope: PackScope = Field(default_factory=PackScope)
    document: str | None = Field(None, description="Основной документ пакета (seed:NNN)")
    parameters: dict[Name, Parameter] = Field(default_factory=dict)
    overrides: dict[Name, int] = Field(
        default_factory=dict, description="Новые значения параметров нижележащего слоя"
    )
    level: LevelPolicy | None = None
    retired: list[RuleId] = Field(default_factory=list)
    renamed: dict[RuleId, RuleId] = Field(
        default_factory=dict,
        description="Старый id → новый id правила той же меры (старый id больше не занимается)",
    )
    conflicts: list[Conflict] = Field(
        default_factory=list, description="Пункты документа, противоречащие правилам выше"
    )
    rules: list[Rule] = Field(default_factory=list)
