"""Each account's documents area (/a/<slug>/documents/...) and attaching files to its work."""

from django.urls import path

from .views import area, attach, document, folders

D = "a/<slug:slug>/documents/"

urlpatterns = [
    path(D, area.documents, name="documents"),
    path(f"{D}upload/", area.upload, name="documents_upload"),
    path(f"{D}attach/", attach.attach, name="documents_attach"),
    path(f"{D}folders/add/", area.folder_add, name="documents_folder_add"),
    path(f"{D}folders/<int:pk>/", area.folder, name="documents_folder"),
    path(f"{D}folders/<int:pk>/rename/", folders.folder_rename, name="documents_folder_rename"),
    path(f"{D}folders/<int:pk>/delete/", folders.folder_delete, name="documents_folder_delete"),
    path(f"{D}<int:pk>/", document.document_detail, name="documents_document"),
    path(f"{D}<int:pk>/download/", document.download, name="documents_download"),
    path(f"{D}<int:pk>/delete/", document.delete, name="documents_delete"),
]
