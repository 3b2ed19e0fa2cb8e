"""Village-like school names in English and Lao script, made from syllables (vectorised)."""
from __future__ import annotations

import numpy as np
import pandas as pd

# (romanised, Lao) pairs. First syllables are place words (field, pond, stream, mouth, hill
# ...), second syllables describe them (gold, victory, new, middle ...), as in Ban Nakham.
_FIRST = (
    ("Na", "ນາ"), ("Nong", "ໜອງ"), ("Houay", "ຫ້ວຍ"), ("Pak", "ປາກ"), ("Phon", "ໂພນ"),
    ("Don", "ດອນ"), ("Hat", "ຫາດ"), ("Tha", "ທ່າ"), ("Nam", "ນ້ຳ"), ("Sop", "ສົບ"),
    ("Vang", "ວັງ"), ("Hin", "ຫີນ"), ("Lat", "ລາດ"), ("Bo", "ບໍ່"), ("Phou", "ພູ"),
    ("Khok", "ໂຄກ"), ("Dong", "ດົງ"), ("Xieng", "ຊຽງ"), ("Keng", "ແກ່ງ"), ("Mouang", "ເມືອງ"),
)
_SECOND = (
    ("kham", "ຄຳ"), ("xay", "ໄຊ"), ("thong", "ທອງ"), ("mai", "ໃໝ່"), ("kang", "ກາງ"),
    ("keo", "ແກ້ວ"), ("savang", "ສະຫວ່າງ"), ("sene", "ແສນ"), ("som", "ສົ້ມ"), ("khoun", "ຄູນ"),
    ("nyai", "ໃຫຍ່"), ("noy", "ນ້ອຍ"), ("deua", "ເດື່ອ"), ("hai", "ໄຮ່"), ("luang", "ຫຼວງ"),
    ("phanh", "ພັນ"), ("sai", "ຊາຍ"), ("ngam", "ງາມ"), ("vieng", "ວຽງ"), ("oudom", "ອຸດົມ"),
    ("sy", "ສີ"), ("bok", "ບົກ"), ("pheng", "ເພັງ"), ("lao", "ລາວ"),
)
_THIRD = (("", ""), ("", ""), ("", ""), (" Neua", " ເໜືອ"), (" Tai", " ໃຕ້"), (" Tha", " ທ່າ"))

SCHOOL_TYPES = {
    # key: (English suffix, Lao prefix)
    "primary": ("Primary School", "ໂຮງຮຽນປະຖົມ"),
    "kindergarten": ("Kindergarten", "ໂຮງຮຽນອະນຸບານ"),
    "lower_secondary": ("Lower Secondary School", "ໂຮງຮຽນມັດທະຍົມຕອນຕົ້ນ"),
    "secondary": ("Secondary School", "ໂຮງຮຽນມັດທະຍົມສົມບູນ"),
    "upper_secondary": ("Upper Secondary School", "ໂຮງຮຽນມັດທະຍົມຕອນປາຍ"),
    "basic": ("Basic Education School", "ໂຮງຮຽນການສຶກສາຂັ້ນພື້ນຖານ"),
}


def village_names(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` village names (English, Lao); names repeat, as village names do."""
    a = rng.integers(0, len(_FIRST), n)
    b = rng.integers(0, len(_SECOND), n)
    c = rng.integers(0, len(_THIRD), n)
    en = (np.array([f for f, _ in _FIRST], dtype=object)[a]
          + np.array([s for s, _ in _SECOND], dtype=object)[b]
          + np.array([t for t, _ in _THIRD], dtype=object)[c])
    lo = (np.array([f for _, f in _FIRST], dtype=object)[a]
          + np.array([s for _, s in _SECOND], dtype=object)[b]
          + np.array([t for _, t in _THIRD], dtype=object)[c])
    return en, lo


def school_names(kind: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Names like "Ban Nakham Primary School" / "ໂຮງຮຽນປະຖົມ ບ້ານນາຄຳ" for school kinds."""
    village_en, village_lo = village_names(len(kind), rng)
    keys = list(SCHOOL_TYPES)
    index = pd.Index(keys).get_indexer(np.asarray(kind, dtype=object))
    if (index < 0).any():
        raise ValueError(f"unknown school kind in {sorted(set(kind) - set(keys))}")
    suffix_en = np.array([" " + SCHOOL_TYPES[k][0] for k in keys], dtype=object)[index]
    prefix_lo = np.array([SCHOOL_TYPES[k][1] + " ບ້ານ" for k in keys], dtype=object)[index]
    return "Ban " + village_en + suffix_en, prefix_lo + village_lo
