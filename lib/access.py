"""Who may see what: roles, the areas each person may see, and the rules of the public view.

The administrator writes an access file (TOML, ``access.toml`` by default; README.md,
"Sign-in and access")::

    [public]                     # whoever is not signed in, or signed in with no grant
    threshold = 5                # counts from 1 to 5 are hidden; 0 is shown
    min_denominator = { pupils = 30, teachers = 5 }   # optional, by what a rate counts

    [[grant]]                    # the first grant that matches a person's claims wins
    claim = "email"              # a claim of the identity provider's ID token
    equals = "analyst@moes.gov.la"
    role = "analyst"             # public, analyst or admin
    areas = ["01"]               # admin codes; none: the whole country

    [[grant]]
    claim = "groups"             # a list claim: matches when it holds the value
    equals = "moes-admins"
    role = "admin"

A :class:`Viewer` is what one person may see: their role, their areas (None: the whole
country) and whether values are exact (analysts and administrators) or protected by
:mod:`lib.disclosure` (the public). Within an area scope a person sees the areas of the
scope, every area and school in them, and the areas they lie in (the national and
higher-level aggregates); nothing of any other area.

Pure: no Streamlit, no database.
"""
from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lib.disclosure import COUNTS, Rules, hide_in_sets, protect
from lib.indicators import flags as fl
from lib.indicators.registry import Indicator
from lib.vocabulary import NATIONAL, SCHOOL

PUBLIC, ANALYST, ADMIN = "public", "analyst", "admin"
ROLES = (PUBLIC, ANALYST, ADMIN)


class AccessFileError(ValueError):
    """The access file cannot be used; the message names the file, the entry and the key."""


