"""``objcheck batch``: check every school of a municipality or a region.

Files are checked in worker processes (``forkserver``; one at least, never in the
coordinator), each building its ``Checker`` once in the pool initializer (one engine per
worker, as durable_rules wants). Work is sent in chunks of paths; a worker returns compact
``SchoolRow`` / ``ErrorRow`` records, never the full report, so the parent stays small. A
file that cannot be read or validated becomes error rows, and a file that kills its worker
becomes one error row (see ``_Pool``); neither stops the other files. Results are sorted by
path before the summary is written, and a ``SchoolSink`` (the rows written while schools are
checked) receives the schools in the order of the files (``InFileOrder``), so the output does
not depend on the number of workers or the order of files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import glob
import marshal
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import threading
import time
import weakref
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

from pydantic import TypeAdapter, ValidationError

from checker.core.check import Checker
from checker.core.cohort import PARAMETERS as COHORT_PARAMETERS
from checker.core.cohort import (
    CohortMember,
    WorkCounts,
    could_be_outlier,
    counts_of,
    leave_one_out_references,
    reference_key,
    totals_of,
    work_totals,
)
from checker.core.score import scale_note
from checker.io.cache import (
    DEFAULT_CACHE_LIMIT_MB,
    Cache,
    profile_key,
    result_key,
    rules_fingerprint,
)
from checker.io.files import UnreadableFileError, irregular_reason, read_regular
from checker.io.load import PROFILE_SUFFIXES, load_profile
from checker.io.packs import RuleBook, load_rulebook
from checker.io.yamlio import Limits
from checker.model.errors import InputError, format_loc
from checker.model.findings import Outcome
from checker.model.profile import Profile
from checker.model.reference import WorkReference
from checker.model.report import Report
from checker.model.rulepack import LEVELS, UNDETERMINED
from checker.render.documents import spravka_data, spravka_html
from checker.render.numbers import decimal, distinct_percents
from checker.render.questionnaire import read_questionnaire
from checker.render.text import render_report_plain

if TYPE_CHECKING:
    from checker.batch.dask_run import DaskOptions
    from checker.batch.since import PastRun, SinceResult

QUESTIONNAIRE_SUFFIX = ".xlsx"  # a questionnaire returned by a school
# profiles (YAML, JSON) and questionnaires
BATCH_SUFFIXES = (*PROFILE_SUFFIXES, QUESTIONNAIRE_SUFFIX)
# Outcomes that count as «мера отсутствует» in the «чаще всего не выполнено» view.
MISSING = (Outcome.VIOLATION, Outcome.OVERDUE, Outcome.GAP)
# Best first; «не определён» last.
LEVEL_ORDER: tuple[str, ...] = (*reversed(LEVELS), UNDETERMINED)


class FindingRow(NamedTuple):
    rule_id: str
    title: str
    severity: str
    outcome: str
    met: int
    known: int
    total: int
    message: str


@dataclass(frozen=True, slots=True)
class SchoolRow:
    file: str
    school_id: str
    name: str
    type: str | None
    region: str | None
    municipality: str | None
    level: str
    score: float | None
    coverage: float
    counts: dict[str, int]
    findings: tuple[FindingRow, ...]
    # In the coordinator the findings live in the batch's FindingStore: ``findings`` is
    # empty and this is their place there (see BatchResult.findings_of).
    findings_ref: int = -1
    # Works with signs of unobjective results, as the federal lists name them («5 МА»).
    markers: tuple[str, ...] = ()
    # The school's marks per work (ВПР, ОГЭ, ЕГЭ; all classes): the cohort rule compares
    # each school with the rest of its municipality from these (checker.core.cohort).
    works: tuple[WorkCounts, ...] = ()
    # The lists of schools with signs the school was on: (kind, year, works) by year.
    history: tuple[tuple[str, int, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class ErrorRow:
    file: str
    line: int | None
    field: str
    message: str


@dataclass(frozen=True)
class RuleChange:
    rule_id: str
    title: str
    old: str
    new: str


@dataclass(frozen=True)
class LevelChange:
    file: str
    school_id: str
    name: str
    old_level: str
    new_level: str
    old_score: float | None
    new_score: float | None
    rules: tuple[RuleChange, ...]
    # what else moved the school when no rule's outcome did: weights, the scale (bands,
    # thresholds), caps — in words, for the «почему» column
    parameters: tuple[str, ...] = ()


@dataclass
class Timings:
    """Seconds spent in the workers, summed over files (for the benchmark)."""

    read: float = 0.0
    parse: float = 0.0
    evaluate: float = 0.0
    write: float = 0.0
    cpu: float = 0.0  # CPU seconds of the workers while checking (start-up excluded)
    parsed: int = 0
    profile_hits: int = 0
    result_hits: int = 0
    worker_rss_kb: int = 0  # the largest peak resident size any worker reported

    def add(self, other: Timings) -> None:
        self.worker_rss_kb = max(self.worker_rss_kb, other.worker_rss_kb)
        self.read += other.read
        self.parse += other.parse
        self.evaluate += other.evaluate
        self.write += other.write
        self.cpu += other.cpu
        self.parsed += other.parsed
        self.profile_hits += other.profile_hits
        self.result_hits += other.result_hits


@dataclass
class FileResult:
    file: str
    school: SchoolRow | None = None
    errors: list[ErrorRow] = field(default_factory=list)
    change: LevelChange | None = None


@dataclass(frozen=True)
class BatchOptions:
    rules_dir: Path | None = None
    old_rules_dir: Path | None = None
    as_of: dt.date | None = None
    reports_dir: Path | None = None
    cache_dir: Path | None = None  # None: no cache
    cache_max_bytes: int = DEFAULT_CACHE_LIMIT_MB * 1_048_576  # OBJCHECK_CACHE_MAX_MB


class FindingStore:
    """The finding rows of every checked school, in a temporary file.

    They are nine tenths of what the coordinator would otherwise hold until the end (~50
    rows a school), so its memory no longer grows with them: only each school's summary
    row stays in memory, with the place of its findings here.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the result
        self._places = array("q")  # offset, length, offset, length, …
        weakref.finalize(self, self._file.close)  # closed (and gone) with the result

    def add(self, findings: Sequence[FindingRow]) -> int:
        data = marshal.dumps(tuple(tuple(f) for f in findings))
        self._file.seek(0, os.SEEK_END)
        self._places.extend((self._file.tell(), len(data)))
        self._file.write(data)
        return len(self._places) // 2 - 1

    def get(self, ref: int) -> tuple[FindingRow, ...]:
        offset, length = self._places[2 * ref], self._places[2 * ref + 1]
        self._file.seek(offset)
        rows = marshal.loads(self._file.read(length))
        return tuple(FindingRow._make(row) for row in rows)


