"""Issue 17 attack suite: generated hostile inputs, each handled as the README promises.

Every example must end as a valid profile or as an ``InputError`` whose problems are short,
located Russian messages without control characters — never another exception (which the
command line would show as a traceback with exit code 1). ``inspect`` on generated shapes
either records the verdict or leaves the file byte for byte as it was. The named attacks
are in test_hardening.py. Bounds are example counts, not time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from checker.io.load import load_profile
from checker.io.profile_edit import ProfileFile, UnwritableError
from checker.model.errors import CONTROL_CHARS, InputError
from checker.model.profile import InspectionVerdict, Profile
from checker.render.safe import clean, csv_cell
from tests.conftest import FIXTURES

EXAMPLES = 150
SUITE = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
MESSAGE_LIMIT = 400  # the longest message: a location, a template and an echo of 80 chars

HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from([*"аб xyz019", "\x1b", "\x07", "\x9b", "\u202e", "[", "]", "/",
                              "<", ">", "&", "=", "+", "-", "@", "\t", "\r", "\n", "'", '"',
                              ":", "#", "*", "&", "!", "|", "{", "}", ","]),
    max_size=120,
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), HOSTILE_TEXT,
    st.dates(min_value=dt.date(1, 1, 1)), st.just("2024-02-30"), st.just("2023/2025"),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(HOSTILE_TEXT, st.sampled_from(
            ["school", "staff", "id", "name", "procedures", "kind", "inspection"])),
            children, max_size=5),
    ),
    max_leaves=40,
)


def _dump(data: Any) -> str:
    import io

    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.dump(data, out)
    return out.getvalue()


def _assert_handled(text: str) -> Profile | None:
    """A profile, or an InputError made only of short, located, clean problems."""
    try:
        return load_profile(text, "school.yaml")
    except InputError as error:
        lines = text.count("\n") + 1
        assert error.problems
        for problem in error.problems:
            assert problem.file == "school.yaml"
            assert problem.line is None or 1 <= problem.line <= lines + 1
            assert len(problem.message) <= MESSAGE_LIMIT, problem.message
            assert not CONTROL_CHARS.search(problem.message), problem.message
        return None


def _base_profile() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(
        (FIXTURES / "school-conflict.yaml").read_text(encoding="utf-8"))
    return data


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*prefix, index)))
    return found


BASE_PATHS = _paths(_base_profile())[1:]


@SUITE
@given(tree=TREES)
def test_any_yaml_structure_is_handled(tree: Any) -> None:
    _assert_handled(_dump(tree))


@SUITE
@given(path=st.sampled_from(BASE_PATHS), value=TREES)
def test_a_valid_profile_with_any_subtree_replaced_is_handled(path: tuple[Any, ...],
                                                              value: Any) -> None:
    data = _base_profile()
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    _assert_handled(_dump(data))


@SUITE
@given(pieces=st.lists(st.sampled_from(
    [*"{}[]:-&*!|>'\"#%@`,?\n\t ab1", "\ufeff", "---", "...", "\\e", "\\x", ": ", "- "]),
    max_size=120))
def test_any_text_of_yaml_punctuation_is_handled(pieces: list[str]) -> None:
    _assert_handled("".join(pieces))


@SUITE
@given(levels=st.integers(1, 12), width=st.integers(2, 12))
def test_alias_fans_of_any_shape_are_handled(levels: int, width: int) -> None:
    lines = ["a0: &a0 [x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    _assert_handled("\n".join(lines) + f"\nschool: {{id: s, name: *a{levels - 1}}}\n")


@SUITE
@given(name=HOSTILE_TEXT.filter(lambda t: t.strip() != ""))
def test_hostile_names_reach_outputs_only_neutralised(name: str) -> None:
    shown = clean(name)
    assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown
    cell = csv_cell(name)
    assert not str(cell).startswith(("=", "+", "-", "@", "\t", "\r"))


KEY_SPELLINGS = ["inspection", '"inspection"', "'inspection'"]
SECTION_BODIES = [
    " {inspector: Иванов, verdicts: []}", " {}", "\n  inspector: Иванов",
    "\n  verdicts: []", "\n  # комментарий\n  inspector: Иванов\n  verdicts: []",
]
VERDICT = InspectionVerdict(rule="FED-ORG-001", verdict="rejected", note="нет приказа",
                            at=dt.datetime(2024, 5, 1, 9, 30))
SCHOOL = "school:\n  id: s1\n  name: Школа № 1\n"


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bom=st.booleans(), start=st.booleans(), end=st.sampled_from(["", "...\n", "...\n# хвост\n"]),
    key=st.sampled_from([None, *KEY_SPELLINGS]), body=st.sampled_from(SECTION_BODIES),
    first=st.booleans(), tail_comment=st.booleans(), newline=st.booleans(),
)
def test_inspect_records_into_any_valid_shape_or_leaves_it_untouched(
    tmp_path_factory: Any, bom: bool, start: bool, end: str, key: str | None, body: str,
    first: bool, tail_comment: bool, newline: bool,
) -> None:
    section = "" if key is None else f"{key}:{body}\n"
    parts = [section, SCHOOL] if first else [SCHOOL, section]
    text = ("\ufeff" if bom else "") + ("---\n" if start else "") + "".join(parts)
    text += "# конец\n" if tail_comment else ""
    text = text + end if newline or not end else text.rstrip("\n") + "\n" + end
    path: Path = tmp_path_factory.mktemp("shape") / "school.yaml"
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    try:
        ProfileFile(path).record([VERDICT], "Петров")
    except UnwritableError:
        assert path.read_bytes() == before
        return
    after = load_profile(path.read_text(encoding="utf-8"), str(path))
    assert after.inspection is not None and VERDICT in after.inspection.verdicts
    assert after.school.name == "Школа № 1"
    assert path.read_text(encoding="utf-8").startswith("\ufeff") == bom
