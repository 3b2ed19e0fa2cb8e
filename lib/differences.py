"""What publishing a candidate extract would change against the served one.

Before anyone publishes a census, they see: the school years added, replaced (some of their
rows differ), left unchanged or no longer given; the schools added to the register, taken
out of it, closed or moved; pupils and teachers of every area and year before → after (only
where they differ); the headline indicators that would move by more than a threshold; and
the areas that gain or lose their polygon on the map. Both extracts are read, never
written. Pure: no Streamlit.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

MOVED_KM = 1.0  # a school whose point moved further than this has moved
RATE_POINTS = 2.0  # a rate (%) that moves more than this many percentage points is reported
RELATIVE = 0.05  # a count or ratio that moves by more than this share is reported


@dataclass
class Differences:
    years: pd.DataFrame  # year, change, pupils_before, pupils_after, rows_changed
    schools: pd.DataFrame  # school_id, name, change, before, after
    areas: pd.DataFrame  # level, code, name, year, measure, before, after, change
    indicators: pd.DataFrame  # indicator, unit, code, name, year, before, after, change
    boundaries: pd.DataFrame  # level, code, name, change
    notes: list[str] = field(default_factory=list)
    first_publish: bool = False  # nothing is served yet: everything is new

    def summary(self) -> list[str]:
        """The differences in a few lines, for the command line and the page's header."""
        lines = []
        for change in ("added", "replaced", "unchanged", "removed"):
            years = self.years.loc[self.years["change"] == change, "year"].tolist()
            if years:
                lines.append(f"years {change}: {', '.join(str(y) for y in years)}")
        if not self.schools.empty:
            counts = self.schools["change"].value_counts()
            lines.append("schools: " + ", ".join(f"{n:,} {c}" for c, n in counts.items()))
        else:
            lines.append("schools: no change to the register")
        for measure, rows in self.areas.groupby("measure", sort=False):
            lines.append(f"{measure}: {rows['code'].nunique():,} areas differ in "
                         f"{rows['year'].nunique():,} year(s)")
        if not self.indicators.empty:
            lines.append(f"indicators moving beyond the threshold: "
                         f"{self.indicators['indicator'].nunique():,} "
                         f"(in {self.indicators['year'].iloc[0]})")
        for change in ("gained", "lost"):
            n = int((self.boundaries["change"] == change).sum()) if len(self.boundaries) else 0
            if n:
                lines.append(f"map polygons {change}: {n:,}")
        return lines + self.notes


def _attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    quoted = str(Path(path).resolve()).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS {alias} (READ_ONLY)")


def _has(con: duckdb.DuckDBPyConnection, alias: str, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? "
                            "AND table_name = ?", [alias, table]).fetchone()[0])


def _optional(con: duckdb.DuckDBPyConnection, alias: str) -> dict[str, bool]:
    value = con.execute(f"SELECT value FROM {alias}.meta WHERE key = 'optional_tables'"
                        ).fetchone()
    return json.loads(value[0]) if value else {}


def compare(before: Path | None, after: Path, indicators: bool = True,
            rate_points: float = RATE_POINTS, relative: float = RELATIVE) -> Differences:
    """The differences from the served extract ``before`` (None: none is served) to the
    candidate ``after``."""
    con = duckdb.connect(":memory:")
    try:
        _attach(con, after, "a")
        if before is None or not Path(before).is_file():
            return _first(con)
        _attach(con, before, "b")
        years = _years(con)
        out = Differences(years, _schools(con), _areas(con), _empty_indicators(),
                          _boundaries(con))
    finally:
        con.close()
    if indicators:
        changed = years.loc[years["change"] == "replaced", "year"]
        if len(changed):
            out.indicators = moved_indicators(Path(before), Path(after), int(changed.max()),
                                              rate_points, relative)
    return out


def _first(con: duckdb.DuckDBPyConnection) -> Differences:
    years = con.execute("""
        SELECT year, 'added' AS change, NULL::BIGINT AS pupils_before,
               sum(enrolled)::BIGINT AS pupils_after, count(*)::BIGINT AS rows_changed
        FROM a.enrolment GROUP BY year ORDER BY year""").df()
    return Differences(years, _empty_schools(), _empty_areas(), _empty_indicators(),
                       _empty_boundaries(), ["nothing is served yet: everything is new"],
                       first_publish=True)


