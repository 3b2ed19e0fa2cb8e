"""Synthetic demo data modelled on Lao PDR: ``generate_package`` writes a whole data package.

Modules, by topic: :mod:`~lib.demo.areas` (districts, priority flag, population),
:mod:`~lib.demo.register` (the school register), :mod:`~lib.demo.rates` and
:mod:`~lib.demo.flows` (enrolment as a cohort simulation), :mod:`~lib.demo.staff`
(teachers), :mod:`~lib.demo.facilities` (facilities), :mod:`~lib.demo.inclusion` (pupils
by group, functioning), :mod:`~lib.demo.quality` (the quality self-assessment),
:mod:`~lib.demo.places` (boundaries and school coordinates), :mod:`~lib.demo.dirt` (the
problems planted for the build to find) and :mod:`~lib.demo.package` (writing it all).
"""
from lib.demo.package import generate_package

__all__ = ["generate_package"]
