"""Every write of the integrations app, one module per feature: ``embed``, ``webhooks``,
``chat``, ``calendar``."""