@dataclass
class BatchResult:
    as_of: dt.date
    schools: list[SchoolRow]
    errors: list[ErrorRow]
    changes: list[LevelChange]
    compared: bool
    timings: Timings
    files: int
    store: FindingStore | None = None
    scale_note: str = ""  # whose scale the levels are on (the federal level policy's)
    _missing: list[MissingMeasure] | None = field(default=None, repr=False)
    since: SinceResult | None = None  # against an earlier run (--since)
    # the cohort step (RES-OUT-001) checked schools again after their rows were streamed
    streamed_rows_stale: bool = False

    def findings_of(self, school: SchoolRow) -> tuple[FindingRow, ...]:
        if school.findings_ref >= 0 and self.store is not None:
            return self.store.get(school.findings_ref)
        return school.findings

    def most_missing(self) -> list[MissingMeasure]:
        """The measures most often missing (computed once: it reads every finding)."""
        if self._missing is None:
            self._missing = most_missing(self.schools, self.findings_of)
        return self._missing


# --- finding the files -----------------------------------------------------------------


def collect_files(paths: Sequence[str]) -> tuple[list[str], list[ErrorRow]]:
    """Profiles named by directories (recursive), files or globs; sorted, without repeats.

    Only regular files (or links to them) are profiles. A path with a profile's name that is
    something else — a named pipe, a dangling or looping link, a directory called
    ``*.yaml`` — becomes an error row instead of being skipped without a word (or, for a
    pipe, blocking the run forever).
    """
    found: dict[str, str] = {}
    rejected: dict[str, ErrorRow] = {}

    def add(path: Path) -> None:
        reason = irregular_reason(path)
        if reason is None:
            found.setdefault(os.path.normpath(path.absolute()), os.path.normpath(path))
        else:
            name = os.path.normpath(path)
            rejected.setdefault(name, ErrorRow(name, None, "", reason))

    def walk(folder: Path) -> None:
        for item in folder.rglob("*"):
            if item.suffix.lower() in BATCH_SUFFIXES and not item.name.startswith("~$"):
                add(item)  # «~$анкета.xlsx» is Excel's lock file of an open workbook

    missing: list[ErrorRow] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            walk(path)
        elif path.exists() or path.is_symlink():
            add(path)
        else:
            matches = sorted(glob.glob(raw, recursive=True))  # noqa: PTH207 - a user's pattern
            for match in map(Path, matches):
                if match.is_dir():
                    walk(match)
                else:
                    add(match)
            if not matches:
                missing.append(ErrorRow(raw, None, "", "файл или каталог не найден"))
    return sorted(found.values()), missing + sorted(rejected.values(), key=lambda e: e.file)


def report_names(files: Sequence[str]) -> dict[str, str]:
    """Report file stem per profile: its path relative to the common folder of all files."""
    if not files:
        return {}
    absolute = [Path(f).absolute() for f in files]
    root = Path(os.path.commonpath([a.parent for a in absolute]))
    pairs = zip(files, absolute, strict=True)
    return {f: str(a.relative_to(root).with_suffix("")) for f, a in pairs}


# --- the worker ------------------------------------------------------------------------


# A test hook: a worker checking the file of this name kills itself (SIGKILL), as a crash of
# the C parser or an outside ``kill -9`` would. With ``name|marker`` it does so only while
# the marker file does not exist yet (it creates it): one crash, then the file is fine.
KILL_HOOK_ENV = "OBJCHECK_TEST_KILL_WORKER_ON"


@dataclass
class _Worker:
    checker: Checker
    old_checker: Checker | None
    options: BatchOptions
    as_of: dt.date
    cache: Cache
    rules_key: str
    kill_on: str | None = None
    # the file size limit (OBJCHECK_MAX_FILE_MB): a bigger file is refused unread
    max_bytes: int = field(default_factory=lambda: Limits.from_env().max_bytes)


