"""bin/check-views: views that write or decide by role strings fail the build.

Each case writes a small tree to tmp_path and runs the script on it, as `make test` does.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bin" / "check-views"


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


BAD_VIEWS = {
    "save": "item.save()",
    "save with fields": 'item.save(update_fields=["name"])',
    "a model form's save": "form.save()",
    "delete": "item.delete()",
    "queryset update": 'Task.objects.filter(pk=1).update(status="done")',
    "update with a dict of fields": "Task.objects.filter(pk=1).update(**fields)",
    "objects.create": "Task.objects.create(title='x')",
    "bulk_create": "Task.objects.bulk_create(tasks)",
    "get_or_create": "Task.objects.get_or_create(title='x')",
    "update_or_create": "Note.objects.update_or_create(year=2026, defaults={})",
    "record": 'record("edited", actor=request.user, target=item)',
    "activity.record": 'activity.record("edited", actor=request.user)',
    "role equals a string": 'allowed = access.role == "member"',
    "role differs from a string": 'allowed = access.role != "champion"',
    "role in strings": 'allowed = request.user.vendor_role in ("csm", "cs_admin")',
    "role equals a Role constant": "allowed = access.role == Role.MEMBER",
    "a role string against anything": 'allowed = kind == "executive"',
}

GOOD_VIEWS = {
    "a dict's update": "context.update(extra)",
    "a form's save without commit": "item = form.save(commit=False)",
    "a cache delete by key": "cache.delete(key)",
    "a service call": "services.complete_task(task, acting_user=request.user)",
    "a capability": 'allowed = access.can("people.manage")',
    "a role looked up in a table": "allowed = invitation.role in INVITABLE_ROLES[access.role]",
    "a plain string comparison": 'sort = request.GET.get("sort") == "name"',
    "choices validation": "valid = role in VendorRole.values",
    "a related manager's read": "items = access.account.plans.filter(archived=False)",
}


@pytest.mark.parametrize("code", BAD_VIEWS.values(), ids=BAD_VIEWS.keys())
def test_a_view_that_writes_or_compares_roles_fails(tmp_path: Path, code: str) -> None:
    write(tmp_path, "app/views/screen.py", f"def view(request, access):\n    {code}\n")
    result = run(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "app/views/screen.py:2:" in result.stdout
    assert code.split("(")[0].strip() in result.stdout


@pytest.mark.parametrize("code", GOOD_VIEWS.values(), ids=GOOD_VIEWS.keys())
def test_a_thin_view_passes(tmp_path: Path, code: str) -> None:
    write(tmp_path, "app/views/screen.py", f"def view(request, access):\n    {code}\n")
    result = run(tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_views_py_modules_are_checked_and_other_modules_are_not(tmp_path: Path) -> None:
    write(tmp_path, "app/views.py", "item.save()\n")
    write(tmp_path, "app/services.py", "item.save()\nrecord('edited', actor=user)\n")
    write(tmp_path, "app/tests/test_views.py", "item.save()\n")
    write(tmp_path, ".venv/lib/site/views.py", "item.save()\n")
    result = run(tmp_path)
    assert result.returncode == 1
    assert "app/views.py:1:" in result.stdout
    for other in ("services.py", "test_views.py", ".venv"):
        assert other not in result.stdout


BAD_TEMPLATES = [
    '{% if access.role == "champion" %}x{% endif %}',
    "{% if access.role != 'member' %}x{% endif %}",
    '{% if a %}{% elif access.role == "executive" %}x{% endif %}',
    '{% if user.vendor_role == "admin" %}x{% endif %}',
    '{% if "csm" in roles %}x{% endif %}',
    '{% if role == "cs_admin" %}x{% endif %}',
]

GOOD_TEMPLATES = [
    '{% if access|can:"people.manage" %}x{% endif %}',
    "{% if value == m.role %} selected{% endif %}",
    '{% if inv.status == "pending" %}x{% endif %}',
    "<p>Invite a member or a champion.</p>",
    '{% with role="member" %}{{ role }}{% endwith %}',
]


@pytest.mark.parametrize("tag", BAD_TEMPLATES)
def test_a_template_that_compares_role_strings_fails(tmp_path: Path, tag: str) -> None:
    write(tmp_path, "templates/app/page.html", f"<h1>Page</h1>\n{tag}\n")
    result = run(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "templates/app/page.html:2:" in result.stdout


@pytest.mark.parametrize("tag", GOOD_TEMPLATES)
def test_a_template_that_asks_for_capabilities_passes(tmp_path: Path, tag: str) -> None:
    write(tmp_path, "app/templates/app/page.html", f"<h1>Page</h1>\n{tag}\n")
    result = run(tmp_path)
    assert result.returncode == 0, result.stdout


def test_the_allow_file_lets_known_offenders_through_and_no_others(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app/views/screen.py",
        """\
        def view(request):
            record("edited the plan", actor=request.user)
            item.save()


        def other(request):
            record("deleted the plan", actor=request.user)
        """,
    )
    write(tmp_path, "legacy/views.py", "item.delete()\nitem.save()\n")
    write(
        tmp_path,
        "bin/check-views.allow",
        """\
        # known offenders
        app/views/screen.py: record("edited the plan"
        app/views/screen.py: item.save()
        legacy/views.py
        """,
    )
    result = run(tmp_path)
    assert result.returncode == 1
    assert result.stdout.count("a view writes") == 1
    assert 'record("deleted the plan"' in result.stdout


def test_a_stale_allow_line_is_reported_and_fails_only_when_strict(tmp_path: Path) -> None:
    write(tmp_path, "app/views.py", "services.edit(item, acting_user=user)\n")
    write(tmp_path, "bin/check-views.allow", "app/views.py: item.save()\n")
    result = run(tmp_path)
    assert result.returncode == 0
    assert "nothing matches any more, remove it: app/views.py: item.save()" in result.stdout
    assert run(tmp_path, "--strict").returncode == 1


def test_print_allow_writes_lines_that_allow_every_finding(tmp_path: Path) -> None:
    write(
        tmp_path,
        "app/views.py",
        """\
        def view(request, access):
            record(
                "wrote a very long verb that does not fit on one line of the allow file",
                actor=request.user,
                account=access.account,
            )
            if access.role == Role.MEMBER:
                pass
        """,
    )
    printed = run(tmp_path, "--print-allow")
    assert printed.returncode == 0
    lines = printed.stdout.splitlines()
    assert len(lines) == 2
    assert all(len(line) < 100 for line in lines)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "check-views.allow").write_text(printed.stdout, encoding="utf-8")
    assert run(tmp_path).returncode == 0


def test_the_project_passes_with_its_allow_file() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_the_people_and_profile_views_are_not_in_the_allow_file() -> None:
    allowed = (ROOT / "bin" / "check-views.allow").read_text(encoding="utf-8")
    for path in ("accounts/views/people.py", "accounts/views/me.py"):
        assert path not in allowed
