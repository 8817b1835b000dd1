"""Validation of the calibrated model (issue 12, section 6 and the 2010 seam).

On the committed calibration (no search here): goals in sample and out of sample, estimates on
a bound justified, the search converged, every 2010 state observed or derived, levers that
continue their recorded path, no jump at 2010, a plausibility envelope over a Latin hypercube of
the levers, and time-step halving at the envelope's extremes.
"""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

import model
from calibration import out_of_sample as oos
from calibration import results, seam, spec
from calibration.problem import Calibration
from calibration.report import bound_rows
from model import lever_paths
from model.project import Project

REPORT = spec.HERE / "REPORT.md"
LHS_POINTS = 2000
LHS_SEED = 12
MAX_GROWTH = 0.12  # average real GDP growth 2011-2020, per year
MAX_POPULATION = 3200.0  # resident population 2020, 10^4 persons
# No declared miss of the envelope: with the investment rate up to the 0.40 the 2000s sustained,
# the fastest of the 2,000 runs grows 11.5% a year (measured). Set (cap on the fastest run, share
# of runs above 12%) here if a model change makes runs exceed, and say why in the report.
KNOWN_FAST_GROWTH = None
# With the time step 1/32 and the energy intensities' exact exponential decline, halving the step
# moves no scored indicator but the rail network by 0.1% at the envelope's extremes (1/16 moved
# energy and the rail network by up to 0.2%).
SHANGHAI_AREA_KM2 = 6340.5  # the municipality's land area (the model's constant, tests/test_v3_land.py)
KNOWN_STEP_ERRORS: dict[str, float] = {
    # Euler error of the four-stage rail construction pipeline, first order in the time step:
    # 0.09 % in business as usual, 0.13 % at the fastest-growing envelope member (rail starts at
    # the budget's limit). An exact per-stage drain or a half-step correction made it worse or
    # overshot; 1/64 year would double every run. Held to 0.15 %.
    "rail_length": 1.5e-3,
}


@pytest.fixture(scope="module")
def reproduced(problem, estimates):
    return results.reproduce(problem, estimates)


# Goals the calibrated model does not meet (calibration/REPORT.md, "Goals not met, and why"),
# each with the value it must not get worse than. A miss not listed here fails, and so does a
# listed goal that is met (update this list: the report's table is the record).
KNOWN_MISSES = {
    # the register's path is smoother than the data: estimated 2000 age bands, one conversion rate
    "Bias of every fitted series: hukou_registered_pop_yearend": 0.16,
}


def _check_goals(goals: pd.DataFrame) -> None:
    judged = goals[goals["met"].notna()]
    missed = judged[~judged["met"].astype(bool)]
    assert set(missed["goal"]) <= set(KNOWN_MISSES), missed.to_string()
    for name, cap in KNOWN_MISSES.items():
        row = goals[goals["goal"] == name]
        if len(row):
            assert not bool(row["met"].iloc[0]), f"{name} is met now: take it off KNOWN_MISSES"
            assert row["value"].iloc[0] <= cap, (name, row["value"].iloc[0])


# -- goals --------------------------------------------------------------------------------------
def test_in_sample_goals_are_met(problem, reproduced):
    """MAPE <= 2% real GDP and resident population, <= 3% energy, <= 10% container throughput
    (five rounded points through the 2009 trade slump), R&D share MAE <= 0.15 pp, tertiary share
    MAE <= 2 pp, and Theil U_M < 0.1 for every series of three or more points (the declared
    misses aside)."""
    points, stats, _ = reproduced
    goals = results.goals_table(points, stats, spec.load_goals(problem.series))
    assert set(goals.loc[goals["statistic"] == "mape", "threshold"]) == {2, 3, 10}
    assert goals.loc[goals["goal"] == "Container throughput", "threshold"].iloc[0] == 10
    assert goals.loc[goals["goal"] == "R&D share of GDP", "threshold"].iloc[0] == 0.15
    _check_goals(goals)
    bias = goals[goals["goal"].str.contains(":")]
    judged = bias[bias["n_points"] >= 3]
    assert judged["met"].notna().all() and len(judged) >= 8


