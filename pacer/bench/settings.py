"""Pacer's settings plus the bench's no-op endpoint (`/bench/noop`), for throughput runs only.

`DJANGO_SETTINGS_MODULE=pacer.bench.settings gunicorn pacer.wsgi` serves the same app as
production with one extra URL; production URLs and settings stay untouched.
"""

from pacer.settings import *  # noqa: F403

ROOT_URLCONF = "pacer.bench.urls"
