"""The suite really runs on the database it was asked for (PACER_TEST_DB)."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_connection_vendor_matches_pacer_test_db() -> None:
    wanted = os.environ.get("PACER_TEST_DB", "").strip().lower()
    expected = "postgresql" if wanted in {"postgres", "postgresql"} else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