@pytest.fixture(scope="module")
def out_of_sample_problem():
    return Calibration(fit_until=oos.FIT_UNTIL, hold=oos.committed_held())


def test_out_of_sample_goals_are_met(out_of_sample_problem):
    """The committed 2000-2005 fit, run on to 2010 (no search), misses real GDP, resident
    population and energy in 2006-2010 by at most 5% (MAPE)."""
    evaluation = oos.evaluate(out_of_sample_problem, oos.read_estimates(out_of_sample_problem))
    goals = evaluation.goals
    assert {"Real GDP 2006-2010", "Resident population 2006-2010", "Total energy use 2006-2010"} <= set(goals["goal"])
    assert (goals["threshold"] == 5).all()
    _check_goals(goals)


def test_out_of_sample_statistics_are_fresh(out_of_sample_problem):
    """The committed out-of-sample statistics are those of the committed estimates."""
    evaluation = oos.evaluate(out_of_sample_problem, oos.read_estimates(out_of_sample_problem))
    committed = pd.read_csv(oos.STATISTICS_FILE)
    assert list(committed["series"]) == list(evaluation.stats["series"])
    np.testing.assert_allclose(committed["mape"], evaluation.stats["mape"], rtol=1e-6)
    assert set(evaluation.points["year"]) <= set(range(oos.FIT_UNTIL + 1, 2011))


def test_out_of_sample_fit_uses_no_point_after_2005(out_of_sample_problem):
    assert out_of_sample_problem.points["year"].max() <= oos.FIT_UNTIL
    held = set(out_of_sample_problem.held)
    assert held == set(oos.late_knots(out_of_sample_problem.policy.table))
    # the campaign from 2006 and the investment rate's 2010 knot are held; the flat part before
    # 2005 (the investment rate's first knot) is estimated on 2000-2005
    assert {"energy saving effort point 3 value", "investment rate point 2 value"} <= held
    assert "investment rate point 1 value" in out_of_sample_problem.names


# -- the search and its estimates ------------------------------------------------------------------
def test_every_estimate_on_a_bound_is_justified_in_the_report(problem):
    table = pd.read_csv(results.ESTIMATES_FILE)
    on_bound = table[table["at_bound"].fillna("") != ""]
    rows = bound_rows(table, problem)
    assert "not justified" not in " ".join(rows["justification"])
    report = REPORT.read_text(encoding="utf-8")
    section = report.split("### Parameters on a bound", 1)[1].split("\n#", 1)[0]
    for name, side in zip(on_bound["parameter"], on_bound["at_bound"]):
        assert f"| {name} | {side} |" in section, name
    assert "not justified" not in section


def test_the_search_converged():
    assert "**The search converged**" in REPORT.read_text(encoding="utf-8")


def test_estimated_knots_and_estimates_agree(problem, estimates):
    """parameters.csv carries every knot of the recorded paths (the projection defaults)."""
    table = pd.read_csv(results.PARAMETERS_FILE)
    values = dict(zip(table["parameter"], table["value"]))
    for name, value in problem.knot_values(estimates).items():
        assert values[name] == pytest.approx(value, rel=1e-12), name


# -- the 2010 start --------------------------------------------------------------------------------
def test_every_2010_state_is_observed_or_derived(problem):
    text = problem.reference.declaration.text
    observed = set(seam.load_observed(problem.reference.constants())["parameter"])
    assert seam.uncovered(text, set(problem.derived_2010["parameter"]), observed) == []


def test_levers_continue_their_recorded_path(problem, estimates):
    """The business-as-usual value of every lever in 2011 is its recorded path's 2010 value."""
    recorded = problem.knot_values(estimates)
    defaults = model.load().constants()
    for lever in problem.reference.levers()["name"]:
        names = [(lever_paths.knot_name(lever, k, "year"), lever_paths.knot_name(lever, k, "value"))
                 for k in range(1, lever_paths.KNOTS + 1)]
        history = tuple((recorded[y], recorded[v]) for y, v in names)
        default = tuple((defaults[y], defaults[v]) for y, v in names)
        assert lever_paths.value_at(default, 2011) == pytest.approx(lever_paths.value_at(history, 2010)), lever


