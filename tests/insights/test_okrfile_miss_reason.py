"""Miss reasons travel in the OKR file like overrides: export, import, byte-identical
export again; the file's reason obeys the service's rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pacer.okrs import services
from pacer.okrs.models import KeyResult
from pacer.okrs.okrfile.importer import ImportFailed, import_file
from tests.factories import World, check_in, fresh, make_world, write_file
from tests.okrs.test_round_trip import assert_round_trip, exports

pytestmark = pytest.mark.django_db


def test_a_miss_reason_survives_export_and_import_in_a_closed_cycle(tmp_path: Path) -> None:
    world: World = make_world()
    services.cycle_close(cycle=world.cycle)
    services.key_result_set_miss_reason(
        key_result=world.adoption, miss_reason="other", miss_note="The office flooded"
    )
    assert "miss_reason: other" in exports()["Acme"]
    assert_round_trip(tmp_path)
    adoption = KeyResult.objects.get(ref="adoption")
    assert (adoption.miss_reason, adoption.miss_note) == ("other", "The office flooded")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("    miss_reason: other\n", "say in a note why"),
        ("    miss_reason: external\n", "only a missed key result"),
        ("    miss_reason: luck\n", "miss_reason"),
    ],
)
def test_a_files_reason_obeys_the_services_rule(tmp_path: Path, lines: str, message: str) -> None:
    world: World = make_world()
    check_in(world.adoption, 90, date(2026, 5, 1))  # met: score 1.0
    services.cycle_close(cycle=world.cycle)
    text = exports()["Acme"].replace("  - ref: adoption\n", "  - ref: adoption\n" + lines, 1)
    assert lines in text
    with pytest.raises(ImportFailed, match=message):
        import_file(str(write_file(tmp_path, text)))
    assert fresh(world.adoption).miss_reason == ""
