"""Signals the academy sends, for the apps that read it (playbooks, integrations).

``course_passed`` is sent by :func:`academy.services.take_quiz` and
:func:`academy.services.mark_lesson_done` once the commit that recorded a pass is done:

    course_passed.send(sender=CoursePass, course_pass=course_pass)
"""

from __future__ import annotations

from django.dispatch import Signal

course_passed = Signal()
