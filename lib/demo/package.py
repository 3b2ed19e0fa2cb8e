"""Write the synthetic demo data package (data contract, section 1) and its manifest."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lib.country import Country, parse_country
from lib.demo.areas import Areas, build_areas, district_attributes, population_table
from lib.demo.common import stream
from lib.demo.dirt import (JUMP_FACTOR, JUMP_MIN, JUMP_SHARE, PTR_HIGH, PTR_LOW, DirtPlan,
                           age_bounds, plan_dirt)
from lib.demo.facilities import ITEMS, classrooms, facility_values
from lib.demo.flows import BURN_IN, Chunk, YearRows, plan_chunks, simulate_chunk
from lib.demo.inclusion import INCLUSION_TABLES, write_inclusion
from lib.demo.places import (Boundaries, Locations, copy_boundary_files, load_district_polygons,
                             place_schools, write_schematic)
from lib.demo.quality import QUALITY_TABLES, write_quality
from lib.demo.register import (LEVEL_BITS, PRIMARY_GRADES, SCHOOL_COLUMNS, Register,
                               build_register, open_mask)
from lib.demo.staff import teacher_counts, teacher_rows
from lib import vocabulary
from lib.reference import LAO_COUNTRY_TOML, lao_admin_units
from lib.tables import TABLE

GENERATOR = "lib.demo"
TABLES = ("admin_units", "schools", "enrolment", "teachers", "facilities", "population",
          "district_attributes", "targets") + INCLUSION_TABLES + QUALITY_TABLES
# Tables older demos wrote: removed when a package is regenerated (a package gives the flat
# quality table or the quality assessment, not both).
FORMER_TABLES = ("quality",)
TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")
TARGET_SOURCE = "ESSDP 2021–2025 (synthetic)"
TARGETS = (
    ("ger_primary", 2025, 110.0),
    ("ner_primary", 2025, 98.0),
    ("ptr_primary", 2025, 25.0),
    ("survival_last_primary", 2025, 90.0),
    ("repetition_g1", 2025, 8.0),
    ("transition_primary", 2025, 93.0),
    ("ger_lower_secondary", 2025, 85.0),
    ("ger_upper_secondary", 2025, 60.0),
    ("participation_pre_primary", 2025, 80.0),
)

ENROLMENT_SCHEMA = pa.schema([
    ("year", pa.int32()), ("school_id", pa.string()), ("grade", pa.int32()),
    ("sex", pa.string()), ("age", pa.int32()), ("enrolled", pa.int32()),
    ("repeaters", pa.int32()),
])
TEACHER_SCHEMA = pa.schema([
    ("year", pa.int32()), ("school_id", pa.string()), ("level", pa.string()),
    ("sex", pa.string()), ("qualified", pa.int32()), ("trained", pa.int32()),
    ("count", pa.int32()),
])
FACILITY_COLUMNS = [c.name for c in TABLE["facilities"].columns]
SEXES = pa.array(list(vocabulary.SEXES))


def generate_package(out: Path, *, seed: int = 2024, scale: float = 1.0,
                     years: tuple[int, int] = (2015, 2024), boundaries: Path | None = None,
                     progress: Callable[[str], None] = print) -> dict:
    """Write a synthetic data package modelled on Lao PDR into ``out``; return its manifest.

    ``out`` may exist: the package files in it are replaced, other files are left alone; a
    non-empty folder without a ``manifest.json`` is refused (ValueError), so a user's folder
    is never overwritten. The same arguments always give byte-identical files.
    """
    out = Path(out)
    seed = int(seed)
    scale = float(scale)
    first, last = int(years[0]), int(years[1])
    if not scale > 0 or not np.isfinite(scale):
        raise ValueError(f"scale must be a positive number, not {scale}")
    if last < first:
        raise ValueError(f"years must run forwards: {first}-{last}")
    if first < 1990 or last > 2100:
        raise ValueError(f"years {first}-{last} are outside 1990-2100")
    _check_output(out)
    if boundaries is not None:
        boundaries = Path(boundaries)
        if not boundaries.is_dir():
            raise ValueError(f"boundaries folder not found: {boundaries}")

    progress(f"preparing districts and schools (scale {scale:g}, {first}-{last})…")
    admin_units = lao_admin_units()
    areas = build_areas(seed, scale)
    register = build_register(areas, seed, scale, first, last)
    progress("drawing boundaries…" if boundaries is None else f"matching boundaries in {boundaries}…")
    bounds = load_district_polygons(boundaries, areas, admin_units, seed)
    progress(f"placing {len(register):,} schools…")
    places = place_schools(register, areas, bounds, seed)
    progress("writing the school register and population…")
    country_text = country_toml(bounds)
    country = parse_country(country_text)
    plan = plan_dirt(register, seed, scale, first, last)

    out.mkdir(parents=True, exist_ok=True)
    _remove_package_files(out)
    (out / "country.toml").write_text(country_text, encoding="utf-8")
    _csv(admin_units, out / "admin_units.csv")
    if boundaries is None:
        write_schematic(bounds, out / "boundaries", areas)
    else:
        copy_boundary_files(bounds, out / "boundaries")
    _csv(district_attributes(areas), out / "district_attributes.csv")
    population = population_table(areas, range(first, last + 1))
    _csv(population, out / "population.csv")
    _csv(pd.DataFrame([{"indicator": i, "year": y, "value": v, "source": TARGET_SOURCE}
                       for i, y, v in TARGETS]), out / "targets.csv")
    _csv(schools_table(register, places), out / "schools.csv")

    writer = _PackageWriter(out, register, areas, country, plan, seed, first, last, progress)
    writer.run()
    # Inclusive data (ethnicity, home language, child functioning), read from the enrolment
    # just written; lib.demo.inclusion checks its own sums.
    inclusion = write_inclusion(out, register, areas, population, seed, first, last, progress)
    # The school quality self-assessment of the last three years, read from the teachers
    # and facilities just written; lib.demo.quality checks its own planted contradictions.
    quality = write_quality(out, register, seed, first, last, progress)
    manifest = writer.manifest(bounds, places, scale)
    manifest["inclusion"] = {k: v for k, v in inclusion.items() if k != "groups_partial"}
    manifest["dirt"]["groups_partial"] = inclusion.get("groups_partial", [])
    manifest["quality"] = {k: v for k, v in quality.items() if k != "contradictions"}
    manifest["dirt"]["quality_contradicts_census"] = quality["contradictions"]
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8")
    progress(f"demo package written to {out}")
    return manifest


# --------------------------------------------------------------------------------------

def _check_output(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise ValueError(f"{out} is not empty and holds no demo package (no manifest.json): "
                         "choose an empty or new folder")


def _remove_package_files(out: Path) -> None:
    """Remove the files a previous demo wrote (manifest.json last, by overwriting it)."""
    for table in TABLES + FORMER_TABLES:
        for suffix in TABLE_SUFFIXES:
            (out / f"{table}{suffix}").unlink(missing_ok=True)
    (out / "country.toml").unlink(missing_ok=True)
    if (out / "boundaries").is_dir():
        shutil.rmtree(out / "boundaries")


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def country_toml(bounds: Boundaries) -> str:
    """The Lao profile with the [package] facts of this demo's boundaries."""
    text = LAO_COUNTRY_TOML.read_text(encoding="utf-8")
    schematic = bounds.source == "schematic"
    replacements = {
        "attribution": json.dumps(bounds.attribution, ensure_ascii=False),
        "boundaries_schematic": "true" if schematic else "false",
        "synthetic": "true",
    }
    for key, value in replacements.items():
        text, count = re.subn(rf"(?m)^({key}\s*=\s*)[^#\n]*?(\s*(#.*)?)$",
                              lambda m: f"{m.group(1)}{value}{m.group(2)}", text, count=1)
        if count != 1:
            raise RuntimeError(f"{LAO_COUNTRY_TOML} has no '{key} =' line")
    return text


