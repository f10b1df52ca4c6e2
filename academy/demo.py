"""Demo academy: a published course of three lessons (one with a diagram, one with a video
link) and a short quiz, assigned to Acme's members and champion and on Acme's onboarding as a
task; Dana (champion) passed it, Mia (member) is one lesson in. Idempotent."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from accounts.models import Account, User

from .models import Course
from .services import (
    QuizQuestion,
    add_course_to_checklist,
    add_lesson,
    assign_course,
    attach_file,
    create_course,
    mark_lesson_done,
    publish_course,
    replace_quiz,
    take_quiz,
)

TITLE = "Getting started with reports"

LESSONS = [
    (
        "Your first dashboard",
        "A dashboard gathers the reports your team opens every week.\n\n"
        "1. Open **Reports** and choose *New dashboard*.\n"
        "2. Add the *Monthly revenue* and *Open invoices* reports.\n"
        "3. Share it with your team: everyone sees the same figures.\n\n"
        "![How a dashboard is laid out](attachment:dashboard-layout.png)\n\n"
        "The diagram above shows the three areas: filters on top, figures in the middle, "
        "the detail table below.",
        "",
    ),
    (
        "Scheduling exports",
        "Finance closes the month with the same exports every time. Schedule them once:\n\n"
        "- open a report and choose **Schedule**;\n"
        "- pick the day (the first working day is a good default);\n"
        "- add who gets it. They receive a CSV and a PDF.\n\n"
        "Watch the two-minute video for a walk-through.",
        "https://video.example.com/academy/scheduling-exports",
    ),
    (
        "Sharing with your board",
        "Board packs come straight out of the portal: choose *Export board pack* on any "
        "dashboard. The pack keeps your logo and colours.\n\n"
        "> Tip: save the board's favourite filters as a view, so the next pack takes a click.",
        "",
    ),
]

QUIZ = [
    QuizQuestion(
        "Where do you start a new dashboard?",
        [
            ("In Reports, with “New dashboard”", True),
            ("In Settings", False),
            ("From an export", False),
        ],
    ),
    QuizQuestion(
        "What does a scheduled export send?",
        [("A CSV", True), ("A PDF", True), ("A spreadsheet macro", False)],
    ),
    QuizQuestion(
        "How do you make a board pack?",
        [("Export board pack on a dashboard", True), ("Ask your CSM", False)],
    ),
]


def _diagram() -> SimpleUploadedFile:
    """A small diagram of a dashboard's three areas, drawn here (no binary in the repository)."""
    image = Image.new("RGB", (720, 360), "#f5f6f8")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((20, 20, 700, 80), radius=10, fill="#eef3fd", outline="#2457d6", width=2)
    for i in range(3):
        x = 20 + i * 230
        draw.rounded_rectangle(
            (x, 100, x + 220, 200), radius=10, fill="#ffffff", outline="#d0d5dd", width=2
        )
        draw.rectangle((x + 20, 150, x + 60 + 40 * i, 170), fill="#2457d6")
    draw.rounded_rectangle(
        (20, 220, 700, 340), radius=10, fill="#ffffff", outline="#d0d5dd", width=2
    )
    for row in range(4):
        draw.line((40, 250 + row * 22, 680, 250 + row * 22), fill="#e4e7ec", width=2)
    draw.text((36, 42), "Filters", fill="#101828")
    draw.text((36, 112), "Figures", fill="#101828")
    draw.text((36, 228), "Detail table", fill="#101828")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("dashboard-layout.png", buffer.getvalue(), "image/png")


def ensure_demo_academy() -> int:
    account = Account.objects.filter(slug="acme").select_related("owner").first()
    if account is None or account.owner is None or Course.objects.filter(title=TITLE).exists():
        return 0
    csm = account.owner
    course = create_course(
        fields={
            "title": TITLE,
            "summary": "Twenty minutes to build a dashboard, schedule the month-end exports "
            "and make a board pack. Pass the quiz for your certificate.",
            "pass_mark": 66,
        },
        acting_user=csm,
    )
    lessons = [
        add_lesson(course, fields={"title": t, "body": b, "video_url": v}, acting_user=csm)
        for t, b, v in LESSONS
    ]
    attach_file(lessons[0], upload=_diagram(), acting_user=csm)
    replace_quiz(course, questions=QUIZ, acting_user=csm)
    publish_course(course, True, acting_user=csm)
    assign_course(course, account, role="member", acting_user=csm)
    assign_course(course, account, role="champion", acting_user=csm)
    people = {u.email: u for u in User.objects.filter(memberships__account=account)}
    checklist = getattr(account, "checklist", None)
    mia = people.get("mia@acme.example")
    if checklist is not None and mia is not None:
        phase = checklist.phases.order_by("-position").first()
        if phase is not None:
            add_course_to_checklist(course, checklist, phase=phase, assignee=mia, acting_user=csm)
    dana = people.get("dana@acme.example")
    if dana is not None:
        for lesson in lessons:
            mark_lesson_done(lesson, account, acting_user=dana)
        answers = {
            q.pk: {c.pk for c in q.choices.all() if c.correct}
            for q in course.questions.prefetch_related("choices")
        }
        take_quiz(course, account, answers=answers, acting_user=dana)
    if mia is not None:
        mark_lesson_done(lessons[0], account, acting_user=mia)
    return 1
