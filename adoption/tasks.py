"""Background work for adoption campaigns: telling the people a launch reached."""

from __future__ import annotations

from portal.jobs import job_task

from . import services


@job_task("adoption.tell_campaign_targets")
def tell_campaign_targets(campaign_id: int) -> int:
    return services.tell_campaign_targets(campaign_id)
