"""The rule catalogue (``docs/rules.md``), generated from the packs by
``objcheck rules catalogue > docs/rules.md``; a test keeps the committed file current."""

from __future__ import annotations

from checker.io.packs import RuleBook
from checker.model.factkinds import FACT_KINDS
from checker.model.rulepack import DIRECTION_TITLES, SEVERITY_TITLES, Rule, RulePack, Source
from checker.model.sources import cite

LAYER_TITLES = {"federal": "федеральный", "regional": "региональный", "municipal": "муниципальный"}


def _one_source(source: Source) -> str:
    text = cite(
        source.document, source.item, source.quote, source.confirmed, source.conflicts_with,
        with_key=True,
    )
    marks = ["норма" if source.normative else "рекомендация или план"]
    if source.valid_from is not None:
        marks.append(f"с {source.valid_from:%d.%m.%Y}")
    return f"{text} ({', '.join(marks)})"


def source_line(rule: Rule) -> str:
    """Each source as «<document title> (<key>), п. <item>: «<quote>»» with its status
    (a norm or a recommendation / plan), the unconfirmed mark and its date; ``also``
    sources follow the main one."""
    return "; также: ".join(_one_source(s) for s in rule.sources)


def applicability(rule: Rule) -> str:
    parts = [f"для каждого факта «{FACT_KINDS[rule.check.each.kind].title}»"]
    if rule.applies.procedures:
        parts.append("процедуры: " + ", ".join(rule.applies.procedures))
    if rule.applies.school_types:
        parts.append("типы школ: " + ", ".join(rule.applies.school_types))
    if rule.applies.federal_control is False:
        parts.append("кроме ВПР с контролем объективности")
    if rule.applies.remote_ppe is False:
        parts.append("кроме ППЭ в труднодоступной местности")
    if len(parts) == 1:
        parts.append("все школы")
    return "; ".join(parts)


def timing_text(rule: Rule) -> str:
    timing = rule.timing
    if timing is None:
        return ""
    parts: list[str] = []
    if timing.deadline is not None:
        parts.append(f"срок — до {timing.deadline:%d.%m.%Y}")
    if timing.deadline_month is not None:
        year, month = timing.deadline_month.split("-")
        parts.append(f"срок — {month}.{year}")
    within = timing.within
    if within is not None and within.days == 0:
        event = "процедуры" if within.after == "procedure_date" else "документа"
        parts.append(f"не позднее дня {event}")
    elif within is not None:
        kind = "рабочих " if within.working else ""
        parts.append(f"в течение {within.days} {kind}дней")
    period = {
        "once": "однократно",
        "academic_year": "ежегодно (учебный год)",
        "per_procedure": "к каждой процедуре",
        "quarter": "ежеквартально",
        "half_year": "раз в полугодие",
    }
    if timing.period is not None:
        parts.append(period[timing.period])
    if timing.occurrences is not None:
        months = ", ".join(f"{m:02d}" for m in timing.occurrences)
        parts.append(f"каждый раз к концу месяцев: {months}")
    return "; ".join(parts)


def scope_text(pack: RulePack) -> str:
    scope = [s for s in (pack.scope.region, pack.scope.municipality) if s]
    return ", ".join(scope) if scope else "все регионы"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_catalogue(book: RuleBook) -> str:
    """The whole Markdown catalogue, one section per pack, packs by layer and name."""
    order = {"federal": 0, "regional": 1, "municipal": 2}
    packs = sorted(book.packs, key=lambda p: (order[p.layer], p.pack))
    lines = [
        "# Каталог правил objcheck",
        "",
        "Сгенерировано командой `objcheck rules catalogue > docs/rules.md`; "
        "не редактируйте вручную.",
        "",
        f"Всего правил: {len(book.rules)}; наборов: {len(packs)}.",
        "",
    ]
    for pack in packs:
        lines += [
            f"## {pack.title}",
            "",
            f"Набор `{pack.pack}` · слой: {LAYER_TITLES[pack.layer]} · область: {scope_text(pack)}"
            + (f" · документ: {pack.document}" if pack.document else ""),
            "",
        ]
        for conflict in pack.conflicts:
            lines += [
                f"> Противоречие: п. {conflict.item} «{conflict.quote}» — не применяется, "
                f"приоритет у {conflict.overridden_by}. {conflict.note}",
                "",
            ]
        lines += [
            "| id | название | источник | важность | применимость | что сделать |",
            "|---|---|---|---|---|---|",
        ]
        for rule in pack.rules:
            rem = rule.remediation
            apply = applicability(rule)
            timing = timing_text(rule)
            if timing:
                apply += f"; {timing}"
            if rule.valid_from is not None:
                apply += f"; действует с {rule.valid_from:%d.%m.%Y}"
            if rule.valid_to is not None:
                apply += f" по {rule.valid_to:%d.%m.%Y}"
            if rule.override_of is not None:
                apply += f"; уточняет {rule.override_of} (заменяет его для школ этой области)"
            row = [
                rule.id,
                f"{rule.title} (направление {DIRECTION_TITLES[rule.direction].split('.', 1)[0]})",
                source_line(rule),
                SEVERITY_TITLES[rule.severity],
                apply,
                f"{rem.measure} — {rem.responsible}; {rem.due}",
            ]
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        lines.append("")
    return "\n".join(lines)
