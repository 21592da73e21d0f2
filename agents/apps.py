from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agents"
    verbose_name = _("Agen kantor")

    def ready(self) -> None:
        from agents.selectors import wall_agent_badges
        from cameras.selectors import register_office_agents

        register_office_agents(wall_agent_badges)
