"""The survey app's own rules, read from its source: views write nothing and decide no role;
templates print figures through the figures filters and name no role; fragments are named
partials; no inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEWS = sorted((ROOT / "surveys" / "views").glob("*.py"))
TEMPLATES = sorted((ROOT / "templates" / "surveys").glob("*.html")) + sorted(
    (ROOT / "templates" / "emails").glob("survey_*")
)

WRITES = re.compile(
    r"\.save\(|\.delete\(|\.update\(|objects\.create\(|bulk_create\(|\brecord\(|get_or_create\("
)


def test_there_are_views_and_templates_to_read() -> None:
    assert len(VIEWS) >= 6 and len(TEMPLATES) >= 15


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.name)
def test_views_write_nothing(path: Path) -> None:
    """Every write is a function of surveys/services.py."""
    assert not WRITES.findall(path.read_text()), path


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: p.name)
def test_views_decide_no_role_and_render_no_fragment_by_hand(path: Path) -> None:
    source = path.read_text()
    assert "role ==" not in source and "vendor_role" not in source, path
    assert not re.search(r"render\([^)]*#", source), f"{path}: use portal.htmx.render_partial"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_name_no_role_and_round_no_figure_by_hand(path: Path) -> None:
    source = path.read_text()
    assert "floatformat" not in source, f"{path}: print figures with the figures filters"
    assert not re.search(r"\bis_cs_admin\b|\bis_csm\b|\.role\b|vendor_role", source), path
    assert not re.search(r"""["'](champion|executive|member|csm|admin)["']""", source), path


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_run_no_inline_script(path: Path) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", path.read_text()), path


def test_fragments_are_named_partials_not_include_files() -> None:
    includes = {
        name
        for path in TEMPLATES
        for name in re.findall(r'{% include "(surveys/_[^"#]+)"', path.read_text())
    }
    assert includes <= {"surveys/_public_head.html"}, includes
    assert not (ROOT / "templates" / "surveys" / "_figures.html").exists()
    assert not (ROOT / "templates" / "surveys" / "_breakdown.html").exists()
