from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Kepatuhan jam buka")

    def ready(self) -> None:
        from cameras.selectors import register_office_badges
        from compliance.selectors import wall_office_badges

        register_office_badges(wall_office_badges)
