"""The number of declared plan targets, for tests that check a table lists every one."""

def target_rows(plan: str | None = None) -> int:
    """Rows of model/data/plan_targets.csv (of one plan), counted with the csv module alone."""
    import csv

    from model.paths import TARGETS_FILE

    with open(TARGETS_FILE, encoding="utf-8", newline="") as handle:
        return sum(1 for row in csv.DictReader(handle) if plan is None or row["plan"] == plan)
