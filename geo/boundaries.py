"""Read the ``boundaries/`` folder of a data package and match its polygons to admin units.

Real boundary files rarely carry the national codes, and their English spellings differ from
the national code lists, so matching goes (data contract, section 1):

1. by a **code property** (given, or recognised among the properties: national codes, HDX
   P-codes such as ``LA0501``, ISO 3166-2 codes such as ``LA-BK`` with retired aliases);
2. for districts, by the **parent found by location**: the province polygon holding the
   district's representative point (or overlapping it most);
3. by **name within the parent**, one-to-one, tolerant of romanisation differences;
4. reporting every unmatched, duplicate or doubtful polygon and every unit left without one.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from lib.i18n import DEFAULT_LANG, country_words, lower_word
from lib.problems import PackageError, Problem, short_detail, worded


def _words(field: str) -> str:
    """An admin level word for an error in English, mid-sentence ("provinces"): the country
    words in use (:func:`lib.i18n.country_words`, set by the build)."""
    return lower_word(country_words().fields(DEFAULT_LANG)[field])

__all__ = [
    "BoundaryMatch",
    "ISO_CODE_ALIASES",
    "LOW_CONFIDENCE",
    "load_boundaries",
    "match_boundaries",
    "normalise_name",
    "name_similarity",
    "read_boundary_layers",
    "repair_polygons",
]

PACKAGE_FOLDER = "boundaries"
"""Name of the boundary folder inside a data package; file names are reported under it."""

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".parquet", ".geoparquet")
FORMAT_NAMES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage",
                ".shp": "Shapefile", ".zip": "zipped Shapefile", ".parquet": "GeoParquet",
                ".geoparquet": "GeoParquet"}
SNIFF_BYTES = 65_536
"""How much of a ``.json`` file is read to tell a GeoJSON from another JSON file."""

ISO_CODE_ALIASES: dict[str, str] = {
    # Retired or library-specific ISO 3166-2 codes -> current code. Files made from older
    # libraries keep the old code long after the standard changed.
    "LA-XN": "LA-XS",  # Xaisomboun: re-created 2013, LA-XS since 2015-11-27
}

LOW_CONFIDENCE = 0.75
"""Name matches scoring below this are reported as low confidence."""

MIN_NAME_SCORE = 0.5
"""Below this similarity two names are not taken as the same place (unless it is the only
candidate left in its parent)."""

KEY_WEIGHT = 0.95
"""A match found only after romanisation folding is slightly less sure than a spelling match."""

_CRS = "EPSG:4326"

_OUTPUT_COLUMNS = ["code", "level", "source_file", "source_name", "method", "score"]

# Columns that number features rather than name places: an OBJECTID running 1..18 would
# otherwise look exactly like province codes 01..18.
_ID_LIKE_COLUMN = re.compile(
    r"^(fid|ogc_fid|objectid|object_id|gid|id|index|idx|rowid|row_id|shape_leng|shape_length|"
    r"shape_area|area|perimeter|len|length)$",
    re.IGNORECASE,
)


@dataclass
class BoundaryMatch:
    """Polygons matched to admin units, with every problem found on the way."""

    units: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------

_LEVEL_NUMBER_IN_NAME = (
    re.compile(r"(?<![a-z0-9])(?:adm|admin|level|lvl)[_\- ]?(\d)(?![0-9])", re.IGNORECASE),
    re.compile(r"(?<![a-z0-9])gadm\d*_[a-z]{3}_(\d)(?![0-9])", re.IGNORECASE),  # gadm41_LAO_2
)
_LEVEL_WORD_IN_NAME = (
    (re.compile(r"(?<![a-z])districts?(?![a-z])", re.IGNORECASE), 2),
    (re.compile(r"(?<![a-z])provinces?(?![a-z])", re.IGNORECASE), 1),
)
_LEVEL_COLUMN = (
    re.compile(r"^adm(?:in)?_?(\d)(?:_|[a-z]|$)", re.IGNORECASE),  # HDX ADM2_PCODE, admin2Pcode
    re.compile(r"^(?:gid|name|cc|hasc|type|engtype|nl_name|varname)_(\d)$", re.IGNORECASE),  # GADM
)
_LEVEL_VALUE_COLUMNS = ("shapetype", "admin_level", "adm_level", "level")  # geoBoundaries: ADM2


def _level_from_name(name: str) -> int | None:
    """Level told by a file or layer name; None when it says nothing or contradicts itself."""
    found = {int(m) for pattern in _LEVEL_NUMBER_IN_NAME for m in pattern.findall(name)}
    if not found:
        found = {level for pattern, level in _LEVEL_WORD_IN_NAME if pattern.search(name)}
    return found.pop() if len(found) == 1 else None


def _level_from_properties(frame: pd.DataFrame) -> int | None:
    """Level told by the properties: a level value column, else the deepest ``ADMn_*`` column."""
    lower = {str(c).lower(): c for c in frame.columns if c != "geometry"}
    for name in _LEVEL_VALUE_COLUMNS:
        if name in lower:
            values = {str(v) for v in frame[lower[name]].dropna().unique()}
            digits = {m.group(1) for v in values if (m := re.search(r"(\d)", v))}
            if len(digits) == 1:
                return int(digits.pop())
    levels = [int(m.group(1)) for c in lower for p in _LEVEL_COLUMN if (m := p.match(c))]
    if levels:
        return max(levels)
    words = " ".join(lower)
    for pattern, level in _LEVEL_WORD_IN_NAME:
        if pattern.search(words):
            return level
    return None


def repair_polygons(geoms: np.ndarray) -> np.ndarray:
    """Valid 2-D polygonal geometry for each input; empty polygon when nothing polygonal is left."""
    geoms = shapely.force_2d(np.asarray(geoms, dtype=object))
    missing = shapely.is_missing(geoms)
    geoms[missing] = shapely.Polygon()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure",
                                            keep_collapsed=False)
    odd = ~np.isin(shapely.get_type_id(geoms), (3, 6))  # not Polygon / MultiPolygon
    # Only the few repaired or odd features take this loop, never the whole layer.
    for i in np.flatnonzero(odd):
        parts = shapely.get_parts(shapely.get_parts(geoms[i]))
        polygons = parts[shapely.get_type_id(parts) == 3]
        polygons = polygons[~shapely.is_empty(polygons)]
        if len(polygons) == 0:
            geoms[i] = shapely.Polygon()
        elif len(polygons) == 1:
            geoms[i] = polygons[0]
        else:
            geoms[i] = shapely.make_valid(shapely.multipolygons(polygons))
    return geoms


def _to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds if len(frame) else (0, 0, 0, 0)
        if min(minx, miny) < -180 or maxx > 180 or maxy > 90 or miny < -90:
            raise ValueError(
                "its coordinates are not longitude/latitude and it names no coordinate "
                "system (for a Shapefile, the .prj file is missing)"
            )
        return frame.set_crs(_CRS)
    if frame.crs.to_epsg() != 4326:
        return frame.to_crs(_CRS)
    return frame


def _read_layers(path: Path) -> list[tuple[str | None, gpd.GeoDataFrame]]:
    """All spatial layers of one file as (layer name or None, frame)."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".geoparquet"):
        return [(None, gpd.read_parquet(path))]
    if suffix == ".gpkg":
        layers = [str(name) for name, gtype in pyogrio.list_layers(path) if gtype is not None]
        if len(layers) > 1:
            return [(name, gpd.read_file(path, layer=name, engine="pyogrio")) for name in layers]
    try:
        return [(None, gpd.read_file(path, engine="pyogrio"))]
    except Exception:
        if suffix == ".json" and not _looks_like_geojson(path):
            return []  # e.g. geoBoundaries' ...-metaData.json beside the boundaries
        raise