SEAM_QUANTITIES = {  # name: (model variable, how it is compared)
    "GDP growth": ("GDP", "growth"),
    "population growth": ("resident population", "growth"),
    "energy growth": ("total energy use", "growth"),
    "migrant arrivals": ("migrant arrivals", "level"),
    "rail openings": ("rail openings", "level"),
    "investment": ("investment", "level"),
}


@pytest.fixture(scope="module")
def projection() -> pd.DataFrame:
    variables = sorted({v for v, _ in SEAM_QUANTITIES.values()})
    return model.load(engine="simlin").run_variables(final_year=2015, variables=variables)


@pytest.fixture(scope="module")
def joined(problem, estimates, projection) -> pd.DataFrame:
    return seam.joined_run(problem, estimates, projection, list(projection.columns))


# No declared step at the seam: with the recorded paths (energy campaign ramp, residence-permit
# easing) every growth rate and flow steps at 2010 by less than the history's largest yearly step
# of 2006-2010 (measured). Add {quantity: cap as a multiple of that step} only with a reason.
KNOWN_JUMPS: dict[str, float] = {
    # The new-land quota, held at the 2010 need (calibration/anchors.py), binds from 2011 as the
    # need grows (issue 13: a limit that binds when reached): GDP growth steps down 0.0057 at the
    # seam, just over 2006-2010's largest yearly change; with the quota out of the way the step
    # is 0.0052, within it (measured).
    "GDP growth": 1.5,
}


def _seam_step(joined: pd.DataFrame, projection: pd.DataFrame, variable: str, how: str) -> tuple[float, float]:
    """(the step at the seam, the largest year-to-year step of 2006-2010 in the history).

    A growth rate: the projection's first year (2011, from the official 2010 level) against the
    history's 2010. A flow: the projection's 2010 value against the history's (the same instant
    from the two runs; later changes are the projection's own dynamics, e.g. a policy path that
    stops falling in 2010)."""
    history = joined.loc[joined["part"] == "history", variable]
    if how == "growth":
        rates = history / history.shift(1) - 1
        step = abs(projection.loc[2011, variable] / projection.loc[2010, variable] - 1 - rates.loc[2010])
        return step, rates.diff().loc[2007:2010].abs().max()
    return abs(projection.loc[2010, variable] - history.loc[2010]), history.diff().loc[2007:2010].abs().max()


@pytest.mark.parametrize("quantity", SEAM_QUANTITIES, ids=list(SEAM_QUANTITIES))
def test_no_jump_at_2010(joined, projection, quantity):
    """History 2000-2010 then the business-as-usual projection: no step at the seam larger
    than the largest year-to-year change of 2006-2010 (the declared growth-rate steps aside,
    which stay within twice that)."""
    variable, how = SEAM_QUANTITIES[quantity]
    step, largest = _seam_step(joined, projection, variable, how)
    if quantity in KNOWN_JUMPS:
        assert largest < step <= KNOWN_JUMPS[quantity] * largest, (quantity, step, largest)
    else:
        assert step <= largest, (quantity, step, largest)


# -- plausibility envelope -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def envelope():
    """Every lever drawn across its full range (a step at 2011) on a Latin hypercube; the raw
    stocks, shares and scored variables of each member to 2020 (Simlin, run_members)."""
    project = Project(engine="simlin")
    levers = project.levers().set_index("name")
    unit = qmc.LatinHypercube(d=len(levers), seed=LHS_SEED).random(LHS_POINTS)
    inputs = pd.DataFrame(qmc.scale(unit, levers["min"].to_numpy(float), levers["max"].to_numpy(float)),
                          columns=levers.index)
    doc = project.doc
    stocks = doc.index[doc["Subtype"] == "Integ"].tolist()
    shares = [n for n in doc.index if "share" in n and doc.loc[n, "Units"] == "Dmnl" and doc.loc[n, "Type"] != "Constant"]
    variables = sorted(set(stocks) | set(shares) | {"GDP", "resident population", "total energy use",
                                                    "construction land", "housing cost index"})
    declaration = project.declaration
    members = declaration.member_constants({}, inputs)
    times = declaration.run_times(2020)
    overrides = {**project.constants(), **declaration.lever_constants({})}
    raw = project.engine.run_members(overrides, list(members.columns), members.to_numpy(), times, variables)
    years = np.arange(int(times.start), 2021)
    return inputs, raw, variables, stocks, shares, years


