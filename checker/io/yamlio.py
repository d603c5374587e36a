"""YAML reading: fast for checking, within limits, round-trip only to edit.

The C-backed safe loader is ~8× faster than the round-trip loader, so every file is read
with it, after its size, nesting and alias expansion are checked (``Limits``). Line numbers
are needed only when something is wrong; then the parser's events are walked once for all
the problems of the file (``locate_all``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from checker.io.files import FileTooBigError, UnreadableFileError, read_regular
from checker.model.errors import InputError, Loc, Problem, echo

# --- limits: a file is measured before any Python object is built from it ---------------


@dataclass(frozen=True)
class Limits:
    """What a YAML input may cost; each can be changed by an environment variable.

    ``max_bytes`` bounds the file, ``max_depth`` the nesting of lists and maps (the C
    composer recurses and crashes the process somewhere past 20,000 levels), and
    ``max_alias_nodes`` the nodes that aliases (``*name``) add when expanded: a few hundred
    bytes of nested aliases expand to gigabytes («alias bomb»).
    """

    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 100
    max_alias_nodes: int = 100_000

    @classmethod
    def from_env(cls) -> Limits:
        """Defaults, or ``OBJCHECK_MAX_FILE_MB`` / ``_MAX_DEPTH`` / ``_MAX_ALIAS_NODES``."""
        default = cls()
        return cls(
            max_bytes=_env_int("OBJCHECK_MAX_FILE_MB", default.max_bytes // 2**20) * 2**20,
            max_depth=min(_env_int("OBJCHECK_MAX_DEPTH", default.max_depth), 10_000),
            max_alias_nodes=_env_int("OBJCHECK_MAX_ALIAS_NODES", default.max_alias_nodes),
        )


def _env_int(name: str, default: int) -> int:
    """A positive integer from the environment; anything else keeps the default."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


class LimitExceededError(Exception):
    """Raised inside the constructor; ``load_fast`` turns it into an ``InputError``."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_text(path: Path, limits: Limits | None = None) -> str:
    """The UTF-8 text of a regular file no larger than the limit, or a located ``InputError``.

    FIFOs, devices and directories are refused (reading a FIFO would block): the file is
    opened without blocking and checked on the open descriptor (``read_regular``).
    """
    limits = limits or Limits.from_env()
    origin = str(path)
    try:
        return read_regular(path, limits.max_bytes).decode("utf-8")
    except FileTooBigError:
        raise InputError([Problem(origin, None, (), _too_big(limits))]) from None
    except UnreadableFileError as exc:
        raise InputError([Problem(origin, None, (), exc.reason)]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(origin, None, (), "не удалось прочитать файл: файл не в "
                                  "кодировке UTF-8")]) from None


def _too_big(limits: Limits) -> str:
    return (f"файл больше {limits.max_bytes // 2**20} МБ (предел задаёт "
            "OBJCHECK_MAX_FILE_MB)")


# The C composer recurses once per level and crashed the process past 20,000 levels; up to
# this depth it is safe, and the constructor (``_FastConstructor._fast``) then enforces the
# limit exactly as it builds each level. A text that might nest deeper is checked first.
COMPOSER_SAFE_DEPTH = 5_000

# A block collection starts after indentation, «- », «? », «: », anchors and tags only; its
# nesting is bounded by twice that prefix (a list may sit at its parent key's column). Flow
# nesting is bounded by the number of brackets. Only when that bound is over what the
# composer can take are the parser's events counted exactly (they cost a fifth of a load).
_BLOCK_PREFIX = re.compile(r"^[ \t]*(?:(?:[-?:]|[&!][^ \t\n]*)[ \t]+)*", re.MULTILINE)


def _may_nest_deeper(text: str, threshold: int) -> bool:
    """False when ``text`` surely nests at most ``threshold`` levels, at C speed.

    The bound is ``2 × (block prefix + 1) + brackets + 1``; only lines long enough to push
    it over the threshold are looked at.
    """
    if len(text) <= threshold:  # every level takes at least one character
        return False
    flow = text.count("[") + text.count("{")
    need = (threshold - flow - 3) // 2 + 1  # the shortest block prefix that would exceed
    if need <= 0:
        return True
    return any(
        len(_BLOCK_PREFIX.match(line.group()).group()) >= need  # type: ignore[union-attr]
        for line in re.finditer(rf"^[^\n]{{{need},}}", text, re.MULTILINE)
    )


def _check_depth(text: str, origin: str, limit: int) -> None:
    if not _may_nest_deeper(text, max(limit, COMPOSER_SAFE_DEPTH)):
        return
    depth = 0
    try:
        for event in FAST_YAML.parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > limit:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise InputError([Problem(origin, line, (), _too_deep(limit))])
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except MarkedYAMLError:
        return  # the load reports syntax errors with their position


def _too_deep(limit: int) -> str:
    return (f"вложенность списков и словарей глубже {limit} уровней (предел задаёт "
            "OBJCHECK_MAX_DEPTH)")


def _alias_growth(root: Node) -> int:
    """How many nodes aliases add when the document is expanded (0 without aliases).

    Counted on the composed nodes, where an alias is the same node object seen again, so
    the count costs one visit per distinct node; the depth was checked before.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:  # post-order without recursion: the depth limit may be raised a lot
        node, children_done = stack.pop()
        if children_done:
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in _children(node))
        elif id(node) not in sizes:
            sizes[id(node)] = 1  # a recursive alias counts once; construction rejects it
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return sizes[id(root)] - len(sizes)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


