"""Import rules of ARCHITECTURE.md, checked on the source with `ast` (no module is imported)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ("web", "engine", "services", "handlers", "storage")
OURS = set(PACKAGES)


def python_files(package: str) -> list[Path]:
    return sorted(p for p in (PROJECT / package).rglob("*.py") if "__pycache__" not in p.parts)


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module the file imports (relative imports resolved to our package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = path.relative_to(PROJECT).parts[0]
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                roots.add(package)
            elif node.module:
                roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                roots.add(arg.value.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                roots.add(arg.value.split(".")[0])
    return roots


def offenders(library: str, allowed: set[str]) -> list[str]:
    found = []
    for package in PACKAGES:
        if package in allowed:
            continue
        for path in python_files(package):
            if library in imported_roots(path):
                found.append(str(path.relative_to(PROJECT)))
    return found


def test_every_package_has_sources():
    for package in PACKAGES:
        assert python_files(package), package


@pytest.mark.parametrize("library, home", [
    ("flask", "web"), ("flask_sqlalchemy", "web"), ("flask_migrate", "web"), ("werkzeug", "web"),
    ("SpiffWorkflow", "engine"),
    ("marshmallow", "web"),
])
def test_library_is_imported_only_in_its_layer(library, home):
    assert offenders(library, {home}) == [], f"{library} may only be imported in {home}/"


def test_storage_imports_nothing_of_ours():
    bad = {str(p.relative_to(PROJECT)): sorted(imported_roots(p) & (OURS - {"storage"}))
           for p in python_files("storage")}
    assert {k: v for k, v in bad.items() if v} == {}


@pytest.mark.parametrize("package, forbidden", [
    ("engine", {"web", "services"}),
    ("handlers", {"web", "services", "engine"}),
    ("services", {"web"}),
])
def test_lower_layers_do_not_import_upper_ones(package, forbidden):
    bad = {str(p.relative_to(PROJECT)): sorted(imported_roots(p) & forbidden) for p in python_files(package)}
    assert {k: v for k, v in bad.items() if v} == {}


def test_scanner_sees_imports():
    """The scanner itself: without this a broken scanner would make every rule above pass."""
    assert "flask" in imported_roots(PROJECT / "web" / "__init__.py")
    assert "SpiffWorkflow" in imported_roots(PROJECT / "engine" / "dialect.py")
    assert "marshmallow" in imported_roots(PROJECT / "web" / "api" / "schemas.py")
    assert "storage" in imported_roots(PROJECT / "storage" / "models" / "__init__.py")  # relative import
    assert "services" in imported_roots(PROJECT / "web" / "api" / "reports.py")
