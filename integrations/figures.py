"""Every figure the integrations app computes."""

from __future__ import annotations
