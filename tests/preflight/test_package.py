"""The `preflight` package as a whole: its modules import one another without a cycle, and the
names its users import from it are there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import preflight

PACKAGE = Path(preflight.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = ("preflight",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports anywhere in its source: at module level, in a
    function, under `if TYPE_CHECKING:` (a cycle there is still one a reader has to untangle)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from . import aws` imports the submodule, `from .aws import zones` the module.
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source for alias in node.names
            ]
        else:
            continue
        for target in targets:
            # `import preflight.aws.names` is a use of the deepest module of ours it names.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as `[a, b, ..., a]`, or `[]` when there is none."""
    state: dict[str, str] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        trail.append(node)
        for successor in sorted(graph[node]):
            if state.get(successor) == "open":
                return trail[trail.index(successor) :] + [successor]
            if successor not in state:
                cycle = visit(successor)
                if cycle:
                    return cycle
        state[node] = "done"
        trail.pop()
        return []

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return []


def test_the_preflight_package_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle == [], "import cycle: " + " -> ".join(cycle)


KNOWN = {
    "preflight",
    "preflight.runner",
    "preflight.analyzer",
    "preflight.errors",
    "preflight.invokes",
    "preflight.providers",
    "preflight.schema",
}


def test_the_graph_sees_relative_function_level_and_type_checking_imports(tmp_path):
    # The cycle analyzer.py and runner.py once had, through imports inside functions and under
    # TYPE_CHECKING: the check must find it, or its silence above proves nothing.
    graph = {
        "preflight.runner": imported(
            "preflight.runner",
            _write(
                tmp_path,
                "runner.py",
                ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .analyzer import PolicyAnalyzer\n"),
            ),
            KNOWN,
        ),
        "preflight.analyzer": imported(
            "preflight.analyzer",
            _write(tmp_path, "analyzer.py", ("def finish():\n    from .runner import Violation\n")),
            KNOWN,
        ),
        "preflight.errors": set(),
    }
    assert graph["preflight.runner"] == {"preflight.analyzer"}
    assert find_cycle(graph) == ["preflight.analyzer", "preflight.runner", "preflight.analyzer"]


def test_from_package_import_submodule_is_an_edge_to_the_submodule(tmp_path):
    source = _write(tmp_path, "invokes.py", "from . import providers, schema\nfrom .errors import OfflineGap\n")
    assert imported("preflight.invokes", source, KNOWN) == {
        "preflight.providers",
        "preflight.schema",
        "preflight.errors",
    }


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def test_the_names_users_import_from_preflight_are_there():
    # What docs/preflight.md's "From Python" shows, the tests, bench/ and rehearsal/ import.
    for name in [
        "NotApplicable",
        "PolicyAnalyzer",
        "ProgramError",
        "Resource",
        "RunResult",
        "UNKNOWN",
        "Violation",
        "run",
    ]:
        assert name in preflight.__all__ and hasattr(preflight, name), name
    assert preflight.RunResult.__module__ == "preflight.result"


PROVED_THROUGH_OTHERS = {"schema.py", "values.py", "result.py", "errors.py"}
# Modules whose test file is not `[<folder>/]test_<module>.py` (relative to tests/preflight).
TEST_FILES = {
    "__main__.py": "test_cli.py",
    "fastpath/sdk.py": "test_fastpath_sdk.py",
    # The pack's fast path is proved against the pack's own verdicts.
    "fastpath/pack.py": "../policies/test_pack_fast_path.py",
}


def test_the_architecture_doc_lists_every_module_and_each_has_its_test_file():
    doc = (PACKAGE.parent / "docs" / "ARCHITECTURE.md").read_text()
    section = doc.split("<!-- preflight modules -->", 1)[1].split("<!-- /preflight modules -->", 1)[0]
    listed = re.findall(r"^\| `([a-z_/]+\.py)` \|", section, re.MULTILINE)
    package = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if path.name != "__init__.py")
    assert sorted(listed) == package
    tests = Path(__file__).resolve().parent
    for module in set(listed) - PROVED_THROUGH_OTHERS:
        folder, _, name = module.rpartition("/")
        test_file = tests / TEST_FILES.get(module, f"{folder}/test_{name}".lstrip("/"))
        assert test_file.is_file(), f"{module} has no {test_file.relative_to(tests.parent.parent)}"