def schools_table(register: Register, places: Locations) -> pd.DataFrame:
    frame = register.frame.copy()
    frame["latitude"] = places.latitude
    frame["longitude"] = places.longitude
    return frame[SCHOOL_COLUMNS]


class _PackageWriter:
    """Simulates chunk after chunk and writes enrolment, teachers and facilities."""

    def __init__(self, out: Path, register: Register, areas: Areas, country: Country,
                 plan: DirtPlan, seed: int, first: int, last: int, progress) -> None:
        self.out, self.register, self.areas, self.country = out, register, areas, country
        self.plan, self.seed, self.first, self.last = plan, seed, first, last
        self.progress = progress
        self.years = list(range(first, last + 1))
        n = len(register)
        self.pupils = np.zeros((len(self.years), n), dtype=np.int64)
        self.teachers = np.zeros((len(self.years), n), dtype=np.int64)
        self.age_dirt: set[tuple[int, int]] = set()
        self.enrolment_rows = 0
        self.level_ids = list(country.level_ids)
        grades = country.grades
        self.level_of_grade = np.full(max(grades) + 1, -1, dtype=np.int64)
        for i, lv in enumerate(country.levels):
            self.level_of_grade[list(lv.grades)] = i
        bounds = age_bounds(country)
        self.age_hi = np.array([bounds.get(g, (0, 0))[1] for g in range(max(grades) + 1)])
        self.age_lo = np.array([bounds.get(g, (0, 0))[0] for g in range(max(grades) + 1)])
        self.ids = register.col("school_id").astype(object)
        self.ids_arrow = pa.array(self.ids, type=pa.string())

    # ---------------------------------------------------------------- main loop
    def run(self) -> None:
        chunks = plan_chunks(self.register, self.areas)
        self.enrol_writer = pq.ParquetWriter(self.out / "enrolment.parquet", ENROLMENT_SCHEMA,
                                             compression="zstd")
        self.teacher_writer = pq.ParquetWriter(self.out / "teachers.parquet", TEACHER_SCHEMA,
                                               compression="zstd")
        self.fac_file = open(self.out / "facilities.csv", "w", encoding="utf-8", newline="")
        self.header = True
        try:
            total = len(chunks) * len(self.years)
            step = 0
            for k, chunk in enumerate(chunks, start=1):
                self.progress(f"simulating {BURN_IN} years of school history before {self.first}"
                              + (f" (provinces {chunk.p0 + 1}-{chunk.p0 + chunk.npv}, part {k}/"
                                 f"{len(chunks)})" if len(chunks) > 1 else "") + "…")

                def say(year: int) -> None:
                    nonlocal step
                    step += 1
                    where = f", provinces {chunk.p0 + 1}-{chunk.p0 + chunk.npv}" if len(chunks) > 1 else ""
                    self.progress(f"generating enrolment {year} ({step}/{total}{where})…")
                self._chunk(chunk, say)
        finally:
            self.enrol_writer.close()
            self.teacher_writer.close()
            self.fac_file.close()
        self._self_check()

    def _chunk(self, chunk: Chunk, say) -> None:
        reg = self.register.frame
        sl = slice(chunk.start, chunk.stop)
        n_c = chunk.stop - chunk.start
        rho = reg["rho"].to_numpy()[sl]
        prio = reg["priority"].to_numpy()[sl].astype(np.float64)
        urban = reg["urban"].to_numpy()[sl]
        bits = reg["bits"].to_numpy()[sl]
        multigrade = reg["multigrade"].to_numpy()[sl]
        top = reg["top_primary"].to_numpy()[sl]
        ptr_latent = stream(self.seed, "teachers", chunk.index, 0).normal(0.0, 0.18, n_c)
        fac_latent = stream(self.seed, "facilities", chunk.index).random((n_c, len(ITEMS)))
        t_rng = stream(self.seed, "teachers", chunk.index, 1)
        d_rng = stream(self.seed, "dirt", 3, chunk.index)
        n_levels = len(self.level_ids)
        grades_by_level = np.zeros((n_c, n_levels))
        for i, lv in enumerate(self.country.levels):
            offers = (bits & LEVEL_BITS[lv.id]) > 0
            count = np.where(top + 1 < PRIMARY_GRADES, top + 1, len(lv.grades)) \
                if lv.id == "primary" else np.full(n_c, len(lv.grades))
            grades_by_level[:, i] = np.where(offers, count, 0)
        secondary = (bits & (LEVEL_BITS["lower_secondary"] | LEVEL_BITS["upper_secondary"])) > 0

        for rows in simulate_chunk(self.register, self.areas, self.country, chunk, self.seed,
                                   self.first, self.last, progress=say):
            y = rows.year
            yi = y - self.first
            rows = self._dirty_enrolment(rows, chunk, d_rng)
            local = rows.school - chunk.start
            pupils = np.bincount(local, weights=rows.enrolled, minlength=n_c).astype(np.int64)
            reporting = pupils > 0
            lvl = self.level_of_grade[rows.grade]
            by_level = np.bincount(local * n_levels + lvl, weights=rows.enrolled,
                                   minlength=n_c * n_levels).reshape(n_c, n_levels)
            self.pupils[yi, sl] = pupils
            self._write_enrolment(rows)

            # Teachers of each level a reporting school offers.
            parts = []
            for i, lv in enumerate(self.country.levels):
                has = reporting & ((bits & LEVEL_BITS[lv.id]) > 0)
                idx = np.flatnonzero(has)
                counts = teacher_counts(lv.id, by_level[idx, i], ptr_latent[idx], rho[idx],
                                        urban[idx], y)
                part = teacher_rows(lv.id, idx, counts, rho[idx], prio[idx], urban[idx], y, t_rng)
                part["level"] = np.full(len(part["school"]), i)
                parts.append(part)
            teach = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
            teach = self._dirty_teachers(teach, pupils, chunk, y)
            order = np.lexsort((teach["trained"], teach["qualified"], teach["sex"],
                                teach["level"], teach["school"]))
            teach = {k: v[order] for k, v in teach.items()}
            self.teachers[yi, sl] = np.bincount(teach["school"], weights=teach["count"],
                                                minlength=n_c).astype(np.int64)
            self._write_teachers(y, teach, chunk)

            # Facilities of reporting schools.
            idx = np.flatnonzero(reporting)
            values = facility_values(fac_latent[idx], rho[idx], prio[idx], urban[idx],
                                     secondary[idx], y)
            fac = pd.DataFrame({"year": y, "school_id": self.ids[chunk.start + idx],
                                "classrooms": classrooms(by_level[idx], grades_by_level[idx],
                                                         multigrade[idx]),
                                **values})[FACILITY_COLUMNS]
            fac.to_csv(self.fac_file, index=False, header=self.header, lineterminator="\n")
            self.header = False

    # ---------------------------------------------------------------- dirt
    def _dirty_enrolment(self, rows: YearRows, chunk: Chunk, rng: np.random.Generator) -> YearRows:
        y = rows.year
        plan = self.plan
        rows = rows.take(~np.isin(rows.school, plan.non_reporting.get(y, [])))
        unknown = plan.unknown_age.get(y)
        if unknown is not None and len(unknown):
            rows = _forget_ages(rows, np.isin(rows.school, unknown))
        for r in plan.age_in(y):
            cand = np.flatnonzero((rows.school == r) & (rows.age >= 0))
            if len(cand):
                i = cand[0]
                rows.age[i] = self.age_hi[rows.grade[i]] + 1 + int(rng.integers(0, 3))
                self.age_dirt.add((r, y))
        if y == self.last and plan.jump:
            for r in plan.jump:
                mine = rows.school == r
                if not mine.any():
                    continue
                cur = int(rows.enrolled[mine].sum())
                prev = int(self.pupils[y - 1 - self.first, r])
                factor = JUMP_FACTOR
                while abs(factor * cur - prev) <= max(JUMP_SHARE * prev, JUMP_MIN - 1):
                    factor += 1
                rows.enrolled[mine] *= factor
                rows.repeaters[mine] *= factor
        order = np.lexsort((rows.age, rows.sex, rows.grade, rows.school))
        return rows.take(order)

    def _dirty_teachers(self, teach: dict, pupils: np.ndarray, chunk: Chunk, y: int) -> dict:
        for r in self.plan.ptr_in(y):
            if not (chunk.start <= r < chunk.stop):
                continue
            local = r - chunk.start
            mine = teach["school"] == local
            first_level = int(teach["level"][mine][0])
            keep = {k: v[~mine] for k, v in teach.items()}
            p = int(pupils[local])
            # A big school whose teachers were entered as 1, or a small one whose pupils were
            # typed into the teacher count.
            count = 1 if p > 150 else p
            extra = {"school": [local], "sex": [0], "qualified": [1], "trained": [1],
                     "count": [count], "level": [first_level]}
            teach = {k: np.concatenate([keep[k], np.asarray(extra[k], dtype=keep[k].dtype)])
                     for k in keep}
        return teach

    # ---------------------------------------------------------------- writing
    def _write_enrolment(self, rows: YearRows) -> None:
        if len(rows) == 0:
            return
        table = pa.table({
            "year": pa.array(np.full(len(rows), rows.year, dtype=np.int32)),
            "school_id": pc.take(self.ids_arrow, pa.array(rows.school)),
            "grade": pa.array(rows.grade.astype(np.int32)),
            "sex": pc.take(SEXES, pa.array(rows.sex)),
            "age": pa.array(rows.age.astype(np.int32), mask=rows.age < 0),
            "enrolled": pa.array(rows.enrolled.astype(np.int32)),
            "repeaters": pa.array(rows.repeaters.astype(np.int32)),
        }, schema=ENROLMENT_SCHEMA)
        self.enrol_writer.write_table(table)
        self.enrolment_rows += len(rows)

    def _write_teachers(self, year: int, teach: dict, chunk: Chunk) -> None:
        if len(teach["school"]) == 0:
            return
        table = pa.table({
            "year": pa.array(np.full(len(teach["school"]), year, dtype=np.int32)),
            "school_id": pc.take(self.ids_arrow, pa.array(teach["school"] + chunk.start)),
            "level": pc.take(pa.array(self.level_ids), pa.array(teach["level"])),
            "sex": pc.take(SEXES, pa.array(teach["sex"])),
            "qualified": pa.array(teach["qualified"].astype(np.int32)),
            "trained": pa.array(teach["trained"].astype(np.int32)),
            "count": pa.array(teach["count"].astype(np.int32)),
        }, schema=TEACHER_SCHEMA)
        self.teacher_writer.write_table(table)

    # ---------------------------------------------------------------- checks
    def _self_check(self) -> None:
        """The build's warning rules must find exactly the planted dirt."""
        plan = self.plan
        problems = []
        for yi, y in enumerate(self.years):
            p, t = self.pupils[yi], self.teachers[yi]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = p / t
            bad = (p > 0) & ((t == 0) | (ratio > PTR_HIGH) | (ratio < PTR_LOW))
            found = {(int(r), y) for r in np.flatnonzero(bad)}
            want = {(r, yy) for r, yy in plan.ptr if yy == y}
            if found != want:
                problems.append(f"PTR {y}: found {sorted(found)}, planted {sorted(want)}")
            open_ = open_mask(self.register, y)
            silent = set(np.flatnonzero(open_ & (p == 0)).tolist())
            if silent != set(plan.non_reporting.get(y, np.array([])).tolist()):
                problems.append(f"non-reporting {y}: {sorted(silent ^ set(plan.non_reporting[y].tolist()))}")
            if yi > 0:
                prev = self.pupils[yi - 1]
                change = np.abs(p - prev)
                jump = (p > 0) & (prev > 0) & (change > JUMP_SHARE * prev) & (change >= JUMP_MIN)
                found = set(np.flatnonzero(jump).tolist())
                want = set(plan.jump) if y == self.last else set()
                if found != want:
                    problems.append(f"enrolment jump {y}: found {sorted(found)}, planted {sorted(want)}")
        if self.age_dirt != set(plan.age):
            problems.append(f"age dirt {sorted(self.age_dirt)} != {sorted(plan.age)}")
        if problems:
            raise RuntimeError("demo self-check failed (a bug in lib.demo): " + "; ".join(problems))

    def manifest(self, bounds: Boundaries, places: Locations, scale: float) -> dict:
        ids = self.ids
        reg = self.register.frame
        bits = reg["bits"].to_numpy()
        plan = self.plan
        def school_years(pairs):
            return [{"school_id": str(ids[r]), "year": int(y)}
                    for r, y in sorted(pairs, key=lambda ry: (ry[1], str(ids[ry[0]])))]
        return {
            "generator": GENERATOR,
            "seed": self.seed,
            "scale": scale,
            "years": [self.first, self.last],
            "synthetic": True,
            "boundaries": bounds.source,
            "counts": {
                "provinces": int(len(self.areas.provinces)),
                "districts": int(self.areas.n),
                "schools": int(len(reg)),
                "schools_offering": {lv: int(((bits & bit) > 0).sum())
                                     for lv, bit in LEVEL_BITS.items()},
                "enrolment_rows": int(self.enrolment_rows),
                "pupils": {str(y): int(self.pupils[i].sum()) for i, y in enumerate(self.years)},
                "teachers": {str(y): int(self.teachers[i].sum()) for i, y in enumerate(self.years)},
            },
            "priority_districts": sorted(self.areas.districts.loc[
                self.areas.districts["priority"] == 1, "code"].tolist()),
            "dirt": {
                "no_coordinates": sorted(str(ids[i]) for i in places.no_coordinates),
                "coordinates_outside_country": sorted(str(ids[i]) for i in places.swapped),
                "outside_district": sorted(str(ids[i]) for i in places.outside),
                "non_reporting": {str(y): sorted(str(ids[r]) for r in plan.non_reporting[y])
                                  for y in self.years},
                "ptr_implausible": school_years(plan.ptr),
                "enrolment_jump": school_years([(r, self.last) for r in plan.jump]),
                "age_grade_mismatch": school_years(plan.age),
            },
        }


def _forget_ages(rows: YearRows, mask: np.ndarray) -> YearRows:
    """Schools that reported no ages: their rows become one per grade and sex, age empty."""
    sel = rows.take(mask)
    rest = rows.take(~mask)
    key = (sel.school * 64 + sel.grade) * 2 + sel.sex
    uniq, inverse = np.unique(key, return_inverse=True)
    enrolled = np.bincount(inverse, weights=sel.enrolled).astype(np.int64)
    repeaters = np.bincount(inverse, weights=sel.repeaters).astype(np.int64)
    merged = YearRows(rows.year, uniq // 128, (uniq // 2) % 64, uniq % 2,
                      np.full(len(uniq), -1, dtype=np.int64), enrolled, repeaters)
    return YearRows(rows.year, *(np.concatenate([a, b]) for a, b in zip(
        (rest.school, rest.grade, rest.sex, rest.age, rest.enrolled, rest.repeaters),
        (merged.school, merged.grade, merged.sex, merged.age, merged.enrolled, merged.repeaters))))
