"""The forms of the insights screens: each checks what a request sends before a view calls a
service, so that bad input is a 422 with its message, never a 500."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, gettext_lazy

from accounts.models import Account, User

from .figures.book import PERIODS
from .figures.health import REGISTERED
from .models import (
    AccountFacts,
    ApiKey,
    CrossSellOffer,
    ExpansionConfig,
    FeatureLimit,
    HealthConfig,
    UpsellLead,
)
from .services.health import CONFIG_FIELDS, FACT_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_IMPORT_MAX_BYTES = 2 * 1024 * 1024


class BookForm(forms.Form):
    """The book of business's filters, read from the query string."""

    period = forms.ChoiceField(
        choices=list(PERIODS.items()), required=False, label=gettext_lazy("Period")
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Everyone"),
        label=gettext_lazy("CSM"),
    )
    csql = forms.ChoiceField(
        choices=[("", gettext_lazy("Every account")), ("open", gettext_lazy("With open CSQLs"))],
        required=False,
        label=gettext_lazy("Accounts"),
    )

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The copy of the ModelChoiceField declared above; ``self.fields`` holds plain Fields.
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners

    @property
    def period_key(self) -> str:
        return (self.cleaned_data.get("period") if self.is_valid() else "") or "quarter"


class PulseForm(forms.ModelForm):
    class Meta:
        model = AccountFacts
        fields = FACT_FIELDS
        labels = {
            "pulse": gettext_lazy("Your pulse"),
            "pulse_note": gettext_lazy("Why"),
            "licensed_seats": gettext_lazy("Licensed seats"),
            "customers_see_health": gettext_lazy("Customers see health"),
        }
        widgets = {"pulse_note": forms.TextInput}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pulse") and not (data.get("pulse_note") or "").strip():
            self.add_error(
                "pulse_note",
                gettext("Say in a line why: the next person to read it will thank you."),
            )
        return data


class HealthConfigForm(forms.ModelForm):
    # The opt-in part: left empty (or sent by a form that predates it) it is 0, i.e. off.
    comments_weight = forms.IntegerField(
        min_value=0,
        max_value=32767,
        required=False,
        label=gettext_lazy("Comments weight"),
        help_text=HealthConfig._meta.get_field("comments_weight").help_text,
    )

    class Meta:
        model = HealthConfig
        fields = CONFIG_FIELDS
        labels = {
            "usage_weight": gettext_lazy("Usage weight"),
            "sentiment_weight": gettext_lazy("Sentiment weight"),
            "onboarding_weight": gettext_lazy("Onboarding weight"),
            "plan_weight": gettext_lazy("Plan weight"),
            "renewal_weight": gettext_lazy("Renewal weight"),
            "pulse_weight": gettext_lazy("Pulse weight"),
            "healthy_from": gettext_lazy("Healthy from"),
            "at_risk_from": gettext_lazy("At risk from"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        extra = self.instance.extra_weights or {}
        for name, part in REGISTERED.items():
            self.fields[f"{name}_weight"] = forms.IntegerField(
                min_value=0,
                max_value=32767,
                required=False,
                label=gettext("%(part)s weight") % {"part": part.label},
                initial=extra.get(name, part.default_weight),
                help_text=gettext("0 leaves it out."),
            )

    def clean_comments_weight(self) -> int:
        return self.cleaned_data.get("comments_weight") or 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in REGISTERED:
            data[f"{name}_weight"] = data.get(f"{name}_weight") or 0
        data["extra_weights"] = {name: data[f"{name}_weight"] for name in REGISTERED}
        weights = [data.get(f) or 0 for f in CONFIG_FIELDS if f.endswith("_weight")]
        weights += list(data["extra_weights"].values())
        if not sum(weights):
            raise forms.ValidationError(gettext("At least one part needs a weight above zero."))
        if (
            data.get("at_risk_from") is not None
            and data.get("healthy_from") is not None
            and data["at_risk_from"] >= data["healthy_from"]
        ):
            self.add_error("at_risk_from", gettext("“At risk from” must be below “healthy from”."))
        return data


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy(
            "The integration that will use it, e.g. “Product analytics export”."
        ),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=ApiKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Give a key only what its integration needs."),
    )


def import_max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_IMPORT_MAX_BYTES))