def _looks_like_geojson(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    return any(word in head for word in (b'"FeatureCollection"', b'"Feature"', b'"coordinates"',
                                         b'"Topology"'))


def _reader_reason(exc: Exception, path: Path) -> str:
    """Why a boundary file cannot be read, in a data officer's words rather than the
    reader's (GDAL's driver hints, SQL, a whole path)."""
    text = str(exc)
    kind = FORMAT_NAMES.get(path.suffix.lower(), "boundary")
    if "not recognized as being in a supported file format" in text:
        return f"it is empty, damaged, or not a {kind} file"
    if where := re.search(r"At line (\d+), character (\d+): (.+)", text):
        return (f"it is not valid {kind}: at line {int(where.group(1)):,}, character "
                f"{int(where.group(2)):,}, {short_detail(where.group(3)).lower()} "
                "(is the file cut short?)")
    if any(word in text for word in ("not a database", "magic bytes", "too small")):
        return f"it is damaged or not a {kind} file (cut short?): export it again"
    detail = short_detail(text.replace(str(path), path.name))
    return f"it cannot be read as a {kind} file ({detail or type(exc).__name__})"


def _boundary_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.rglob("*")
        if p.is_file() and p.suffix.lower() in VECTOR_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def read_boundary_layers(directory: Path) -> dict[int, tuple[gpd.GeoDataFrame, list[str]]]:
    """Read every boundary file of ``directory`` and sort its features by admin level.

    Returns ``{level: (features, files)}`` for levels 1 and 2: the features keep their
    original properties, carry a ``source_file`` column (``boundaries/<name>``) and a valid
    polygonal geometry in EPSG:4326. Files or layers explicitly of another level (``adm0``,
    ``adm3``) are skipped. Raises :class:`PackageError` listing every file that cannot be read
    or whose level cannot be told.
    """
    directory = Path(directory)
    problems: list[Problem] = []
    frames: dict[int, list[gpd.GeoDataFrame]] = {1: [], 2: []}
    used: dict[int, list[str]] = {1: [], 2: []}
    files = _boundary_files(directory)
    if not files:
        raise PackageError([Problem(
            "error", "boundary_file",
            "no boundary file found (GeoJSON, GeoPackage, Shapefile or GeoParquet) for "
            f"{_words('level1_plural')} and {_words('level2_plural')}",
            file=f"{PACKAGE_FOLDER}/")])
    for path in files:
        rel = f"{PACKAGE_FOLDER}/{path.relative_to(directory).as_posix()}"
        try:
            layers = _read_layers(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure is the file's problem
            problems.append(Problem("error", "boundary_file",
                                    f"cannot read this boundary file: "
                                    f"{_reader_reason(exc, path)}", file=rel))
            continue
        try:
            for layer, frame in layers:
                level = _level_from_name(layer) if layer else None
                if level is None:
                    level = _level_from_name(path.stem)
                if level is None:
                    level = _level_from_properties(frame)
                if level is None:
                    where = f"layer '{layer}'" if layer else "it"
                    problems.append(Problem(
                        "error", "boundary_file",
                        f"cannot tell whether {where} holds {_words('level1_plural')} or "
                        f"{_words('level2_plural')}: name the file with adm1/adm2, or give it "
                        "ADM1_/ADM2_ code columns", file=rel))
                    continue
                if level not in frames:
                    continue  # a country outline or sub-district layer: not drawn
                frame = _to_wgs84(frame)
                frame = frame.set_geometry(repair_polygons(frame.geometry.values), crs=_CRS)
                frame["source_file"] = rel
                frames[level].append(frame)
                if rel not in used[level]:
                    used[level].append(rel)
        except PackageError:
            raise
        except Exception as exc:  # noqa: BLE001 - any reader failure is the file's problem
            problems.append(Problem("error", "boundary_file", f"cannot read this boundary "
                                    f"file: {short_detail(str(exc))}", file=rel))
    if problems:
        raise PackageError(problems)
    result: dict[int, tuple[gpd.GeoDataFrame, list[str]]] = {}
    for level, parts in frames.items():
        if parts:
            merged = pd.concat(parts, ignore_index=True, sort=False)
            result[level] = (gpd.GeoDataFrame(merged, geometry="geometry", crs=_CRS), used[level])
    return result


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------

# Generic words around a place name; dropped at either end when something else remains.
_GENERIC_WORDS = frozenset({
    "muang", "mueang", "meuang", "muong", "district", "districts", "province", "provinces",
    "khoueng", "khwaeng", "ເມືອງ", "ແຂວງ", "ມ", "ຂ",
})
_GLUED_PREFIXES = ("ເມືອງ", "ແຂວງ")  # Lao is written without spaces

# Romanisation folding: the same Lao sound is spelled many ways in English (Xaysetha /
# Saysettha, Houayxay / Huoixai, Lamam / Lamarm). Applied in order, to both names.
_KEY_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r) for p, r in (
        (r"oo|ou|uo", "u"),
        (r"ph", "p"), (r"th", "t"), (r"kh", "k"), (r"nh", "n"),
        (r"x", "s"), (r"ck", "k"), (r"w", "v"), (r"y", "i"),
        (r"ae", "e"), (r"ie", "ia"),
        (r"([aoe])r(?=[^aeiou]|$)", r"\1"),  # silent r of Parklai, Lamarm, Namor
        (r"r", "l"),                        # Lao r/l: Saravane / Salavan, Borikhan / Bolikhanh
        (r"(?<=[^aeiou])e$", ""),           # silent final e of Sepone, Pakxane, Home
        (r"d$", "t"), (r"b$", "p"),
        (r"([a-z])\1+", r"\1"),             # Xaysettha, Add
    )
)


