"""The rules app's admin: each part registers its own hooks and item tabs when imported here."""

from wagtail.snippets.models import register_snippet

from . import admin_calendar, admin_flow, admin_situations  # noqa: F401

# The 规则与流程 menu, once every part above has added its viewsets to admin_calendar.RULES_MENU_VIEWSETS.
register_snippet(admin_calendar.RulesViewSetGroup)