@dataclass(frozen=True)
class Viewer:
    """What one person may see. ``areas`` None: the whole country."""

    role: str = PUBLIC
    areas: tuple[str, ...] | None = None
    name: str | None = None  # as the identity provider gives it, shown to its owner only
    signed_in: bool = False
    rules: Rules = field(default_factory=Rules)

    @property
    def exact(self) -> bool:
        """Exact values (analysts, administrators), or protected ones (the public)."""
        return self.role in (ANALYST, ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def scoped(self) -> bool:
        return self.areas is not None

    def key(self) -> tuple:
        """What changes what this viewer is shown (a cache key): not the name."""
        rules = (self.rules.threshold, tuple(sorted(self.rules.min_denominator.items())))
        return (self.exact, self.areas, None if self.exact else rules)


# One person on their own machine (no sign-in configured): everything, exactly, as before.
OWNER = Viewer(role=ADMIN, signed_in=False)


@dataclass(frozen=True)
class Grant:
    claim: str
    equals: str
    role: str
    areas: tuple[str, ...] | None


@dataclass(frozen=True)
class Policy:
    """The access file: the public view's rules and the grants, in their order."""

    rules: Rules = field(default_factory=Rules)
    grants: tuple[Grant, ...] = ()

    def viewer(self, claims: Mapping[str, object] | None) -> Viewer:
        """The viewer for a person with these ID-token ``claims`` (None: not signed in).
        The first matching grant gives role and areas; none matches: the public view."""
        if claims is None:
            return Viewer(rules=self.rules)
        name = _text(claims.get("name")) or _text(claims.get("email")) or \
            _text(claims.get("sub"))
        for grant in self.grants:
            if _matches(claims.get(grant.claim), grant.equals):
                return Viewer(role=grant.role, areas=grant.areas, name=name, signed_in=True,
                              rules=self.rules)
        return Viewer(name=name, signed_in=True, rules=self.rules)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _matches(claim: object, wanted: str) -> bool:
    if isinstance(claim, str):
        return claim.strip().casefold() == wanted.casefold()
    if isinstance(claim, (list, tuple)):
        return any(isinstance(v, str) and v.strip().casefold() == wanted.casefold()
                   for v in claim)
    return False


def load_policy(path: Path, area_codes: Sequence[str] | None = None) -> Policy:
    """The access file at ``path`` (missing: the public view's default rules and no grant,
    so every signed-in person sees what the public sees). ``area_codes``: the extract's
    areas, against which a grant's areas are checked."""
    if not path.exists():
        return Policy()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise AccessFileError(f"{path.name}: not a TOML file ({err})") from None
    unknown = set(data) - {"public", "grant"}
    if unknown:
        raise AccessFileError(f"{path.name}: unknown section {sorted(unknown)[0]!r} "
                              "(expected [public] and [[grant]])")
    return Policy(rules=_rules(path.name, data.get("public", {})),
                  grants=tuple(_grant(path.name, i, entry, area_codes) for i, entry in
                               enumerate(_list(path.name, data.get("grant", [])), start=1)))


def _list(file: str, value: object) -> list:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise AccessFileError(f"{file}: grants are written [[grant]], one table each")
    return value


def _rules(file: str, public: object) -> Rules:
    if not isinstance(public, dict):
        raise AccessFileError(f"{file}: [public] must be a table")
    unknown = set(public) - {"threshold", "min_denominator"}
    if unknown:
        raise AccessFileError(f"{file}: [public] has an unknown key {sorted(unknown)[0]!r}")
    threshold = public.get("threshold", Rules().threshold)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 0:
        raise AccessFileError(f"{file}: [public] threshold must be a whole number ≥ 0, "
                              f"not {threshold!r}")
    minimum = dict(fl.SMALL_DENOMINATOR_BELOW)
    given = public.get("min_denominator", {})
    if not isinstance(given, dict):
        raise AccessFileError(f"{file}: [public] min_denominator must be a table such as "
                              "{ pupils = 30 }")
    for kind, value in given.items():
        if kind not in minimum:
            raise AccessFileError(f"{file}: [public] min_denominator: {kind!r} is not one of "
                                  f"{', '.join(sorted(minimum))}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise AccessFileError(f"{file}: [public] min_denominator {kind} must be a whole "
                                  f"number ≥ 0, not {value!r}")
        minimum[kind] = value
    return Rules(threshold=threshold, min_denominator=minimum)


def _grant(file: str, number: int, entry: dict, area_codes: Sequence[str] | None) -> Grant:
    where = f"{file}: grant {number}"
    unknown = set(entry) - {"claim", "equals", "role", "areas"}
    if unknown:
        raise AccessFileError(f"{where} has an unknown key {sorted(unknown)[0]!r}")
    for key in ("claim", "equals", "role"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise AccessFileError(f"{where} needs {key} = \"…\"")
    if entry["role"] not in ROLES:
        raise AccessFileError(f"{where}: role {entry['role']!r} is not one of "
                              f"{', '.join(ROLES)}")
    areas = entry.get("areas")
    if areas is not None:
        if not isinstance(areas, list) or not areas or \
                not all(isinstance(a, str) and a.strip() for a in areas):
            raise AccessFileError(f"{where}: areas must be a list of admin codes, such as "
                                  "[\"01\"] (leave it out for the whole country)")
        areas = tuple(dict.fromkeys(a.strip() for a in areas))
        if area_codes is not None:
            known = set(area_codes)
            missing = [a for a in areas if a not in known]
            if missing:
                raise AccessFileError(f"{where}: area {missing[0]!r} is not an admin code "
                                      "of this extract")
    return Grant(claim=entry["claim"].strip(), equals=entry["equals"].strip(),
                 role=entry["role"], areas=areas)


def visible_areas(viewer: Viewer, lines: Mapping[str, tuple[str, ...]]) -> frozenset[str] | None:
    """The admin codes ``viewer`` may see rows of (None: all): the areas of the scope, every
    area lying in them, and the areas they lie in. ``lines``: code -> its line, largest
    level first (:func:`lib.areas.ancestors`)."""
    if viewer.areas is None:
        return None
    scope = set(viewer.areas)
    seen: set[str] = set()
    for code, line in lines.items():
        if scope.intersection(line):
            seen.update(line)  # the area, its ancestors (aggregates), its scope area
    return frozenset(seen)


def within_scope(viewer: Viewer, lines: Mapping[str, tuple[str, ...]], code: str) -> bool:
    """Whether the area ``code`` lies in the viewer's scope (itself or below it): what a
    school of that area needs to be shown. An ancestor of the scope is visible as an
    aggregate but is not within it."""
    if viewer.areas is None:
        return True
    return bool(set(viewer.areas).intersection(lines.get(code, ())))


# Indicators that split a school's pupils into groups (girls' share, a group's share,
# functional difficulty): never public per school, whatever the counts.
PUPIL_BREAKDOWNS = ("female_share", "group_share", "representation", "functional_difficulty")


def shown(frame: pd.DataFrame, indicator: Indicator, level: str, by: str | None,
          viewer: Viewer, lines: Mapping[str, tuple[str, ...]],
          school_areas: Mapping[str, str] | None = None) -> pd.DataFrame:
    """What ``viewer`` may see of an engine frame (:func:`lib.indicators.compute`) of
    ``level``: the rows of areas they may see (:func:`visible_areas`; schools: those of an
    area within their scope, ``school_areas``: school id -> its area), then, for the public,
    the small numbers hidden (:func:`lib.disclosure.protect`, also across the areas or
    schools of one parent, whose totals are published) and no school's pupils split by
    sex, group or functional difficulty."""
    out = frame
    if viewer.areas is not None and level != NATIONAL and not out.empty:
        if level == SCHOOL:
            areas_of = school_areas or {}
            keep = [within_scope(viewer, lines, areas_of.get(str(code), ""))
                    for code in out["unit_code"]]
        else:
            visible = visible_areas(viewer, lines) or frozenset()
            keep = out["unit_code"].astype(str).isin(visible).to_numpy()
        out = out[keep].reset_index(drop=True)
    if viewer.exact or out.empty:
        return out
    if level == SCHOOL and (by is not None or indicator.family in PUPIL_BREAKDOWNS):
        return hide_all(out)
    parents = school_areas if level == SCHOOL else {
        code: (line[-2] if len(line) > 1 else "") for code, line in lines.items()}
    return protect(out, indicator, viewer.rules, parents)


def hide_all(frame: pd.DataFrame) -> pd.DataFrame:
    """Every value of ``frame`` hidden and flagged, its rows kept."""
    out = frame.copy()
    for column in ("value", *COUNTS):
        if column in out:
            out[column] = np.nan
    if "flags" in out:
        out["flags"] = [fl.join_flags([*fl.split_flags(f or ""), fl.SUPPRESSED])
                        for f in out["flags"]]
    return out


def hide_small(frame: pd.DataFrame, columns: Sequence[str], rules: Rules) -> pd.DataFrame:
    """``frame`` with the counts of ``columns`` from 1 to the threshold emptied (a table of
    counts that is not an engine frame: a school's pupils, a list of schools)."""
    out = frame.copy()
    for column in columns:
        if column in out:
            small = rules.small(out[column])
            if small.any():
                out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
                out.loc[small, column] = np.nan
    return out


def public_enrolment(enrolment: pd.DataFrame, grade_levels: Mapping[int, str],
                     rules: Rules) -> pd.DataFrame:
    """One school's pupils (year, grade, sex, enrolled, repeaters) as the public sees them:
    both sexes as one row (``sex`` "T"); grades of 1 to the threshold hidden, and with them
    the smallest other grade of the same year and education level (``grade_levels``: grade
    -> level), so that no published total (the school's level on the map, its year) minus
    the grades shown gives one back; repeaters not published."""
    if enrolment.empty:
        return enrolment
    out = (enrolment.groupby(["year", "grade"], as_index=False, dropna=False)
           [["enrolled", "repeaters"]].sum().assign(sex="T"))
    level = out["grade"].map(lambda g: grade_levels.get(int(g)) if pd.notna(g) else None)
    hidden = hide_in_sets(out["enrolled"], [out["year"].astype(str) + "/" + level.astype(str),
                                            out["year"]], rules)
    out["enrolled"] = out["enrolled"].astype(float).mask(hidden)
    out["repeaters"] = np.nan
    return out[list(enrolment.columns)].reset_index(drop=True)
