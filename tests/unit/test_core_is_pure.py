"""blog/core holds rules only: no Flask, no SQLAlchemy, no app modules."""

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "blog" / "core"
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "blog.extensions", "blog.models", "blog.services")


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_nothing_framework(path):
    imported = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
    bad = [name for name in imported if name.startswith(FORBIDDEN)]
    assert bad == []
