"""How the success plan code must read, checked: views parse, check access, call one service
and render (no writes); role decisions go through the capability table or a named may_* rule
(no role compared in a view, no role string in a template); fragments are named partials;
refusals an htmx request meets are 422s through portal.htmx.refuse, never a plain-text 400."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VIEWS = sorted((ROOT / "successplans" / "views").glob("*.py"))
TEMPLATES = sorted((ROOT / "templates" / "successplans").glob("*.html"))
ROLES = ("champion", "executive", "member", "csm", "admin")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", VIEWS, ids=relative)
def test_views_write_nothing(path: Path) -> None:
    code = path.read_text()
    for pattern in [r"\.save\(", r"\.delete\(", r"\.update\(", r"objects\.create\(",
                    r"bulk_create\(", r"\brecord\("]:  # fmt: skip
        assert not re.search(pattern, code), (relative(path), pattern)


@pytest.mark.parametrize("path", VIEWS, ids=relative)
def test_views_decide_no_role_themselves(path: Path) -> None:
    code = path.read_text()
    assert not re.search(r"\.role\b", code), relative(path)
    assert "Role." not in code and "VENDOR" not in code, relative(path)
    assert "PermissionDenied" not in code, relative(path)  # refusals say why, htmx sees them
    assert not re.search(r"HttpResponse\([^)]*status=400", code), relative(path)


def test_the_services_rules_ask_the_capability_table() -> None:
    code = (ROOT / "successplans" / "services.py").read_text()
    assert not re.search(r"\.role\b", code)
    assert "def may_define_kpi(access: AccountAccess, plan: SuccessPlan)" in code


@pytest.mark.parametrize("path", TEMPLATES, ids=relative)
def test_templates_hold_no_role_string(path: Path) -> None:
    text = path.read_text()
    assert "access.role" not in text, relative(path)
    for tag in re.findall(r"{%\s*(?:if|elif)\b[^%]*%}", text):
        for role in ROLES:
            assert f'"{role}"' not in tag and f"'{role}'" not in tag, (relative(path), tag)


@pytest.mark.parametrize("path", TEMPLATES, ids=relative)
def test_figures_print_through_the_shared_filters(path: Path) -> None:
    text = path.read_text()
    assert "floatformat" not in text and "widthratio" not in text, relative(path)


def test_fragments_are_named_partials_not_include_files() -> None:
    assert not [p for p in TEMPLATES if p.name.startswith("_")]
    code = "\n".join(p.read_text() for p in VIEWS)
    assert "render_partial(" in code
    assert not re.search(r"render\([^)]*\.html#", code)  # partials go through render_partial
