"""Demo data of the integrations app."""

from __future__ import annotations
