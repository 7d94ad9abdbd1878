"""The rules app's admin: each part registers its own hooks and item tabs when imported here."""

from . import admin_calendar, admin_flow, admin_situations  # noqa: F401
