"""Every test that runs a system tool carries the ``system_tools`` marker, so that
``./dev test-rules`` (``-m "not system_tools"``) never needs Chromium, LibreOffice or poppler."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# Helpers of tests/test_documents.py that start a system tool.
TOOL_CALLS = frozenset({"tool", "chromium", "soffice_text"})


def _calls(node: ast.AST) -> set[str]:
    return {
        call.func.id
        for call in ast.walk(node)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
    }


def _marked(func: ast.FunctionDef) -> bool:
    return any(ast.unparse(d).startswith("pytest.mark.system_tools") for d in func.decorator_list)


def test_tests_that_run_system_tools_are_marked() -> None:
    unmarked = []
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
                continue
            if _calls(node) & TOOL_CALLS and not _marked(node):
                unmarked.append(f"{path.name}::{node.name}")
    assert not unmarked, f"нет метки system_tools: {unmarked}"


def test_the_marker_finds_the_document_tests() -> None:
    """The check above is not vacuous: the document tests do call the tools."""
    tree = ast.parse((TESTS / "test_documents.py").read_text("utf-8"))
    marked = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and _marked(n)]
    assert len(marked) >= 3
