"""The public API is pinned; the layering itself is checked by import-linter (`./dev test`,
contracts in pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

import checker

from .conftest import ROOT

PUBLIC_API = [
    "Checker",
    "Facts",
    "Finding",
    "InputError",
    "Outcome",
    "Problem",
    "Profile",
    "Report",
    "Rule",
    "RuleBook",
    "RulePack",
    "SubjectFinding",
    "extract_facts",
    "load_pack",
    "load_profile",
    "load_rulebook",
    "read_profile",
]


def test_public_api_is_pinned() -> None:
    """A name added to or dropped from ``checker.__all__`` is a decision: change it here."""
    assert checker.__all__ == PUBLIC_API
    for name in PUBLIC_API:
        assert getattr(checker, name) is not None


def test_the_package_is_typed() -> None:
    assert (ROOT / "checker" / "py.typed").is_file()


def _engine_importers() -> list[str]:
    found = []
    for path in sorted((ROOT / "checker").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )
            if any(n.split(".")[0] in ("durable_rules_engine", "durable") for n in names):
                found.append(str(path.relative_to(ROOT)))
    return found


def test_only_the_engine_session_imports_durable_rules() -> None:
    """Also checked by import-linter; kept here so `pytest` alone sees a second importer."""
    assert _engine_importers() == [str(Path("checker/engine/session.py"))]


def test_tests_use_no_private_names_of_the_package() -> None:
    """A test that reaches into ``_private`` names pins an implementation, not behaviour;
    what a test needs is named without the underscore."""
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("checker"):
                found += [f"{path.name}: {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []
