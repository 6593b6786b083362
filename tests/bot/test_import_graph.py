"""No import circles in bot/ or estimator/: a module can be read, tested and moved without the
ones that import it. Every import counts, including those inside functions and under
TYPE_CHECKING, since a circle hidden in a function is still a circle a reader has to hold."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.statements import statements

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "estimator")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module name `path` imports, absolute: `from a import b` names a.b when b is one of
    `modules`, else a (so `from estimator import facts` is estimator.facts, not the package)."""
    names = set()
    for node in statements(path):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".")
                if path.name != "__init__.py":
                    package.pop()
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([node.module] if node.module else [])])
            for alias in node.names:
                inner = f"{base}.{alias.name}"
                names.add(inner if inner in modules else base)
    return names


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of bot/ and estimator/ it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for target in _imported(name, path, modules):
            while target and target not in modules:  # a name inside a module: the module
                target = target.rpartition(".")[0]
            if target and target != name:
                deps.add(target)
        graph[name] = deps
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_module_of_bot_or_estimator_imports_itself_round_a_circle():
    graph = import_graph()
    assert "estimator.estimate" in graph and "bot.cli" in graph  # the walk found the packages
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle_through_an_import_inside_a_function(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    module = tmp_path / "estimator" / "scenario.py"
    module.parent.mkdir()
    module.write_text("def check():\n    from estimator.costs import self_hosting\n")
    assert "estimator.costs.self_hosting" in _imported("estimator.scenario", module, _modules())