_WORKER: _Worker | None = None
_ROW_FORMAT: TypeAdapter[SchoolRow] = TypeAdapter(SchoolRow)


def init_worker(options: BatchOptions, as_of: dt.date, rules_key: str,
                kill_on: str | None = None) -> None:
    """Pool initializer: load the rule book and compile its engines once per process.

    Ctrl-C is the coordinator's to handle: a worker that died of it would look like a crash.
    """
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = build_worker(options, as_of, rules_key, kill_on)
    tune_gc()


def build_worker(options: BatchOptions, as_of: dt.date, rules_key: str,
                 kill_on: str | None = None) -> _Worker:
    """The rule book loaded and its engines compiled: what one process checks with."""
    old = Checker(load_rulebook(options.old_rules_dir)) if options.old_rules_dir else None
    return _Worker(
        Checker(load_rulebook(options.rules_dir)), old, options, as_of,
        Cache(options.cache_dir, options.cache_max_bytes), rules_key, kill_on,
    )


# A school allocates some hundred thousand short-lived objects and almost no cycles; with
# the default threshold (700) the collector ran every few hundred allocations and took a
# fifth of a worker's time, mostly re-scanning the rule book and the compiled engine.
WORKER_GC_THRESHOLDS = (50_000, 20, 20)


def tune_gc() -> None:
    """Fewer young collections in a worker, and the rule book (loaded once) moved out of
    the collector's sight: measured −26 % CPU for +13 MiB at the peak (README «Скорость»)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def _kill_hook(kill_on: str, file: str) -> None:
    name, _, marker = kill_on.partition("|")
    if Path(file).name != name:
        return
    if marker:
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return
    os.kill(os.getpid(), signal.SIGKILL)


def school_row(file: str, report: Report, profile: Profile | None = None) -> SchoolRow:
    school = report.school
    return SchoolRow(
        file=file,
        school_id=school.id,
        name=school.name,
        type=school.type,
        region=school.region,
        municipality=school.municipality,
        level=report.level.level,
        score=report.level.score,
        coverage=report.level.coverage,
        counts=dict(report.counts),
        findings=tuple(
            FindingRow(f.rule_id, f.title, f.severity, f.outcome.value, f.met, f.known,
                       f.total, message)
            for f, message in zip(report.findings, without_names(
                [f.message for f in report.findings], report.people
            ), strict=True)
        ),
        markers=result_markers(report),
        works=tuple(counts_of(t) for t in work_totals(profile)) if profile else (),
        history=tuple((h.kind, h.year, tuple(h.works)) for h in report.list_history),
    )


def result_markers(report: Report) -> tuple[str, ...]:
    """The works with a sign in some class, each once, in the report's order."""
    found = [w.marker or w.title for w in report.results_signs if w.flagged]
    return tuple(dict.fromkeys(found))


def without_names(messages: Sequence[str], people: Mapping[str, str]) -> list[str]:
    """Messages for the batch summary, which leaves the school: people are named there by
    their id in the profile, never by name (names belong in the school's own report).

    Names are replaced longest first, one after the other. A message none of the names
    occurs in is left as it is without that loop: which names occur anywhere is asked once
    of all the messages together (a name in one message is in their joined text). Measured
    on 60 synthetic schools (~110 people, 52 messages each): 1.14 → 0.19 ms a school
    against sorting the people and testing every name for every message.
    """
    names = [name for name in people.values() if name]
    joined = "\n".join(messages)
    occurring = [name for name in names if name in joined]
    if not occurring:
        return list(messages)
    longest_first = sorted(people.items(), key=lambda item: -len(item[1]))
    return [
        _replace_names(message, longest_first)
        if any(name in message for name in occurring) else message
        for message in messages
    ]


def _replace_names(message: str, longest_first: list[tuple[str, str]]) -> str:
    for person_id, name in longest_first:
        if name and name in message:
            message = message.replace(name, person_id)
    return message


def _compare(file: str, old: Report, new: Report) -> LevelChange | None:
    before = {f.rule_id: f for f in old.findings}
    changed = []
    for finding in new.findings:
        was = before.pop(finding.rule_id, None)
        if was is None or was.outcome != finding.outcome:
            changed.append(RuleChange(finding.rule_id, finding.title,
                                      was.outcome.value if was else "—", finding.outcome.value))
    for rule_id, was in sorted(before.items()):
        changed.append(RuleChange(rule_id, was.title, was.outcome.value, "—"))
    parameters = _parameter_changes(old, new)
    if old.level.level == new.level.level and not changed and not parameters:
        return None
    return LevelChange(file, new.school.id, new.school.name, old.level.level,
                       new.level.level, old.level.score, new.level.score, tuple(changed),
                       parameters)


