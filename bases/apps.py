from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bases"
    verbose_name = _("Bases and itineraries")

    def ready(self) -> None:
        from bases import receivers

        receivers.connect()
