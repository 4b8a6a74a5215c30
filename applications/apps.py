from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from applications import receivers
        from bases import signals

        signals.batches_closed.connect(
            receivers.tell_applicants_batches_closed, dispatch_uid="applications-batches-closed"
        )
        signals.batch_seats_freed.connect(
            receivers.promote_after_seats_freed, dispatch_uid="applications-seats-freed"
        )
