"""The documents forms: upload to the area, attach to work, a folder, a document's details."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Account

from .models import Folder, Visibility
from .rules import accept_attribute


def file_field() -> forms.FileField:
    # Empty, oversized and disallowed files are refused by documents.rules with a message that
    # names the file; the field only asks for one.
    return forms.FileField(
        label=gettext_lazy("File"),
        allow_empty_file=True,
        max_length=400,
        widget=forms.ClearableFileInput(attrs={"accept": accept_attribute()}),
        error_messages={"required": gettext_lazy("Choose a file to upload.")},
    )


class UploadForm(forms.Form):
    file = file_field()
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who sees it"),
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        required=False,
    )

    folder = forms.ModelChoiceField(
        queryset=Folder.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, account: Account, vendor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.fields["file"].widget.attrs.get("accept") != accept_attribute():
            self.fields["file"] = file_field()  # the allowed types changed since start-up
        folder = self.fields["folder"]
        assert isinstance(folder, forms.ModelChoiceField)
        folder.queryset = Folder.objects.filter(account=account)
        folder.error_messages["invalid_choice"] = _(
            "That folder is not there any more: reload the page."
        )
        if not vendor:  # a customer's upload is always shared
            del self.fields["visibility"]


class AttachForm(forms.Form):
    """Attach a file to a task, a plan item or a comment; ``kind`` and ``target`` name it."""

    file = file_field()
    kind = forms.ChoiceField(
        choices=[
            (k, k)
            for k in (
                "task",
                "task_comment",
                "objective",
                "milestone",
                "action_item",
                "plan_comment",
            )
        ],
        widget=forms.HiddenInput,
    )
    target = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class FolderForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Folder name"),
        max_length=120,
        error_messages={"required": gettext_lazy("Give the folder a name.")},
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Signed contracts")}),
    )


class DocumentForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give the document a name.")},
    )
    folder = forms.ModelChoiceField(
        queryset=Folder.objects.none(),
        required=False,
        label=gettext_lazy("Folder"),
        empty_label=gettext_lazy("(top level)"),
    )
    visibility = forms.ChoiceField(label=gettext_lazy("Who sees it"), choices=Visibility.choices)

    def __init__(
        self, *args: Any, folders: list[tuple[Folder, str]], vendor: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        folder = self.fields["folder"]
        assert isinstance(folder, forms.ModelChoiceField)
        folder.queryset = Folder.objects.filter(pk__in=[f.pk for f, _ in folders])
        labels = {f.pk: label for f, label in folders}
        folder.label_from_instance = lambda f: labels.get(f.pk, f.name)  # type: ignore[method-assign,assignment]
        if not vendor:
            del self.fields["visibility"]
