"""Run a measurement on a throwaway database (Django's test database: created, then
destroyed), for the benches that build their own data (`pacer.bench.reminders`,
`pacer.bench.sync`)."""

import os
from collections.abc import Callable
from typing import Any


def on_throwaway_database(measure: Callable[[], Any]) -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacer.settings")
    import django
    from django.db import connection
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return measure()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
