"""Every download of every page, on an extract whose names are spreadsheet formulas, links
and markup (:data:`tests.conftest.HOSTILE_TEXTS`): no cell reaches a spreadsheet as a live
formula (OWASP's rule: a leading apostrophe), and the hostile names do reach the files, so
that the check has something to find."""
from __future__ import annotations

import csv
import io

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from lib.export import FORMULA_STARTS, neutralise
from tests.app.pages import open_page


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """Every file a page offers for download while the test runs, by its media id."""
    saved: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def recorded(self, path_or_data, mimetype, kind, filename=None):
        file_id = keep(self, path_or_data, mimetype, kind, filename)
        saved[file_id] = self.get_file(file_id).content
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recorded)
    return saved


def offered(at, saved: dict[str, bytes]) -> dict[str, bytes]:
    """The CSV files of the page's download buttons, by their button's label."""
    out = {}
    for button in at.get("download_button"):
        url = button.proto.url
        if url.endswith(".csv"):
            out[f"{button.proto.label} ({url})"] = saved[url.rsplit("/", 1)[-1].split(".")[0]]
    return out


def live_formulas(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row
            if cell.startswith(FORMULA_STARTS) and neutralise(cell) != cell]


def views(codes: dict[str, list[str]]) -> list[tuple[str, dict[str, str]]]:
    province, district, school = codes["province"][0], codes["district"][0], codes["school"]
    return [("overview", {}), ("overview", {"area": province}), ("overview", {"area": district}),
            ("map", {"admin": "district"}), ("map", {"admin": "province"}),
            ("map", {"area": province}),
            ("equity", {"admin": "district"}), ("equity", {"by": "sex", "admin": "province"}),
            ("trends", {"compare": ",".join(codes["province"][1:3] + codes["district"][1:3])}),
            ("trends", {"area": district}),
            ("schools", {"school": school[0]}), ("schools", {"school": school[1]}),
            ("data-quality", {}), ("about", {})]


def test_no_download_holds_a_live_formula(hostile_names, downloads, monkeypatch):
    extract, codes = hostile_names
    monkeypatch.setenv("EMIS_DB", str(extract))
    files: dict[str, bytes] = {}
    for page, query in views(codes):
        at = open_page(f"pages/{page}.py", **query)
        files.update({f"{page} {query} {name}": data
                      for name, data in offered(at, downloads).items()})
    assert len(files) >= 25, sorted(files)
    found = {name: live_formulas(data) for name, data in files.items()}
    assert not {name: cells for name, cells in found.items() if cells}
    text = "\n".join(data.decode("utf-8-sig") for data in files.values())
    for neutralised in ("'=1+1", "'+1+1 Sisattanak", "'-1+1 Chanthabouly", "'@SUM(A1:A9)",
                        "'\t=2+2 Hadxaifong", "'=cmd|' /C calc'!A0"):
        assert neutralised in text, f"{neutralised!r} reached a download"
