"""Every cache in the code the server runs has a bound (issue 11, item 10): each
``st.cache_data`` and ``st.cache_resource`` its ``max_entries``, each ``functools.lru_cache``
its ``maxsize``; ``functools.cache`` (no bound) only on a function without parameters (one
entry). The bytes of every ``st.cache_data`` entry together have a ceiling too:
``server.maxCacheDataSize`` in ``.streamlit/config.toml``.

Read from the source with :mod:`ast`, so a cache added anywhere later is held to the same
rule without anyone listing it here.
"""
from __future__ import annotations

import ast
import textwrap
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVED = ["app.py", "pages", "ui", "lib", "geo"]  # what the server imports
STREAMLIT_CACHES = {"cache_data": "max_entries", "cache_resource": "max_entries"}


def _sources() -> list[Path]:
    found = []
    for name in SERVED:
        path = REPO / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []
    return found


def _positive_int(node: ast.AST | None) -> bool:
    return (isinstance(node, ast.Constant) and type(node.value) is int and node.value > 0)


def unbounded_caches(source: str, where: str = "<source>") -> tuple[list[str], int]:
    """Each cache of ``source`` without a bound (``where:line: why``), and how many caches
    it has in all."""
    tree = ast.parse(source)
    functools_names = {}  # local name -> "cache" | "lru_cache"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "functools":
            for alias in node.names:
                if alias.name in ("cache", "lru_cache"):
                    functools_names[alias.asname or alias.name] = alias.name
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}

    def kind(node: ast.AST) -> str | None:
        if isinstance(node, ast.Attribute) and node.attr in STREAMLIT_CACHES:
            return node.attr
        if isinstance(node, ast.Attribute) and node.attr in ("cache", "lru_cache") and \
                isinstance(node.value, ast.Name) and node.value.id == "functools":
            return node.attr
        if isinstance(node, ast.Name) and node.id in functools_names:
            return functools_names[node.id]
        return None

    problems, count = [], 0
    for node in ast.walk(tree):
        what = kind(node)
        if what is None or isinstance(parents.get(node), ast.ImportFrom):
            continue
        count += 1
        parent = parents.get(node)
        call = parent if isinstance(parent, ast.Call) and parent.func is node else None
        line = f"{where}:{node.lineno}"
        if what in STREAMLIT_CACHES:
            bound = next((k.value for k in call.keywords if k.arg == "max_entries"), None) \
                if call else None
            if not _positive_int(bound):
                problems.append(f"{line}: {what} without max_entries=<int>")
        elif what == "lru_cache":
            bound = None
            if call:
                bound = next((k.value for k in call.keywords if k.arg == "maxsize"),
                             call.args[0] if call.args else None)
            if not _positive_int(bound):
                problems.append(f"{line}: lru_cache without maxsize=<int>")
        else:  # functools.cache: one entry only when the function takes nothing
            function = parent if isinstance(parent, ast.FunctionDef) and \
                node in parent.decorator_list else None
            args = function.args if function else None
            if args is None or args.args or args.posonlyargs or args.kwonlyargs or \
                    args.vararg or args.kwarg:
                problems.append(f"{line}: functools.cache on a function with parameters "
                                f"(use lru_cache(maxsize=...))")
    return problems, count


def test_every_cache_of_the_server_has_a_bound():
    problems, count = [], 0
    for path in _sources():
        found, n = unbounded_caches(path.read_text(encoding="utf-8"),
                                    str(path.relative_to(REPO)))
        problems += found
        count += n
    assert count >= 10, f"only {count} caches found: is the scan looking at the code?"
    assert not problems, "\n".join(problems)


def test_cache_data_has_a_ceiling_in_bytes():
    with (REPO / ".streamlit" / "config.toml").open("rb") as f:
        size = tomllib.load(f)["server"].get("maxCacheDataSize", "")
    assert str(size).lower().endswith(("mb", "gb")) and float(str(size)[:-2]) > 0, size


@pytest.mark.parametrize("source, expected", [
    ("import streamlit as st\n@st.cache_data\ndef f(x): ...", 1),
    ("import streamlit as st\n@st.cache_data(show_spinner=False)\ndef f(x): ...", 1),
    ("import streamlit as st\n@st.cache_resource(max_entries=None)\ndef f(x): ...", 1),
    ("import streamlit as st\ng = st.cache_data(lambda x: x)", 1),
    ("from functools import lru_cache\n@lru_cache\ndef f(x): ...", 1),
    ("from functools import lru_cache\n@lru_cache(maxsize=None)\ndef f(x): ...", 1),
    ("import functools\n@functools.lru_cache(None)\ndef f(x): ...", 1),
    ("from functools import cache\n@cache\ndef f(x): ...", 1),
    ("import functools\n@functools.cache\ndef f(*, x): ...", 1),
    ("import streamlit as st\n@st.cache_data(max_entries=8, ttl=60)\ndef f(x): ...", 0),
    ("from functools import lru_cache\n@lru_cache(maxsize=4)\ndef f(x): ...", 0),
    ("import functools\n@functools.lru_cache(16)\ndef f(x): ...", 0),
    ("from functools import cache\n@cache\ndef f(): ...", 0),
])
def test_the_check_tells_bounded_from_unbounded(source, expected):
    problems, count = unbounded_caches(textwrap.dedent(source))
    assert count == 1
    assert len(problems) == expected, problems