def _strip_latin_diacritics(text: str) -> str:
    # Only the combining marks of Latin script (U+0300-036F) go: Lao vowels and tone marks
    # are combining characters too, and they carry meaning.
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in decomposed if not 0x300 <= ord(ch) <= 0x36F)
    return unicodedata.normalize("NFC", kept)


def _tokens(text: str) -> list[str]:
    out, current = [], []
    for ch in text:
        if unicodedata.category(ch)[0] in "LMN":
            current.append(ch)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def normalise_name(name: object) -> str:
    """Comparable form of a place name: casefolded, no Latin diacritics, no spaces or
    punctuation, without generic words such as "Muang", "District" or the Lao "ມ."."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    tokens = _tokens(_strip_latin_diacritics(str(name)).casefold())
    while len(tokens) > 1 and tokens[0] in _GENERIC_WORDS:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in _GENERIC_WORDS:
        tokens.pop()
    if tokens:
        for prefix in _GLUED_PREFIXES:
            if tokens[0].startswith(prefix) and len(tokens[0]) > len(prefix):
                tokens[0] = tokens[0][len(prefix):]
    return "".join(tokens)


def _romanisation_key(norm: str) -> str:
    key = norm
    for pattern, replacement in _KEY_RULES:
        key = pattern.sub(replacement, key)
    return key


_Form = tuple[str, str]  # (normalised name, romanisation key)


def _forms(names: Iterable[object]) -> list[_Form]:
    """Comparable forms of several spellings; a parenthesised note gives a second form."""
    seen: dict[str, str] = {}
    for name in names:
        if name is None or (not isinstance(name, str) and pd.isna(name)):
            continue
        text = str(name)
        variants = [text]
        if "(" in text:
            variants.append(re.sub(r"\([^)]*\)?", " ", text))
        for variant in variants:
            norm = normalise_name(variant)
            if norm and norm not in seen:
                seen[norm] = _romanisation_key(norm)
    return list(seen.items())


def _form_similarity(a: list[_Form], b: list[_Form]) -> tuple[float, float]:
    """(score, spelling ratio): the best over all pairs of forms; the spelling ratio breaks ties."""
    best, best_raw = 0.0, 0.0
    for norm_a, key_a in a:
        for norm_b, key_b in b:
            if norm_a == norm_b:
                return 1.0, 1.0
            raw = difflib.SequenceMatcher(None, norm_a, norm_b).ratio()
            keyed = KEY_WEIGHT * difflib.SequenceMatcher(None, key_a, key_b).ratio()
            if max(raw, keyed) > best or (max(raw, keyed) == best and raw > best_raw):
                best, best_raw = max(raw, keyed), raw
    return best, best_raw


def name_similarity(a: str | Iterable[str], b: str | Iterable[str]) -> float:
    """Similarity 0..1 of two place names (or the best over two lists of spellings)."""
    a_list = [a] if isinstance(a, str) else list(a)
    b_list = [b] if isinstance(b, str) else list(b)
    return _form_similarity(_forms(a_list), _forms(b_list))[0]


def _assign_greedy(score: np.ndarray, raw: np.ndarray, min_score: float,
                   row_weight: np.ndarray | None = None) -> list[tuple[int, int]]:
    """One-to-one pairs (row, column), best pair first; pairs under ``min_score`` are left.

    Ties go to the closer spelling (``raw``), then to the heavier row (a polygon's area:
    of two equally named polygons the main one, not a fragment, should win).
    """
    if score.size == 0:
        return []
    weight = np.zeros(score.shape) if row_weight is None else \
        np.broadcast_to(np.asarray(row_weight, dtype=float)[:, None], score.shape)
    order = np.lexsort((-weight.ravel(), -raw.ravel(), -score.ravel()))
    rows_taken: set[int] = set()
    cols_taken: set[int] = set()
    pairs = []
    n_cols = score.shape[1]
    for flat in order:
        if score.flat[flat] < min_score:
            break
        i, j = divmod(int(flat), n_cols)
        if i in rows_taken or j in cols_taken:
            continue
        rows_taken.add(i)
        cols_taken.add(j)
        pairs.append((i, j))
    return pairs


# --------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------

def _text(value: object) -> str:
    """A property value as clean text: NA -> "", 501.0 -> "501"."""
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if not isinstance(value, str) and pd.isna(value):
        return ""
    return str(value).strip()


def _code_keys(units: pd.DataFrame) -> dict[str, str]:
    """Every spelling of a unit's code (upper case) -> the unit code."""
    keys: dict[str, str] = {}
    for code, iso in zip(units["code"], units["iso_code"]):
        keys[code.upper()] = code
        if iso:
            keys[iso.upper()] = code
    for old, new in ISO_CODE_ALIASES.items():
        if new in keys and old not in keys:
            keys[old] = keys[new]
    return keys


