"""Errors every layer may raise or catch, their messages written for the user."""

from __future__ import annotations


class StoreError(Exception):
    """A collection that cannot be opened or written; the message is for the user."""
