"""Place names compared as a boundary file and a code list spell them.

Real boundary files and national code lists rarely spell an area alike: romanisation
(Xaysetha / Saysettha), generic words ("Muang Xay", "Xay District"), affixes and word order
("City of Ozamiz" / "Ozamis City"), notes in brackets ("Vientiane (Capital)"), accents. A
name is compared through its *forms*: the normalised name, its romanisation key, and
weaker variants (affixes dropped, words sorted), each with a weight, so that an exact
spelling always beats a variant.

Pure: no files, no database.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

LOW_CONFIDENCE = 0.75
"""Name matches scoring below this are reported as low confidence."""

MIN_NAME_SCORE = 0.5
"""Below this similarity two names are not taken as the same place (unless it is the only
candidate left in its parent)."""

KEY_WEIGHT = 0.95
"""A match found only after romanisation folding is slightly less sure than a spelling match."""

VARIANT_WEIGHT = 0.97
"""A match found only once affixes are dropped or words reordered: certain enough not to be
reported, but an exact spelling of another area wins over it."""

# Generic words around a place name; dropped at either end when something else remains.
_GENERIC_WORDS = frozenset({
    "muang", "mueang", "meuang", "muong", "district", "districts", "province", "provinces",
    "khoueng", "khwaeng", "ເມືອງ", "ແຂວງ", "ມ", "ຂ",
})
_GLUED_PREFIXES = ("ເມືອງ", "ແຂວງ")  # Lao is written without spaces

# Affixes of an area's kind, dropped for a weaker variant: "City of Ozamiz" and
# "Ozamis City" both give "ozamiz"/"ozamis". Not "capital": "Vientiane Capital" and
# "Vientiane Province" are two provinces.
_AFFIX_WORDS = frozenset({
    "city", "of", "the", "municipality", "municipal", "municipio", "town", "township",
    "county", "region", "regional", "state", "commune", "prefecture", "department",
    "division", "zone", "sub", "subdistrict", "tehsil", "taluk", "upazila", "barangay",
})

# Romanisation folding: the same Lao sound is spelled many ways in English (Xaysetha /
# Saysettha, Houayxay / Huoixai, Lamam / Lamarm). Applied in order, to both names.
_KEY_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r) for p, r in (
        (r"oo|ou|uo", "u"),
        (r"ph", "p"), (r"th", "t"), (r"kh", "k"), (r"nh", "n"),
        (r"x", "s"), (r"z", "s"), (r"ck", "k"), (r"w", "v"), (r"y", "i"),
        (r"ae", "e"), (r"ie", "ia"),
        (r"([aoe])r(?=[^aeiou]|$)", r"\1"),  # silent r of Parklai, Lamarm, Namor
        (r"r", "l"),                        # Lao r/l: Saravane / Salavan, Borikhan / Bolikhanh
        (r"(?<=[^aeiou])e$", ""),           # silent final e of Sepone, Pakxane, Home
        (r"d$", "t"), (r"b$", "p"),
        (r"([a-z])\1+", r"\1"),             # Xaysettha, Add
    )
)


def is_missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


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


def _strip_ends(tokens: list[str], words: frozenset[str]) -> list[str]:
    tokens = list(tokens)
    while len(tokens) > 1 and tokens[0] in words:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in words:
        tokens.pop()
    return tokens


def _name_tokens(name: object) -> list[str]:
    """The words of a name: casefolded, no Latin diacritics, generic words dropped."""
    if is_missing(name):
        return []
    tokens = _strip_ends(_tokens(_strip_latin_diacritics(str(name)).casefold()), _GENERIC_WORDS)
    if tokens:
        for prefix in _GLUED_PREFIXES:
            if tokens[0].startswith(prefix) and len(tokens[0]) > len(prefix):
                tokens[0] = tokens[0][len(prefix):]
    return tokens


def normalise_name(name: object) -> str:
    """Comparable form of a place name: casefolded, no Latin diacritics, no spaces or
    punctuation, without generic words such as "Muang", "District" or the Lao "ມ."."""
    return "".join(_name_tokens(name))


def romanisation_key(norm: str) -> str:
    key = norm
    for pattern, replacement in _KEY_RULES:
        key = pattern.sub(replacement, key)
    return key


Form = tuple[str, str, float]  # (normalised name, romanisation key, weight)


def forms(names: Iterable[object]) -> list[Form]:
    """Comparable forms of several spellings: each name as written, without its note in
    brackets ("Vientiane (Capital)"), and, weighted down, without affixes ("City of X",
    "X City") and with its words sorted (word order)."""
    seen: dict[str, Form] = {}

    def add(tokens: list[str], weight: float) -> None:
        norm = "".join(tokens)
        if norm and (norm not in seen or seen[norm][2] < weight):
            seen[norm] = (norm, romanisation_key(norm), weight)

    for name in names:
        if is_missing(name):
            continue
        text = str(name)
        variants = [text]
        if "(" in text:
            variants.append(re.sub(r"\([^)]*\)?", " ", text))
        for weight, variant in zip((1.0, VARIANT_WEIGHT), variants):
            # Without its note, "Vientiane (Capital)" is a variant: "Vientiane" spelled
            # exactly is another area's name.
            tokens = _name_tokens(variant)
            add(tokens, weight)
            bare = _strip_ends(tokens, _AFFIX_WORDS | _GENERIC_WORDS)
            if bare != tokens:
                add(bare, weight * VARIANT_WEIGHT)
            if len(bare) > 1:
                add(sorted(bare), weight * VARIANT_WEIGHT)
    return list(seen.values())


def exact_keys(unit_forms: Iterable[list[Form]]) -> tuple[set[str], set[str]]:
    """The normalised names and romanisation keys of many names, for quick lookups."""
    norms, keys = set(), set()
    for fs in unit_forms:
        for norm, key, _ in fs:
            norms.add(norm)
            keys.add(key)
    return norms, keys


def _ratio(a: str, b: str) -> float:
    """Spelling similarity 0..1 (the normalised Indel similarity of rapidfuzz)."""
    return fuzz.ratio(a, b) / 100.0


def form_similarity(a: list[Form], b: list[Form]) -> tuple[float, float]:
    """(score, spelling ratio): the best over all pairs of forms; the spelling ratio breaks
    ties."""
    best, best_raw = 0.0, 0.0
    for norm_a, key_a, weight_a in a:
        for norm_b, key_b, weight_b in b:
            raw = 1.0 if norm_a == norm_b else _ratio(norm_a, norm_b)
            score = weight_a * weight_b * max(raw, KEY_WEIGHT * _ratio(key_a, key_b))
            if score > best or (score == best and raw > best_raw):
                best, best_raw = score, raw
    return best, best_raw


def similarity_matrix(rows: list[list[Form]], cols: list[list[Form]]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`form_similarity` of every row against every column at once: (scores, the
    best spelling ratios), each of shape (rows, columns)."""
    score = np.zeros((len(rows), len(cols)))
    raw = np.zeros_like(score)
    a = [(i, f) for i, fs in enumerate(rows) for f in fs]
    b = [(j, f) for j, fs in enumerate(cols) for f in fs]
    if not a or not b:
        return score, raw
    spelled = cdist([f[0] for _, f in a], [f[0] for _, f in b], scorer=fuzz.ratio,
                    dtype=np.float64) / 100.0
    keyed = cdist([f[1] for _, f in a], [f[1] for _, f in b], scorer=fuzz.ratio,
                  dtype=np.float64) / 100.0
    weight = np.array([f[2] for _, f in a])[:, None] * np.array([f[2] for _, f in b])[None, :]
    pair = weight * np.maximum(spelled, KEY_WEIGHT * keyed)
    owner_a = np.array([i for i, _ in a])[:, None]
    owner_b = np.array([j for j, _ in b])[None, :]
    index = np.broadcast_arrays(owner_a, owner_b)
    np.maximum.at(score, (index[0], index[1]), pair)
    np.maximum.at(raw, (index[0], index[1]), spelled)
    return score, raw


def name_similarity(a: str | Iterable[str], b: str | Iterable[str]) -> float:
    """Similarity 0..1 of two place names (or the best over two lists of spellings)."""
    a_list = [a] if isinstance(a, str) else list(a)
    b_list = [b] if isinstance(b, str) else list(b)
    return form_similarity(forms(a_list), forms(b_list))[0]


def assign_greedy(score: np.ndarray, raw: np.ndarray, min_score: float,
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