# «29.08.2024»: the way dates are written in Russian documents; read as a date like ISO ones.
_RUSSIAN_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class DateError(ConstructorError):
    """A date that does not exist; ``path`` is filled in on the way up (the field's keys)."""

    def __init__(self, value: str, mark: Any) -> None:
        super().__init__(None, None, f"несуществующая дата «{echo(value)}»", mark)
        self.path: list[str | int] = []


class CheckedDateConstructor(SafeConstructor):
    """Safe constructor that reads ДД.ММ.ГГГГ dates too, and whose impossible dates fail
    with their own position instead of a bare ValueError."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        russian = _RUSSIAN_DATE.match(node.value) if isinstance(node.value, str) else None
        try:
            if russian:
                day, month, year = (int(part) for part in russian.groups())
                return dt.date(year, month, day)
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            raise DateError(node.value, node.start_mark) from None


CheckedDateConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", CheckedDateConstructor.construct_yaml_timestamp
)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SPECIAL_KEYS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})
_TAG_CACHE_MAX = 50_000


class _CachingResolver(VersionedResolver):
    """Remembers the implicit tag of each plain scalar value, across files.

    With ``implicit[0]`` true the tag depends only on the value and the YAML version, and
    profiles repeat the same few thousand values (keys, kinds, dates, ids). ruamel's own
    ``resolve`` looks the version up and scans the regexps for every scalar: it was a fifth
    of the parse. The C loader builds a new resolver for every file, so the cache is the
    class's (one per process, shared by every file it reads), keyed by YAML version and
    cleared when it grows past a bound.

    ``processing_version`` is itself slow (two caught AttributeErrors a call) and ruamel's
    int constructor asks for it twice per integer, so it is read once per resolver, i.e.
    once per file. (The C parser ignores ``%YAML`` directives: the version is the YAML
    instance's, 1.2.)
    """

    _tags: dict[tuple[Any, str], Any] = {}  # noqa: RUF012 - shared across files on purpose
    _version: Any = None

    @property
    def processing_version(self) -> Any:
        version = self._version
        if version is None:
            version = self._version = VersionedResolver.processing_version.fget(self)  # type: ignore[attr-defined]
        return version

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            key = (self.processing_version, value)
            tags = _CachingResolver._tags
            tag = tags.get(key)
            if tag is None:
                if len(tags) >= _TAG_CACHE_MAX:
                    tags.clear()
                tag = tags[key] = (
                    _TIMESTAMP if _RUSSIAN_DATE.match(value)
                    else super().resolve(kind, value, implicit)
                )
            return tag
        return super().resolve(kind, value, implicit)


class _FastConstructor(CheckedDateConstructor):
    """Builds plain maps, lists and strings in one tight recursion.

    Everything else (ints, bools, dates, explicit tags, merge keys ``<<``, the ``=`` value
    key) goes through ruamel's own constructors, so values, duplicate-key errors and their
    positions are exactly those of ``SafeConstructor``.
    """

    limits = Limits()
    may_alias = True  # false without «*» and «&» in the text: then there is no alias

    def construct_document(self, node: Any) -> Any:
        try:
            limit = self.limits.max_alias_nodes
            if self.may_alias and _alias_growth(node) > limit:
                raise LimitExceededError(node.start_mark.line + 1, (
                    f"ссылки (alias, *имя) раскрываются больше чем в {limit} "
                    "узлов (предел задаёт OBJCHECK_MAX_ALIAS_NODES)"))
            return self._fast(node, {}, set(), 1)
        finally:
            self.constructed_objects = {}
            self.recursive_objects = {}
            self.state_generators = []
            self.deep_construct = False

    def _standard(self, node: Any) -> Any:
        """ruamel's construction of one node and everything under it."""
        self.deep_construct = True
        try:
            return self.construct_object(node, deep=True)
        finally:
            self.deep_construct = False

    def _fast(self, node: Any, done: dict[int, Any], busy: set[int], depth: int) -> Any:
        cls = type(node)
        tag = node.ctag.trval
        if cls is ScalarNode:
            return node.value if tag == _STR else self._standard(node)
        if depth > self.limits.max_depth:
            raise LimitExceededError(node.start_mark.line + 1, _too_deep(self.limits.max_depth))
        key_id = id(node)
        if key_id in done:  # an alias of a collection constructed already
            return done[key_id]
        if key_id in busy:
            raise ConstructorError(None, None, "found unconstructable recursive node",
                                   node.start_mark)
        if cls is MappingNode and tag == _MAP and getattr(node, "merge", None) is None:
            busy.add(key_id)
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if type(key_node) is not ScalarNode or key_node.ctag.trval in _SPECIAL_KEYS:
                    busy.discard(key_id)
                    result = done[key_id] = self._standard(node)
                    return result
                key = self._fast(key_node, done, busy, depth + 1)
                try:
                    value = self._fast(value_node, done, busy, depth + 1)
                except DateError as exc:
                    exc.path.insert(0, key)
                    raise
                if key in mapping:
                    # raises DuplicateKeyError with both positions (duplicates are not allowed)
                    self.check_mapping_key(node, key_node, mapping, key, value)
                    continue
                mapping[key] = value
            busy.discard(key_id)
            done[key_id] = mapping
            return mapping
        if cls is SequenceNode and tag == _SEQ:
            busy.add(key_id)
            items: list[Any] = []
            for index, child in enumerate(node.value):
                try:
                    items.append(self._fast(child, done, busy, depth + 1))
                except DateError as exc:
                    exc.path.insert(0, index)
                    raise
            busy.discard(key_id)
            done[key_id] = items
            return items
        result = done[key_id] = self._standard(node)
        return result


def _fast_yaml() -> YAML:
    yaml = YAML(typ="safe", pure=False)
    yaml.Constructor = _FastConstructor
    yaml.Resolver = _CachingResolver
    return yaml


FAST_YAML = _fast_yaml()


def round_trip_yaml() -> YAML:
    """A round-trip YAML instance that keeps comments, order and quoting."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml


def load_fast(text: str, origin: str) -> Any:
    """Parse YAML text with the C loader; syntax errors become an ``InputError``."""
    limits = Limits.from_env()
    if len(text) > limits.max_bytes:
        raise InputError([Problem(origin, None, (), _too_big(limits))])
    _check_depth(text, origin, limits.max_depth)
    _FastConstructor.limits = limits
    _FastConstructor.may_alias = "*" in text and "&" in text  # an alias needs an anchor
    try:
        return FAST_YAML.load(text)
    except LimitExceededError as exc:
        raise InputError([Problem(origin, exc.line, (), exc.message)]) from None
    except DateError as exc:  # the field is named, the line is the date's own
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise InputError([Problem(origin, line, tuple(exc.path), str(exc.problem))]) from None
    except RecursionError:  # nesting under explicit tags or merge keys, built by ruamel
        raise InputError([Problem(origin, None, (), _too_deep(limits.max_depth))]) from None
    except MarkedYAMLError as exc:
        raise InputError([_problem_from_marked(exc, origin)]) from None
    except YAMLError as exc:
        raise InputError([Problem(origin, None, (), _translate_yaml_problem(str(exc)))]
                         ) from None


def _problem_from_marked(exc: MarkedYAMLError, origin: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    problem = str(exc.problem or exc.context or "ошибка синтаксиса")
    duplicate = _DUPLICATE_KEY.match(problem)
    if duplicate:  # ruamel's text quotes both values: subtrees that may hold names
        message = f"повторяющийся ключ «{echo(duplicate.group(1))}»"
    else:
        message = _translate_yaml_problem(echo(problem, 200))
    started = exc.context_mark
    if started is not None and line is not None and started.line + 1 != line:
        message += f" (конструкция начата в строке {started.line + 1})"
    return Problem(origin, line, (), message)


_DUPLICATE_KEY = re.compile(r'found duplicate key "(.*?)" with value', re.DOTALL)
_YAML_PROBLEMS = {
    "found duplicate key": "повторяющийся ключ",
    "did not find expected node content": "ожидалось значение (ошибка синтаксиса YAML)",
    "mapping values are not allowed": "здесь не может быть «ключ: значение» "
    "(проверьте отступы и двоеточия)",
    "could not find expected ':'": "не найдено ожидаемое «:»",
    "found character '\\t' that cannot start any token": "символ табуляции недопустим в YAML",
    "did not find expected key": "ожидался ключ (проверьте отступы)",
    "did not find expected '-' indicator": "ожидался элемент списка «-» (проверьте отступы)",
    "found unexpected end of stream": "файл неожиданно закончился",
    "found undefined alias": "неизвестная ссылка (alias)",
    "did not find expected ',' or ']'": "не закрыт список: ожидалась «,» или «]»",
    "did not find expected ',' or '}'": "не закрыт словарь: ожидалась «,» или «}»",
    "found unexpected ':'": "неожиданное «:» (значение с двоеточием возьмите в кавычки)",
    "expected <block end>": "нарушены отступы: строка не на своём уровне вложенности",
    "found character that cannot start any token": "значение начинается с недопустимого "
    "символа (возьмите его в кавычки)",
    "found unknown escape character": "неизвестная последовательность с «\\» в строке в "
    "двойных кавычках (используйте одинарные кавычки)",
    "expected a comment or a line break": "после значения ожидался конец строки или "
    "комментарий",
    "found undefined tag handle": "неизвестный тег (значение, начинающееся с «!», возьмите "
    "в кавычки)",
    "could not determine a constructor for the tag": "неизвестный тег (значение, "
    "начинающееся с «!», возьмите в кавычки)",
    "found unhashable key": "ключ не может быть списком или словарём",
    "found unexpected document": "в файле несколько документов YAML («---»): нужен один",
    "expected a single document": "в файле несколько документов YAML («---»): нужен один",
    "but found another document": "в файле несколько документов YAML («---»): нужен один",
}


def _translate_yaml_problem(problem: str) -> str:
    for english, russian in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return f"{russian} ({problem})" if english == "found duplicate key" else russian
    if problem.startswith("несуществующая дата"):
        return problem
    # The parser's own text is English: the line it points at is what helps
    return "ошибка синтаксиса YAML: проверьте отступы, двоеточия и кавычки в этой строке"


def locate_all(text: str, locs: Iterable[Loc]) -> dict[Loc, int | None]:
    """1-based line of the node at each of ``locs`` (the nearest known ancestor's if the
    node is absent), found in one pass over the parser's events.

    Used only after something went wrong. One pass for all problems of a file: 400 problems
    or one problem in a 50 MB file cost one parse (events, no nodes: composing a node tree
    costs five times more), and the pass stops once every location is found. A mapping
    entry's line is its key's, a list item's its own.
    """
    wanted = set(locs)
    prefixes = {loc[:end] for loc in wanted for end in range(len(loc) + 1)}
    found: dict[Loc, int] = {(): 1}
    remaining = set(wanted) - {()}
    if remaining:
        with contextlib.suppress(YAMLError):  # a text that does not parse: lines found so far
            _walk_events(text, prefixes, found, remaining)
    return {loc: _nearest(found, loc) for loc in wanted}


class _Frame:
    """An open collection while walking events: its path if any wanted location is in it."""

    __slots__ = ("index", "is_map", "key", "key_line", "path", "want_key")

    def __init__(self, is_map: bool, path: Loc | None) -> None:
        self.is_map = is_map
        self.path = path
        self.want_key = True
        self.key: str | None = None
        self.key_line = 0
        self.index = 0


def _walk_events(text: str, prefixes: set[Loc], found: dict[Loc, int],
                 remaining: set[Loc]) -> None:
    stack: list[_Frame] = []
    for event in FAST_YAML.parse(text):
        if isinstance(event, CollectionEndEvent):
            stack.pop()
            continue
        if not isinstance(event, NodeEvent):
            continue
        path: Loc | None = ()
        if stack:
            top = stack[-1]
            if top.is_map and top.want_key:  # the key itself, not a node anyone asks for
                top.want_key = False
                top.key = str(event.value) if isinstance(event, ScalarEvent) else None
                top.key_line = event.start_mark.line + 1
                if isinstance(event, CollectionStartEvent):
                    stack.append(_Frame(isinstance(event, MappingStartEvent), None))
                continue
            path = _child_path(top)
            if path is not None and path in prefixes:
                found[path] = top.key_line if top.is_map else event.start_mark.line + 1
                remaining.discard(path)
                if not remaining:
                    return
            elif path is not None:
                path = None  # nothing wanted below it
        if isinstance(event, CollectionStartEvent):
            stack.append(_Frame(isinstance(event, MappingStartEvent), path))


def _child_path(top: _Frame) -> Loc | None:
    """The path of the node that starts in ``top`` now (None when nobody asks)."""
    if top.is_map:
        top.want_key = True
        key = top.key
        return None if top.path is None or key is None else (*top.path, key)
    index = top.index
    top.index += 1
    return None if top.path is None else (*top.path, index)


def _nearest(found: dict[Loc, int], loc: Loc) -> int | None:
    for end in range(len(loc), -1, -1):
        line = found.get(loc[:end])
        if line is not None:
            return line
    return None


def with_lines(problems: Iterable[Problem], texts: dict[str, str]) -> list[Problem]:
    """``problems`` (of several files, by origin) with their lines, one pass per file."""
    chosen = list(problems)
    lines = {
        origin: locate_all(text, (p.loc for p in chosen if p.file == origin))
        for origin, text in texts.items()
        if any(p.file == origin for p in chosen)
    }
    return [
        replace(p, line=lines[p.file][p.loc]) if p.file in lines else p for p in chosen
    ]


def located(origin: str, text: str, issues: Iterable[tuple[Loc, str]]) -> list[Problem]:
    """Problems for ``(location, message)`` pairs of one file, all located in one pass."""
    pairs = list(issues)
    lines = locate_all(text, (loc for loc, _message in pairs)) if pairs else {}
    return [Problem(origin, lines[loc], loc, message) for loc, message in pairs]


def compose(text: str) -> Node | None:
    """The node tree of ``text`` (C parser; positions, no Python values). Only for texts
    within the limits (``inspect`` edits a profile it has loaded)."""
    node: Node | None = FAST_YAML.compose(text)
    return node