class ImportForm(forms.Form):
    """The upload; the file's rows are checked by :func:`insights.services.imports.check`."""

    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[
            ("usage", gettext_lazy("Usage: account, user, day, feature, count")),
            ("contracts", gettext_lazy("Contracts")),
        ],
        widget=forms.RadioSelect,
        initial="usage",
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, comma-separated, with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > import_max_bytes():
            raise forms.ValidationError(
                gettext(
                    "The file is %(size)s; the limit is %(limit)s. Split it and import the parts."
                )
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(import_max_bytes())}
            )
        return upload


class UpsellMoveForm(forms.Form):
    """Move an upsell lead: pass it to sales, or close it as won (with the ARR it added), lost
    (with why) or dismissed; ``back`` names the page the button was on."""

    CHOICES: ClassVar[list[tuple[str, StrOrPromise]]] = [
        (UpsellLead.Status.PASSED, gettext_lazy("Pass to sales")),
        (UpsellLead.Status.WON, gettext_lazy("Won")),
        (UpsellLead.Status.LOST, gettext_lazy("Lost")),
        (UpsellLead.Status.DISMISSED, gettext_lazy("Dismiss")),
    ]

    status = forms.ChoiceField(choices=CHOICES, label=gettext_lazy("Status"))
    won_amount = forms.DecimalField(
        label=gettext_lazy("ARR won"),
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        required=False,
    )
    lost_reason = forms.CharField(
        label=gettext_lazy("Why it was lost"),
        max_length=UpsellLead._meta.get_field("lost_reason").max_length,
        required=False,
    )
    back = forms.ChoiceField(choices=[("account", "account"), ("book", "book")], required=False)


# The buttons the book and the 360° card show for a lead (the forms with an amount or a
# reason are on the 360° card).
UpsellCloseForm = UpsellMoveForm


class UpsellRaiseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why this account could grow"),
        max_length=UpsellLead._meta.get_field("reason").max_length,
    )
    amount_guess = forms.DecimalField(
        label=gettext_lazy("ARR it could add"),
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        required=False,
    )


class ExpansionConfigForm(forms.ModelForm):
    class Meta:
        model = ExpansionConfig
        fields = ["seat_use_percent", "quiet_days"]
        labels = {
            "seat_use_percent": gettext_lazy("Seat use (%)"),
            "quiet_days": gettext_lazy("Quiet days after a close"),
        }


class CrossSellOfferForm(forms.ModelForm):
    class Meta:
        model = CrossSellOffer
        fields = ["name", "segment", "product", "amount_guess"]
        labels = {
            "name": gettext_lazy("Name"),
            "segment": gettext_lazy("Segment"),
            "product": gettext_lazy("Product"),
            "amount_guess": gettext_lazy("ARR it adds"),
        }
        help_texts = {"amount_guess": ""}


class FeatureLimitForm(forms.ModelForm):
    """A limit on one account (by its address name) or on a plan (a contract product)."""

    account_slug = forms.SlugField(label=gettext_lazy("Account (address name)"), required=False)

    class Meta:
        model = FeatureLimit
        fields = ["feature", "product", "users", "amount_guess"]
        labels = {
            "feature": gettext_lazy("Feature"),
            "product": gettext_lazy("Plan (contract product)"),
            "users": gettext_lazy("People allowed in 30 days"),
            "amount_guess": gettext_lazy("ARR the next tier adds"),
        }
        help_texts = {"amount_guess": ""}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        slug = data.get("account_slug") or ""
        product = (data.get("product") or "").strip()
        if bool(slug) == bool(product):
            raise forms.ValidationError(gettext("Name either one account or one plan."))
        if slug:
            account = Account.objects.filter(slug=slug).first()
            if account is None:
                self.add_error("account_slug", gettext("No account has this address name."))
            data["account"] = account
        return data
