"""The shape the code keeps: functions short enough to read whole (ruff's C90 gate holds their
complexity; this holds their length), and components that read as the list of what they build."""

from __future__ import annotations

import ast
import subprocess
from collections.abc import Iterator
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
MAX_FUNCTION_LINES = 120
MAX_FARGATE_SERVICE_INIT_LINES = 80


def _tracked_sources() -> list[Path]:
    """The repository's own Python files outside tests/, as git tracks them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.py"], cwd=REPOSITORY, capture_output=True, text=True, check=True
    ).stdout
    return [REPOSITORY / name for name in listed.split("\0") if name and not name.startswith("tests/")]


def _functions(path: Path) -> Iterator[tuple[str, int]]:
    """Each function and method of a file (nested ones too), by qualified name, with its length in
    lines from `def` (or its first decorator's line) to its last line."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    yield name, (child.end_lineno or child.lineno) - first + 1
                yield from walk(child, f"{name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(ast.parse(path.read_text(), filename=str(path)), "")


def _length(path: Path, qualified_name: str) -> int:
    return dict(_functions(path))[qualified_name]


def test_no_function_outside_tests_is_longer_than_120_lines():
    sources = _tracked_sources()
    assert sources, "git ls-files found no Python files"
    too_long = [
        f"{path.relative_to(REPOSITORY)}: {name} is {lines} lines"
        for path in sources
        if path.is_file()  # tracked but deleted in this checkout: not code any more
        for name, lines in _functions(path)
        if lines > MAX_FUNCTION_LINES
    ]
    assert not too_long, f"over {MAX_FUNCTION_LINES} lines: " + "; ".join(too_long)


def test_fargate_service_init_reads_as_the_list_of_what_it_builds():
    lines = _length(REPOSITORY / "components" / "service.py", "FargateService.__init__")
    assert lines <= MAX_FARGATE_SERVICE_INIT_LINES, (
        f"components/service.py: FargateService.__init__ is {lines} lines, over {MAX_FARGATE_SERVICE_INIT_LINES}: "
        "move what it builds into small private builders, as Network does"
    )


def test_the_length_counts_decorators_and_nested_functions_by_their_qualified_names(tmp_path):
    source = tmp_path / "example.py"
    source.write_text(
        "import functools\n"
        "\n"
        "class Shape:\n"
        "    @functools.cache\n"
        "    def area(self):\n"
        "        def inner():\n"
        "            return 1\n"
        "\n"
        "        return inner()\n"
        "\n"
        "async def loop():\n"
        "    pass\n"
    )
    assert dict(_functions(source)) == {"Shape.area": 6, "Shape.area.inner": 2, "loop": 2}
