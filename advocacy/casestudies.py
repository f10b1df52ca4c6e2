"""An approved case study as a PDF in the report style: the HTML template, then WeasyPrint
with the reports' stylesheet and fetcher (our own static files only). Pure: a case study in,
PDF bytes out; rendered when downloaded."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from portal.markdown import render_markdown
from reports.figures import branding
from reports.rendering import STATIC_BASE, logo_data_uri, render_pdf

from .models import CaseStudy

TEMPLATE = "advocacy/pdf/case_study.html"


def case_study_html(case_study: CaseStudy) -> str:
    brand = branding(case_study.account)
    return render_to_string(
        TEMPLATE,
        {
            "case_study": case_study,
            "body": render_markdown(case_study.body),
            "quotes": [q for q in case_study.quotes.all() if q.allowed],
            "objectives": case_study.objectives,
            "brand": {**brand, "logo": logo_data_uri(brand.get("logo"))},
            "static_base": STATIC_BASE,
            "made_at": timezone.localtime(),
        },
    )


def case_study_pdf(case_study: CaseStudy) -> bytes:
    return render_pdf(case_study_html(case_study)).pdf


def case_study_filename(case_study: CaseStudy) -> str:
    name = slugify(f"{case_study.account.name} {case_study.title}")[:80]
    return f"case-study-{name or case_study.pk}.pdf"
