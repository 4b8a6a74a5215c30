from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from bases import hooks
        from portal import pricing

        if pricing.annotate_catalogue_for_user not in hooks.catalogue_annotators:
            hooks.catalogue_annotators.append(pricing.annotate_catalogue_for_user)
