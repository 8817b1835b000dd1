"""Recorded policy paths (calibration/policy_paths.csv) and the declared justifications of
estimates on a bound (calibration/bounds.csv): checked inputs, knots the runs get."""
import numpy as np
import pandas as pd
import pytest

from calibration import policy, spec
from calibration.problem import Calibration
from model import PlanSimError, lever_paths


@pytest.fixture(scope="module")
def problem() -> Calibration:
    return Calibration()


def _load(problem, path):
    ref = problem.reference
    return policy.load_policy_paths(ref.levers(), ref.constants(), ref.doc, path)


def _edited(tmp_path, edit) -> str:
    table = pd.read_csv(policy.POLICY_FILE, dtype=str, keep_default_na=False)
    table = edit(table)
    path = tmp_path / "policy_paths.csv"
    table.to_csv(path, index=False)
    return path


def test_every_lever_has_a_sourced_or_estimated_path(problem):
    table = problem.policy.table
    assert set(table["lever"]) == set(problem.reference.levers()["name"])
    assert set(table["basis"]) <= set(policy.BASES)
    assert (table["source"].str.len() > 20).all()
    assert table.groupby("lever").size().max() <= lever_paths.KNOTS


def test_policy_changes_of_the_2000s_are_paths(problem):
    """The 11th plan's energy-saving campaign starts at the end of 2005 and ramps up to 2008; the investment rate
    falls; the R&D share path is the sourced series; estimated knots are parameters."""
    knots = problem.knot_values(problem.spec.start)
    effort = [(knots[lever_paths.knot_name("energy saving effort", k, "year")],
               knots[lever_paths.knot_name("energy saving effort", k, "value")]) for k in range(1, 6)]
    assert lever_paths.value_at(effort, 2005) == 0
    assert 0 < lever_paths.value_at(effort, 2006.5) < lever_paths.value_at(effort, 2008) == lever_paths.value_at(effort, 2010)
    estimated = set(problem.policy.estimated["parameter"])
    assert estimated <= set(problem.names)
    assert "energy saving effort point 3 value" in estimated
    rd = problem.policy.table[problem.policy.table["lever"] == "RD intensity target"]
    assert (rd["basis"] == "sourced").all()
    data = problem.history[(problem.history["indicator"] == "rd_share_gdp") & (problem.history["quality"] == "sourced")]
    shares = dict(zip(data["year"], data["value"] / 100))
    for year, value in zip(rd["year"], rd["value"].astype(float)):
        if year in shares:  # a knot in a year with a sourced figure is that figure
            assert value == pytest.approx(shares[year])


def test_a_path_shorter_than_five_knots_repeats_its_last_knot(problem):
    theta = problem.spec.start.copy()
    names = problem.names
    theta[names.index("investment rate point 2 value")] = 0.33
    knots = problem.knot_values(theta)
    for k in (3, 4, 5):
        assert knots[lever_paths.knot_name("investment rate", k, "value")] == 0.33
        assert knots[lever_paths.knot_name("investment rate", k, "year")] == 2010
    # and the run gets them
    params = problem.params(theta)
    assert params["investment rate point 5 value"] == 0.33


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.assign(unit=t["unit"].where(t["lever"] != "car plate quota", "cars")), r"column 'unit': 'cars', but"),
    (lambda t: t.assign(value=t["value"].where(t["lever"] != "car plate quota", "99")), r"outside the lever's range"),
    (lambda t: t[t["lever"] != "population control"], r"no recorded path for the lever\(s\) \['population control'\]"),
    (lambda t: t.assign(year=t["year"].where(~((t["lever"] == "RD intensity target") & (t["year"] == "2008")), "2002")),
     r"must be in time order"),
    (lambda t: t.assign(year=t["year"].where(t["lever"] != "car plate quota", "2011")), r"not a whole year in \[2000, 2010\]"),
    (lambda t: t.assign(lever=t["lever"].where(t["lever"] != "car plate quota", "car quota")), r"'car quota' is not a lever"),
    (lambda t: pd.concat([t, t[t["lever"] == "RD intensity target"].iloc[:1]]), r"more than 5 knots"),
    (lambda t: t.assign(value=t["value"].where(t["lever"] != "car plate quota", "many")), r"is not a number"),
])
def test_bad_policy_paths_are_refused(tmp_path, problem, edit, message):
    with pytest.raises(PlanSimError, match=message):
        _load(problem, _edited(tmp_path, edit))


def test_bounds_file_is_checked(tmp_path, problem):
    path = tmp_path / "bounds.csv"
    path.write_text("parameter,bound,justification\nno such parameter,upper,because it is what it is\n",
                    encoding="utf-8")
    with pytest.raises(PlanSimError, match="is not an estimated parameter"):
        spec.load_bounds(problem.names, path)
    path.write_text(f"parameter,bound,justification\n{problem.names[0]},top,because it is what it is\n",
                    encoding="utf-8")
    with pytest.raises(PlanSimError, match="'top' is not one of"):
        spec.load_bounds(problem.names, path)


def test_the_report_flags_an_unjustified_bound(problem):
    from calibration.report import bound_rows

    table = pd.DataFrame({"parameter": problem.names[:2], "value": [1.0, 2.0], "at_bound": ["upper", ""]})
    rows = bound_rows(table, problem)
    declared = spec.load_bounds(problem.names)
    if not ((declared["parameter"] == problem.names[0]) & (declared["bound"] == "upper")).any():
        assert rows["justification"].iloc[0].startswith("**not justified**")
    assert list(rows["parameter"]) == [problem.names[0]]
    assert np.isclose(rows["value"].iloc[0], 1.0)


def test_spec_bounds_must_lie_in_the_model_files_range(tmp_path, problem):
    """An estimate cannot leave the range the model file declares for its constant."""
    table = pd.read_csv(spec.SPEC_FILE, dtype=str, keep_default_na=False)
    table.loc[table["parameter"] == "rail budget share of GDP", "upper"] = "0.08"
    path = tmp_path / "parameters_spec.csv"
    table.to_csv(path, index=False)
    ref = problem.reference
    limits = {n: tuple(v) for n, v in ref.doc["Limits"].items() if isinstance(v, tuple)}
    with pytest.raises(PlanSimError, match=r"bounds \[0.005, 0.08\] leave the model file's range \[0, 0.05\]"):
        spec.load_parameter_spec(ref.constants(), ref.levers()["name"], path, limits)