def _years(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every school year of either extract: added, removed, replaced (some enrolment rows
    differ) or unchanged."""
    return con.execute("""
        WITH bef AS (SELECT year, sum(enrolled)::BIGINT AS pupils FROM b.enrolment GROUP BY year),
        aft AS (SELECT year, sum(enrolled)::BIGINT AS pupils FROM a.enrolment GROUP BY year),
        diff AS (
            SELECT year, count(*)::BIGINT AS n FROM (
                (SELECT year, school_id, grade, sex, age, enrolled, repeaters FROM b.enrolment
                 EXCEPT ALL
                 SELECT year, school_id, grade, sex, age, enrolled, repeaters FROM a.enrolment)
                UNION ALL
                (SELECT year, school_id, grade, sex, age, enrolled, repeaters FROM a.enrolment
                 EXCEPT ALL
                 SELECT year, school_id, grade, sex, age, enrolled, repeaters FROM b.enrolment))
            GROUP BY year)
        SELECT coalesce(aft.year, bef.year) AS year,
               CASE WHEN bef.year IS NULL THEN 'added' WHEN aft.year IS NULL THEN 'removed'
                    WHEN coalesce(diff.n, 0) > 0 THEN 'replaced' ELSE 'unchanged' END AS change,
               bef.pupils AS pupils_before, aft.pupils AS pupils_after,
               coalesce(diff.n, 0)::BIGINT AS rows_changed
        FROM bef FULL JOIN aft USING (year) LEFT JOIN diff USING (year)
        ORDER BY year""").df()


def _schools(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Schools added to the register, taken out of it, closed or moved (to another area,
    or their point further than MOVED_KM)."""
    if not (_optional(con, "a").get("schools", True) and _optional(con, "b").get("schools",
                                                                                  True)):
        return _empty_schools()
    rows = con.execute("""
        SELECT coalesce(a.school_id, b.school_id) AS school_id,
               coalesce(a.name_en, b.name_en) AS name,
               b.school_id IS NULL AS added, a.school_id IS NULL AS dropped,
               b.district_code AS area_before, a.district_code AS area_after,
               b.closed_year AS closed_before, a.closed_year AS closed_after,
               b.latitude AS lat_b, b.longitude AS lon_b, a.latitude AS lat_a,
               a.longitude AS lon_a
        FROM b.schools b FULL JOIN a.schools a USING (school_id)
        WHERE b.school_id IS NULL OR a.school_id IS NULL
           OR b.district_code IS DISTINCT FROM a.district_code
           OR b.closed_year IS DISTINCT FROM a.closed_year
           OR b.latitude IS DISTINCT FROM a.latitude OR b.longitude IS DISTINCT FROM a.longitude
        ORDER BY 1""").df()
    out = []
    for r in rows.itertuples(index=False):
        if r.added:
            out.append((r.school_id, r.name, "added", "", r.area_after))
        elif r.dropped:
            out.append((r.school_id, r.name, "removed", r.area_before, ""))
        else:
            if pd.isna(r.closed_before) and pd.notna(r.closed_after):
                out.append((r.school_id, r.name, "closed", "", f"{int(r.closed_after)}"))
            if r.area_before != r.area_after:
                out.append((r.school_id, r.name, "moved", r.area_before, r.area_after))
            else:
                km = _km(r.lat_b, r.lon_b, r.lat_a, r.lon_a)
                if km is not None and km > MOVED_KM:
                    out.append((r.school_id, r.name, "moved",
                                f"{r.lat_b:.5f}, {r.lon_b:.5f}",
                                f"{r.lat_a:.5f}, {r.lon_a:.5f} ({km:,.1f} km)"))
    return pd.DataFrame(out, columns=["school_id", "name", "change", "before", "after"])


def _km(lat1: object, lon1: object, lat2: object, lon2: object) -> float | None:
    if any(pd.isna(v) for v in (lat1, lon1, lat2, lon2)):
        return None
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _by_area(con: duckdb.DuckDBPyConnection, alias: str, table: str, measure: str
             ) -> str | None:
    if not _has(con, alias, table):
        return None
    return f"""
        SELECT l.level, l.code, t.year, sum(t.{measure})::BIGINT AS n
        FROM {alias}.{table} t JOIN {alias}.schools s USING (school_id)
        JOIN {alias}.area_lineage l ON l.district_code = s.district_code
        GROUP BY ALL"""


def _areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Pupils and teachers of every area (every admin level) and year, where they differ."""
    parts = []
    for measure, table, column in (("pupils", "enrolment", "enrolled"),
                                   ("teachers", "teachers", "count")):
        before, after = _by_area(con, "b", table, column), _by_area(con, "a", table, column)
        if before is None and after is None:
            continue
        before = before or "SELECT NULL::INTEGER level, NULL code, NULL::INTEGER year, " \
                           "NULL::BIGINT n WHERE FALSE"
        after = after or "SELECT NULL::INTEGER level, NULL code, NULL::INTEGER year, " \
                         "NULL::BIGINT n WHERE FALSE"
        parts.append(con.execute(f"""
            WITH bef AS ({before}), aft AS ({after})
            SELECT coalesce(aft.level, bef.level) AS level, coalesce(aft.code, bef.code) AS code,
                   coalesce(an.name_en, bn.name_en, coalesce(aft.code, bef.code)) AS name,
                   coalesce(aft.year, bef.year) AS year, '{measure}' AS measure,
                   bef.n AS before, aft.n AS after,
                   coalesce(aft.n, 0) - coalesce(bef.n, 0) AS change
            FROM bef FULL JOIN aft ON bef.level = aft.level AND bef.code = aft.code
                                 AND bef.year = aft.year
            LEFT JOIN a.admin_units an ON an.code = coalesce(aft.code, bef.code)
            LEFT JOIN b.admin_units bn ON bn.code = coalesce(aft.code, bef.code)
            WHERE bef.n IS DISTINCT FROM aft.n
            ORDER BY year, level, code""").df())
    return pd.concat(parts, ignore_index=True) if parts else _empty_areas()


def _boundaries(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Areas whose polygon is matched in one extract and not the other."""
    return con.execute("""
        WITH bef AS (SELECT DISTINCT level, code FROM b.boundary_matches),
             aft AS (SELECT DISTINCT level, code FROM a.boundary_matches)
        SELECT coalesce(aft.level, bef.level) AS level, coalesce(aft.code, bef.code) AS code,
               coalesce(an.name_en, bn.name_en, coalesce(aft.code, bef.code)) AS name,
               CASE WHEN bef.code IS NULL THEN 'gained' ELSE 'lost' END AS change
        FROM bef FULL JOIN aft ON bef.level = aft.level AND bef.code = aft.code
        LEFT JOIN a.admin_units an ON an.code = coalesce(aft.code, bef.code)
        LEFT JOIN b.admin_units bn ON bn.code = coalesce(aft.code, bef.code)
        WHERE bef.code IS NULL OR aft.code IS NULL
        ORDER BY level, code""").df()


def moved_indicators(before: Path, after: Path, year: int, rate_points: float = RATE_POINTS,
                     relative: float = RELATIVE) -> pd.DataFrame:
    """The indicators of all pupils (not of one grade) that move beyond the thresholds in
    ``year``, nationally and in the areas of admin level 1."""
    from lib import db
    from lib.indicators import compute
    from lib.indicators.context import registry_for

    values = []
    for path in (before, after):
        con = db.connect_current(path)
        try:
            registry = registry_for(con)
            level_one = db.country(con).admin_ids[0]
            frames = {}
            for ind_id in registry.ids():
                indicator = registry.get(ind_id)
                if indicator.grade is not None:
                    continue
                for level in ("national", level_one):
                    try:
                        frame = compute(con, ind_id, level, year)
                    except (ValueError, KeyError, duckdb.Error):
                        continue  # not computed for this extract (no data, switched off)
                    frames[(ind_id, level)] = (indicator.unit, frame)
            values.append(frames)
        finally:
            con.close()
    rows = []
    before_values, after_values = values
    for key, (unit, frame_a) in after_values.items():
        if key not in before_values:
            continue
        frame_b = before_values[key][1]
        merged = frame_b[["unit_code", "group", "value"]].merge(
            frame_a[["unit_code", "unit_name", "group", "value"]], on=["unit_code", "group"],
            suffixes=("_before", "_after"))
        for r in merged.itertuples(index=False):
            b, a = r.value_before, r.value_after
            if pd.isna(b) or pd.isna(a):
                continue
            moved = abs(a - b) > rate_points if unit == "%" else (
                abs(a - b) > relative * abs(b) if b else a != 0)
            if moved:
                rows.append((key[0], unit, r.unit_code, r.unit_name, year, float(b), float(a),
                             float(a - b)))
    frame = pd.DataFrame(rows, columns=list(_empty_indicators().columns))
    return frame.sort_values(["indicator", "code"], ignore_index=True)


def _empty_schools() -> pd.DataFrame:
    return pd.DataFrame(columns=["school_id", "name", "change", "before", "after"])


def _empty_areas() -> pd.DataFrame:
    return pd.DataFrame(columns=["level", "code", "name", "year", "measure", "before", "after",
                                 "change"])


def _empty_indicators() -> pd.DataFrame:
    return pd.DataFrame(columns=["indicator", "unit", "code", "name", "year", "before",
                                 "after", "change"])


def _empty_boundaries() -> pd.DataFrame:
    return pd.DataFrame(columns=["level", "code", "name", "change"])
