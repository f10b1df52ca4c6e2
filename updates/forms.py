"""The update editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import CustomerRole, Segment, Stage

from .models import Update

MAX_IMAGE_BYTES = 5 * 1024 * 1024


class Action:
    DRAFT = "draft"
    SCHEDULE = "schedule"
    PUBLISH = "publish"
    ALL = (DRAFT, SCHEDULE, PUBLISH)


class UpdateForm(forms.ModelForm):
    segment_choices = forms.MultipleChoiceField(
        label=gettext_lazy("Segments"),
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    stage_choices = forms.MultipleChoiceField(
        label=gettext_lazy("Stages"),
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    role_choices = forms.MultipleChoiceField(
        label=gettext_lazy("Who in those accounts"),
        choices=CustomerRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    publish_at = forms.DateTimeField(
        label=gettext_lazy("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("For “Schedule”: the update goes out at this time."),
    )
    # The button pressed: "Save draft" (also what Enter does, being the first), "Schedule",
    # "Publish now".
    action = forms.ChoiceField(choices=[(a, a) for a in Action.ALL], required=False)

    class Meta:
        model = Update
        fields = ["title", "category", "body", "image", "audience", "feature"]
        labels = {
            "title": gettext_lazy("Title"),
            "category": gettext_lazy("Category"),
            "body": gettext_lazy("Body"),
            "image": gettext_lazy("Image"),
            "audience": gettext_lazy("Audience"),
            "feature": gettext_lazy("Feature"),
        }
        widgets = {
            "body": forms.Textarea(attrs={"rows": 10}),
            "audience": forms.RadioSelect,
            "feature": forms.TextInput(attrs={"list": "known-features"}),
        }
        help_texts = {
            "feature": gettext_lazy("The feature's name as the product reports its usage.")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        update = self.instance
        self.fields["segment_choices"].initial = update.segment_list
        self.fields["stage_choices"].initial = update.stage_list
        self.fields["role_choices"].initial = update.role_list
        self.fields["publish_at"].initial = update.publish_at
        self.fields["feature"].required = False

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image and getattr(image, "size", 0) > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("The image is larger than 5 MB."))
        return image

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["action"] = data.get("action") or Action.DRAFT
        if data.get("action") == Action.SCHEDULE and not data.get("publish_at"):
            self.add_error("publish_at", _("Choose when to publish it."))
        # The choices are stored as comma-separated values on the update.
        self.instance.segments = ",".join(data.get("segment_choices") or [])
        self.instance.stages = ",".join(data.get("stage_choices") or [])
        self.instance.roles = ",".join(data.get("role_choices") or [])
        return data

    def clean_feature(self) -> str:
        return (self.cleaned_data.get("feature") or "").strip()