_PCODE = re.compile(r"^([A-Z]{2,3})[-_. ]?([0-9][0-9A-Z]*)$")


def _lookup_code(value: str, keys: dict[str, str], width: int) -> str | None:
    v = value.upper()
    if not v:
        return None
    if v in keys:
        return keys[v]
    m = _PCODE.match(v)
    if m and m.group(2) in keys:  # HDX P-code: ISO2 prefix + national code
        return keys[m.group(2)]
    if v.isdigit() and len(v) < width and v.zfill(width) in keys:  # leading zero lost
        return keys[v.zfill(width)]
    if v.isdigit() and v != v.lstrip("0") and v.lstrip("0") in keys:  # … by the units' codes
        return keys[v.lstrip("0")]
    return None


def _column_codes(frame: pd.DataFrame, column: str, keys: dict[str, str],
                  width: int) -> list[str | None]:
    return [_lookup_code(_text(v), keys, width) for v in frame[column]]


def _detect_code_column(
    frame: pd.DataFrame, keys: dict[str, str], width: int, forced: str | None,
    *, one_to_one: bool = True,
) -> tuple[str | None, list[str | None]]:
    """The property holding unit codes (the forced one when present), and each feature's code."""
    if forced is not None and forced in frame.columns:
        return forced, _column_codes(frame, forced, keys, width)
    best: tuple[int, str | None, list[str | None]] = (0, None, [None] * len(frame))
    for column in frame.columns:
        if column in ("geometry", "source_file") or _ID_LIKE_COLUMN.match(str(column)):
            continue
        codes = _column_codes(frame, column, keys, width)
        found = [c for c in codes if c is not None]
        if len(found) < max(1, 0.5 * len(frame)):
            continue
        if one_to_one and len(set(found)) < 0.8 * len(found):
            continue  # repeats: a parent code or a category, not this level's code
        if len(found) > best[0]:
            best = (len(found), column, codes)
    return best[1], best[2]


