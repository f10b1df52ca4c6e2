"""The insights app keeps the project's shape: figures in ``insights/figures``, writes in
``insights/services``, one view module per screen that never writes a model nor decides by
role, templates that print figures through the ``figures`` filters and ask the capability
table, never a role. Each rule is checked on the code, and its checker on a bad example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "insights"
TEMPLATES = ROOT / "templates" / "insights"


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# The layout -----------------------------------------------------------------------------------


def test_figures_services_and_views_have_their_modules() -> None:
    assert {p.name for p in (APP / "figures").glob("*.py")} == {
        "__init__.py", "revenue.py", "usage.py", "health.py", "book.py", "upsell.py", "nightly.py",
    }  # fmt: skip
    assert {p.name for p in (APP / "services").glob("*.py")} == {
        "__init__.py", "ingest.py", "imports.py", "api_keys.py", "usage.py", "health.py",
        "upsell.py", "partitions.py", "nightly.py", "csql_rules.py", "expansion.py",
    }  # fmt: skip
    assert {p.name for p in (APP / "views").glob("*.py")} == {
        "__init__.py", "book.py", "account_360.py", "health_settings.py", "api_keys.py",
        "api_docs.py", "imports.py", "upsell.py", "nightly.py", "expansion_settings.py",
    }  # fmt: skip


def test_the_old_modules_are_gone() -> None:
    for name in ["book", "dashboard", "health", "imports", "ingest", "page_urls", "pages",
                 "revenue", "usage", "api_keys"]:  # fmt: skip
        assert not (APP / f"{name}.py").exists(), name
    assert "insights.page_urls" not in source(ROOT / "portal" / "urls.py")


# Views never write, nor decide by role -------------------------------------------------------

WRITES = re.compile(
    r"\.save\(|\.delete\(|\.update\(|objects\.create\(|bulk_create|\brecord\(|\.update_or_create\("
    r"|\.get_or_create\("
)
ROLE_CHECKS = re.compile(
    r"\brole\s*[!=]=|\bvendor_role\b|\bis_cs_admin\b|\bis_vendor\b|\bis_customer\b"
    r"|[\"'](champion|executive|member|csm|admin)[\"']"
)


@pytest.mark.parametrize(
    "code,writes,decides",
    [
        ("facts.save()", True, False),
        ("ApiKey.objects.filter(pk=1).update(revoked_at=now)", True, False),
        ('record("revoked", actor=user)', True, False),
        ("Contract.objects.create(**row)", True, False),
        ('if access.role == "member":', False, True),
        ("if request.user.is_cs_admin:", False, True),
        ('User.objects.filter(vendor_role="csm")', False, True),
        ("form.is_valid()", False, False),
        ("revoke_key(key, acting_user=request.user)", False, False),
        ('access.can("insights.pulse")', False, False),
    ],
)
def test_the_checkers_catch_their_bad_examples(code: str, writes: bool, decides: bool) -> None:
    assert bool(WRITES.search(code)) is writes
    assert bool(ROLE_CHECKS.search(code)) is decides


@pytest.mark.parametrize("view", sorted((APP / "views").glob("*.py")), ids=lambda p: p.name)
def test_views_never_write_models_nor_decide_by_role(view: Path) -> None:
    code = source(view)
    assert not WRITES.findall(code), f"{view.name} writes: move it into insights/services"
    assert not ROLE_CHECKS.findall(code), f"{view.name} decides by role: use access.can"


@pytest.mark.parametrize("module", ["panels.py"])
def test_panels_ask_the_capability_table(module: str) -> None:
    assert not ROLE_CHECKS.findall(source(APP / module))


# Templates ------------------------------------------------------------------------------------

TEMPLATE_ROLES = re.compile(
    r"{[{%][^}%]*(\brole\b|\bis_vendor\b|\bis_cs_admin\b|\bis_customer\b|vendor_role"
    r"|[\"'](champion|executive|member|csm|admin)[\"'])[^}%]*[}%]}"
)
HAND_FORMATTING = re.compile(r"floatformat|intcomma|widthratio|load humanize")


@pytest.mark.parametrize(
    "markup,formats,decides",
    [
        ("{{ now.arr|floatformat:0|intcomma }}", True, False),
        ("{% widthratio rev.nrr 1 100 %}%", True, False),
        ("{% if user.is_cs_admin %}Every CSM{% endif %}", False, True),
        ('{% if access.role == "champion" %}', False, True),
        ("{% if access.is_vendor %}", False, True),
        ('<ul class="stats" role="list">', False, False),
        ('{{ now.arr|money }} {% if access|can:"insights.view_360" %}', False, False),
    ],
)
def test_the_template_checkers_catch_their_bad_examples(
    markup: str, formats: bool, decides: bool
) -> None:
    assert bool(HAND_FORMATTING.search(markup)) is formats
    assert bool(TEMPLATE_ROLES.search(markup)) is decides


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_templates_print_figures_through_the_figures_filters_and_ask_no_role(
    template: Path,
) -> None:
    markup = source(template)
    assert not HAND_FORMATTING.findall(markup), "use {% load figures %}: |money, |rate, |number"
    assert not TEMPLATE_ROLES.findall(markup), 'ask access|can:"..." instead'


# One way to round ----------------------------------------------------------------------------


def test_rounding_is_portal_formattings_alone() -> None:
    """No rounding of our own: pages round through the filters, the API through
    portal.formatting.rounded (it prints plain decimals, "2000.00")."""
    for path in APP.rglob("*.py"):
        code = source(path)
        assert "ROUND_HALF_UP" not in code and ".quantize(" not in code, path
        assert not re.search(r"^def (whole|money|percent)\(", code, re.M), path
    api = source(APP / "api.py")
    assert "from portal.formatting import rounded" in api


def test_the_dead_constants_are_gone() -> None:
    assert "USAGE_KEY" not in source(APP / "services" / "ingest.py")
    assert not re.search(r"^CENT\b", source(APP / "figures" / "revenue.py"), re.M)
