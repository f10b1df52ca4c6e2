"""Look-ups the documents screens share: always through the account, and through what the
viewer may see, so an id from elsewhere (or an internal file asked for by a customer) is a 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from accounts.access import AccountAccess
from portal import htmx

from ..models import Document, Folder
from ..services import visible_documents

AREA_PAGE = "documents/documents.html"
DOCUMENT_PAGE = "documents/document.html"
PER_PAGE = 25


def get_document(access: AccountAccess, pk: int) -> Document:
    return get_object_or_404(
        visible_documents(access).select_related("account", "folder", "uploaded_by"), pk=pk
    )


def get_folder(access: AccountAccess, pk: int) -> Folder:
    return get_object_or_404(
        Folder.objects.filter(account=access.account).select_related("parent"), pk=pk
    )


def message_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def refuse(request: HttpRequest, message: str, status: int = 422) -> HttpResponse:
    return htmx.refuse(request, message, status=status)


def after_write(request: HttpRequest, url: str) -> HttpResponse:
    """htmx follows ``HX-Location``; a form post is redirected to the page."""
    return htmx.redirect(request, url) if htmx.is_htmx(request) else redirect(url)
