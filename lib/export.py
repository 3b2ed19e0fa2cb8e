"""Tables as the CSV files a reader downloads.

UTF-8 with a byte-order mark, so that Excel (the tool most ministry staff open a CSV
with) reads Lao names as Lao, not as mojibake; pandas, R and LibreOffice skip the mark.
Machine column names; numbers at full precision, but a column of whole numbers held as
floats (pupils, teachers, numerators) written as whole numbers: 12655, not 12655.0.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

ENCODING = "utf-8-sig"
_EXACT = 2 ** 53  # floats hold every whole number up to here


def whole_numbers_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each float column whose values are all whole numbers (missing values
    aside) as a nullable integer column."""
    out = frame.copy(deep=False)
    for name, column in frame.items():
        if column.dtype.kind != "f":
            continue
        values = column.to_numpy(dtype="float64")
        known = values[np.isfinite(values)]
        if np.isinf(values).any() or not len(known):
            continue
        if (known == np.round(known)).all() and np.abs(known).max() < _EXACT:
            out[name] = column.astype("Int64")
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a CSV file to download (see the module's note)."""
    return whole_numbers_as_integers(frame).to_csv(index=False).encode(ENCODING)
