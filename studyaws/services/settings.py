"""The user's settings as the settings screen and `studyaws config` read and change them:
each value checked (studyaws.core.config) before it is stored."""

from __future__ import annotations

from studyaws.store.settings import load_settings, save_setting, settings_items

__all__ = ["load_settings", "save_setting", "settings_items"]
