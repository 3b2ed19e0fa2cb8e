"""Enrolment flows: a cohort simulation of every school, vectorised over schools.

Each level's pupils are held as an array (school, grade, sex, age offset) of whole pupils.
From one school year to the next, pupils of each cell repeat, are promoted or drop out
(binomial draws); repeaters become a year older in the same grade, promoted pupils move to
the next grade of the same school, or, when the school stops at that grade (an incomplete
primary school, the last grade of a level), to the schools of the district (or the province,
when the district has none) that offer the next grade, in proportion to their size. Grade 1
takes new entrants of ages 5-9 from the district population. So the aggregate rates the
build computes (repetition, promotion, survival, transition) are the rates simulated here.

Pre-primary has no flows: its pupils are drawn each year from the population aged 3-6.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from lib.country import Country
from lib.demo.areas import Areas
from lib.demo.common import group_sum, stochastic_round, stream
from lib.demo.rates import (ENTRY_OFFSETS, LEVEL_RATES, N_OFFSETS, OFFSETS, PRE_PRIMARY_AGES,
                            entry_profile, ever_entry, pre_primary_participation)
from lib.demo.register import LEVEL_BITS, Register

BURN_IN = 16          # years simulated before the first year, so every grade is filled
NEW_SCHOOL_START = 0.6  # share of its full size a new school opens with
MIN_PUPILS = 6        # every open school has at least this many pupils in each level it offers


@dataclass
class Chunk:
    """Whole provinces, simulated together: schools rows [start, stop) of the register."""

    index: int
    start: int
    stop: int
    d0: int                 # first district (global index)
    nd: int                 # number of districts
    p0: int
    npv: int
    dist_prov: np.ndarray   # local province of each local district


def plan_chunks(register: Register, areas: Areas, max_schools: int = 100_000) -> list[Chunk]:
    """Group consecutive provinces so that each chunk holds at most about max_schools."""
    prov = register.col("province_index")
    n_prov = int(areas.districts["province_index"].max()) + 1
    per_prov = np.bincount(prov, minlength=n_prov)
    groups: list[list[int]] = [[]]
    count = 0
    for p in range(n_prov):
        if groups[-1] and count + per_prov[p] > max_schools:
            groups.append([])
            count = 0
        groups[-1].append(p)
        count += per_prov[p]
    bounds = np.concatenate([[0], np.cumsum(per_prov)])
    dprov = areas.districts["province_index"].to_numpy()
    chunks = []
    for i, group in enumerate(groups):
        p0, p1 = group[0], group[-1] + 1
        dmask = (dprov >= p0) & (dprov < p1)
        d_idx = np.flatnonzero(dmask)
        chunks.append(Chunk(index=i, start=int(bounds[p0]), stop=int(bounds[p1]),
                            d0=int(d_idx[0]), nd=len(d_idx), p0=p0, npv=p1 - p0,
                            dist_prov=dprov[d_idx] - p0))
    return chunks


class LevelFlows:
    """The pupils of one level (primary, lower or upper secondary) in the schools of a chunk."""

    def __init__(self, level_id: str, grades: tuple[int, ...], register: Register, chunk: Chunk,
                 rng: np.random.Generator, first: int):
        f = register.frame.iloc[chunk.start:chunk.stop]
        bit = LEVEL_BITS[level_id]
        has = (f["bits"].to_numpy() & bit) > 0
        self.level_id = level_id
        self.grades = grades
        self.G = len(grades)
        self.rows = chunk.start + np.flatnonzero(has)          # register rows
        self.n = len(self.rows)
        self.chunk = chunk
        self.rng = rng
        self.first = first
        self.dist = f["district"].to_numpy()[has] - chunk.d0
        self.prov = chunk.dist_prov[self.dist]
        weight_col = {"primary": "w_pri", "lower_secondary": "w_ls", "upper_secondary": "w_us"}
        self.w = f[weight_col[level_id]].to_numpy()[has]
        self.rho = f["rho"].to_numpy()[has]
        self.prio = f["priority"].to_numpy()[has]
        self.opened = f["opened_year"].to_numpy()[has]
        self.closed = f["closed"].to_numpy()[has]
        self.top = (f["top_primary"].to_numpy()[has] if level_id == "primary"
                    else np.full(self.n, self.G - 1))
        self.E = np.zeros((self.n, self.G, 2, N_OFFSETS), dtype=np.int64)
        self.R = np.zeros_like(self.E)
        self.offered = np.arange(self.G)[None, :] <= self.top[:, None]      # (n, G)

    def is_open(self, year: int) -> np.ndarray:
        if year <= self.first:    # during the burn-in every school of the first year is open
            return self.opened <= self.first
        return (self.opened <= year) & ((self.closed == 0) | (year < self.closed))

    def step(self, year: int, inflow: np.ndarray) -> np.ndarray:
        """Move pupils from ``year`` to ``year + 1``.

        ``inflow`` (districts, 2, offsets) are the pupils entering the first grade; returns
        the pupils promoted out of the last grade, by district (the next level's inflow).
        """
        rng = self.rng
        nxt = year + 1
        r, d = LEVEL_RATES[self.level_id](self.rho, self.prio, year, self.G)     # (n, G, 2)
        E = self.E
        shape = E.shape
        nz = np.flatnonzero(E)
        rep = np.zeros(E.size, dtype=np.int64)
        prom = np.zeros(E.size, dtype=np.int64)
        if nz.size:
            r_full = np.broadcast_to(r[..., None], shape).reshape(-1)[nz]
            d_full = np.broadcast_to(d[..., None], shape).reshape(-1)[nz]
            e = E.reshape(-1)[nz]
            rep_nz = rng.binomial(e, r_full)
            q = np.clip((1.0 - r_full - d_full) / np.maximum(1.0 - r_full, 1e-9), 0.0, 1.0)
            prom_nz = rng.binomial(e - rep_nz, q)
            rep[nz] = rep_nz
            prom[nz] = prom_nz
        rep = rep.reshape(shape)
        prom = prom.reshape(shape)
        rep[..., -1] = 0                      # four years over-age: leave rather than repeat

        new_r = np.zeros_like(E)
        new_r[..., 1:] = rep[..., :-1]        # a repeater is a year older
        new_e = new_r.copy()
        stays = np.arange(self.G)[None, :] < self.top[:, None]                  # (n, G)
        new_e[:, 1:] += prom[:, :-1] * stays[:, :-1, None, None]
        leaving = prom * (~stays)[..., None, None]

        pool = np.zeros((self.chunk.nd, self.G, 2, N_OFFSETS))
        if self.G > 1:
            pool[:, 1:] = group_sum(leaving[:, :-1], self.dist, self.chunk.nd)
        pool[:, 0] = inflow
        out = group_sum(leaving[:, -1], self.dist, self.chunk.nd)

        open_next = self.is_open(nxt)
        new_school = open_next & (self.opened == nxt) & (nxt > self.first)
        receives = open_next & ~new_school
        new_e += self._allocate(pool, receives)
        new_e[~open_next] = 0
        new_r[~open_next] = 0
        if new_school.any():
            self._open_schools(new_school, receives, new_e, new_r)
        self._top_up(open_next, new_e)
        self.E, self.R = new_e, new_r
        return out

    def _allocate(self, pool: np.ndarray, receives: np.ndarray) -> np.ndarray:
        """Share pools (district, grade, 2, offsets) among receiving schools by weight."""
        nd, npv = self.chunk.nd, self.chunk.npv
        recv = receives[:, None] & self.offered                                 # (n, G)
        wr = self.w[:, None] * recv
        w_d = group_sum(wr, self.dist, nd)                                      # (nd, G)
        w_p = group_sum(wr, self.prov, npv)                                     # (npv, G)
        has_d = w_d > 0
        pool_d = pool * has_d[..., None, None]
        pool_p = group_sum(pool * ~has_d[..., None, None], self.chunk.dist_prov, npv)
        share_d = np.where(recv, wr / np.where(w_d > 0, w_d, 1.0)[self.dist], 0.0)
        share_p = np.where(recv, wr / np.where(w_p > 0, w_p, 1.0)[self.prov], 0.0)
        expected = (pool_d[self.dist] * share_d[..., None, None]
                    + pool_p[self.prov] * share_p[..., None, None])
        return stochastic_round(expected, self.rng)

    def _open_schools(self, new: np.ndarray, old: np.ndarray, new_e: np.ndarray,
                      new_r: np.ndarray) -> None:
        """A school opening this year starts with part of the pupils of a typical school of
        its size in its district (children moving from nearby schools), then grows gently
        to its full size as its intake share fills the grades."""
        nd, npv = self.chunk.nd, self.chunk.npv
        w_old = np.where(old, self.w, 0.0)
        prof_e = group_sum(new_e * old[:, None, None, None], self.dist, nd)
        prof_r = group_sum(new_r * old[:, None, None, None], self.dist, nd)
        w_d = group_sum(w_old, self.dist, nd)
        prov_e = group_sum(prof_e, self.chunk.dist_prov, npv)
        prov_r = group_sum(prof_r, self.chunk.dist_prov, npv)
        w_p = group_sum(w_d, self.chunk.dist_prov, npv)
        idx = np.flatnonzero(new)
        dist, prov = self.dist[idx], self.prov[idx]
        use_d = w_d[dist] > 0
        per_w_e = np.where(use_d[:, None, None, None], prof_e[dist] / np.maximum(w_d[dist], 1e-9)[:, None, None, None],
                           prov_e[prov] / np.maximum(w_p[prov], 1e-9)[:, None, None, None])
        per_w_r = np.where(use_d[:, None, None, None], prof_r[dist] / np.maximum(w_d[dist], 1e-9)[:, None, None, None],
                           prov_r[prov] / np.maximum(w_p[prov], 1e-9)[:, None, None, None])
        mask = self.offered[idx][..., None, None]
        size = NEW_SCHOOL_START * self.w[idx][:, None, None, None]
        e = stochastic_round(per_w_e * size, self.rng) * mask
        rr = np.minimum(stochastic_round(per_w_r * size, self.rng) * mask, e)
        new_e[idx] = e
        new_r[idx] = rr

    def _top_up(self, open_next: np.ndarray, new_e: np.ndarray) -> None:
        total = new_e.sum(axis=(1, 2, 3))
        short = open_next & (total < MIN_PUPILS)
        if short.any():
            missing = MIN_PUPILS - total[short]
            girls = missing // 2
            new_e[short, 0, 0, 1] += girls
            new_e[short, 0, 1, 1] += missing - girls


def intake(areas: Areas, chunk: Chunk, year: int) -> np.ndarray:
    """New entrants to grade 1 in ``year`` by local district, sex, age offset (expected)."""
    d = areas.districts.iloc[chunk.d0:chunk.d0 + chunk.nd]
    pop = areas.population(year)[chunk.d0:chunk.d0 + chunk.nd].astype(np.float64)   # (nd, 2, a)
    entry_ages = 6 + OFFSETS[:ENTRY_OFFSETS]                                          # 5..9
    rho = d["rho"].to_numpy()
    e = ever_entry(rho, d["priority"].to_numpy(), year)                               # (nd, 2)
    f = entry_profile(rho, year)                                                      # (nd, 5)
    cov = d["coverage"].to_numpy()
    out = np.zeros((chunk.nd, 2, N_OFFSETS))
    out[:, :, :ENTRY_OFFSETS] = (pop[:, :, entry_ages] * cov[:, None, None]
                                 * e[:, :, None] * f[:, None, :])
    return out


class PrePrimary:
    """Pre-primary pupils of a chunk, drawn each year from the population aged 3-6."""

    def __init__(self, register: Register, chunk: Chunk, areas: Areas, rng: np.random.Generator,
                 first: int):
        f = register.frame.iloc[chunk.start:chunk.stop]
        has = (f["bits"].to_numpy() & LEVEL_BITS["pre_primary"]) > 0
        self.rows = chunk.start + np.flatnonzero(has)
        self.n = len(self.rows)
        self.dist = f["district"].to_numpy()[has] - chunk.d0
        self.w = f["w_pp"].to_numpy()[has]
        self.opened = f["opened_year"].to_numpy()[has]
        self.closed = f["closed"].to_numpy()[has]
        self.chunk, self.areas, self.rng, self.first = chunk, areas, rng, first

    def enrolment(self, year: int) -> np.ndarray:
        """Pupils (school, sex, age 3..6)."""
        chunk = self.chunk
        d = self.areas.districts.iloc[chunk.d0:chunk.d0 + chunk.nd]
        open_ = (self.opened <= year) & ((self.closed == 0) | (year < self.closed))
        pop = self.areas.population(year)[chunk.d0:chunk.d0 + chunk.nd][:, :, PRE_PRIMARY_AGES]
        part = pre_primary_participation(d["rho"].to_numpy(), year)                  # (nd, 4)
        demand = pop * part[:, None, :] * d["coverage"].to_numpy()[:, None, None]    # (nd, 2, 4)
        # Shares of all the district's pre-primary schools, open or not: a school opening or
        # closing does not move its neighbours' enrolment.
        w_d = group_sum(self.w, self.dist, chunk.nd)
        share = self.w / np.where(w_d > 0, w_d, 1.0)[self.dist]
        e = stochastic_round(demand[self.dist] * share[:, None, None], self.rng)
        total = e.sum(axis=(1, 2))
        short = open_ & (total < MIN_PUPILS)
        if short.any():
            missing = MIN_PUPILS - total[short]
            e[short, 0, 2] += missing // 2
            e[short, 1, 2] += missing - missing // 2
        e[~open_] = 0
        return e


@dataclass
class YearRows:
    """Enrolment rows of one year of one chunk (register rows, not yet ids)."""

    year: int
    school: np.ndarray      # register row
    grade: np.ndarray
    sex: np.ndarray         # 0 = F, 1 = M
    age: np.ndarray         # -1 = unknown
    enrolled: np.ndarray
    repeaters: np.ndarray

    def __len__(self) -> int:
        return len(self.school)

    def take(self, keep: np.ndarray) -> "YearRows":
        return YearRows(self.year, self.school[keep], self.grade[keep], self.sex[keep],
                        self.age[keep], self.enrolled[keep], self.repeaters[keep])


def _block_rows(rows: np.ndarray, E: np.ndarray, R: np.ndarray, grades: np.ndarray,
                ages: np.ndarray) -> tuple[np.ndarray, ...]:
    """Rows of the non-zero cells of (school, grade, sex, slot) arrays; ages (grade, slot)."""
    s, g, x, o = np.nonzero(E)
    return (rows[s], grades[g], x, ages[g, o], E[s, g, x, o], R[s, g, x, o])


def simulate_chunk(register: Register, areas: Areas, country: Country, chunk: Chunk, seed: int,
                   first: int, last: int,
                   progress=None) -> Iterator[YearRows]:
    """Yield the enrolment rows of each year first..last for the schools of a chunk."""
    rng = stream(seed, "flows", chunk.index)
    levels = [lv for lv in country.levels if lv.id in LEVEL_RATES]
    sims = [LevelFlows(lv.id, lv.grades, register, chunk, rng, first) for lv in levels]
    pre = None
    pp_level = next((lv for lv in country.levels if lv.id == "pre_primary"), None)
    if pp_level is not None:
        pre = PrePrimary(register, chunk, areas, stream(seed, "preprimary", chunk.index), first)
    block_ages = []
    for lv in levels:
        official = np.array([lv.official_ages(g)[0] for g in lv.grades])
        block_ages.append(official[:, None] + OFFSETS[None, :])
    for year in range(first - BURN_IN, last + 1):
        if year >= first:
            if progress is not None:
                progress(year)
            parts = []
            if pre is not None:
                e = pre.enrolment(year)[:, None]                         # (n, 1, 2, 4)
                ages = PRE_PRIMARY_AGES[None, :]
                parts.append(_block_rows(pre.rows, e, np.zeros_like(e),
                                         np.array(pp_level.grades[:1]), ages))
            for lv, sim, ages in zip(levels, sims, block_ages):
                parts.append(_block_rows(sim.rows, sim.E, sim.R, np.array(lv.grades), ages))
            cols = [np.concatenate(c) for c in zip(*parts)]
            order = np.lexsort((cols[3], cols[2], cols[1], cols[0]))
            yield YearRows(year, *(c[order] for c in cols))
        if year == last:
            break
        inflow = intake(areas, chunk, year + 1)
        for sim in sims:
            inflow = sim.step(year, inflow)