def _parameter_changes(old: Report, new: Report) -> tuple[str, ...]:
    """Changes of the rules' parameters that move a level without any outcome changing."""
    weights = {f.rule_id: f.weight for f in old.findings}
    found = [
        f"{f.rule_id}: вес {decimal(weights[f.rule_id])} → {decimal(f.weight)}"
        for f in new.findings
        if f.rule_id in weights and weights[f.rule_id] != f.weight
    ]
    before, after = old.level, new.level
    if before.band_level != after.band_level:
        if before.score == after.score:
            found.append(f"изменились границы уровней: при том же балле "
                         f"{distinct_percents(before.score, after.score)[0]} уровень по "
                         f"границам {before.band_level} → {after.band_level}")
        else:
            scores = " → ".join(distinct_percents(before.score, after.score))
            found.append(f"балл {scores}: уровень по границам {before.band_level} → "
                         f"{after.band_level}")
    if old.level.scale_note != new.level.scale_note:
        found.append(f"шкала: было «{old.level.scale_note}», стало «{new.level.scale_note}»")
    old_reasons, new_reasons = set(old.level.reasons), set(new.level.reasons)
    found += [f"ограничение уровня: {r}" for r in new.level.reasons if r not in old_reasons
              and not r.startswith("Доля выполненных")]
    found += [f"снято ограничение: {r}" for r in old.level.reasons if r not in new_reasons
              and not r.startswith("Доля выполненных")]
    return tuple(found)


def _write_reports(report: Report, stem: str, reports_dir: Path) -> None:
    target = reports_dir / stem
    target.parent.mkdir(parents=True, exist_ok=True)
    target.with_suffix(".json").write_text(report.model_dump_json(indent=2) + "\n",
                                           encoding="utf-8")
    target.with_suffix(".txt").write_text(render_report_plain(report), encoding="utf-8")
    # the справка a coordinator opens from the dashboard (index.html links to it)
    target.with_suffix(".html").write_text(spravka_html(spravka_data(report)),
                                           encoding="utf-8")


def _cached_row(cache: Cache, key: str) -> SchoolRow | None:
    """A result entry, validated strictly against ``SchoolRow``: data in, never code."""
    payload = cache.get("result", key)
    if payload is None:
        return None
    try:
        return _ROW_FORMAT.validate_json(payload, strict=True)
    except ValidationError:
        return None


def _cached_profile(cache: Cache, key: str) -> Profile | None:
    """A profile entry, validated again by the strict profile model."""
    payload = cache.get("profile", key)
    if payload is None:
        return None
    try:
        return Profile.model_validate_json(payload)
    except ValidationError:
        return None


def _problem_rows(error: InputError) -> list[ErrorRow]:
    return [ErrorRow(p.file, p.line, format_loc(p.loc), p.message) for p in error.problems]


def _check_one(worker: _Worker, file: str, stem: str, timings: Timings) -> FileResult:
    if worker.kill_on:
        _kill_hook(worker.kill_on, file)
    started = time.perf_counter()
    try:
        # Refused before it is read when over the size limit (OBJCHECK_MAX_FILE_MB).
        content = read_regular(Path(file), worker.max_bytes)
    except UnreadableFileError as exc:
        return FileResult(file, errors=[ErrorRow(file, None, "", exc.reason)])
    timings.read += time.perf_counter() - started
    return check_content(worker, file, stem, content, timings)


def check_content(worker: _Worker, file: str, stem: str, content: bytes,
                  timings: Timings, references: Sequence[WorkReference] = ()) -> FileResult:
    """Check one profile whose bytes are at hand (read here, or sent by a dask client).

    ``references``: the distributions of its works in the rest of the municipality (the
    coordinator's second look, ``_recheck_outliers``); such a row is never cached.
    """
    result = FileResult(file)
    options = worker.options
    pkey = profile_key(content) if worker.cache.enabled else ""
    simple = options.reports_dir is None and worker.old_checker is None
    cacheable = pkey and not references
    rkey = result_key(pkey, worker.rules_key, worker.as_of.isoformat()) if cacheable else ""
    if rkey and simple:
        cached = _cached_row(worker.cache, rkey)
        if cached is not None:
            timings.result_hits += 1
            result.school = replace(cached, file=file)
            return result
    started = time.perf_counter()
    questionnaire = file.lower().endswith(QUESTIONNAIRE_SUFFIX)
    profile = _cached_profile(worker.cache, pkey) if pkey else None
    if profile is not None:
        timings.profile_hits += 1
    else:
        timings.parsed += 1  # every parse attempt, failed ones included
        try:
            if questionnaire:
                profile = read_questionnaire(content, file)[0]
            else:
                profile = load_profile(content.decode("utf-8"), file)
        except UnicodeDecodeError as exc:
            result.errors.append(ErrorRow(file, None, "",
                                          f"файл не в кодировке UTF-8 (байт {exc.start})"))
            return result
        except InputError as error:
            result.errors.extend(_problem_rows(error))
            return result
        finally:
            timings.parse += time.perf_counter() - started
        if pkey:
            worker.cache.put("profile", pkey, profile.model_dump_json().encode())
    started = time.perf_counter()
    # Load warnings and warnings about exceptions are located (a slow round-trip parse) only
    # for the per-school reports; the rows show none, nor any evidence.
    writing = options.reports_dir is not None
    try:
        report = worker.checker.check(profile, worker.as_of, file, with_evidence=writing,
                                      source_text=content.decode("utf-8")
                                      if writing and not questionnaire else None,
                                      references=references)
        result.school = school_row(file, report, profile)
        if worker.old_checker is not None:
            old = worker.old_checker.check(profile, worker.as_of, file, with_evidence=False,
                                           references=references)
            result.change = _compare(file, old, report)
    except InputError as error:  # a profile too large to evaluate, say
        result.school = None
        result.errors.extend(_problem_rows(error))
        return result
    timings.evaluate += time.perf_counter() - started
    started = time.perf_counter()
    if options.reports_dir is not None:
        _write_reports(report, stem, options.reports_dir)
    if rkey:
        worker.cache.put("result", rkey, _ROW_FORMAT.dump_json(replace(result.school, file="")))
    timings.write += time.perf_counter() - started
    return result