# --------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------

def _prepare_units(admin_units: pd.DataFrame) -> pd.DataFrame:
    u = pd.DataFrame({
        "code": [_text(v) for v in admin_units["code"]],
        "level": pd.to_numeric(admin_units["level"]).astype(int).to_numpy(),
        "parent_code": [_text(v) for v in admin_units["parent_code"]]
        if "parent_code" in admin_units else "",
        "name_en": [_text(v) for v in admin_units["name_en"]],
        "name_local": [_text(v) for v in admin_units["name_local"]]
        if "name_local" in admin_units else "",
        "iso_code": [_text(v).upper() for v in admin_units["iso_code"]]
        if "iso_code" in admin_units else "",
        "alt_names": [[s.strip() for s in _text(v).split(";") if s.strip()]
                      for v in admin_units["alt_names"]]
        if "alt_names" in admin_units else [[] for _ in range(len(admin_units))],
    })
    u["forms"] = [_forms([en, lo, *alt]) for en, lo, alt in
                  zip(u["name_en"], u["name_local"], u["alt_names"])]
    return u.set_index("code", drop=False)


def _name_columns(frame: pd.DataFrame, exclude: set[str], unit_forms: list[list[_Form]],
                  level: int) -> list[str]:
    """Properties holding the features' names, best first.

    A column qualifies when its values are mostly distinct (a parent-name column repeats)
    and many of them are spellings of this level's unit names.
    """
    texts = {norm for forms in unit_forms for norm, _ in forms}
    keys = {key for forms in unit_forms for _, key in forms}
    scored = []
    for column in frame.columns:
        if column in exclude or column in ("geometry", "source_file"):
            continue
        values = [_text(v) for v in frame[column]]
        present = [v for v in values if v]
        if not present or all(re.fullmatch(r"[-+.0-9eE]+", v) for v in present):
            continue
        distinct = len(set(present)) / len(present)
        hits = 0
        for v in present:
            forms = _forms([v])
            hits += any(n in texts or k in keys for n, k in forms)
        share = hits / len(frame)
        hint = str(level) in str(column) or str(column).lower() in (
            "shapename", "name", "name_en", "name_local")
        scored.append((share, distinct >= 0.5 or len(present) <= 2, hint, column))
    good = [s for s in scored if s[1] and s[0] > 0]
    good.sort(key=lambda s: (s[0], s[2]), reverse=True)
    if good:
        top = good[0][0]
        return [s[3] for s in good if s[0] >= max(0.3, 0.5 * top) or s is good[0]]
    fallback = [s for s in scored if s[1]]
    fallback.sort(key=lambda s: s[2], reverse=True)
    return [fallback[0][3]] if fallback else []


