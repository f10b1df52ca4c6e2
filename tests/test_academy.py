"""The academy: building courses, taking them, passing them, and what passing does."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from academy.figures import lesson_html, team_progress, training_completion
from academy.models import (
    Assignment,
    Choice,
    Course,
    CoursePass,
    CourseTask,
    LessonDone,
    LessonFile,
    Question,
    QuizAttempt,
)
from academy.services import add_course_to_checklist, assign_course, mark_lesson_done, take_quiz
from insights.figures.health import PARTS, combine, parts_of
from insights.models import HealthConfig
from onboarding.models import TaskKind
from playbooks.models import Event, EventKind
from portal.models import Job
from tests.academy_helpers import (
    PNG,
    CourseTaskFactory,
    LessonFileFactory,
    make_course,
    right_answers,
)
from tests.conftest import World, client_for
from tests.onboarding_helpers import start
from tests.snapshot import unchanged


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 9, tzinfo=UTC))


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def pass_course(course: Course, world: World, user: Any) -> None:
    for lesson in course.lessons.all():
        mark_lesson_done(lesson, world.account, acting_user=user)
    if course.questions.exists():
        answers = {
            q.pk: {c.pk for c in q.choices.all() if c.correct}
            for q in course.questions.prefetch_related("choices")
        }
        take_quiz(course, world.account, answers=answers, acting_user=user)


# Building a course ---------------------------------------------------------------------------


def test_a_csm_builds_and_publishes_a_course(world: World) -> None:
    client = client_for(world.csm)
    response = client.post(
        reverse("academy_courses"), {"title": "Reporting 101", "summary": "", "pass_mark": 70}
    )
    course = Course.objects.get(title="Reporting 101")
    assert response.status_code == 302 and not course.is_published
    # Nothing to take yet: publishing is refused, with a reason.
    with unchanged():
        response = client.post(
            reverse("academy_course_publish", args=[course.pk]), {"published": "1"}
        )
    assert response.status_code == 422 and b"Add a lesson first" in response.content
    response = client.post(
        reverse("academy_lesson_add", args=[course.pk]),
        {"title": "Your first report", "body": "See ![the chart](attachment:chart.png).",
         "video_url": "https://video.example/watch/1"},
    )  # fmt: skip
    lesson = course.lessons.get()
    assert response.status_code == 302 and lesson.video_url == "https://video.example/watch/1"
    response = client.post(
        reverse("academy_lesson_file_add", args=[course.pk, lesson.pk]),
        {"file": SimpleUploadedFile("chart.png", PNG, "image/png")},
    )
    attached = LessonFile.objects.get(lesson=lesson)
    assert response.status_code == 302 and attached.size == len(PNG)
    with attached.file.open("rb") as stored:  # through the storage API
        assert stored.read() == PNG
    response = client.post(
        reverse("academy_quiz_edit", args=[course.pk]),
        {"quiz": "Where are reports?\n* Reports tab\nSettings\n\nWhich export?\n* CSV\n* PDF\nFax"},
    )
    assert response.status_code == 302
    assert [q.text for q in course.questions.all()] == ["Where are reports?", "Which export?"]
    assert Choice.objects.filter(question__course=course, correct=True).count() == 3
    client.post(reverse("academy_course_publish", args=[course.pk]), {"published": "1"})
    course.refresh_from_db()
    assert course.is_published
    # The customer sees it, the image through the download view of their account.
    page = client_for(world.member).get(
        reverse("academy_lesson", args=["acme", course.pk, lesson.pk])
    )
    file_url = reverse("academy_file", args=["acme", course.pk, attached.pk])
    assert f'src="{file_url}"'.encode() in page.content
    assert b"https://video.example/watch/1" in page.content


def test_a_quiz_with_no_correct_answer_is_refused_and_nothing_changes(world: World) -> None:
    course = make_course(world.csm)
    typed = "Is it easy?\nYes\nNo\n\nSecond?\n* Right\nWrong"
    client = client_for(world.csm)
    with unchanged():
        response = client.post(reverse("academy_quiz_edit", args=[course.pk]), {"quiz": typed})
    assert response.status_code == 422
    assert "Question 1 (“Is it easy?”) has no correct answer".encode() in response.content
    assert b"Second?" in response.content  # what was typed stays in the form
    assert course.questions.count() == 2


def test_a_question_needs_two_choices(world: World) -> None:
    course = make_course(world.csm)
    client = client_for(world.csm)
    with unchanged():
        response = client.post(
            reverse("academy_quiz_edit", args=[course.pk]), {"quiz": "Alone?\n* Yes"}
        )
    assert response.status_code == 422 and b"needs at least two choices" in response.content


def test_bad_files_are_refused(world: World) -> None:
    course = make_course(world.csm)
    lesson = course.lessons.first()
    assert lesson is not None
    url = reverse("academy_lesson_file_add", args=[course.pk, lesson.pk])
    for upload, message in [
        (SimpleUploadedFile("empty.pdf", b"", "application/pdf"), b"empty"),
        (SimpleUploadedFile("run.exe", b"MZ", "application/x-msdownload"), b"Attach an image"),
    ]:
        client = client_for(world.csm)
        with unchanged():
            response = client.post(url, {"file": upload})
        assert response.status_code == 422 and message in response.content


def test_lesson_markdown_keeps_only_images_of_the_portal(world: World) -> None:
    course = make_course(world.csm)
    lesson = course.lessons.get(position=0)
    lesson.body = (
        "![a](attachment:d.png) ![b](https://tracker.example/p.gif) ![c](//evil.example/x.png)"
        " <script>alert(1)</script> [ok](https://docs.example/)"
    )
    attached = LessonFileFactory.create(lesson=lesson, name="d.png", uploaded_by=world.csm)
    html = lesson_html(lesson, [attached], lambda f: f"/files/{f.pk}/")
    assert f'<img src="/files/{attached.pk}/" alt="a">' in html
    assert "tracker.example" not in html and "evil.example" not in html
    assert "<script>" not in html and 'href="https://docs.example/"' in html


# Taking it -----------------------------------------------------------------------------------


def test_the_quiz_passes_at_the_pass_mark_and_not_below(world: World) -> None:
    course = make_course(world.csm, lessons=1)  # pass mark 50%, two questions
    first, second = course.questions.prefetch_related("choices")
    wrong_second = {next(c.pk for c in second.choices.all() if not c.correct)}
    right_first = {next(c.pk for c in first.choices.all() if c.correct)}
    # Half of the second question's right answers is wrong: 0 of 2.
    half = {next(c.pk for c in second.choices.all() if c.correct)}
    attempt = take_quiz(
        course, world.account, answers={first.pk: set(), second.pk: half}, acting_user=world.member
    )
    assert (attempt.score, attempt.passed) == (0, False)
    attempt = take_quiz(
        course,
        world.account,
        answers={first.pk: right_first, second.pk: wrong_second},
        acting_user=world.member,
    )
    assert (attempt.score, attempt.passed) == (50, True)  # exactly the pass mark
    assert not CoursePass.objects.exists()  # the lesson is not done yet
    mark_lesson_done(course.lessons.get(), world.account, acting_user=world.member)
    passed = CoursePass.objects.get()
    assert (passed.user, passed.account, passed.score) == (world.member, world.account, 50)


def test_a_member_takes_a_course_through_the_pages(world: World) -> None:
    course = make_course(world.csm)
    client = client_for(world.member)
    first, second = course.lessons.all()
    response = client.post(reverse("academy_lesson_done", args=["acme", course.pk, first.pk]))
    assert response["Location"] == reverse("academy_lesson", args=["acme", course.pk, second.pk])
    response = client.post(reverse("academy_lesson_done", args=["acme", course.pk, second.pk]))
    assert response["Location"] == reverse("academy_quiz", args=["acme", course.pk])
    # An unanswered question: 422 with a message, no attempt.
    with unchanged():
        response = client.post(reverse("academy_quiz", args=["acme", course.pk]), {})
    assert response.status_code == 422 and b"Choose an answer" in response.content
    response = client.post(reverse("academy_quiz", args=["acme", course.pk]), right_answers(course))
    assert response.status_code == 200 and b"Passed: 100%" in response.content
    passed = CoursePass.objects.get(user=world.member)
    assert reverse("academy_certificate", args=["acme", passed.pk]).encode() in response.content
    assert LessonDone.objects.filter(user=world.member).count() == 2


def test_vendor_staff_read_courses_but_do_not_take_them(world: World) -> None:
    course = make_course(world.csm)
    lesson = course.lessons.first()
    assert lesson is not None
    client = client_for(world.csm)
    with unchanged():
        response = client.post(reverse("academy_lesson_done", args=["acme", course.pk, lesson.pk]))
    assert response.status_code == 403


def test_a_lesson_of_another_course_is_404(world: World) -> None:
    course, other = make_course(world.csm), make_course(world.csm, title="Other")
    lesson = other.lessons.first()
    assert lesson is not None
    response = client_for(world.member).get(
        reverse("academy_lesson", args=["acme", course.pk, lesson.pk])
    )
    assert response.status_code == 404


# Assigning -----------------------------------------------------------------------------------


def test_assigned_by_role_and_by_person(world: World) -> None:
    course = make_course(world.csm)
    other = make_course(world.csm, title="Advanced")
    response = client_for(world.champion).post(
        reverse("academy_assign", args=["acme"]),
        {"assign-course": course.pk, "assign-role": "member"},
    )
    assert response.status_code == 302
    assign_course(other, world.account, user=world.executive, acting_user=world.csm)
    page = client_for(world.member).get(reverse("academy", args=["acme"]))
    assert [c.course for c in page.context["assigned"]] == [course]
    page = client_for(world.executive).get(reverse("academy", args=["acme"]))
    assert [c.course for c in page.context["assigned"]] == [other]
    assert Assignment.objects.count() == 2


def test_an_assignment_needs_a_role_or_a_person_of_the_account(world: World) -> None:
    course = make_course(world.csm)
    url = reverse("academy_assign", args=["acme"])
    client = client_for(world.csm)
    for data in [
        {"assign-course": course.pk},
        {"assign-course": course.pk, "assign-role": "member", "assign-user": world.member.pk},
        {"assign-course": course.pk, "assign-user": world.other_champion.pk},
    ]:
        with unchanged():
            response = client.post(url, data)
        assert response.status_code == 422


# The onboarding task ---------------------------------------------------------------------------


def test_the_checklist_task_completes_when_the_course_is_passed(world: World) -> None:
    checklist = start(world)
    course = make_course(world.csm)
    phase = checklist.phases.first()
    assert phase is not None
    response = client_for(world.csm).post(
        reverse("academy_checklist", args=["acme"]),
        {
            "checklist-course": course.pk,
            "checklist-phase": phase.pk,
            "checklist-assignee": world.member.pk,
        },
    )
    assert response.status_code == 302
    task = CourseTask.objects.get(course=course).task
    assert task.kind == TaskKind.COURSE and task.assignee == world.member
    # Not ticked by hand: the course does it.
    client = client_for(world.member)
    with unchanged():
        response = client.post(
            reverse("onboarding_task_done", args=["acme", task.pk]), {"done": "1"}
        )
    assert response.status_code == 403
    pass_course(course, world, world.champion)  # someone else passing changes nothing
    task.refresh_from_db()
    assert task.completed_at is None
    pass_course(course, world, world.member)
    task.refresh_from_db()
    assert task.completed_at is not None and task.completed_by == world.member


def test_a_course_passed_already_completes_its_new_task_at_once(world: World) -> None:
    checklist = start(world)
    course = make_course(world.csm)
    pass_course(course, world, world.member)
    phase = checklist.phases.first()
    assert phase is not None
    link = add_course_to_checklist(
        course, checklist, phase=phase, assignee=None, acting_user=world.csm
    )
    link.task.refresh_from_db()
    assert link.task.completed_by == world.member


def test_an_unassigned_course_task_completes_when_anyone_at_the_account_passes(
    world: World,
) -> None:
    course = make_course(world.csm)
    link = CourseTaskFactory.create(course=course, task__phase__checklist__account=world.account)
    other = CourseTaskFactory.create(course=course)  # another account's checklist
    pass_course(course, world, world.executive)
    link.task.refresh_from_db()
    other.task.refresh_from_db()
    assert link.task.completed_by == world.executive
    assert other.task.completed_at is None


# The certificate -----------------------------------------------------------------------------


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_certificate_is_a_pdf_with_the_name_and_the_course(
    world: World, tmp_path: Path
) -> None:
    course = make_course(world.csm, title="Reporting essentials")
    world.member.name = "Mina Member"
    world.member.save()
    pass_course(course, world, world.member)
    passed = CoursePass.objects.get()
    response = client_for(world.member).get(
        reverse("academy_certificate", args=["acme", passed.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Mina Member" in text and "Reporting essentials" in text and "Acme" in text


def test_certificates_are_their_owners_the_champions_and_the_vendors(world: World) -> None:
    course = make_course(world.csm)
    pass_course(course, world, world.member)
    passed = CoursePass.objects.get()
    url = reverse("academy_certificate", args=["acme", passed.pk])
    assert client_for(world.executive).get(url).status_code == 404
    assert client_for(world.other_champion).get(url).status_code == 404
    assert client_for(world.champion).get(url).status_code == 200
    # Through another account's address: still not found.
    other_url = reverse("academy_certificate", args=["bluth", passed.pk])
    assert client_for(world.other_champion).get(other_url).status_code == 404


# Progress views --------------------------------------------------------------------------------


def test_the_champion_sees_colleagues_progress_and_a_member_does_not(world: World) -> None:
    course = make_course(world.csm)
    world.member.name = "Mina Member"
    world.member.save()
    pass_course(course, world, world.member)
    response = client_for(world.champion).get(reverse("academy_progress", args=["acme"]))
    assert response.status_code == 200
    row = next(r for r in response.context["team"].people if r.person == world.member)
    assert row.passed == 1 and b"Mina Member" in response.content
    assert (
        client_for(world.member).get(reverse("academy_progress", args=["acme"])).status_code == 403
    )


def test_each_person_sees_their_own_progress(world: World) -> None:
    course = make_course(world.csm)
    lesson = course.lessons.first()
    assert lesson is not None
    mark_lesson_done(lesson, world.account, acting_user=world.member)
    mine = client_for(world.member).get(reverse("academy_course", args=["acme", course.pk]))
    theirs = client_for(world.champion).get(reverse("academy_course", args=["acme", course.pk]))
    assert (mine.context["view"].progress.done, theirs.context["view"].progress.done) == (1, 0)
    assert mine.context["view"].progress.percent == 33  # one of two lessons and the quiz


def test_the_csm_sees_completion_per_account_across_the_portfolio(world: World) -> None:
    course = make_course(world.csm)
    assign_course(course, world.account, role="member", acting_user=world.csm)
    assign_course(course, world.account, user=world.champion, acting_user=world.csm)
    pass_course(course, world, world.member)
    response = client_for(world.csm).get(reverse("academy_portfolio"))
    rows = {r.account.slug: r for r in response.context["training"].rows}
    assert set(rows) == {"acme"}  # the other CSM's account is not theirs
    assert (rows["acme"].assigned, rows["acme"].passed, rows["acme"].completion) == (2, 1, 50)
    admin_rows = client_for(world.admin).get(reverse("academy_portfolio")).context["training"].rows
    assert {r.account.slug for r in admin_rows} == {"acme", "bluth"}
    assert team_progress(world.account).passed_pairs == 1


# Health and playbooks -----------------------------------------------------------------------


def test_training_is_a_part_of_the_health_score(world: World) -> None:
    assert PARTS["training"] == "Training"
    day = date(2026, 11, 16)
    assert "training" not in parts_of(world.account, day)  # nothing assigned: no data
    course = make_course(world.csm)
    assign_course(course, world.account, role="member", acting_user=world.csm)
    assign_course(course, world.account, role="champion", acting_user=world.csm)
    pass_course(course, world, world.member)
    part = parts_of(world.account, day)["training"]
    assert part.score == 50 and "1 of 2 assigned courses passed" in part.why
    assert training_completion(world.account).completion == 50
    # The day before, nothing was assigned yet: the daily history is not rewritten.
    assert "training" not in parts_of(world.account, date(2026, 11, 15))
    health = combine({"training": part}, HealthConfig())
    assert health is not None and health.parts["training"]["weight"] == 10
    config = HealthConfig(extra_weights={"training": 0})
    assert combine({"training": part}, config) is None  # weight 0 leaves it out


def test_a_cs_admin_sets_the_training_weight(world: World) -> None:
    data = {"usage_weight": 40, "sentiment_weight": 20, "onboarding_weight": 10, "plan_weight": 10,
            "renewal_weight": 10, "pulse_weight": 10, "training_weight": 25, "healthy_from": 70, "at_risk_from": 40}  # fmt: skip
    response = client_for(world.admin).post(reverse("health_settings"), data)
    assert response.status_code == 302
    assert HealthConfig.current().extra_weights == {"training": 25}


def test_passing_raises_the_course_passed_signal_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    course = make_course(world.csm)
    with django_capture_on_commit_callbacks(execute=True):
        pass_course(course, world, world.member)
    event = Event.objects.get(kind=EventKind.COURSE_PASSED)
    passed = CoursePass.objects.get()
    assert event.account == world.account
    assert event.data["course_id"] == course.pk and event.data["user_id"] == world.member.pk
    jobs = Job.objects.filter(task="playbooks.record_event").count()
    take_quiz(course, world.account, answers={}, acting_user=world.member)  # again, failed
    mark_lesson_done(course.lessons.first(), world.account, acting_user=world.member)  # type: ignore[arg-type]
    assert Job.objects.filter(task="playbooks.record_event").count() == jobs
    assert CoursePass.objects.get() == passed
    assert QuizAttempt.objects.count() == 2 and Question.objects.count() == 2
