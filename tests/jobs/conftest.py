"""The jobs tests run on an installation of one organization: its admins are the
installation's operators and see its background tasks (permissions.can_see_background_tasks)."""

from typing import Any

import pytest

from pacer.accounts.models import User
from pacer.okrs.models import Objective
from tests.factories import World, make_world


@pytest.fixture
def world(db: Any) -> World:
    """The shared world without Globex: an installation of one organization, whose admins
    see the installation's tasks."""
    built = make_world()
    Objective.objects.filter(organization=built.other_org).delete()
    User.objects.filter(organization=built.other_org).delete()
    built.other_org.delete()
    return built
