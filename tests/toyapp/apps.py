"""A toy app used by tests/core/test_architecture.py: everything an app adds to Entezam,
registered from its own folder, with no edit anywhere else but INSTALLED_APPS."""

from django.apps import AppConfig

from entezam.core.registry import (
    Panel,
    register_action_labels,
    register_home_panel,
    register_job,
    register_nav,
    register_periodic,
)


def _home(request):
    return {"toy_greeting": "سلام از اپ آزمایشی"}


def toy_job(job, progress):
    return {"toy": True}


def toy_tick():
    return "toy ticked"


class ToyConfig(AppConfig):
    name = "tests.toyapp"
    label = "toyapp"
    url_prefix = "toy/"

    def ready(self) -> None:
        register_action_labels({"toy.poke": "Toy poked"})
        register_nav("toyapp:index", "Toy", "stars", order=95)
        register_home_panel(Panel("toyapp/home.html", _home, 999))
        register_job("toy_job", "tests.toyapp.apps.toy_job")
        register_periodic("toy-tick", "tests.toyapp.apps.toy_tick", seconds=60)
