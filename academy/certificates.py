"""The certificate of a passed course: an HTML template, then WeasyPrint with the reports'
stylesheet and fetcher (our own static files only). Pure: a pass in, PDF bytes out."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from reports.figures import branding
from reports.rendering import STATIC_BASE, logo_data_uri, render_pdf

from .models import CoursePass

TEMPLATE = "academy/pdf/certificate.html"


def certificate_html(course_pass: CoursePass) -> str:
    account = course_pass.account
    brand = branding(account)
    lessons = course_pass.course.lessons.count()
    return render_to_string(
        TEMPLATE,
        {
            "course_pass": course_pass,
            "course": course_pass.course,
            "person": course_pass.user,
            "lessons": lessons,
            "brand": {**brand, "logo": logo_data_uri(brand.get("logo"))},
            "static_base": STATIC_BASE,
            "made_at": timezone.localtime(),
        },
    )


def certificate_pdf(course_pass: CoursePass) -> bytes:
    return render_pdf(certificate_html(course_pass)).pdf


def certificate_filename(course_pass: CoursePass) -> str:
    name = slugify(f"{course_pass.course.title} {course_pass.user.display_name}")[:80]
    return f"certificate-{name or course_pass.pk}.pdf"
