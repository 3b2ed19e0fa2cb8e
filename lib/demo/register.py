"""The school register of the demo: how many schools of which kind in each district, and their
attributes (ownership, locality, completeness, multigrade, road distance, opening and closing).

Everything is drawn per school with vectorised numpy; the coordinates are added later by
:mod:`lib.demo.places`, once the district polygons are known.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.demo.areas import Areas
from lib.demo.common import largest_remainder, stream
from lib.demo.names import school_names

# Level bits of a school's `levels`.
PP, PRI, LS, US = 1, 2, 4, 8
LEVEL_BITS = {"pre_primary": PP, "primary": PRI, "lower_secondary": LS, "upper_secondary": US}

# Schools at scale 1 (lao_facts.md 5.2): about 9,000 offering primary, 1,600 secondary,
# 2,000 pre-primary (most of them classes attached to primary schools).
N_PRIMARY = 9000
N_SECONDARY_ONLY = 1480
N_KINDERGARTEN = 640

PRIMARY_GRADES = 5


@dataclass
class Register:
    """One row per school, in school_id order (by district, then serial)."""

    frame: pd.DataFrame
    n_towns: np.ndarray       # towns per district (town 0 is the district capital)
    # Columns used by the simulation (numpy, aligned with frame):
    #   district (int index), bits, urban (bool), rho (school remoteness), priority,
    #   top_primary (highest primary grade position offered, 0..4), anchor (bool),
    #   w_pp, w_pri, w_ls, w_us (size weights), opened, closed (0 = open), town (int)

    def __len__(self) -> int:
        return len(self.frame)

    def col(self, name: str) -> np.ndarray:
        return self.frame[name].to_numpy()


def _draw_counts(areas: Areas, scale: float, rng: np.random.Generator) -> pd.DataFrame:
    d = areas.districts
    pop = d["pop_2015"].to_numpy(np.float64)
    rho = d["rho"].to_numpy()
    core = d["core_urban"].to_numpy()
    # Remote districts have many small schools; the city has few large ones.
    w_pri = pop ** 0.85 * (0.45 + rho) * np.where(core, 0.3, 1.0) * rng.lognormal(0, 0.1, len(d))
    n_pri = largest_remainder(round(N_PRIMARY * scale), w_pri, minimum=1)
    w_sec = pop ** 0.9 * (0.75 + 0.3 * rho) * rng.lognormal(0, 0.15, len(d))
    n_sec = largest_remainder(round(N_SECONDARY_ONLY * scale), w_sec, minimum=0)
    # Every province has at least one complete secondary school, in its capital district.
    for p, group in d.groupby("province_index"):
        if n_sec[group.index].sum() == 0:
            cap = group.index[group["capital"].to_numpy()]
            n_sec[cap[0] if len(cap) else group.index[0]] += 1
    w_kg = pop * np.clip(1.25 - rho, 0.2, None) * rng.lognormal(0, 0.2, len(d))
    n_kg = largest_remainder(round(N_KINDERGARTEN * scale), w_kg, minimum=0)
    return pd.DataFrame({"n_pri": n_pri, "n_sec": n_sec, "n_kg": n_kg})


def build_register(areas: Areas, seed: int, scale: float, first: int, last: int) -> Register:
    rng = stream(seed, "register")
    d = areas.districts
    counts = _draw_counts(areas, scale, rng)
    n_pri = counts["n_pri"].to_numpy()
    n_sec = counts["n_sec"].to_numpy()
    n_kg = counts["n_kg"].to_numpy()
    per_district = n_pri + n_sec + n_kg
    n = int(per_district.sum())

    district = np.repeat(np.arange(areas.n), per_district)
    # Position of each school inside its district block: primary first (the anchor, the
    # district's main school, is position 0), then secondary, then kindergartens.
    start = np.repeat(np.cumsum(per_district) - per_district, per_district)
    pos = np.arange(n) - start
    kind_pri = pos < n_pri[district]
    kind_sec = (~kind_pri) & (pos < (n_pri + n_sec)[district])
    kind_kg = ~(kind_pri | kind_sec)
    anchor = kind_pri & (pos == 0)
    # One complete secondary school (LS + US) in each province anchors it: the first one of
    # the capital district, else of the first district that has one.
    first_sec = np.flatnonzero(kind_sec & (pos == n_pri[district]))
    prov_of = d["province_index"].to_numpy()[district[first_sec]]
    not_capital = ~d["capital"].to_numpy()[district[first_sec]]
    pick = np.lexsort((first_sec, not_capital, prov_of))
    keep = np.r_[True, prov_of[pick][1:] != prov_of[pick][:-1]]
    sec_anchor = np.zeros(n, dtype=bool)
    sec_anchor[first_sec[pick][keep]] = True

    rho_d = d["rho"].to_numpy()[district]
    prio = d["priority"].to_numpy()[district]
    core = d["core_urban"].to_numpy()[district]
    capital = d["capital"].to_numpy()[district]
    vte = (d["province"].to_numpy() == "01")[district]

    # Locality.
    p_urban = np.select([core, vte, capital, prio == 1], [0.85, 0.3, 0.3, 0.02], 0.05)
    p_urban = np.where(kind_sec, np.minimum(p_urban + 0.25, 0.95), p_urban)
    p_urban = np.where(kind_kg, np.select([core, capital | vte, prio == 1], [0.95, 0.6, 0.1], 0.2),
                       p_urban)
    urban = rng.random(n) < p_urban
    urban = np.where(anchor | sec_anchor, capital | core | vte, urban)
    rho = np.clip(rho_d + np.where(urban, -0.15, 0.03), 0.0, 1.0)

    # Levels offered.
    bits = np.zeros(n, dtype=np.int64)
    bits[kind_pri] |= PRI
    p_attached = np.where(urban, 0.6, np.clip(0.17 - 0.1 * rho_d, 0.04, None))
    attached = kind_pri & (rng.random(n) < p_attached)
    bits[attached] |= PP
    basic = kind_pri & ~anchor & ~urban & (rng.random(n) < 0.012)
    bits[basic] |= LS
    u = rng.random(n)
    sec_kind = np.where(sec_anchor, 1, np.where(u < 0.45, 0, np.where(u < 0.93, 1, 2)))
    bits[kind_sec & (sec_kind == 0)] |= LS
    bits[kind_sec & (sec_kind == 1)] |= LS | US
    bits[kind_sec & (sec_kind == 2)] |= US
    bits[kind_kg] |= PP

    # Completeness of primary: incomplete schools stop at grade 2, 3 or 4.
    p_incomplete = np.clip(0.02 + 0.27 * rho_d + 0.04 * prio - 0.03 * urban, 0.0, 0.4)
    incomplete = kind_pri & ~anchor & ~basic & (rng.random(n) < p_incomplete)
    top = np.full(n, PRIMARY_GRADES - 1)
    top[incomplete] = rng.choice([1, 2, 3], size=int(incomplete.sum()), p=[0.2, 0.4, 0.4])
    complete = ~incomplete

    p_multigrade = np.clip(0.01 + 0.42 * rho_d + 0.1 * prio + 0.12 * incomplete
                           - 0.1 * urban, 0.0, 0.85)
    multigrade = kind_pri & (rng.random(n) < p_multigrade)

    # Size weights: a school's share of its district's pupils of a level.
    w_pri = rng.lognormal(0.0, 0.55, n) * np.where(urban, 4.0, 1.0) * np.where(incomplete, 0.55, 1.0)
    w_pri = np.where(anchor, w_pri * 2.5, w_pri)
    w_pri = np.where(kind_pri, np.maximum(w_pri, 0.35), 0.0)
    w_ls = rng.lognormal(0.0, 0.45, n) * np.where(urban, 2.0, 1.0)
    w_ls = np.where(basic, 0.35 * w_ls, np.where(sec_kind == 1, 1.2 * w_ls, w_ls))
    w_ls = np.where(bits & LS > 0, np.maximum(w_ls, 0.3), 0.0)
    w_us = rng.lognormal(0.0, 0.45, n) * np.where(urban, 2.0, 1.0)
    w_us = np.where(bits & US > 0, np.maximum(w_us, 0.3), 0.0)
    w_pp = rng.lognormal(0.0, 0.45, n) * np.where(urban, 1.6, 0.7) * np.where(kind_kg, 1.3, 1.0)
    w_pp = np.where(bits & PP > 0, np.maximum(w_pp, 0.3), 0.0)

    # Ownership.
    u = rng.random(n)
    p_private = np.where(kind_kg, np.where(urban, 0.45, 0.08),
                         np.where(kind_sec, np.where(urban, 0.18, 0.02),
                                  np.where(urban, 0.16, 0.008)))
    p_community = np.where(kind_kg, np.where(urban, 0.05, 0.35),
                           np.where(kind_sec, 0.01, np.where(urban, 0.01, 0.03 + 0.04 * rho_d)))
    p_private = np.where(anchor | sec_anchor, 0.0, p_private)
    p_community = np.where(anchor | sec_anchor, 0.0, p_community)
    ownership = np.where(u < p_private, "private",
                         np.where(u < p_private + p_community, "community", "public"))

    # Distance to the nearest road: long-tailed, far longer in remote priority districts.
    median = np.where(urban, 0.3, 1.0 + 5.0 * rho_d + 3.0 * prio)
    distance = np.clip(rng.lognormal(np.log(median), np.where(urban, 0.7, 0.95)), 0.0, 95.0)
    distance = np.round(distance, 1)

    # Opening and closing. Old schools opened before the first year; a few open or close
    # during the period (never an anchor, so every district keeps its main schools).
    age = np.floor(rng.exponential(np.where(kind_kg, 9.0, np.where(kind_sec, 14.0, 20.0))))
    opened = np.maximum(first - 1 - age.astype(np.int64), np.where(kind_pri, 1950, 1965))
    closed = np.zeros(n, dtype=np.int64)
    span = last - first
    if span > 0:
        free = ~(anchor | sec_anchor)
        new = free & (rng.random(n) < 0.002 * span)
        small = w_pri + w_ls + w_us + w_pp < 1.2
        closing = free & ~new & small & (rng.random(n) < 0.004 * span)
        # Only where the district keeps other schools of each level the school offers, much
        # larger than it: a new school (or a closing one) then shifts its neighbours' intake
        # a little, and no school's enrolment jumps.
        stays = ~(new | closing)
        for w in (w_pri, w_ls, w_us, w_pp):
            staying = np.bincount(district, weights=np.where(stays, w, 0.0), minlength=areas.n)
            new &= w <= 0.5 * staying[district]
            closing &= w <= 0.25 * staying[district]
        opened = np.where(new, rng.integers(first + 1, last + 1, n), opened)
        closed = np.where(closing, rng.integers(first + 1, last + 1, n), 0)

    # Towns: each district has a capital (town 0) and a few villages around which schools
    # cluster; urban schools sit in the capital.
    n_towns = 2 + rng.integers(1, 4, areas.n)        # 3..5 per district
    town = np.where(urban | anchor | sec_anchor | (rng.random(n) < 0.3), 0,
                    1 + np.floor(rng.random(n) * (n_towns[district] - 1)).astype(np.int64))

    kind = np.select(
        [kind_kg, basic, kind_sec & (sec_kind == 0), kind_sec & (sec_kind == 1),
         kind_sec & (sec_kind == 2)],
        ["kindergarten", "basic", "lower_secondary", "secondary", "upper_secondary"],
        "primary").astype(object)
    name_en, name_local = school_names(kind, stream(seed, "names"))

    codes = d["code"].to_numpy()
    width = max(4, len(str(int(per_district.max()))))
    school_id = (pd.Series(codes[district], dtype=object) + "-"
                 + pd.Series(pos + 1).astype(str).str.zfill(width)).to_numpy(dtype=object)

    level_names = np.array(["pre_primary", "primary", "lower_secondary", "upper_secondary"])
    levels = pd.Series([""] * n, dtype=object)
    for bit, name in zip((PP, PRI, LS, US), level_names):
        has = (bits & bit) > 0
        levels = levels.where(~has, levels + np.where(levels == "", "", ";") + name)

    frame = pd.DataFrame({
        "school_id": school_id,
        "name_en": name_en,
        "name_local": name_local,
        "district_code": codes[district],
        "ownership": ownership,
        "locality": np.where(urban, "urban", "rural"),
        "levels": levels.to_numpy(),
        "complete": complete.astype(np.int64),
        "multigrade": multigrade.astype(np.int64),
        "distance_to_road_km": distance,
        "opened_year": opened.astype(np.int64),
        "closed_year": pd.array(np.where(closed > 0, closed, 0), dtype="Int64"),
        # simulation columns (not written)
        "district": district,
        "province_index": d["province_index"].to_numpy()[district],
        "bits": bits,
        "urban": urban,
        "rho": rho,
        "priority": prio,
        "top_primary": top,
        "anchor": anchor | sec_anchor,
        "w_pp": w_pp, "w_pri": w_pri, "w_ls": w_ls, "w_us": w_us,
        "closed": closed,
        "town": town,
        "kind": kind,
    })
    frame.loc[closed == 0, "closed_year"] = pd.NA
    return Register(frame, n_towns=n_towns)


SCHOOL_COLUMNS = ["school_id", "name_en", "name_local", "district_code", "latitude", "longitude",
                  "ownership", "locality", "levels", "complete", "multigrade",
                  "distance_to_road_km", "opened_year", "closed_year"]


def open_mask(register: Register, year: int) -> np.ndarray:
    """Schools open in a year: opened_year <= year and (not closed or year < closed_year)."""
    opened = register.col("opened_year")
    closed = register.col("closed")
    return (opened <= year) & ((closed == 0) | (year < closed))
