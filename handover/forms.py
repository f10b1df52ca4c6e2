"""The handover form: the handover's own fields and its three lists, as formsets with a few
blank rows; a blank row is ignored, a half-filled one is an error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .models import Handover, HandoverObjective, Influence, Promise, Stakeholder
from .services import HandoverIn, ObjectiveIn, PromiseIn, StakeholderIn

DATE = forms.DateInput(attrs={"type": "date"})


class HandoverForm(forms.ModelForm):
    class Meta:
        model = Handover
        fields = [
            "expectations",
            "challenges",
            "deal_closed_on",
            "deal_amount",
            "sales_owner",
            "source_id",
        ]
        labels = {
            "expectations": gettext_lazy("Expectations"),
            "challenges": gettext_lazy("Challenges"),
        }
        widgets = {
            "expectations": forms.Textarea(attrs={"rows": 3}),
            "challenges": forms.Textarea(attrs={"rows": 3}),
            "deal_closed_on": DATE,
        }
        help_texts = {
            "expectations": gettext_lazy("What the customer expects from us, in their words."),
            "challenges": gettext_lazy("What stands in their way: people, data, deadlines."),
        }


class ObjectiveForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("Objective"), max_length=200)
    why = forms.CharField(label=gettext_lazy("Why it matters"), max_length=2000, required=False)
    measure = forms.CharField(
        label=gettext_lazy("How it is measured"), max_length=200, required=False
    )


class StakeholderForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    title = forms.CharField(label=gettext_lazy("Job title"), max_length=200, required=False)
    deal_role = forms.CharField(
        label=gettext_lazy("Role in the deal"), max_length=200, required=False
    )
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    influence = forms.ChoiceField(
        label=gettext_lazy("Influence"), choices=Influence.choices, initial=Influence.MEDIUM
    )

    def has_changed(self) -> bool:
        # The influence select always has a value: a row counts as filled only by its text.
        return any(f in self.changed_data for f in ("name", "title", "deal_role", "email"))


class PromiseForm(forms.Form):
    promise = forms.CharField(label=gettext_lazy("Promise"), max_length=300)
    promised_by = forms.CharField(label=gettext_lazy("By whom"), max_length=200, required=False)
    due_on = forms.DateField(label=pgettext_lazy("deadline", "Due"), required=False, widget=DATE)


class RowsFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if forms.formsets.DELETION_FIELD_NAME in form.fields:
            form.fields[forms.formsets.DELETION_FIELD_NAME].label = _("Remove")


def _rows(form: type[forms.Form], most: int) -> type[forms.BaseFormSet]:
    return forms.formset_factory(
        form, formset=RowsFormSet, extra=2, can_delete=True, max_num=most, validate_max=True
    )


ObjectiveFormSet = _rows(ObjectiveForm, 50)
StakeholderFormSet = _rows(StakeholderForm, 100)
PromiseFormSet = _rows(PromiseForm, 100)


class HandoverForms:
    """The form and its three formsets, bound or not, for one account's handover."""

    def __init__(self, handover: Handover | None, data: Any = None) -> None:
        self.main = HandoverForm(data, instance=handover or Handover())
        objectives: list[HandoverObjective] = list(handover.objectives.all()) if handover else []
        people: list[Stakeholder] = list(handover.stakeholders.all()) if handover else []
        promises: list[Promise] = list(handover.promises.all()) if handover else []
        self.objectives = ObjectiveFormSet(
            data,
            prefix="objectives",
            initial=[
                {"id": o.pk, "title": o.title, "why": o.why, "measure": o.measure}
                for o in objectives
            ],
        )
        self.stakeholders = StakeholderFormSet(
            data,
            prefix="stakeholders",
            initial=[
                {
                    "name": s.name,
                    "title": s.title,
                    "deal_role": s.deal_role,
                    "email": s.email,
                    "influence": s.influence,
                }
                for s in people
            ],
        )
        self.promises = PromiseFormSet(
            data,
            prefix="promises",
            initial=[
                {"promise": p.promise, "promised_by": p.promised_by, "due_on": p.due_on}
                for p in promises
            ],
        )
        self.objectives_error = ""

    def is_valid(self) -> bool:
        valid = all(
            f.is_valid() for f in (self.main, self.objectives, self.stakeholders, self.promises)
        )
        if valid and not self._rows(self.objectives):
            self.objectives_error = _("Name at least one objective the customer bought for.")
            return False
        return valid

    @staticmethod
    def _rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
        kept = formset.initial_form_count()  # the rows already there count unchanged too
        return [
            form.cleaned_data
            for i, form in enumerate(formset.forms)
            if (i < kept or form.has_changed())
            and form.cleaned_data
            and not form.cleaned_data.get("DELETE")
        ]

    def data(self) -> HandoverIn:
        main = self.main.cleaned_data
        return HandoverIn(
            expectations=main["expectations"],
            challenges=main["challenges"],
            deal_closed_on=main["deal_closed_on"],
            deal_amount=main["deal_amount"],
            sales_owner=main["sales_owner"],
            source_id=main["source_id"],
            objectives=[
                ObjectiveIn(title=r["title"], why=r["why"], measure=r["measure"], id=r["id"])
                for r in self._rows(self.objectives)
            ],
            stakeholders=[
                StakeholderIn(
                    name=r["name"],
                    title=r["title"],
                    deal_role=r["deal_role"],
                    email=r["email"],
                    influence=r["influence"],
                )
                for r in self._rows(self.stakeholders)
            ],
            promises=[
                PromiseIn(promise=r["promise"], promised_by=r["promised_by"], due_on=r["due_on"])
                for r in self._rows(self.promises)
            ],
        )
