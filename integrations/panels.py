"""Slots the integrations app fills on the account page."""

from __future__ import annotations
