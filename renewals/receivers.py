"""What renewals takes from insights: a batch of contracts written (the import and the API's
bulk path) opens their renewals, in a job off the request. Contracts saved one by one are
found by the nightly task."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from insights.signals import contracts_written
from portal.jobs import enqueue


@receiver(contracts_written, dispatch_uid="renewals.contracts_written")
def open_renewals_of_written_contracts(sender: Any, contract_ids: list[int], **kwargs: Any) -> None:
    if contract_ids:
        enqueue("renewals.open_renewals", contract_ids=list(contract_ids))
