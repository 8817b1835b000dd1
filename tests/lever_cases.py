"""Extreme-condition cases shared by the credibility tests: every lever alone at each end of its
range, then all at their minimum and all at their maximum."""
import model


def extreme_cases() -> dict[str, dict[str, float]]:
    """Every lever alone at its minimum and at its maximum, then all at min and all at max."""
    levers = model.load().levers().set_index("name")
    cases = {}
    for name, row in levers.iterrows():
        cases[f"{name} = min"] = {name: row["min"]}
        cases[f"{name} = max"] = {name: row["max"]}
    cases["all at min"] = levers["min"].to_dict()
    cases["all at max"] = levers["max"].to_dict()
    return cases
