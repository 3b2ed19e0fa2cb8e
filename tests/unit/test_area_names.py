"""Areas named once for every page (lib.areas.area_names): names that several areas of one
level share are told apart by their parent, then by their code."""
from __future__ import annotations

import pandas as pd

from lib.areas import area_names

UNITS = pd.DataFrame([
    ("06", 1, "", "Luang Prabang", "ຫຼວງພະບາງ"),
    ("16", 1, "", "Champasak", "ຈຳປາສັກ"),
    ("0601", 2, "06", "Luang Prabang", "ຫຼວງພະບາງ"),  # as its province: another level
    ("0612", 2, "06", "Phonthong", "ໂພນທອງ"),
    ("1606", 2, "16", "Phonthong", "ໂພນທອງ"),
    ("1607", 2, "16", "Pathoumphone", "ປະທຸມພອນ"),
    ("1608", 2, "16", "Pathoumphone", "ປະທຸມພອນ"),  # same name, same parent
], columns=["code", "level", "parent_code", "name_en", "name_local"])


def test_shared_names_are_told_apart_by_parent_then_code():
    names = area_names(UNITS, "en")
    assert names["06"] == names["0601"] == "Luang Prabang"  # two levels: no clash
    assert names["0612"] == "Phonthong (Luang Prabang)"
    assert names["1606"] == "Phonthong (Champasak)"
    assert names["1607"] == "Pathoumphone (1607)" and names["1608"] == "Pathoumphone (1608)"
    assert len(set(names[c] for c in UNITS["code"] if c.startswith(("0", "1")) and
                   len(c) == 4)) == 5


def test_in_lao_and_with_english():
    assert area_names(UNITS, "lo")["1606"] == "ໂພນທອງ (ຈຳປາສັກ)"
    assert area_names(UNITS, "lo", with_english=True)["0612"] == \
        "ໂພນທອງ (Phonthong) – ຫຼວງພະບາງ"