class SchoolSink(Protocol):
    """Receives every checked school while the batch runs, in the order of the files
    (``checker.batch.export.BatchStream`` writes the rows that need not wait for the end)."""

    def school(self, school: SchoolRow, findings: Sequence[FindingRow]) -> None: ...


class InFileOrder:
    """Gives a sink the schools in the order of ``files`` while results arrive in any order
    (workers, chunks, crash retries): a school goes on as soon as every file before it is
    done, so what the sink writes is the same at any worker count. A school that arrives
    early waits as its summary row only; its findings are read back from the store.
    """

    def __init__(self, files: Sequence[str], sink: SchoolSink, store: FindingStore) -> None:
        self._sink = sink
        self._store = store
        self._place = {file: index for index, file in enumerate(files)}
        self._next = 0  # the place of the first file not yet passed on
        self._early: dict[int, SchoolRow | None] = {}  # done, waiting for files before them

    def done(self, file: str, school: SchoolRow | None,
             findings: Sequence[FindingRow] = ()) -> None:
        """``file`` is done: ``school`` (stored, ``findings_ref`` set) or None (no school)."""
        place = self._place.get(file, -1)
        if place != self._next:
            self._early[place] = school
            return
        if school is not None:
            self._sink.school(school, findings)
        self._next += 1
        while self._next in self._early:
            self._pass_stored(self._early.pop(self._next))
            self._next += 1

    def _pass_stored(self, school: SchoolRow | None) -> None:
        if school is not None:
            self._sink.school(school, self._store.get(school.findings_ref))

    def finish(self) -> None:
        """Whatever still waits (a file reported never or twice — not expected), in order."""
        for place in sorted(self._early):
            self._pass_stored(self._early.pop(place))


class _Collected:
    """What the coordinator keeps of each file until the end: the school's summary row
    (its findings go to the store), error rows and the rule comparison; ``sink`` receives
    the schools meanwhile, in file order."""

    def __init__(self, files: Sequence[str] = (), sink: SchoolSink | None = None) -> None:
        self.store = FindingStore()
        self.schools: list[SchoolRow] = []
        self.errors: list[ErrorRow] = []
        self.changes: list[LevelChange] = []
        self.timings = Timings()
        self.missing = MissingTally()
        self.done = 0
        self._order = InFileOrder(files, sink, self.store) if sink is not None else None

    def add(self, results: Iterable[FileResult], timings: Timings) -> None:
        for result in results:
            self.done += 1
            school = None
            if result.school is not None:
                school = _stash(result.school, self.store)
                self.schools.append(school)
                self.missing.add(school.file, result.school.findings)
            self.errors.extend(result.errors)
            if result.change is not None:
                self.changes.append(result.change)
            if self._order is not None:
                findings = result.school.findings if result.school is not None else ()
                self._order.done(result.file, school, findings)
        self.timings.add(timings)

    def finish(self) -> None:
        if self._order is not None:
            self._order.finish()


def _stash(school: SchoolRow, store: FindingStore) -> SchoolRow:
    """Move a school's findings to the store; share the strings of its summary row that
    repeat from school to school (the coordinator keeps every summary row until the end)."""
    intern = sys.intern
    return replace(
        school, findings=(), findings_ref=store.add(school.findings),
        region=intern(school.region) if school.region else school.region,
        municipality=intern(school.municipality) if school.municipality else school.municipality,
        type=intern(school.type) if school.type else school.type,
        level=intern(school.level),
    )


def check_chunk(chunk: Sequence[tuple[str, str]]) -> tuple[list[FileResult], Timings]:
    """Check a chunk of (file, report stem) in this worker; errors become rows."""
    assert _WORKER is not None, "init_worker was not called"
    worker = _WORKER
    return check_each(
        [(file, stem, None) for file, stem in chunk],
        lambda file, stem, _content, timings: _check_one(worker, file, stem, timings),
    )


CheckItem = Callable[[str, str, bytes | None, Timings], FileResult]


def check_each(chunk: Sequence[tuple[str, str, bytes | None]],
               check: CheckItem) -> tuple[list[FileResult], Timings]:
    """Check every (file, stem, content) of a chunk; an exception costs only its file."""
    timings = Timings()
    results = []
    cpu_started = time.process_time()
    for file, stem, content in chunk:
        try:
            results.append(check(file, stem, content, timings))
        except Exception as exc:  # one broken school must not stop the others
            results.append(FileResult(file, errors=[ErrorRow(
                file, None, "", f"внутренняя ошибка при проверке: {type(exc).__name__}: {exc}"
            )]))
    timings.cpu = time.process_time() - cpu_started
    timings.worker_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return results, timings


def worker_ready() -> bool:
    """A no-op task: the pool's workers have started (their initializer ran)."""
    return _WORKER is not None


# --- the coordinator -------------------------------------------------------------------


class WorkersFailedError(RuntimeError):
    """The worker processes cannot start at all; the message is in Russian."""


