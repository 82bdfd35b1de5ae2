"""What a server process does once, before its first request."""

import gc

from django.urls import get_resolver


def freeze_startup_heap() -> None:
    """Load the URLconf (every view, the API and its schemas), then take everything alive so
    far out of the garbage collector's scans (`gc.freeze`).

    The startup heap (Django, the libraries, the URLconf: about 160,000 objects) lives as
    long as the process, yet every full collection walked it: a page that happened to
    trigger one took ~75 ms longer (measured on the team dashboard at the large bench size,
    docs/benchmarks.md). Frozen objects are never freed, which is what these are anyway; a
    pre-forking server also keeps them shared between its workers instead of copying them.
    """
    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    gc.collect()
    gc.freeze()