@dataclass
class _Features:
    """Working table of one level's features while they are matched."""

    frame: gpd.GeoDataFrame
    name: list[str]
    forms: list[list[_Form]]
    code: list[str | None]
    method: list[str]
    score: list[float]
    parent: list[str | None]
    code_dup_of: list[str | None]


def _features(frame: gpd.GeoDataFrame, level: int, units: pd.DataFrame,
              code_property: str | None) -> _Features:
    """Per-feature names, code matches and parent codes, read file by file because each file
    names its properties its own way."""
    n = len(frame)
    frame = frame.reset_index(drop=True)
    if "source_file" not in frame.columns:
        frame = frame.assign(source_file=f"{PACKAGE_FOLDER}/")
    feats = _Features(frame=frame, name=[""] * n, forms=[[] for _ in range(n)],
                      code=[None] * n, method=[""] * n, score=[0.0] * n, parent=[None] * n,
                      code_dup_of=[None] * n)
    level_units = units[units["level"] == level]
    parents = units[units["level"] == level - 1]
    keys, width = _code_keys(level_units), max(map(len, level_units["code"]), default=0)
    parent_keys = _code_keys(parents) if len(parents) else {}
    parent_width = max(map(len, parents["code"]), default=0)
    unit_forms = list(level_units["forms"])
    for _, group in feats.frame.groupby("source_file", sort=False):
        rows = group.index.to_numpy()
        props = group.drop(columns=["geometry"]).dropna(axis=1, how="all")
        code_col, codes = _detect_code_column(props, keys, width, code_property)
        parent_col = None
        if parent_keys:
            parent_col, parent_codes = _detect_code_column(
                props.drop(columns=[code_col] if code_col else []), parent_keys,
                parent_width, None, one_to_one=False)
        exclude = {c for c in (code_col, parent_col) if c}
        name_cols = _name_columns(props, exclude, unit_forms, level)
        for pos, row in enumerate(rows):
            values = [_text(props.at[row, c]) for c in name_cols]
            feats.name[row] = next((v for v in values if v), "")
            feats.forms[row] = _forms(values)
            if codes[pos] is not None:
                feats.code[row], feats.method[row], feats.score[row] = codes[pos], "code", 1.0
            if parent_col is not None:
                feats.parent[row] = parent_codes[pos]
    return feats


def _resolve_code_duplicates(feats: _Features, units: pd.DataFrame) -> None:
    """Keep one polygon per code: the one whose name agrees best, then the largest."""
    by_code: dict[str, list[int]] = {}
    for i, code in enumerate(feats.code):
        if code is not None:
            by_code.setdefault(code, []).append(i)
    areas = shapely.area(feats.frame.geometry.values)
    for code, rows in by_code.items():
        if len(rows) < 2:
            continue
        unit_forms = units.at[code, "forms"]
        ranked = sorted(
            rows, key=lambda i: (_form_similarity(feats.forms[i], unit_forms)[0], areas[i]),
            reverse=True)
        for i in ranked[1:]:
            feats.code[i], feats.method[i], feats.score[i] = None, "", 0.0
            feats.code_dup_of[i] = code


def _parents_by_location(geoms: np.ndarray, provinces: gpd.GeoDataFrame) -> list[str | None]:
    """Province code of each district polygon: the province holding its representative point,
    else the one it overlaps most. Separately simplified files do not nest, so whole-polygon
    containment would fail for most districts."""
    parent = np.full(len(geoms), None, dtype=object)
    if len(geoms) == 0 or len(provinces) == 0:
        return list(parent)
    prov_geoms = provinces.geometry.values
    prov_codes = provinces["code"].to_numpy(dtype=object)
    tree = shapely.STRtree(prov_geoms)

    def largest_overlap(district: np.ndarray, province: np.ndarray) -> None:
        if len(district) == 0:
            return
        overlap = shapely.area(shapely.intersection(geoms[district], prov_geoms[province]))
        order = np.lexsort((-overlap, district))  # per district, largest overlap first
        district, province = district[order], province[order]
        first = np.r_[True, district[1:] != district[:-1]]
        parent[district[first]] = prov_codes[province[first]]

    # Usually one province holds the point; two only where province polygons overlap.
    largest_overlap(*tree.query(shapely.point_on_surface(geoms), predicate="within"))
    rest = np.flatnonzero(parent == None)  # noqa: E711 - elementwise on an object array
    if len(rest):
        district, province = tree.query(geoms[rest], predicate="intersects")
        largest_overlap(rest[district], province)
    return list(parent)


def _label(units: pd.DataFrame, code: str) -> str:
    """"Et (0708, Houaphanh)" for a district, "Houaphanh (07)" for a province."""
    row = units.loc[code]
    parent = row["parent_code"]
    if parent and parent in units.index:
        return f"{row['name_en']} ({code}, {units.at[parent, 'name_en']})"
    return f"{row['name_en']} ({code})"


