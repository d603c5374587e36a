"""YAML reading: fast for checking, round-trip only to locate lines and to edit.

The C-backed safe loader is ~8× faster than the round-trip loader, so every file is read
with it. Line numbers are needed only when something is wrong; then the same text is read
again with the round-trip loader, whose nodes remember where they came from.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from checker.model.errors import InputError, Loc, Problem


class _CheckedDateConstructor(SafeConstructor):
    """Safe constructor whose dates fail with a position instead of a bare ValueError."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError as exc:
            raise ConstructorError(
                None, None, f"несуществующая дата «{node.value}»", node.start_mark
            ) from exc


_CheckedDateConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _CheckedDateConstructor.construct_yaml_timestamp
)


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SPECIAL_KEYS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})
_TAG_CACHE_MAX = 50_000


class _CachingResolver(VersionedResolver):
    """Remembers the implicit tag of each plain scalar value.

    With ``implicit[0]`` true the tag depends only on the value and the YAML version, and a
    profile repeats the same few thousand values (keys, kinds, dates, ids). ruamel's own
    ``resolve`` looks the version up and scans the regexps for every scalar: it was a fifth
    of the parse. The cache is per YAML version and cleared when it grows past a bound.

    ``processing_version`` is itself slow (two caught AttributeErrors a call), so
    ``load_fast`` reads it once per document into ``document_version``. (The C parser
    ignores ``%YAML`` directives: the version is the YAML instance's, 1.2.)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tags: dict[tuple[Any, str], Any] = {}
        self.document_version: Any = None

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            version = self.document_version or self.processing_version
            key = (version, value)
            tag = self._tags.get(key)
            if tag is None:
                if len(self._tags) >= _TAG_CACHE_MAX:
                    self._tags.clear()
                tag = self._tags[key] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)


class _FastConstructor(_CheckedDateConstructor):
    """Builds plain maps, lists and strings in one tight recursion.

    Everything else (ints, bools, dates, explicit tags, merge keys ``<<``, the ``=`` value
    key) goes through ruamel's own constructors, so values, duplicate-key errors and their
    positions are exactly those of ``SafeConstructor``.
    """

    def construct_document(self, node: Any) -> Any:
        try:
            return self._fast(node, {}, set())
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

    def _fast(self, node: Any, done: dict[int, Any], busy: set[int]) -> Any:
        cls = type(node)
        tag = node.ctag.trval
        if cls is ScalarNode:
            return node.value if tag == _STR else self._standard(node)
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
                key = self._fast(key_node, done, busy)
                value = self._fast(value_node, done, busy)
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
            items = [self._fast(child, done, busy) for child in node.value]
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


_FAST = _fast_yaml()


def round_trip_yaml() -> YAML:
    """A round-trip YAML instance that keeps comments, order and quoting."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    return yaml


def load_fast(text: str, origin: str) -> Any:
    """Parse YAML text with the C loader; syntax errors become an ``InputError``."""
    resolver = _FAST.resolver
    resolver.document_version = resolver.processing_version
    try:
        return _FAST.load(text)
    except MarkedYAMLError as exc:
        raise InputError([_problem_from_marked(exc, origin)]) from None
    except YAMLError as exc:
        raise InputError([Problem(origin, None, (), f"ошибка YAML: {exc}")]) from None


def _problem_from_marked(exc: MarkedYAMLError, origin: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    message = _translate_yaml_problem(str(exc.problem or exc.context or "ошибка синтаксиса"))
    started = exc.context_mark
    if started is not None and line is not None and started.line + 1 != line:
        message += f" (конструкция начата в строке {started.line + 1})"
    return Problem(origin, line, (), message)


_YAML_PROBLEMS = {
    "found duplicate key": "повторяющийся ключ",
    "did not find expected node content": "ожидалось значение (ошибка синтаксиса YAML)",
    "mapping values are not allowed here": "здесь не может быть «ключ: значение» "
    "(проверьте отступы и двоеточия)",
    "could not find expected ':'": "не найдено ожидаемое «:»",
    "found character '\\t' that cannot start any token": "символ табуляции недопустим в YAML",
    "did not find expected key": "ожидался ключ (проверьте отступы)",
    "did not find expected '-' indicator": "ожидался элемент списка «-» (проверьте отступы)",
    "found unexpected end of stream": "файл неожиданно закончился",
    "found undefined alias": "неизвестная ссылка (alias)",
    "did not find expected ',' or ']'": "не закрыт список: ожидалась «,» или «]»",
    "did not find expected ',' or '}'": "не закрыт словарь: ожидалась «,» или «}»",
}


def _translate_yaml_problem(problem: str) -> str:
    for english, russian in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return f"{russian} ({problem})" if english == "found duplicate key" else russian
    if problem.startswith("несуществующая дата"):
        return problem
    return f"ошибка синтаксиса YAML: {problem}"


def locate(text: str, loc: Loc) -> int | None:
    """1-based line of the node at ``loc`` in ``text``; the nearest known ancestor if not found.

    Used only after something went wrong, so the slow round-trip parse is acceptable.
    """
    try:
        node: Any = round_trip_yaml().load(text)
    except (YAMLError, ValueError):
        return None
    line: int | None = 1
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            key_line, _col = node.lc.key(part)
            line = key_line + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            item_line, _col = node.lc.item(part)
            line = item_line + 1
            node = node[part]
        else:
            break
    return line

