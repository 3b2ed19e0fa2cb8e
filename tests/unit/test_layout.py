"""The house rules of the code's layout: no import cycle between modules of lib/, geo/ and
ui/ (imports inside functions count too), lib/ and geo/ never import Streamlit, and the
vocabulary and the package tables have one declaration each."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lib import tables, vocabulary
from lib.indicators.registry import FAMILIES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("lib", "geo", "ui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _imports(path: Path, known: set[str]) -> set[str]:
    """The project modules a module imports, anywhere in it (``from a import b`` counts
    ``a.b`` when that is a module, else ``a``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
    return {name for name in found if name in known}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph = {name: _imports(path, known) for name, path in modules.items()}
    # A package's __init__ runs before its submodules: importing a.b imports a.
    for name in list(graph):
        parent = name.rpartition(".")[0]
        if parent in graph and parent != name:
            graph[name].discard(parent)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, or None (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycle():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


@pytest.mark.parametrize("package", ["lib", "geo"])
def test_lib_and_geo_do_not_import_streamlit(package):
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "streamlit" for n in names), path


def test_every_family_a_table_switches_on_exists():
    for table in tables.TABLES:
        for family in table.families:
            assert family in FAMILIES, f"{table.name} switches on unknown family {family}"
            assert table.name in FAMILIES[family].requires
            assert not table.required, "a required table is always there: nothing to switch"


def test_every_column_is_needed_by_something_that_exists():
    from lib.vocabulary import SPLITS

    for table in tables.TABLES:
        for column in table.columns:
            for user in column.needed_by:
                assert user in FAMILIES or user in SPLITS or user == tables.SCHOOLS_LAYER, (
                    f"{table.name}.{column.name} is needed by unknown {user}")


def test_every_relation_has_a_district_table_name_of_its_own():
    names = [r.table for t in tables.TABLES for r in t.relations]
    assert len(names) == len(set(names))
    assert set(tables.RELATIONS) == {n.removeprefix("agg_") for n in names}


def test_the_school_columns_splits_read_are_declared_in_schools():
    for column in vocabulary.SCHOOL_SPLIT_COLUMNS:
        assert tables.TABLE["schools"].has(column) or column in tables.TABLE["schools"].computed


def test_the_facility_rules_read_declared_columns():
    facilities = {c.name for c in tables.TABLE["facilities"].columns}
    for item in vocabulary.FACILITY_DECLARATIONS:
        read = {word[2:] for word in item.sql.replace("=", " ").split() if word.startswith("f.")}
        assert read and read <= facilities, item


def test_splits_are_one_list_in_two_orders():
    assert set(vocabulary.SPLITS_PARITY_FIRST) == set(vocabulary.SPLITS)
    assert vocabulary.SPLITS_PARITY_FIRST[:len(vocabulary.PARITY_SPLITS)] == \
        vocabulary.PARITY_SPLITS
    for split in vocabulary.SPLIT_DECLARATIONS:
        assert len(split.groups) == 2 or not split.parity
