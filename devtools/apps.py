from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Benchmarks, the demo and replays: tools around the product, never in its check path.

    Only this app imports them; the production apps import nothing from here.
    """

    name = "devtools"
    verbose_name = "Developer tools"
