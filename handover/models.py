"""The sales-to-CS handover: what sales learnt about a new customer, handed to the CSM.

One handover per account: the customer's expectations and challenges, the objectives they
bought for (each may become an objective of the success plan, once), the people in the deal,
what was promised, and the deal itself. It is filled by the CSM in the portal or pushed by the
sales system through the API, then reviewed by the CSM. Customers never see it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Account


class HandoverStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RECEIVED = "received", _("Received from sales")
    REVIEWED = "reviewed", _("Reviewed by the CSM")


class Influence(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Handover(models.Model):
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="handover")
    expectations = models.TextField(blank=True, max_length=5000)
    challenges = models.TextField(blank=True, max_length=5000)
    deal_closed_on = models.DateField(_("close date"), null=True, blank=True)
    deal_amount = models.DecimalField(
        _("deal amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    sales_owner = models.CharField(_("sales owner"), max_length=200, blank=True)
    source_id = models.CharField(
        _("deal id in the sales system"),
        max_length=100,
        blank=True,
        help_text=_("The CRM's own id."),
    )
    status = models.CharField(
        max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.DRAFT
    )
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The integration that pushed it last (its API key's name), empty when filled in the portal.
    received_from = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account"]

    def __str__(self) -> str:
        return f"Handover of {self.account}"

    def get_absolute_url(self) -> str:
        return reverse("handover", args=[self.account.slug])

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("the handover of %(account)s"), account=self.account.name)

    @property
    def is_reviewed(self) -> bool:
        return self.status == HandoverStatus.REVIEWED


class HandoverObjective(models.Model):
    """What the customer wants to achieve, as sales heard it. Once taken into the success plan
    it is not offered again (``taken_at``), even if the plan's objective is later removed."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=200)
    why = models.TextField(_("why it matters"), blank=True, max_length=2000)
    measure = models.CharField(_("how it is measured"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField(null=True, blank=True)
    plan_objective = models.ForeignKey(
        "successplans.Objective",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The success plan's objective made from it."),
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Stakeholder(models.Model):
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=200)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    deal_role = models.CharField(
        _("role in the deal"), max_length=200, blank=True, help_text=_("Champion, buyer, signer…")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    influence = models.CharField(max_length=14, choices=Influence.choices, default=Influence.MEDIUM)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Promise(models.Model):
    """Something sales promised the customer, that the CSM must now keep."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="promises")
    promise = models.CharField(max_length=300)
    promised_by = models.CharField(_("by whom"), max_length=200, blank=True)
    due_on = models.DateField(pgettext_lazy("deadline", "due"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.promise
