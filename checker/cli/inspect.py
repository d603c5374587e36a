"""``objcheck inspect``: an inspector walks the measures and records verdicts.

Unknown measures and gaps come first. Each answer is written to the profile at once
(``checker.io.profile_edit``), so quitting («q») at any prompt keeps everything entered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from checker.core.check import Checker
from checker.io.files import os_reason
from checker.io.profile_edit import ProfileFile, UnwritableError
from checker.model.findings import OUTCOME_TITLES, PROBLEMS, Finding, Outcome, SubjectFinding
from checker.model.profile import VERDICT_TITLES, InspectionEvidence, InspectionVerdict
from checker.render.text import source_text

VERDICT_KEYS = {
    "1": "confirmed", "п": "confirmed", "+": "confirmed",
    "2": "rejected", "н": "rejected", "-": "rejected",
    "3": "not_checked", "0": "not_checked",
}
QUIT_KEYS = frozenset({"q", "й", "выход"})
SKIP_KEYS = frozenset({"s", "ы", ""})
# Exceptions come early too: the inspector checks the agreement and may reject it.
FIRST = PROBLEMS | {Outcome.UNKNOWN, Outcome.DUE_SOON, Outcome.WAIVED}


class Quit(Exception):  # noqa: N818 - a signal, not an error
    """The inspector asked to stop."""


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
    body.append(f"Требование: {finding.remediation.measure}\n")
    body.append(f"Источник: {source_text(finding)}\n", style="dim")
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


def ask_verdict(item: Item, ask: Ask, console: Console) -> InspectionVerdict | None:
    """Ask for one verdict; None when skipped. ``Quit`` after the verdict keeps it."""
    while True:
        answer = ask("Вердикт: 1 — подтверждено, 2 — не подтверждено, 3 — не проверялось, "
                     "Enter — пропустить, q — выйти").lower()
        if answer in SKIP_KEYS:
            return None
        if answer in VERDICT_KEYS:
            break
        console.print("Не понял ответ: введите 1, 2, 3, Enter или q.")
    rule, subject = item.key
    fields: dict[str, object] = {
        "rule": rule,
        "subject": subject,
        "verdict": VERDICT_KEYS[answer],
        "at": dt.datetime.now().replace(microsecond=0),
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
    recorded: int = 0

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
        self.recorded += 1
        self.console.print(f"Записано: {VERDICT_TITLES[verdict.verdict]}.", style="green")

    def run(self) -> None:
        items = self.pending()
        if not items:
            self.console.print("Все меры уже проверены (чтобы пройти заново: --all).")
            return
        self.console.print(
            f"Мер к проверке: {len(items)}. Ответы записываются в профиль сразу; q — выйти."
        )
        ask = _ask(self.console)
        for number, item in enumerate(items, start=1):
            self.console.print(describe(item, number, len(items)))
            try:
                verdict = ask_verdict(item, ask, self.console)
            except _QuitWith as stop:
                self.save(stop.verdict)
                raise Quit from None
            if verdict is not None:
                self.save(verdict)
