"""Facilities (SDG 4.a.1 items, JMP ladders) and classrooms of reporting schools.

Each school draws one fixed number per item; an item is present in a year when that number is
below the year's probability, which rises over time, so a school never loses a facility.
(The school quality self-assessment, which reads the facilities back: :mod:`lib.demo.quality`.)
"""
from __future__ import annotations

import numpy as np

from lib.demo.rates import trend

LADDER = np.array(["none", "limited", "basic"], dtype=object)
ITEMS = ("electricity", "internet", "computers", "adapted", "water", "sanitation",
         "handwashing", "single_sex")


def facility_values(latent: np.ndarray, rho: np.ndarray, prio: np.ndarray, urban: np.ndarray,
                    secondary: np.ndarray, year: int) -> dict[str, np.ndarray]:
    """``latent`` (n, len(ITEMS)) uniform numbers fixed per school."""
    tau = trend(year)
    u = {item: latent[:, i] for i, item in enumerate(ITEMS)}
    out: dict[str, np.ndarray] = {}

    def present(item: str, p: np.ndarray) -> np.ndarray:
        return (u[item] < np.clip(p, 0.0, 1.0)).astype(np.int64)

    out["electricity"] = present("electricity", 0.97 - 0.42 * rho - 0.08 * prio + 0.08 * tau
                                 + 0.03 * urban)
    out["internet"] = present("internet", 0.03 + 0.45 * urban + 0.18 * secondary + 0.06 * tau
                              - 0.02 * prio)
    out["computers"] = present("computers", 0.05 + 0.4 * urban + 0.3 * secondary + 0.05 * tau
                               - 0.03 * prio)
    out["adapted_infrastructure"] = present("adapted", 0.04 + 0.12 * urban + 0.04 * tau)

    def ladder(item: str, basic: np.ndarray, limited: np.ndarray) -> np.ndarray:
        basic = np.clip(basic, 0.0, 1.0)
        step = (u[item] < basic).astype(np.int64) + (u[item] < np.clip(basic + limited, 0, 1))
        return LADDER[step]

    out["drinking_water"] = ladder("water", 0.82 - 0.42 * rho - 0.05 * prio + 0.08 * tau, 0.12)
    out["sanitation"] = ladder("sanitation", 0.78 - 0.38 * rho - 0.05 * prio + 0.08 * tau, 0.15)
    out["handwashing"] = ladder("handwashing", 0.62 - 0.35 * rho - 0.05 * prio + 0.1 * tau, 0.2)
    out["single_sex_toilets"] = present("single_sex", 0.8 - 0.5 * rho - 0.05 * prio + 0.08 * tau
                                        + 0.05 * secondary)
    return out


def classrooms(pupils_by_level: np.ndarray, grades_by_level: np.ndarray,
               multigrade: np.ndarray) -> np.ndarray:
    """Classrooms in use: a room per grade (or per two grades in a multigrade school), more in
    large schools (about 40 pupils a room)."""
    rooms_grades = np.where(multigrade[:, None] == 1, np.ceil(grades_by_level / 2.0),
                            grades_by_level)
    rooms = np.maximum(rooms_grades, np.ceil(pupils_by_level / 40.0))
    rooms = np.where(pupils_by_level > 0, np.maximum(rooms, 1), 0)
    return np.maximum(rooms.sum(axis=1), 1).astype(np.int64)
