"""Benchmarks measured against the budgets of the architecture notes (`make bench`)."""


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """Measures as one table: measure, value, budget."""
    width = max(len(name) for name, _, _ in rows)
    print(f"{'measure'.ljust(width)}  {'value':>14}  budget")
    for name, value, budget in rows:
        print(f"{name.ljust(width)}  {value:>14}  {budget}")