def test_envelope_has_no_implausible_run(envelope):
    inputs, raw, variables, stocks, shares, years = envelope
    assert len(inputs) >= 2000
    col = {v: i for i, v in enumerate(variables)}
    t2010, t2020 = list(years).index(2010), list(years).index(2020)
    gdp = raw[:, :, col["GDP"]]
    growth = (gdp[:, t2020] / gdp[:, t2010]) ** (1 / 10) - 1
    population = raw[:, t2020, col["resident population"]]
    if KNOWN_FAST_GROWTH:
        cap, share = KNOWN_FAST_GROWTH
        assert growth.max() > MAX_GROWTH, "no run grows above 12% now: clear KNOWN_FAST_GROWTH"
        assert growth.max() <= cap and np.mean(growth > MAX_GROWTH) <= share, inputs.iloc[int(growth.argmax())].to_dict()
    else:
        assert growth.max() <= MAX_GROWTH, inputs.iloc[int(growth.argmax())].to_dict()
    assert population.max() <= MAX_POPULATION, inputs.iloc[int(population.argmax())].to_dict()
    stock_values = raw[:, :, [col[s] for s in stocks]]
    assert np.isfinite(stock_values).all()
    assert stock_values.min() >= 0, stocks[int(np.argmin(stock_values.min(axis=(0, 1))))]
    share_values = raw[:, :, [col[s] for s in shares]]
    assert share_values.min() >= 0 and share_values.max() <= 1
    # part 2's limits: land within the city's area, housing cost positive and finite
    land = raw[:, :, col["construction land"]]
    assert land.max() <= SHANGHAI_AREA_KM2, inputs.iloc[int(land.max(axis=1).argmax())].to_dict()
    cost = raw[:, :, col["housing cost index"]]
    assert np.isfinite(cost).all() and cost.min() > 0


def _scored() -> list[tuple[str, int]]:
    targets = model.plan_targets()
    return sorted(set(zip(targets["model_indicator"], targets["year"])))


def test_time_step_halving_at_the_envelope_extremes(envelope):
    """The members with the highest growth, population and energy: halving the time step moves
    no scored indicator by more than 0.1% (a change or growth indicator: 0.1% of the level
    it describes, 1 + value/100)."""
    inputs, raw, variables, _, _, years = envelope
    col = {v: i for i, v in enumerate(variables)}
    t2010, t2020 = list(years).index(2010), list(years).index(2020)
    picks = {
        "growth": int(np.argmax(raw[:, t2020, col["GDP"]] / raw[:, t2010, col["GDP"]])),
        "population": int(np.argmax(raw[:, t2020, col["resident population"]])),
        "energy": int(np.argmax(raw[:, t2020, col["total energy use"]])),
    }
    project = model.load(engine="simlin")
    kinds = project.indicators()["kind"]
    dt = project.control["TIME STEP"]
    for label, m in picks.items():
        levers = inputs.iloc[m].to_dict()
        full, halved = project.run(levers), project.run(levers, time_step=dt / 2)
        for indicator, year in _scored():
            a, b = full.loc[year, indicator], halved.loc[year, indicator]
            if kinds[indicator] != "level":  # a change or growth in %: compare the level it describes
                a, b = 1 + a / 100, 1 + b / 100
            if np.isfinite(a) and np.isfinite(b) and b != 0:
                assert abs(a / b - 1) < KNOWN_STEP_ERRORS.get(indicator, 1e-3), (label, indicator, year, a, b)