def _match_names(feats: _Features, rows: list[int], cands: pd.DataFrame, taken: dict[str, int],
                 areas: np.ndarray, *, parent_known: bool) -> dict[int, tuple[str, float]]:
    """Match ``rows`` one-to-one to the not yet taken units of ``cands`` (one parent's units)
    by name; update ``feats`` and ``taken``. Returns each row's best unit, taken or not, with
    its score: a polygon that lost to an equally good one is a duplicate."""
    codes = list(cands["code"])
    score = np.zeros((len(rows), len(codes)))
    raw = np.zeros_like(score)
    for a, i in enumerate(rows):
        for b, forms in enumerate(cands["forms"]):
            score[a, b], raw[a, b] = _form_similarity(feats.forms[i], forms)
    best = {i: (codes[int(np.argmax(score[a]))], float(score[a].max()))
            for a, i in enumerate(rows) if codes}
    free = np.array([c not in taken for c in codes], dtype=bool)
    score, raw = score[:, free], raw[:, free]
    codes = [c for c, f in zip(codes, free) if f]
    if not parent_known:
        # No province to narrow the search: a name shared by several districts (Phonthong,
        # Viengkham) cannot be placed, so a polygon counts only when one unit fits it best.
        for a in range(len(rows)):
            if codes and np.sum(score[a] >= score[a].max() - 1e-9) > 1:
                score[a] = 0.0
    pairs = _assign_greedy(score, raw, MIN_NAME_SCORE, areas[rows])
    for a, b in pairs:
        feats.code[rows[a]], feats.method[rows[a]] = codes[b], "name"
        feats.score[rows[a]] = float(score[a, b])
        taken[codes[b]] = rows[a]
    left_rows = sorted(set(range(len(rows))) - {a for a, _ in pairs})
    left_cols = sorted(set(range(len(codes))) - {b for _, b in pairs})
    if parent_known and len(left_rows) == 1 and len(left_cols) == 1:
        # The last polygon and the last unit of a parent must be each other, however unlike
        # their names (a renamed district); the score shows how doubtful that is.
        a, b = left_rows[0], left_cols[0]
        feats.code[rows[a]], feats.method[rows[a]] = codes[b], "only_candidate"
        feats.score[rows[a]] = float(score[a, b])
        taken[codes[b]] = rows[a]
    return best


def _report_level(feats: _Features, alive: np.ndarray, taken: dict[str, int],
                  best: dict[int, tuple[str, float]], units: pd.DataFrame, level: int,
                  ) -> list[Problem]:
    """Warnings for unmatched, duplicate and doubtful polygons of one level (the catalogue
    names the level from ``level``)."""
    problems = []
    for i in np.flatnonzero(alive):
        name = feats.name[i] or f"#{i + 1}"
        src = feats.frame.at[i, "source_file"]
        code = feats.code[i]
        if code is not None:
            if feats.method[i] != "code" and feats.score[i] < LOW_CONFIDENCE:
                problems.append(worded(
                    "warning", "boundary_low_confidence",
                    {"level": level, "name": name, "area": _label(units, code),
                     "score": float(feats.score[i])}, file=src, unit_code=code))
            continue
        dup = feats.code_dup_of[i]
        if dup is None and i in best and best[i][1] >= LOW_CONFIDENCE and best[i][0] in taken:
            dup = best[i][0]
        parent = feats.parent[i]
        if dup is not None:
            kept = feats.name[taken[dup]] if dup in taken else ""
            problems.append(worded(
                "warning", "boundary_duplicate",
                {"level": level, "name": name, "area": _label(units, dup), "kept": kept}, file=src, unit_code=dup))
        elif level == 2 and parent is None:
            problems.append(worded(
                "warning", "boundary_unmatched",
                {"level": level, "name": name},
                template="boundary_outside_parents", file=src))
        else:
            inside = level == 2 and parent in units.index
            problems.append(worded(
                "warning", "boundary_unmatched",
                {"level": level, "name": name,
                 "parent": units.at[parent, "name_en"] if inside else ""},
                template="boundary_unmatched_in" if inside else "", file=src,
                unit_code=parent or ""))
    return problems


