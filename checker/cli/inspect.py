"""``objcheck inspect``: an inspector walks the measures and records verdicts.

Unknown measures and gaps come first. Each answer is written to the profile at once
(``checker.io.profile_edit``), so quitting («q») at any prompt keeps everything entered;
«б» goes back to the previous measure, and its new answer replaces the one recorded.

The choices say what the inspector saw («мера выполнена» / «мера не выполнена» / «не
проверял»), not «подтверждено»: next to «По профилю: нарушение», «подтверждено» read as
«I confirm the violation» but recorded the measure as met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from checker.core.check import Checker
from checker.io.files import os_reason
from checker.io.profile_edit import ProfileFile, UnwritableError
from checker.model.findings import OUTCOME_TITLES, PROBLEMS, Finding, Outcome, SubjectFinding
from checker.model.profile import VERDICT_TITLES, InspectionEvidence, InspectionVerdict
from checker.model.sources import short_title

VERDICT_KEYS = {
    "1": "confirmed", "+": "confirmed",
    "2": "rejected", "-": "rejected",
    "3": "not_checked", "0": "not_checked",
}
# What each verdict means, in the inspector's words (the profile keeps the stable codes).
SEEN = {
    "confirmed": "мера выполнена",
    "rejected": "мера не выполнена",
    "not_checked": "не проверял",
}
VERDICT_PROMPT = (
    "Вердикт — что вы увидели: 1 — мера выполнена, 2 — мера не выполнена, 3 — не проверял, "
    "б — назад, Enter — пропустить, q — выйти"
)
QUIT_KEYS = frozenset({"q", "й", "выход"})
BACK_KEYS = frozenset({"б", "b", "<", "назад"})
SKIP_KEYS = frozenset({"s", "ы", ""})
# Exceptions come early too: the inspector checks the agreement and may reject it.
FIRST = PROBLEMS | {Outcome.UNKNOWN, Outcome.DUE_SOON, Outcome.WAIVED}


class Quit(Exception):  # noqa: N818 - a signal, not an error
    """The inspector asked to stop."""


class Back(Exception):  # noqa: N818 - a signal, not an error
    """The inspector asked to go back to the previous measure."""


class NotWrittenError(Exception):
    """A verdict could not be written into the profile (the reason is in Russian)."""

    def __init__(self, reason: str, verdicts: list[InspectionVerdict]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.verdicts = verdicts


@dataclass(frozen=True)
class Item:
    """One measure to inspect: a rule, for one subject or as a whole."""

    finding: Finding
    subject: SubjectFinding | None

    @property
    def key(self) -> tuple[str, str | None]:
        return self.finding.rule_id, self.subject.subject if self.subject else None

    @property
    def self_outcome(self) -> Outcome:
        node = self.subject or self.finding
        return node.self_outcome or node.outcome


def _subjects_or_whole(finding: Finding) -> list[SubjectFinding | None]:
    return list(finding.subjects) if finding.subjects else [None]


def items_to_inspect(findings: list[Finding]) -> list[Item]:
    """Every applicable measure, unknown ones and gaps first (then in rule order)."""
    items = [
        Item(f, s)
        for f in findings
        if f.outcome is not Outcome.NOT_APPLICABLE
        for s in _subjects_or_whole(f)
    ]
    return sorted(items, key=lambda item: item.self_outcome not in FIRST)


def describe(item: Item, number: int, total: int) -> Panel:
    finding = item.finding
    body = Text()
    body.append(f"{finding.title}\n", style="bold")
    if item.subject is not None:
        body.append(f"Где: {item.subject.label}\n")
    # what the document requires (its words), not what to do about a failure (the remedy)
    body.append(f"Требование: «{finding.source.quote}»\n")
    source = finding.source
    body.append(f"Источник: {short_title(source.document)}, п. {source.item}\n", style="dim")
    body.append(f"По профилю: {OUTCOME_TITLES[item.self_outcome]}\n")
    waiver = (item.subject or item.finding).waiver
    if waiver is not None:
        body.append(f"Исключение: {waiver.reason}; согласовано: {waiver.agreed_by}, "
                    f"{waiver.document}; до {waiver.until:%d.%m.%Y}\n", style="magenta")
    evidence = item.subject.evidence if item.subject else []
    if evidence:
        body.append("Что указала школа:\n")
        for entry in evidence:
            body.append(f"  • {entry.summary}\n")
    else:
        body.append("Что указала школа: в профиле нет сведений\n")
    body.rstrip()
    return Panel(body, title=f"{finding.rule_id} · мера {number} из {total}", expand=True)


Ask = Callable[[str], str]


def _ask(console: Console) -> Ask:
    def ask(prompt: str) -> str:
        try:
            answer = console.input(f"{prompt}: ").strip()
        except (EOFError, KeyboardInterrupt):  # Ctrl-D / Ctrl-C: stop like «q»
            raise Quit from None
        if answer.lower() in QUIT_KEYS:
            raise Quit
        return answer

    return ask


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def answered_at(as_of: dt.date, now: dt.datetime) -> dt.datetime | dt.date:
    """When the answer was given, consistent with the inspection's ``date`` (``as_of``):
    the moment when the inspection is today, else only its day (the time is not known)."""
    return now.replace(microsecond=0) if now.date() == as_of else as_of


def ask_verdict(item: Item, ask: Ask, console: Console,
                at: dt.datetime | dt.date) -> InspectionVerdict | None:
    """Ask for one verdict; None when skipped; ``Back`` for the previous measure.
    ``Quit`` after the verdict keeps it."""
    while True:
        answer = ask(VERDICT_PROMPT).lower()
        if answer in SKIP_KEYS:
            return None
        if answer in BACK_KEYS:
            raise Back
        if answer in VERDICT_KEYS:
            break
        console.print("Не понял ответ: введите 1, 2, 3, б, Enter или q.")
    rule, subject = item.key
    fields: dict[str, object] = {
        "rule": rule,
        "subject": subject,
        "verdict": VERDICT_KEYS[answer],
        "at": at,
    }
    try:
        note = ask("Примечание (Enter — без примечания)")
        if note:
            fields["note"] = note
        number = ask("Подтверждающий документ: номер (Enter — нет)")
        evidence: dict[str, object] = {}
        if number:
            evidence["number"] = number
            while True:
                when = ask("Дата документа ДД.ММ.ГГГГ (Enter — нет)")
                if not when:
                    break
                day = _parse_date(when)
                if day is not None:
                    evidence["date"] = day
                    break
                console.print("Дата в формате ДД.ММ.ГГГГ, например 01.03.2022.")
        file = ask("Фото или файл: имя или путь (Enter — нет)")
        if file:
            evidence["file"] = file
        if evidence:
            fields["evidence"] = InspectionEvidence.model_validate(evidence)
    except Quit:
        raise _QuitWith(InspectionVerdict.model_validate(fields)) from None
    return InspectionVerdict.model_validate(fields)


class _QuitWith(Quit):
    def __init__(self, verdict: InspectionVerdict) -> None:
        super().__init__()
        self.verdict = verdict


@dataclass
class Session:
    """One inspection session over one profile file."""

    file: ProfileFile
    checker: Checker
    as_of: dt.date
    console: Console
    inspector: str | None = None
    redo: bool = False
    recorded: int = 0  # measures answered (an answer changed after «б» counts once)
    answered: set[tuple[str, str | None]] = field(default_factory=set)

    def pending(self) -> list[Item]:
        report = self.checker.check(self.file.profile, self.as_of)
        done = {
            (v.rule, v.subject)
            for v in (self.file.profile.inspection.verdicts if self.file.profile.inspection else [])
        }
        items = items_to_inspect(report.findings)
        return items if self.redo else [i for i in items if i.key not in done]

    def save(self, verdict: InspectionVerdict) -> None:
        """Record one verdict; a verdict that cannot be written leaves as ``NotWrittenError``
        (never silently lost); a conflict stays ``ConcurrentEditError``."""
        try:
            self.file.record([verdict], self.inspector, self.as_of)
        except UnwritableError as exc:
            raise NotWrittenError(str(exc), [verdict]) from None
        except OSError as exc:
            reason = f"не удалось записать файл: {os_reason(exc)}"
            raise NotWrittenError(reason, [verdict]) from None
        key = (verdict.rule, verdict.subject)
        if key not in self.answered:
            self.answered.add(key)
            self.recorded += 1
        self.console.print(f"Записано: {SEEN[verdict.verdict]} "
                           f"(в профиле: {VERDICT_TITLES[verdict.verdict]}).", style="green")

    def run(self) -> None:
        items = self.pending()
        if not items:
            self.console.print("Все меры уже проверены (чтобы пройти заново: --all).")
            return
        self.console.print(
            f"Мер к проверке: {len(items)}. Ответы записываются в профиль сразу; q — выйти."
        )
        ask = _ask(self.console)
        index = 0
        while index < len(items):
            item = items[index]
            self.console.print(describe(item, index + 1, len(items)))
            at = answered_at(self.as_of, dt.datetime.now())
            try:
                verdict = ask_verdict(item, ask, self.console, at)
            except _QuitWith as stop:
                self.save(stop.verdict)
                raise Quit from None
            except Back:
                if index == 0:
                    self.console.print("Это первая мера: назад некуда.")
                else:
                    index -= 1
                    self.console.print("Назад: новый ответ заменит записанный.")
                continue
            if verdict is not None:
                self.save(verdict)
            index += 1
