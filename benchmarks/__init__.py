"""Benchmarks measured against the budgets of the architecture notes (`make bench`)."""