Progress = Callable[[int, int], None]
Item = tuple[str, str]  # (file, report stem)
CRASH_MESSAGE = ("файл вызвал аварию обработчика (процесс проверки завершился аварийно); "
                 "остальные файлы проверены")


def _chunks(items: list[Item], size: int) -> Iterable[list[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_InitArgs = tuple[BatchOptions, dt.date, str, str | None]  # of init_worker


class _Pool:
    """Worker processes that survive the death of one of them.

    A worker killed by a segfault, ``kill -9`` or the out-of-memory killer breaks the whole
    ``ProcessPoolExecutor``: every chunk in flight fails with it, and nothing says which
    file was the cause. So the pool is started again, the files of those chunks are
    retried one at a time with nothing else in flight, and a file that brings a worker
    down on its own becomes an error row («файл вызвал аварию обработчика»). Everything
    else is checked and written as usual.
    """

    def __init__(self, workers: int, initargs: _InitArgs, collected: _Collected,
                 progress: Callable[[], None]) -> None:
        self._workers = workers
        self._initargs = initargs
        self._collected = collected
        self._progress = progress
        self._executor: ProcessPoolExecutor | None = None
        self._suspects: deque[Item] = deque()

    def run(self, chunks: Iterable[list[Item]]) -> None:
        pending_chunks = iter(chunks)
        try:
            while True:
                if self._suspects:
                    self._isolate()
                elif not self._parallel(pending_chunks):
                    break
        finally:
            self._stop()

    def _start(self) -> ProcessPoolExecutor:
        """The running pool, or a new one; after a crash, one whose workers are known to start.

        A worker that cannot even start (the rule book gone, no memory) would otherwise make
        every file look like the one that killed it, each after a restart of the pool. (The
        first pool is not probed: the probe would hold back the start of the second worker.)
        """
        if self._executor is None:
            executor = ProcessPoolExecutor(
                max_workers=self._workers, mp_context=multiprocessing.get_context("forkserver"),
                initializer=init_worker, initargs=self._initargs,
            )
            self._executor = executor
            if not self._suspects:
                return executor
            try:
                executor.submit(worker_ready).result()
            except BrokenProcessPool:
                self._stop()
                raise WorkersFailedError(
                    "процессы проверки не запускаются (не загрузились правила или не хватает "
                    "памяти); ни один файл не проверен"
                ) from None
        return self._executor

    def _stop(self) -> None:
        """Stop at once: after a crash or on Ctrl-C nothing in flight is worth waiting for."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        # Private, but the only handles there are: shutdown() alone would wait for the
        # chunks being checked (seconds), and a broken pool must not be waited on at all.
        processes: list[BaseProcess] = list((getattr(executor, "_processes", None) or {}).values())
        manager: threading.Thread | None = getattr(executor, "_executor_manager_thread", None)
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(timeout=10)
        if manager is not None:
            manager.join(timeout=10)

    def _parallel(self, chunks: Iterator[list[Item]]) -> bool:
        """Check chunks in parallel until they run out (False) or the pool breaks (True)."""
        executor = self._start()
        in_flight: dict[Future[tuple[list[FileResult], Timings]], list[Item]] = {}

        def submit(chunk: list[Item]) -> None:
            try:
                in_flight[executor.submit(check_chunk, chunk)] = chunk
            except BrokenProcessPool:  # broke since: this chunk is retried with the others
                self._suspects.extend(chunk)

        for chunk in chunks:  # keep a bounded number of chunks in flight
            submit(chunk)
            if len(in_flight) >= self._workers * 4 or self._suspects:
                break
        if not in_flight and not self._suspects:
            return False
        while in_flight:
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                chunk = in_flight.pop(future)
                try:
                    results, timings = future.result()
                except BrokenProcessPool:
                    self._suspects.extend(chunk)
                    continue
                self._collected.add(results, timings)
                if not self._suspects:
                    next_chunk = next(chunks, None)
                    if next_chunk is not None:
                        submit(next_chunk)
            self._progress()
        if self._suspects:
            self._stop()
        return True

    def _isolate(self) -> None:
        """Retry the files of broken chunks one by one: a crash now names its file."""
        executor = self._start()  # probed while the suspect is still queued
        item = self._suspects.popleft()
        future = executor.submit(check_chunk, [item])
        try:
            results, timings = future.result()
        except BrokenProcessPool:
            self._stop()
            results, timings = [FileResult(item[0], errors=[
                ErrorRow(item[0], None, "", CRASH_MESSAGE)])], Timings()
        self._collected.add(results, timings)
        self._progress()


def run_batch(
    paths: Sequence[str],
    options: BatchOptions,
    workers: int | None = None,
    progress: Progress | None = None,
    past: PastRun | None = None,
    dask: DaskOptions | None = None,
    sink: SchoolSink | None = None,
) -> BatchResult:
    """Check every profile under ``paths``; the result is sorted and independent of order.
    With ``past`` (an earlier run's summary), each school is compared with it. With
    ``dask``, files are checked on a dask cluster (``checker.batch.dask_run``). ``sink``
    receives each school while the others are checked, in the order of the files.

    Files are always checked in worker processes, ``workers=1`` included: a file that
    crashes the parser must cost that file, not the batch.
    """
    as_of = options.as_of or dt.date.today()
    files, errors = collect_files(paths)
    stems = report_names(files)
    items = [(f, stems[f]) for f in files]
    rules_key = rules_fingerprint(options.rules_dir)
    workers = max(1, min(workers or os.cpu_count() or 1, len(items) or 1))
    collected = _Collected(files, sink)

    def report() -> None:
        if progress:
            progress(collected.done, len(items))

    report()
    size = max(1, min(64, len(items) // (workers * 8) or 1))
    initargs: _InitArgs = (options, as_of, rules_key, os.environ.get(KILL_HOOK_ENV) or None)
    if items and dask is not None:  # on a dask cluster (checker.batch.dask_run)
        from checker.batch.dask_run import run_on_dask

        run_on_dask(items, initargs, collected.add, report, dask, workers)
    elif items:
        _Pool(workers, initargs, collected, report).run(_chunks(items, size))
    collected.finish()
    # each worker keeps to the limit as it writes; once more here, as all have finished
    Cache(options.cache_dir, options.cache_max_bytes).enforce_limit()
    book = load_rulebook(options.rules_dir)
    streamed = sorted(collected.schools, key=lambda s: s.file)
    changes = {c.file: c for c in collected.changes}
    schools = _recheck_outliers(streamed, book, initargs, stems, collected.store, changes,
                                workers if dask is None else 1)
    errors.extend(collected.errors)
    errors.sort(key=lambda e: (e.file, e.line or 0, e.field, e.message))
    # Schools the cohort step checked again have other rows than the ones streamed while
    # they were checked: the streamed files are then written again at the end (write_all).
    rechecked = any(new is not old for new, old in zip(schools, streamed, strict=True))
    result = BatchResult(as_of, schools, errors, sorted(changes.values(), key=lambda c: c.file),
                         options.old_rules_dir is not None, collected.timings, len(files),
                         collected.store, scale_note=scale_note(book.federal_level),
                         _missing=None if rechecked else collected.missing.measures(len(schools)),
                         streamed_rows_stale=rechecked)
    if past is not None:
        from checker.batch.since import compare_with_past

        result.since = compare_with_past(schools, result.findings_of, past)
    return result


# --- the cohort rule: each school against the rest of its municipality ----------------


def _recheck_outliers(
    schools: list[SchoolRow], book: RuleBook, initargs: _InitArgs, stems: Mapping[str, str],
    store: FindingStore, changes: dict[str, LevelChange], workers: int = 1,
) -> list[SchoolRow]:
    """Check again, with the distributions of the rest of their municipality (region), the
    schools whose marks the cohort rule RES-OUT-001 could flag; their rows (and reports)
    then equal ``check --reference``. The others keep their rows: the rule says «не
    сообщено» there (README, «Признаки необъективности результатов»).

    The references are sums of every school's counts, so they are complete only here, in
    the coordinator, after all files. The schools are checked again by the same function in
    worker processes (many of them) or in this one (few), and stored in file order, so the
    result does not depend on workers or order.
    """
    params: dict[tuple[str | None, str | None], dict[str, int]] = {}

    if not all(name in book.select(None, None).parameters for name in COHORT_PARAMETERS):
        return schools  # a rule book without the results pack: no cohort rule to apply

    def params_of(member: CohortMember) -> dict[str, int]:
        place = (member.region, member.municipality)
        if place not in params:
            selection = book.select(member.region, member.municipality)
            params[place] = {name: p.value for name, p in selection.parameters.items()}
        return params[place]

    members = [CohortMember(s.municipality, s.region, s.works) for s in schools]
    references = leave_one_out_references(members, params_of)
    candidates = {
        index for index, (member, refs) in enumerate(zip(members, references, strict=True))
        if _could_be_flagged(member, refs, params_of(member))
    }
    if not candidates:
        return schools
    tasks = [(schools[i].file, stems[schools[i].file], references[i]) for i in sorted(candidates)]
    results = _recheck_in_pool(tasks, workers, initargs) if (
        workers > 1 and len(tasks) >= RECHECK_IN_POOL_MIN) else {}
    checked = list(schools)
    serial = [task for task in tasks if task[0] not in results]
    if serial:  # few schools (or the pool broke): in this process
        worker = build_worker(*initargs[:3])
        with _collector_as_in_workers():
            results.update((task[0], _recheck_one(worker, *task)) for task in serial)
    index_of = {school.file: index for index, school in enumerate(schools)}
    for file, result in sorted(results.items()):  # file order: the store's order is fixed
        if result is None or result.school is None:
            continue  # gone since the first look, or no longer a school: the row stays
        checked[index_of[file]] = _stash(result.school, store)
        if result.change is not None:
            changes[file] = result.change
        else:
            changes.pop(file, None)
    return checked


# Fewer schools to check again than this are checked in the coordinator: starting worker
# processes (rules loaded and compiled in each, ~1 s) costs more than it saves.
RECHECK_IN_POOL_MIN = 16
RecheckTask = tuple[str, str, list[WorkReference]]  # file, report stem, its references


def _recheck_in_pool(tasks: Sequence[RecheckTask], workers: int,
                     initargs: _InitArgs) -> dict[str, FileResult | None]:
    """The schools checked again in worker processes, in chunks; a broken pool leaves the
    rest to the coordinator (their first check survived a worker, so this one will)."""
    done: dict[str, FileResult | None] = {}
    size = max(1, min(32, len(tasks) // (workers * 4) or 1))
    executor = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
        initializer=init_worker, initargs=initargs,
    )
    try:
        futures = [executor.submit(recheck_chunk, list(tasks[i:i + size]))
                   for i in range(0, len(tasks), size)]
        for future in futures:
            done.update(future.result())
    except BrokenProcessPool:
        pass
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return done


def recheck_chunk(chunk: Sequence[RecheckTask]) -> dict[str, FileResult | None]:
    """Check a chunk of schools again with their references, in this worker."""
    assert _WORKER is not None, "init_worker was not called"
    return {file: _recheck_one(_WORKER, file, stem, refs) for file, stem, refs in chunk}


@contextlib.contextmanager
def _collector_as_in_workers() -> Iterator[None]:
    """The garbage collector tuned as in a worker while the coordinator checks schools:
    otherwise every young collection scans all the rows it holds (measured on 300 synthetic
    schools, 14 checked again: 78 → 69 ms a school, wall)."""
    thresholds = gc.get_threshold()
    tune_gc()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _recheck_one(worker: _Worker, file: str, stem: str,
                 references: list[WorkReference]) -> FileResult | None:
    """One school checked again with its references; ``None`` when its file is gone."""
    try:
        content = read_regular(Path(file), worker.max_bytes)
    except UnreadableFileError:
        return None
    return check_content(worker, file, stem, content, Timings(), references=references)


def _could_be_flagged(
    member: CohortMember, references: list[WorkReference], params: Mapping[str, int]
) -> bool:
    by_work = {reference_key(r): r for r in references}
    for counts in member.works:
        totals = totals_of(counts)
        reference = by_work.get(totals.key)
        if totals.kind == "ВПР" and reference is not None and could_be_outlier(
            totals, reference, params
        ):
            return True
    return False


# --- views for the summary and the files ------------------------------------------------


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def schools_by_level(schools: Iterable[SchoolRow]) -> list[SchoolRow]:
    """Best level first, then higher score, then file."""
    return sorted(
        schools,
        key=lambda s: (level_rank(s.level), -(s.score if s.score is not None else -1.0), s.file),
    )


def level_counts(schools: Iterable[SchoolRow]) -> dict[str, int]:
    counts = dict.fromkeys(LEVEL_ORDER, 0)
    for school in schools:
        counts[school.level] = counts.get(school.level, 0) + 1
    return counts


@dataclass(frozen=True)
class MissingMeasure:
    rule_id: str
    title: str
    severity: str
    schools: int
    share: float
    by_outcome: dict[str, int]


def most_missing(
    schools: Sequence[SchoolRow], findings_of: Callable[[SchoolRow], Sequence[FindingRow]],
) -> list[MissingMeasure]:
    """Rules whose outcome is a gap, a violation or overdue, by the number of schools."""
    tally = MissingTally()
    for school in schools:
        tally.add(school.file, findings_of(school))
    return tally.measures(len(schools))


_MISSING_VALUES = frozenset(o.value for o in MISSING)


class MissingTally:
    """The counts of ``most_missing``, kept as schools arrive in any order — the batch
    need not read every finding back at the end. A rule's title and severity are those of
    the last file (in file order) that reported it missing, whatever the order of arrival.
    """

    def __init__(self) -> None:
        self._counts: dict[str, dict[str, int]] = {}
        self._titles: dict[str, tuple[str, str, str]] = {}  # rule → (file, title, severity)

    def add(self, file: str, findings: Iterable[FindingRow]) -> None:
        for finding in findings:
            if finding.outcome in _MISSING_VALUES:
                per = self._counts.get(finding.rule_id)
                if per is None:
                    per = self._counts[finding.rule_id] = {o.value: 0 for o in MISSING}
                per[finding.outcome] += 1
                seen = self._titles.get(finding.rule_id)
                if seen is None or file >= seen[0]:
                    self._titles[finding.rule_id] = (file, finding.title, finding.severity)

    def measures(self, total: int) -> list[MissingMeasure]:
        measures = [
            MissingMeasure(rule_id, self._titles[rule_id][1], self._titles[rule_id][2],
                           sum(per.values()),
                           round(sum(per.values()) / total, 4) if total else 0.0, dict(per))
            for rule_id, per in self._counts.items()
        ]
        return sorted(measures, key=lambda m: (-m.schools, m.rule_id))


@dataclass(frozen=True)
class Municipality:
    region: str
    municipality: str
    schools: int
    levels: dict[str, int]
    mean_score: float | None
    with_signs: int = 0  # schools with a sign of unobjective results in some work

    @property
    def share_with_signs(self) -> float:
        return round(self.with_signs / self.schools, 4) if self.schools else 0.0


def municipalities(schools: Iterable[SchoolRow]) -> list[Municipality]:
    groups: dict[tuple[str, str], list[SchoolRow]] = {}
    for school in schools:
        key = (school.region or "не указан", school.municipality or "не указано")
        groups.setdefault(key, []).append(school)
    result = []
    for (region, municipality), rows in sorted(groups.items()):
        scores = [s.score for s in rows if s.score is not None]
        mean = round(sum(scores) / len(scores), 4) if scores else None
        result.append(Municipality(region, municipality, len(rows), level_counts(rows), mean,
                                   sum(1 for s in rows if s.markers)))
    return result
