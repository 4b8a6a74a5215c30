from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from applications import page_hooks, receivers
        from bases import hooks, signals

        signals.batches_closed.connect(
            receivers.tell_applicants_batches_closed, dispatch_uid="applications-batches-closed"
        )
        signals.batch_seats_freed.connect(
            receivers.promote_after_seats_freed, dispatch_uid="applications-seats-freed"
        )
        # Worker's eligibility and apply buttons on the catalogue and the itinerary page.
        if page_hooks.annotate_cards not in hooks.card_annotators:
            hooks.card_annotators.append(page_hooks.annotate_cards)
        if page_hooks.annotate_batches not in hooks.batch_annotators:
            hooks.batch_annotators.append(page_hooks.annotate_batches)