def _match_level(feats: _Features, level: int, units: pd.DataFrame,
                 provinces: gpd.GeoDataFrame,
                 ) -> tuple[gpd.GeoDataFrame, dict[str, int], list[Problem]]:
    """Match one level's features (codes already read) to its units."""
    level_units = units[units["level"] == level]
    geoms = feats.frame.geometry.values
    areas = shapely.area(geoms)
    alive = ~shapely.is_empty(geoms) & (areas > 0)
    problems = [worded(
        "warning", "boundary_empty",
        {"level": level, "name": feats.name[i] or f"#{i + 1}"},
        file=feats.frame.at[i, "source_file"]) for i in np.flatnonzero(~alive)]
    for i in np.flatnonzero(~alive):
        feats.code[i] = None
    _resolve_code_duplicates(feats, units)
    taken = {c: i for i, c in enumerate(feats.code) if c is not None}
    pending = [i for i in np.flatnonzero(alive) if feats.code[i] is None]

    if level == 2:  # parent from a parent-code property, else by location
        todo = np.array([i for i in pending if feats.parent[i] is None], dtype=int)
        for i, p in zip(todo, _parents_by_location(geoms[todo], provinces)):
            feats.parent[i] = p

    groups: dict[str | None, list[int]] = {}
    for i in pending:
        groups.setdefault(feats.parent[i] if level == 2 else "", []).append(i)
    best: dict[int, tuple[str, float]] = {}
    for parent, rows in groups.items():
        # Districts only within their province: names repeat across provinces.
        cands = level_units[level_units["parent_code"] == parent] \
            if level == 2 and parent is not None else level_units
        best.update(_match_names(feats, rows, cands, taken, areas,
                                 parent_known=not (level == 2 and parent is None)))
    problems += _report_level(feats, alive, taken, best, units, level)

    keep = [i for i in np.flatnonzero(alive) if feats.code[i] is not None]
    out = gpd.GeoDataFrame({
        "code": [feats.code[i] for i in keep],
        "level": level,
        "source_file": feats.frame["source_file"].to_numpy()[keep],
        "source_name": [feats.name[i] for i in keep],
        "method": [feats.method[i] for i in keep],
        "score": [round(feats.score[i], 4) for i in keep],
    }, geometry=gpd.GeoSeries(geoms[keep], crs=_CRS), crs=_CRS)
    return out, taken, problems


def match_boundaries(
    admin_units: pd.DataFrame,
    layers: dict[int, tuple[gpd.GeoDataFrame, list[str]]],
    code_property: str | None = None,
) -> BoundaryMatch:
    """Match the polygons of ``layers`` (from :func:`read_boundary_layers`) to ``admin_units``.

    ``code_property`` names the property holding unit codes (auto-detected when None or
    absent from a file). Warnings name the levels as the country words in use do
    (:func:`lib.i18n.country_words`, set by the build).
    """
    units = _prepare_units(admin_units)
    problems: list[Problem] = []
    matched: list[gpd.GeoDataFrame] = []
    files = list(dict.fromkeys(f for level in sorted(layers) for f in layers[level][1]))
    provinces = gpd.GeoDataFrame({"code": []}, geometry=gpd.GeoSeries([], crs=_CRS), crs=_CRS)

    for level in (1, 2):  # provinces first: districts find their parent among them
        frame, level_files = layers.get(level, (None, []))
        taken: dict[str, int] = {}
        if frame is not None and len(frame):
            feats = _features(frame, level, units, code_property)
            out, taken, found = _match_level(feats, level, units, provinces)
            problems += found
            matched.append(out)
            if level == 1:
                provinces = out[["code", "geometry"]]
        where = level_files[0] if len(level_files) == 1 else f"{PACKAGE_FOLDER}/"
        problems += [worded(
            "warning", "unit_without_polygon",
            {"level": level, "area": _label(units, code)},
            file=where, unit_code=code)
            for code in units.loc[units["level"] == level, "code"] if code not in taken]

    columns = {c: [] for c in _OUTPUT_COLUMNS}
    result = pd.concat(matched, ignore_index=True) if matched else pd.DataFrame(columns)
    result = gpd.GeoDataFrame(
        result.drop(columns="geometry", errors="ignore"),
        geometry=gpd.GeoSeries(result["geometry"] if "geometry" in result else [], crs=_CRS),
        crs=_CRS)
    result = result.astype({"code": str, "level": int, "source_file": str, "source_name": str,
                            "method": str, "score": float})
    result = result.sort_values(["level", "code"], ignore_index=True)
    return BoundaryMatch(units=result[[*_OUTPUT_COLUMNS, "geometry"]], problems=problems,
                         files=files)


def load_boundaries(
    directory: Path,
    admin_units: pd.DataFrame,
    code_property: str | None = None,
) -> BoundaryMatch:
    """Read the boundary folder of a package and match it to ``admin_units``."""
    return match_boundaries(admin_units, read_boundary_layers(Path(directory)), code_property)
