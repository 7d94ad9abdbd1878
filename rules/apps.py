from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = _("规则与流程")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connects the signals that rebuild the working-day calendar when a CalendarDay is saved or deleted.
        from . import (
            calendar,  # noqa: F401
            logic,
            operations,
        )

        # Our own operations (working days, ID numbers, codes) join the standard ones once Django is set up:
        # they read the calendar and catalog's validators.
        operations.register(logic.OPERATIONS)
