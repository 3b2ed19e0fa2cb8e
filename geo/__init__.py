"""Pure spatial helpers of the explorer: no Streamlit, no DuckDB.

- :mod:`geo.boundaries` reads the ``boundaries/`` folder of a data package and matches its
  polygons to the admin units (by code, then parent by location, then name).
- :mod:`geo.simplify` simplifies each admin level as a coverage, so neighbours keep
  sharing their borders at every map detail.
- :mod:`geo.schematic` draws plausible schematic provinces and districts for the demo when
  no real boundaries are given.
- :mod:`geo.sample` places demo schools inside polygons and finds the district of points.
"""
