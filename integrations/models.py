"""The portal where people already work: the hub embedded in the vendor's product, outbound
webhooks, chat notifications and calendar feeds.

Other apps never import this one: it listens to :data:`playbooks.events.events_recorded` (every
event the portal records, after commit) and reads the features through their figures.
"""

from __future__ import annotations
