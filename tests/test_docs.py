"""The documentation as a reader meets it: a README short enough to read in five minutes, links
that lead somewhere, and no process artefacts (owner markers, commit hashes) in user docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import REPOSITORY

README = REPOSITORY / "README.md"
PAGES = [
    README,
    REPOSITORY / "CHANGELOG.md",
    REPOSITORY / "policies" / "README.md",
    *sorted((REPOSITORY / "docs").glob("*.md")),
]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _name(page: Path) -> str:
    return page.relative_to(REPOSITORY).as_posix()


def _prose(page: Path) -> str:
    """The page without its fenced code blocks."""
    return FENCE.sub("", page.read_text())


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lowercase, punctuation dropped, spaces as `-`."""
    return re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(heading) for heading in re.findall(r"^#+ (.+)$", _prose(page), re.MULTILINE)}


def test_the_readme_reads_in_five_minutes():
    assert README.stat().st_size <= 16 * 1024, f"README.md is {README.stat().st_size} bytes"


def test_the_readme_links_every_page_of_the_docs():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in LINK.findall(_prose(README))}
    missing = [_name(page) for page in (REPOSITORY / "docs").glob("*.md") if page.resolve() not in linked]
    assert not missing, f"README.md does not link {missing}"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    broken = []
    for target in LINK.findall(_prose(page)):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, fragment = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or not linked.resolve().is_relative_to(REPOSITORY):
            broken.append(target)
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(target)
    assert not broken, f"{_name(page)}: {broken}"


@pytest.mark.parametrize("page", PAGES, ids=_name)
def test_user_docs_carry_no_owner_markers_or_commit_hashes(page):
    text = page.read_text()
    assert "owner:" not in text
    hashes = [h for h in re.findall(r"`([0-9a-f]{7,40})`", text) if re.search(r"[a-f]", h) and re.search(r"\d", h)]
    assert not hashes, f"{_name(page)} names commits {hashes}"
