"""What success plans announce, after the commit that made it so. Playbooks listen; this app
imports none of them.

    signoff_rejected.send(sender=SignOff, signoff=signoff)
"""

from django.dispatch import Signal

#: The customer rejected a milestone's sign-off (``signoff``: the decided
#: :class:`~successplans.models.SignOff`, with its reason).
signoff_rejected = Signal()
