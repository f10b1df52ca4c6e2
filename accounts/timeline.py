"""Each line of an account's timeline as one sentence of the reader's language.

An activity stores its verb in English ("updated a renewal", marked with ``gettext_noop`` where
it is recorded). Set between the actor and the target it reads well in English, French and
Spanish, not in German ("Dana hat aktualisiert Plan X"): each language needs the whole
sentence, to put the words in its own order ("Dana hat Plan X aktualisiert"). These tables give
each verb the portal records its sentence: ``%(actor)s`` is the person's name (or "The
portal"), ``%(target)s`` what it was done to, as the timeline shows them. A verb that is not in
them (an entry from before, one recorded by an older version) is read as before, the verb
between the two (:meth:`accounts.models.Activity.line`).

Where the target's label names what it is (a lesson's is ``lesson “%(title)s”``, a renewal's
``the renewal of %(product)s``), the sentence does not name it again: "Priya added the lesson
“Sharing with your board”", not "added a lesson lesson “…”"; the verb stored stays as it was.

Where verbs of several kinds of target would share a sentence ("edited the %(target)s": a
course, a lesson), each has its own, with a context naming the target (a stored text, read with
its context), so that a language can give each its article.

A new verb gets its sentence here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop, pgettext_lazy

from portal.i18n import StoredText, stored_text


def _in_context(sentence: Any) -> StoredText:
    """A sentence with a context (a ``pgettext_lazy`` text), kept with it to be read with it."""
    return stored_text(sentence)


# The sentence of each verb recorded with a target.
WITH_TARGET: dict[str, str] = {
    # Translators: a line of an account's timeline: %(actor)s is a person's name (or "The
    # portal"), %(target)s what they did it to (a plan's title, a person's e-mail address…).
    "accepted an advocacy ask": gettext_noop("%(actor)s accepted the %(target)s"),
    "added": gettext_noop("%(actor)s added %(target)s"),
    "added a chat channel": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: a chat channel", "%(actor)s added %(target)s")
    ),
    "added a churn reason": gettext_noop("%(actor)s added a churn reason %(target)s"),
    "added a cross-sell offer": gettext_noop("%(actor)s added a cross-sell offer %(target)s"),
    "added a feature limit": gettext_noop("%(actor)s added a feature limit %(target)s"),
    "added a form field": gettext_noop("%(actor)s added a form field %(target)s"),
    "added a KPI": gettext_noop("%(actor)s added a KPI %(target)s"),
    "added a lesson": gettext_noop("%(actor)s added the %(target)s"),
    "added a member of staff": gettext_noop("%(actor)s added a member of staff %(target)s"),
    "added a milestone": gettext_noop("%(actor)s added a milestone %(target)s"),
    "added a note to a task": gettext_noop("%(actor)s added a note to a task %(target)s"),
    "added a phase": gettext_noop("%(actor)s added a phase %(target)s"),
    "added a plan template item": gettext_noop("%(actor)s added a plan template item %(target)s"),
    "added a renewal checklist step": gettext_noop(
        "%(actor)s added a renewal checklist step %(target)s"
    ),
    "added a task": gettext_noop("%(actor)s added a task %(target)s"),
    "added a template task": gettext_noop("%(actor)s added a template task %(target)s"),
    "added a webhook endpoint": gettext_noop("%(actor)s added a webhook endpoint %(target)s"),
    "added an action item": gettext_noop("%(actor)s added an action item %(target)s"),
    "added an objective": gettext_noop("%(actor)s added an objective %(target)s"),
    "answered": gettext_noop("%(actor)s answered %(target)s"),
    "answered a form": gettext_noop("%(actor)s answered a form %(target)s"),
    "approved": gettext_noop("%(actor)s approved %(target)s"),
    "approved a case study": gettext_noop("%(actor)s approved the %(target)s"),
    "approved a request to join": gettext_noop("%(actor)s approved a request to join %(target)s"),
    "archived a plan template": gettext_noop("%(actor)s archived a plan template %(target)s"),
    "archived a survey": gettext_noop("%(actor)s archived a survey %(target)s"),
    "archived a template": gettext_noop("%(actor)s archived a template %(target)s"),
    "asked for": gettext_noop("%(actor)s asked for %(target)s"),
    "asked for a PDF of": gettext_noop("%(actor)s asked for a PDF of %(target)s"),
    "asked for advocacy": gettext_noop("%(actor)s sent the %(target)s"),
    "assigned a course": gettext_noop("%(actor)s assigned a course %(target)s"),
    "assigned a task": gettext_noop("%(actor)s assigned a task %(target)s"),
    "assigned the owner CSM": gettext_noop("%(actor)s assigned the owner CSM %(target)s"),
    "attached a file": gettext_noop("%(actor)s attached a file to the %(target)s"),
    "booked a reference call": gettext_noop("%(actor)s booked a %(target)s"),
    "brought the account back": gettext_noop("%(actor)s brought the account back %(target)s"),
    "changed a document": gettext_noop("%(actor)s changed a document %(target)s"),
    "changed a quiz": gettext_noop("%(actor)s changed the quiz of the %(target)s"),
    "changed a role": gettext_noop("%(actor)s changed a role %(target)s"),
    "changed a staff role": gettext_noop("%(actor)s changed a staff role %(target)s"),
    "changed a staff team": gettext_noop("%(actor)s changed a staff team %(target)s"),
    "changed a value KPI": gettext_noop("%(actor)s changed the %(target)s"),
    "changed a webhook endpoint": gettext_noop("%(actor)s changed a webhook endpoint %(target)s"),
    "changed self-join": gettext_noop("%(actor)s changed self-join %(target)s"),
    "changed single sign-on": gettext_noop("%(actor)s changed %(target)s"),
    "changed the embed settings": gettext_noop("%(actor)s changed the settings of %(target)s"),
    "changed the expansion rules": gettext_noop("%(actor)s changed the expansion rules %(target)s"),
    "changed the health score settings": gettext_noop(
        "%(actor)s changed the health score settings %(target)s"
    ),
    "changed the playbook pause note for": gettext_noop(
        "%(actor)s changed the playbook pause note for %(target)s"
    ),
    "changed the reminder ladder": gettext_noop("%(actor)s changed the reminder ladder %(target)s"),
    "cleared the plan's health override": gettext_noop(
        "%(actor)s cleared the plan's health override %(target)s"
    ),
    "closed an upsell lead": gettext_noop("%(actor)s closed the %(target)s"),
    "commented on a task": gettext_noop("%(actor)s commented on a task %(target)s"),
    "commented on the plan": gettext_noop("%(actor)s commented on the plan %(target)s"),
    "completed a task": gettext_noop("%(actor)s completed a task %(target)s"),
    "completed the offboarding": gettext_noop("%(actor)s completed %(target)s"),
    "confirmed a value KPI": gettext_noop("%(actor)s confirmed the %(target)s"),
    "copied a template": gettext_noop("%(actor)s copied a template %(target)s"),
    "could not run a step of": gettext_noop("%(actor)s could not run a step of %(target)s"),
    "created": gettext_noop("%(actor)s created %(target)s"),
    "created a course": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: a course", "%(actor)s created the %(target)s")
    ),
    "created a folder": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: a folder", "%(actor)s created the %(target)s")
    ),
    "created a plan template": gettext_noop("%(actor)s created a plan template %(target)s"),
    "created a playbook": gettext_noop("%(actor)s created a playbook %(target)s"),
    "created a success plan": gettext_noop("%(actor)s created a success plan %(target)s"),
    "created a survey": gettext_noop("%(actor)s created a survey %(target)s"),
    "created a survey campaign": gettext_noop("%(actor)s created a survey campaign %(target)s"),
    "created a task": gettext_noop("%(actor)s created a task %(target)s"),
    "created a template": gettext_noop("%(actor)s created a template %(target)s"),
    "created an API key": gettext_noop("%(actor)s created an API key %(target)s"),
    "created an e-mail template": gettext_noop("%(actor)s created an e-mail template %(target)s"),
    "created the account": gettext_noop("%(actor)s created the account %(target)s"),
    "deactivated a user": gettext_noop("%(actor)s deactivated a user %(target)s"),
    "declined a request to join": gettext_noop("%(actor)s declined a request to join %(target)s"),
    "declined an advocacy ask": gettext_noop("%(actor)s declined the %(target)s"),
    "defined a value KPI": gettext_noop("%(actor)s defined the %(target)s"),
    "deleted a document": gettext_noop("%(actor)s deleted a document %(target)s"),
    "deleted a folder": gettext_noop("%(actor)s deleted the %(target)s"),
    "deleted a phase": gettext_noop("%(actor)s deleted a phase %(target)s"),
    "deleted a playbook": gettext_noop("%(actor)s deleted a playbook %(target)s"),
    "deleted a template task": gettext_noop("%(actor)s deleted a template task %(target)s"),
    "disabled a failing webhook endpoint": gettext_noop(
        "%(actor)s disabled a failing webhook endpoint %(target)s"
    ),
    "downloaded": gettext_noop("%(actor)s downloaded %(target)s"),
    "downloaded a document": gettext_noop("%(actor)s downloaded a document %(target)s"),
    "edited a case study": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: a case study", "%(actor)s edited the %(target)s")
    ),
    "edited a course": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: a course", "%(actor)s edited the %(target)s")
    ),
    "edited a form field": gettext_noop("%(actor)s edited a form field %(target)s"),
    "edited a form's answers": gettext_noop("%(actor)s edited a form's answers %(target)s"),
    "edited a KPI": gettext_noop("%(actor)s edited a KPI %(target)s"),
    "edited a lesson": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: a lesson", "%(actor)s edited the %(target)s")
    ),
    "edited a milestone": gettext_noop("%(actor)s edited a milestone %(target)s"),
    "edited a playbook": gettext_noop("%(actor)s edited a playbook %(target)s"),
    "edited a survey": gettext_noop("%(actor)s edited a survey %(target)s"),
    "edited a task": gettext_noop("%(actor)s edited a task %(target)s"),
    "edited a template": gettext_noop("%(actor)s edited a template %(target)s"),
    "edited a template task": gettext_noop("%(actor)s edited a template task %(target)s"),
    "edited an action item": gettext_noop("%(actor)s edited an action item %(target)s"),
    "edited an e-mail template": gettext_noop("%(actor)s edited an e-mail template %(target)s"),
    "edited an objective": gettext_noop("%(actor)s edited an objective %(target)s"),
    "edited the account": gettext_noop("%(actor)s edited the account %(target)s"),
    "edited the chat channel": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: a chat channel", "%(actor)s edited %(target)s")
    ),
    "edited the handover": gettext_noop("%(actor)s edited %(target)s"),
    "edited the review": gettext_noop("%(actor)s edited the review %(target)s"),
    "edited the update": gettext_noop("%(actor)s edited %(target)s"),
    "enabled a playbook": gettext_noop("%(actor)s enabled a playbook %(target)s"),
    "ended a survey campaign": gettext_noop("%(actor)s ended a survey campaign %(target)s"),
    "ended the previous embed secret": gettext_noop(
        "%(actor)s ended the previous secret of %(target)s"
    ),
    "filled in the handover": gettext_noop("%(actor)s filled in %(target)s"),
    "finished a lesson": gettext_noop("%(actor)s finished the %(target)s"),
    "flagged an upsell lead": gettext_noop("%(actor)s flagged the %(target)s"),
    "invited": gettext_noop("%(actor)s invited %(target)s"),
    "joined": gettext_noop("%(actor)s joined %(target)s"),
    "joined through single sign-on": gettext_noop(
        "%(actor)s joined through single sign-on %(target)s"
    ),
    "kept KPI definitions to the vendor": gettext_noop(
        "%(actor)s kept KPI definitions to the vendor %(target)s"
    ),
    "launched": gettext_noop("%(actor)s launched %(target)s"),
    "let the champion change KPI definitions": gettext_noop(
        "%(actor)s let the champion change KPI definitions %(target)s"
    ),
    "made a calendar address": gettext_noop("%(actor)s made an address for %(target)s"),
    "made the embed secret": gettext_noop("%(actor)s made the secret of %(target)s"),
    "marked a reference call done": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: a reference call", "%(actor)s marked the %(target)s done")
    ),
    "marked a survey follow-up contacted": gettext_noop(
        "%(actor)s marked the %(target)s contacted"
    ),
    "marked a survey follow-up open": gettext_noop("%(actor)s marked the %(target)s open"),
    "marked a survey follow-up resolved": gettext_noop("%(actor)s marked the %(target)s resolved"),
    "marked an advocacy ask done": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: an advocacy ask", "%(actor)s marked the %(target)s done")
    ),
    "marked the account offboarded": gettext_noop(
        "%(actor)s marked the account offboarded %(target)s"
    ),
    "moved a form field down": gettext_noop("%(actor)s moved a form field down %(target)s"),
    "moved a form field up": gettext_noop("%(actor)s moved a form field up %(target)s"),
    "moved a task down": gettext_noop("%(actor)s moved a task down %(target)s"),
    "moved a task up": gettext_noop("%(actor)s moved a task up %(target)s"),
    "moved an offboarding step": gettext_noop("%(actor)s moved an offboarding step %(target)s"),
    "notified": gettext_noop("%(actor)s notified %(target)s"),
    "offered a churn reason again": gettext_noop(
        "%(actor)s offered a churn reason again %(target)s"
    ),
    "opened a renewal": gettext_noop("%(actor)s opened %(target)s"),
    "passed a course": gettext_noop("%(actor)s passed a course %(target)s"),
    "passed a quiz": gettext_noop("%(actor)s passed the quiz of the %(target)s"),
    "passed an upsell lead to sales": gettext_noop("%(actor)s passed the %(target)s to sales"),
    "paused a playbook": gettext_noop("%(actor)s paused a playbook %(target)s"),
    "paused playbooks for": gettext_noop("%(actor)s paused playbooks for %(target)s"),
    "paused surveys": gettext_noop("%(actor)s paused surveys %(target)s"),
    "published a course": gettext_noop("%(actor)s published the %(target)s"),
    "published the review": gettext_noop("%(actor)s published the review %(target)s"),
    "published the update": gettext_noop("%(actor)s published %(target)s"),
    "raised an upsell lead": gettext_noop("%(actor)s raised the %(target)s"),
    "ran": gettext_noop("%(actor)s ran %(target)s"),
    "ran a step of": gettext_noop("%(actor)s ran a step of %(target)s"),
    "reactivated a user": gettext_noop("%(actor)s reactivated a user %(target)s"),
    "reassigned a task": gettext_noop("%(actor)s reassigned a task %(target)s"),
    "received a request to join from": gettext_noop(
        "%(actor)s received a request to join from %(target)s"
    ),
    "received the handover": gettext_noop("%(actor)s received %(target)s"),
    "received the withdrawal of a request to join from": gettext_noop(
        "%(actor)s received the withdrawal of a request to join from %(target)s"
    ),
    "recorded a value reading": gettext_noop("%(actor)s recorded a reading of the %(target)s"),
    "referred a company": gettext_noop("%(actor)s made the %(target)s"),
    "rejected": gettext_noop("%(actor)s rejected %(target)s"),
    "rejected a case study": gettext_noop("%(actor)s rejected the %(target)s"),
    "removed": gettext_noop("%(actor)s removed %(target)s"),
    "removed a form field": gettext_noop("%(actor)s removed a form field %(target)s"),
    "removed a KPI": gettext_noop("%(actor)s removed a KPI %(target)s"),
    "removed a milestone": gettext_noop("%(actor)s removed a milestone %(target)s"),
    "removed a plan template item": gettext_noop(
        "%(actor)s removed a plan template item %(target)s"
    ),
    "removed a renewal checklist step": gettext_noop(
        "%(actor)s removed a renewal checklist step %(target)s"
    ),
    "removed a task": gettext_noop("%(actor)s removed a task %(target)s"),
    "removed a webhook endpoint": gettext_noop("%(actor)s removed a webhook endpoint %(target)s"),
    "removed an action item": gettext_noop("%(actor)s removed an action item %(target)s"),
    "removed an objective": gettext_noop("%(actor)s removed an objective %(target)s"),
    "removed an offboarding step": gettext_noop("%(actor)s removed an offboarding step %(target)s"),
    "removed from the account": gettext_noop("%(actor)s removed from the account %(target)s"),
    "removed the chat channel": _in_context(
        # Translators: the context says what %(target)s is (for its article).
        pgettext_lazy("timeline: a chat channel", "%(actor)s removed %(target)s")
    ),
    "removed the product id": gettext_noop("%(actor)s removed the %(target)s"),
    "renamed a folder": gettext_noop("%(actor)s renamed the %(target)s"),
    "renamed a phase": gettext_noop("%(actor)s renamed a phase %(target)s"),
    "reopened a task": gettext_noop("%(actor)s reopened a task %(target)s"),
    "replaced their calendar address": gettext_noop("%(actor)s replaced the address of %(target)s"),
    "resent a webhook delivery": gettext_noop("%(actor)s resent a webhook delivery %(target)s"),
    "resent an invitation": gettext_noop("%(actor)s resent an invitation %(target)s"),
    "restored a plan template": gettext_noop("%(actor)s restored a plan template %(target)s"),
    "restored a survey": gettext_noop("%(actor)s restored a survey %(target)s"),
    "restored a template": gettext_noop("%(actor)s restored a template %(target)s"),
    "resumed playbooks for": gettext_noop("%(actor)s resumed playbooks for %(target)s"),
    "resumed surveys": gettext_noop("%(actor)s resumed surveys %(target)s"),
    "retired a churn reason": gettext_noop("%(actor)s retired a churn reason %(target)s"),
    "retried the PDF of": gettext_noop("%(actor)s retried the PDF of %(target)s"),
    "reviewed the handover": gettext_noop("%(actor)s reviewed %(target)s"),
    "revoked an API key": gettext_noop("%(actor)s revoked an API key %(target)s"),
    "revoked an invitation": gettext_noop("%(actor)s revoked an invitation %(target)s"),
    "rotated a webhook secret": gettext_noop("%(actor)s rotated a webhook secret %(target)s"),
    "rotated the embed secret": gettext_noop("%(actor)s rotated the secret of %(target)s"),
    "saved a plan as a template": gettext_noop("%(actor)s saved a plan as a template %(target)s"),
    "scheduled the update": gettext_noop("%(actor)s scheduled %(target)s"),
    "sent a case study for approval": gettext_noop("%(actor)s sent the %(target)s for approval"),
    "sent a self-join invitation to": gettext_noop(
        "%(actor)s sent a self-join invitation to %(target)s"
    ),
    "sent a survey": gettext_noop("%(actor)s sent a survey %(target)s"),
    "sent a survey campaign": gettext_noop("%(actor)s sent a survey campaign %(target)s"),
    "sent a test message to": gettext_noop("%(actor)s sent a test message to %(target)s"),
    "sent a test webhook": gettext_noop("%(actor)s sent a test webhook %(target)s"),
    "sent the exit survey": gettext_noop("%(actor)s sent the exit survey %(target)s"),
    "set the plan's health": gettext_noop("%(actor)s set the plan's health %(target)s"),
    "set the product id": gettext_noop("%(actor)s set the %(target)s"),
    "set up single sign-on": gettext_noop("%(actor)s set up %(target)s"),
    "snoozed a task": gettext_noop("%(actor)s snoozed a task %(target)s"),
    "started a case study": gettext_noop("%(actor)s started the %(target)s"),
    "started onboarding": gettext_noop("%(actor)s started onboarding %(target)s"),
    "started the offboarding": gettext_noop("%(actor)s started %(target)s"),
    "started the plan from the handover": gettext_noop(
        "%(actor)s started the plan from the handover %(target)s"
    ),
    "started the review": gettext_noop("%(actor)s started the review %(target)s"),
    "started the Wrapped batch": gettext_noop("%(actor)s started %(target)s"),
    "stopped": gettext_noop("%(actor)s stopped %(target)s"),
    "switched off single sign-on": gettext_noop("%(actor)s switched off %(target)s"),
    "ticked a renewal step": gettext_noop("%(actor)s ticked a renewal step %(target)s"),
    "ticked an offboarding step": gettext_noop("%(actor)s ticked an offboarding step %(target)s"),
    "took a quiz": gettext_noop("%(actor)s took the quiz of the %(target)s"),
    "trained the churn forecast": gettext_noop("%(actor)s trained %(target)s"),
    "turned account e-mails off": gettext_noop("%(actor)s turned account e-mails off %(target)s"),
    "turned e-mails off": gettext_noop("%(actor)s turned e-mails off %(target)s"),
    "turned off their calendar address": gettext_noop("%(actor)s turned off %(target)s"),
    "unpublished a course": gettext_noop("%(actor)s unpublished the %(target)s"),
    "unpublished the review": gettext_noop("%(actor)s unpublished the review %(target)s"),
    "unpublished the update": gettext_noop("%(actor)s unpublished %(target)s"),
    "unticked a renewal step": gettext_noop("%(actor)s unticked a renewal step %(target)s"),
    "unticked an offboarding step": gettext_noop(
        "%(actor)s unticked an offboarding step %(target)s"
    ),
    "updated a referral": gettext_noop("%(actor)s updated the %(target)s"),
    "updated a renewal": gettext_noop("%(actor)s updated %(target)s"),
    "updated the pulse": gettext_noop("%(actor)s updated the pulse %(target)s"),
    "uploaded a document": gettext_noop("%(actor)s uploaded a document %(target)s"),
    "viewed the portal as a customer": gettext_noop(
        "%(actor)s viewed the portal as a customer %(target)s"
    ),
    "wrote the update": gettext_noop("%(actor)s wrote %(target)s"),
    "wrote the Wrapped note for": gettext_noop("%(actor)s wrote the Wrapped note for %(target)s"),
}

# The sentence of each verb recorded without one.
WITHOUT_TARGET: dict[str, str] = {
    # Translators: a line of an account's timeline: %(actor)s is a person's name (or "The
    # portal").
    "changed the licensed features": gettext_noop("%(actor)s changed the licensed features"),
    "imported contracts from a CSV file": gettext_noop(
        "%(actor)s imported contracts from a CSV file"
    ),
    "imported usage from a CSV file": gettext_noop("%(actor)s imported usage from a CSV file"),
    "removed a cross-sell offer": gettext_noop("%(actor)s removed a cross-sell offer"),
    "removed a feature limit": gettext_noop("%(actor)s removed a feature limit"),
    "removed a value KPI": gettext_noop("%(actor)s removed a value KPI"),
}
