"""REPORT.md and its figures: model against data for every fitted series, residuals, tables."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from model.history import USABLE_QUALITY, load_series

from . import out_of_sample as oos_module
from . import seam
from . import spec as specs
from .problem import MIN_POINTS, Calibration

HERE = Path(__file__).resolve().parent
NOTES_FILE = HERE / "report_notes.md"


def _figure(size: tuple[float, float]) -> Figure:
    """A figure on the Agg canvas (matplotlib's object-oriented API: no pyplot state)."""
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig
# Indicators shown in the projection check (2010 baseline, 2015, 2020).
PROJECTION_INDICATORS = ("gdp", "gdp_growth_avg_5y", "tertiary_share", "rd_share", "resident_population",
                         "registered_population", "share_65plus", "energy_total",
                         "energy_intensity_change_vs_2010", "co2", "rail_length")


@dataclass
class ReportInputs:
    """Everything the report shows (tables as written to the CSV files)."""

    problem: Calibration
    frame: pd.DataFrame  # PySD run of the estimates, 2000-2010 (index year, model variables)
    points: pd.DataFrame  # fitted points (Calibration.fitted_points)
    stats: pd.DataFrame  # fit_statistics.csv
    estimates: pd.DataFrame  # estimates.csv
    parameters: pd.DataFrame  # parameters.csv
    goals: pd.DataFrame  # goals with achieved values
    correlation: np.ndarray
    projection: pd.DataFrame  # indicator rows; columns per run and year
    timings: dict[str, float]
    settings: dict[str, object]
    engine_difference: float
    twin: pd.DataFrame | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _fmt(value, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, (float, np.floating)):
        if math.isinf(value):
            return "not identified"
        return f"{value:.{digits}g}"
    return str(value)


def _table(frame: pd.DataFrame, digits: int = 4) -> str:
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(_fmt(v, digits).replace("|", "/") for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def fit_figure(inputs: ReportInputs, path: Path) -> None:
    """One panel per fitted series: simulated line, fitted data, initial and unverified points."""
    problem, points = inputs.problem, inputs.points
    history = problem.history
    conversion = load_series().set_index("series")["conversion"]
    model_at = problem.at_points(problem.sim_array(inputs.frame))
    cols = 4
    rows = math.ceil(len(problem.series) / cols)
    fig = _figure((4.2 * cols, 3.1 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    years = inputs.frame.index.to_numpy()
    for ax, name in zip(axes.flat, problem.series):
        group = points[points["series"] == name]
        first = group.index[0]
        to_unit = group.loc[first, "simulated"] / model_at[first]  # model unit -> indicator unit
        factor = group.loc[first, "data_factor"]  # 1, or the fitted factor of a shape series
        ax.plot(years, inputs.frame[group.loc[first, "variable"]].to_numpy() * to_unit, color="tab:blue",
                label="model")
        ax.plot(group["year"], group["actual"], "o", color="black", ms=4, label="fitted data")
        excluded = problem.excluded[problem.excluded["series"] == name]
        if len(excluded):
            ax.plot(excluded["year"], excluded["value"] * factor, "s", mfc="none", color="tab:green", ms=7,
                    label="initial condition")
        unverified = history[(history["indicator"] == name) & ~history["quality"].isin(USABLE_QUALITY)]
        if len(unverified):
            ax.plot(unverified["year"], unverified["value"] * conversion[name] * factor, "x", color="tab:red",
                    ms=7, label="unverified (not fitted)")
        ax.set_title(f"{name}\n({group['unit'].iloc[0]})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    _finish_panels(fig, axes, len(problem.series))
    fig.suptitle("Calibration 2000-2010: model (PySD run of the estimates) against history", fontsize=10)
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
    fig.savefig(path, dpi=90)


def residual_figure(inputs: ReportInputs, path: Path) -> None:
    """Relative residuals (simulated / actual - 1, %) of every fitted point, by series."""
    points = inputs.points
    fig = _figure((11, 4.5))
    ax = fig.subplots()
    colours = colormaps["tab20"].colors  # 13 series: tab10 would repeat colours
    markers = "osD^v<>ph*"
    for k, (name, group) in enumerate(points.groupby("series", sort=False)):
        ax.plot(group["year"], (group["simulated"] / group["actual"] - 1) * 100, marker=markers[k % len(markers)],
                ms=4, lw=1, color=colours[(2 * k) % 20 + (2 * k >= 20)], label=name)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylabel("simulated / actual - 1 (%)")
    ax.set_title("Residuals of the fitted points (relative errors)")
    ax.legend(fontsize=7, ncol=3)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def projection_figure(inputs: ReportInputs, path: Path) -> None:
    """Default projection 2010-2020 with the calibrated defaults and with the model file's values."""
    runs = inputs.extra["projection_runs"]
    shown = ["gdp_growth", "tertiary_share", "resident_population", "share_65plus", "energy_total", "rd_share"]
    fig = _figure((12, 6))
    axes = fig.subplots(2, 3)
    for ax, ind in zip(axes.flat, shown):
        for label, run in runs.items():
            ax.plot(run.index, run[ind], marker=".", label=label)
        ax.set_title(f"{ind} ({runs['calibrated'].attrs['units'][ind]})", fontsize=9)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Default projection (business as usual) from the 2010 baseline", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def convergence_figure(inputs: ReportInputs, path: Path) -> None:
    """Best cost and the population's relative spread per generation, with the tolerance."""
    fit = inputs.extra["fit"]
    history = fit.history
    fig = _figure((10, 3.6))
    left, right = fig.subplots(1, 2)
    left.plot(history["generation"], history["best_cost"], label="best")
    left.plot(history["generation"], history["mean_cost"], label="population mean")
    left.set_yscale("log")
    left.set_xlabel("generation")
    left.set_ylabel("objective")
    left.legend(fontsize=8)
    right.plot(history["generation"], history["relative_spread"])
    right.axhline(inputs.settings["tol"], color="tab:red", ls="--", label=f"tolerance {inputs.settings['tol']:g}")
    right.set_yscale("log")
    right.set_xlabel("generation")
    right.set_ylabel("std / mean of the population's costs")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.suptitle(f"Differential evolution: {'converged' if fit.converged else 'NOT converged'} after "
                 f"{fit.generations} generations", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def out_of_sample_figure(inputs: ReportInputs, path: Path) -> None:
    """The 2000-2005 fit run to 2010 against every series with 2006-2010 points."""
    oos = inputs.extra["out_of_sample"]
    problem, evaluation = oos["problem"], oos["evaluation"]
    sim = problem.simulate(oos["fit"].x)
    held = evaluation.points
    names = list(dict.fromkeys(held["series"]))
    cols = 4
    rows = max(1, math.ceil(len(names) / cols))
    fig = _figure((4.2 * cols, 3.1 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, name in zip(axes.flat, names):
        out = held[held["series"] == name]
        inside = evaluation.in_sample[evaluation.in_sample["series"] == name]
        first = out.index[0]
        var = out.loc[first, "variable"]
        row = problem.variables.index(var)
        model_at = sim[row, out.loc[first, "year"] - problem.years[0]]
        to_unit = out.loc[first, "simulated"] / model_at if model_at else 1.0
        ax.plot(problem.years, sim[row] * to_unit, color="tab:blue", label="model (fitted to 2000-2005)")
        if len(inside):
            ax.plot(inside["year"], inside["actual"], "o", color="black", ms=4, label="fitted data (2000-2005)")
        ax.plot(out["year"], out["actual"], "o", mfc="none", color="tab:red", ms=6, label="held-out data (2006-2010)")
        ax.axvspan(problem.fit_until, problem.years[-1], color="tab:red", alpha=0.06)
        ax.set_title(f"{name}\n({out['unit'].iloc[0]})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    _finish_panels(fig, axes, len(names))
    fig.suptitle("Out of sample: calibrated on 2000-2005, projected 2006-2010 under the recorded policy paths",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    fig.savefig(path, dpi=90)


def write_figures(inputs: ReportInputs, figures_dir: Path) -> None:
    """figures/fit.png, residuals.png, projection.png, convergence.png and out_of_sample.png."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    fit_figure(inputs, figures_dir / "fit.png")
    residual_figure(inputs, figures_dir / "residuals.png")
    projection_figure(inputs, figures_dir / "projection.png")
    if "fit" in inputs.extra:
        convergence_figure(inputs, figures_dir / "convergence.png")
    if inputs.extra.get("out_of_sample"):
        out_of_sample_figure(inputs, figures_dir / "out_of_sample.png")


def write_report(inputs: ReportInputs, path: Path, figures_dir: Path) -> None:
    """Write REPORT.md (the figures are written by write_figures)."""
    rel = figures_dir.relative_to(path.parent) if figures_dir.is_relative_to(path.parent) else figures_dir
    path.write_text(render(inputs, rel.as_posix()), encoding="utf-8")


def render(inputs: ReportInputs, figures: str) -> str:
    """The text of REPORT.md."""
    p, t = inputs.problem, inputs.timings
    s = inputs.settings
    goals = inputs.goals.copy()
    goals["met"] = goals["met"].map({True: "yes", False: "**no**", None: "n/a (under 3 points)"})
    main_goals = goals[~goals["goal"].str.contains(":")]
    bias_goals = goals[goals["goal"].str.contains(":")]
    est = inputs.estimates
    parts = [
        "# Calibration against 2000-2010 history: validation report",
        "",
        "Generated by `python -m calibration` (do not edit by hand: rerun the command). "
        f"Engine for the search: Simlin; every figure and statistic below is from the PySD run of "
        f"the estimates (largest relative difference between the two engines on the fitted points: "
        f"{inputs.engine_difference:.1e}).",
        "",
        "## Summary",
        "",
        f"- {len(p.names)} parameters estimated from {p.n_residuals} points of {len(p.series)} series "
        f"(weighted least squares on relative errors). Weights: each point of a series of n points "
        f"weighs 1/max(n, {MIN_POINTS}) of the series' weight, so a series of {MIN_POINTS} or more points "
        f"weighs the same whatever its length and a one-point series (the 2010 GDP level, the 2010 "
        f"65+ share, the 2010 coal share) a fifth of that: a soft anchor, not a hard constraint.",
        f"- Global search: differential evolution, seed {s['seed']}, population {s['popsize']} per "
        f"parameter, at most {s['maxiter']} generations, tolerance {s['tol']:g} "
        f"({inputs.extra['evaluations']['differential_evolution']} runs; {inputs.extra['de_message']}); local "
        f"polish: least squares, trust region reflective ({inputs.extra['evaluations']['least_squares']} runs; "
        f"{inputs.extra['ls_message']}).",
        f"- {_convergence_text(inputs)}",
        f"- Objective (sum of squared weighted relative residuals): {inputs.extra['cost']:.5g}.",
        f"- Standard errors: moving-block bootstrap of the residuals ({_bootstrap_text(inputs)}).",
        f"- Run time of the whole command: **{t['total']:.0f} s** (the machine's 2 cores were shared "
        "with other jobs while it ran); breakdown under *Run time*.",
        "",
        "### Goals (in sample, 2000-2010)",
        "",
        _table(main_goals[["goal", "statistic", "threshold", "value", "n_points", "met"]]),
        "",
        "Bias (Theil U_M below 0.1) for every fitted series (the goal applies to series of three or "
        "more points: with one or two, all of the error is bias by construction):",
        "",
        _table(bias_goals[["goal", "threshold", "value", "n_points", "met"]]),
        "",
        *_out_of_sample_summary(inputs),
        "### Differential evolution",
        "",
        f"![convergence]({figures}/convergence.png)",
        "",
        "## Fit statistics",
        "",
        "`fit_statistics.csv`: MAPE in % of the data, MAE and RMSE in the series' unit, R2 = 1 - "
        "SS_res/SS_tot, Theil's decomposition of the mean squared error into bias (U_M), unequal "
        "variation (U_S) and unequal covariation (U_C), which sum to 1 (Sterman 1984). A series "
        "fitted for its shape (`gdp_real_index_2009`) is compared after scaling its data by the "
        "fitted factor, in the model's unit.",
        "",
        _table(inputs.stats, 4),
        "",
        f"![model against data]({figures}/fit.png)",
        "",
        f"![residuals]({figures}/residuals.png)",
        "",
        "## Estimated parameters",
        "",
        "`std_error`: the moving-block bootstrap's (`calibration/bootstrap.py`: replicate histories "
        "from the fitted run and the resampled relative residuals, in blocks of consecutive years "
        "within each series, each refitted by the least-squares polish from the estimate), which "
        "allows for autocorrelated residuals; on a bound too, where the refits spread to one side "
        "(an uncertainty analysis cuts the normal at the bound). "
        "`std_error_local`: from the Jacobian at the optimum, s^2 (J'J)^-1 with s^2 = SSR/(m - p), "
        "which assumes independent residuals of one size; blank on a bound. "
        "`parameters_spec.csv` (and `policy_paths.csv` for the policy knots) says why each is "
        "uncertain. Role *2000-2010 only*: used by the 2000-2010 runs but not by projections "
        "(see the note in the spec).",
        "",
        _table(est[["parameter", "role", "value", "std_error", "std_error_local", "at_bound",
                    "lower", "upper", "start", "model_value"]]),
        "",
        "### Parameters on a bound",
        "",
        "Every estimate on a bound, with the justification declared in `bounds.csv` (the report "
        "says so where there is none):",
        "",
        _table(bound_rows(est, p)),
        "",
        _correlations(p.names, inputs.correlation),
        "",
        "## Recorded policy paths 2000-2010 (`policy_paths.csv`)",
        "",
        "The levers' paths in the history runs (model time: a year-end; a change in calendar year Y "
        "is at Y - 1). Estimated knots are calibration parameters (above). After its last knot a "
        "path holds its value, so the business-as-usual projection continues it: these knots are "
        "the projection defaults in `parameters.csv`.",
        "",
        _table(policy_rows(p, est)),
        "",
        "## Projection defaults (`parameters.csv`)",
        "",
        "The model reads these as its defaults. Projections start in 2010 from the official "
        "baseline, so the constants that set the 2010 stocks but are not data take their value "
        "from the calibrated run in 2010 (role *derived 2010 state*; standard errors by the delta "
        "method from the estimates' covariance).",
        "",
        _table(inputs.parameters[["parameter", "role", "value", "std_error", "model_value", "note"]]),
        "",
        "## The 2010 start",
        "",
        "Every state a projection starts from in 2010 is an official 2010 figure (`observed_2010.csv`) "
        "or the calibrated run's 2010 state (`derived_2010.csv`, role *derived 2010 state* above); "
        "tests/test_v2_validation.py checks that every stock's `initial ...` constants are one or the "
        "other. Observed 2010 states:",
        "",
        _table(_observed_rows(p)),
        "",
        "## 2000 settings (`initial_2000.csv`)",
        "",
        _table(_initial_rows(p)),
        "",
        "## Not estimated",
        "",
        "Constants declared uncertain (\"to be calibrated\" in the model file) that keep their "
        "model value, and why:",
        "",
        _table(p.spec.not_estimated[["parameter", "value", "reason"]]),
        "",
        "## Data",
        "",
        _table(_series_rows(p)),
        "",
        "Points that set the 2000 stocks are initial conditions, not fitted:",
        "",
        _table(p.excluded[["series", "year", "value", "reason"]]),
        "",
        "Series in the history that are not fitted, and why (`data/series.csv`):",
        "",
        _table(_not_fitted(p)),
        "",
    ]
    parts += [
        "## Sanity check against unverified figures",
        "",
        "Figures the history marks `unverified` (remembered, not found in a source) are never "
        "fitted; here they only check the calibrated run in 2010.",
        "",
        _table(unverified_checks(p, inputs.frame)),
        "",
    ]
    parts += _out_of_sample_section(inputs, figures)
    if inputs.twin is not None:
        parts += [
            "## Twin experiment",
            "",
            f"Synthetic history simulated from the estimates on the same points, with "
            f"{s['twin_noise']:.0%} noise, fitted from the spec's starting values with a short search "
            f"(population {s['twin_popsize']}, {s['twin_maxiter']} generations). Error as a fraction "
            "of the bound range; the tolerance is declared in `parameters_spec.csv` "
            "(tests/test_calibration.py runs the same experiment).",
            "",
            _table(inputs.twin),
            "",
        ]
    parts += [
        "## Projection check",
        "",
        "Default projection (all levers at business as usual) from the 2010 baseline, with the "
        "calibrated defaults and with the model file's values.",
        "",
        _table(inputs.projection, 5),
        "",
        f"![projection]({figures}/projection.png)",
        "",
        "## Run time",
        "",
        _table(pd.DataFrame({"step": list(t), "seconds": [round(v, 1) for v in t.values()]})),
        "",
    ]
    if NOTES_FILE.exists():
        parts += [NOTES_FILE.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(parts)


# Unverified history figures and the model quantity each is checked against (sanity check only:
# never fitted). Each entry: history series, label, function of the 2000-2010 run -> 2010 value.
UNVERIFIED_CHECKS = (
    ("gdp_real_growth", "real GDP growth 2010 (% per year)",
     lambda f: (f.loc[2010, "GDP"] / f.loc[2009, "GDP"] - 1) * 100),
    ("rd_share_gdp", "R&D share of GDP 2010 (%)", lambda f: f.loc[2010, "RD share of GDP"] * 100),
    ("employed_total", "employment 2010 (10^4 persons)", lambda f: f.loc[2010, "employment"]),
)
CHECK_VARIABLES = ("GDP", "RD share of GDP", "employment")


def unverified_checks(problem: Calibration, frame: pd.DataFrame) -> pd.DataFrame:
    """The calibrated run's 2010 values against the unverified figures of the history."""
    history = problem.history
    rows = []
    for series, label, value in UNVERIFIED_CHECKS:
        figures = history[(history["indicator"] == series) & (history["year"] == 2010)
                          & (history["quality"] == "unverified")]
        rows.append({"quantity": label, "calibrated run": value(frame),
                     "unverified figure(s)": ", ".join(f"{v:g}" for v in figures["value"]),
                     "note": "; ".join(n for n in figures["notes"] if isinstance(n, str) and n)})
    return pd.DataFrame(rows)


def _correlations(names, corr: np.ndarray, threshold: float = 0.9) -> str:
    pairs = [(names[i], names[j], corr[i, j]) for i in range(len(names)) for j in range(i)
             if np.isfinite(corr[i, j]) and abs(corr[i, j]) >= threshold]
    if not pairs:
        return f"No pair of free estimates correlates beyond {threshold}."
    rows = pd.DataFrame(pairs, columns=["parameter", "with", "correlation"])
    return (f"Pairs of estimates correlated beyond {threshold} (the data pin down a combination "
            "rather than each):\n\n" + _table(rows, 3))


def _initial_rows(p: Calibration) -> pd.DataFrame:
    table = p.initial[["parameter", "basis", "value", "series", "note"]].copy()
    table["value"] = table["value"].astype(float)
    return table


def _series_rows(p: Calibration) -> pd.DataFrame:
    pts = p.points
    rows = []
    for name in p.series:
        g = pts[pts["series"] == name]
        rows.append({"series": name, "compared with": g["indicator"].iloc[0] or g["variable"].iloc[0],
                     "fit": g["fit"].iloc[0], "points": len(g),
                     "years": f"{g['year'].min()}-{g['year'].max()}", "weight": g["weight"].iloc[0],
                     "quality": ", ".join(sorted(set(g["quality"])))})
    return pd.DataFrame(rows)


def _not_fitted(p: Calibration) -> pd.DataFrame:
    table = load_series()
    return table.loc[table["fit"] == "none", ["series", "note"]].rename(columns={"note": "why not fitted"})


def _convergence_text(inputs: ReportInputs) -> str:
    fit = inputs.extra.get("fit")
    if fit is None or fit.history.empty:
        return "Convergence: not recorded."
    last = fit.history.iloc[-1]
    tol = inputs.settings["tol"]
    if fit.converged:
        return (f"**The search converged**: after {fit.generations} generations the standard deviation of the "
                f"population's costs was {last['relative_spread']:.3g} of their mean (tolerance {tol:g}); "
                "figure below.")
    return (f"**The search did not converge**: it stopped at its limit of {fit.generations} generations with the "
            f"population's costs still spread by {last['relative_spread']:.3g} of their mean (tolerance {tol:g}); "
            "the polish then started from the best member. See the figure and the notes for why.")


def _bootstrap_text(inputs: ReportInputs) -> str:
    boot = inputs.extra.get("bootstrap")
    if boot is None:
        return "not run"
    return (f"{len(boot.draws)} refits of {boot.refits}, blocks of up to {boot.block} years, "
            f"{boot.failed} failed refits")


def bound_rows(estimates: pd.DataFrame, problem: Calibration) -> pd.DataFrame:
    """Each estimate on a bound with its declared justification (bounds.csv)."""
    declared = specs.load_bounds(problem.names)
    why = {(r["parameter"], r["bound"]): r["justification"] for _, r in declared.iterrows()}
    on = estimates[estimates["at_bound"].fillna("") != ""]
    rows = [{"parameter": r["parameter"], "bound": r["at_bound"], "value": r["value"],
             "justification": why.get((r["parameter"], r["at_bound"]), "**not justified** (not in bounds.csv)")}
            for _, r in on.iterrows()]
    if not rows:
        rows = [{"parameter": "(none)", "bound": "", "value": np.nan, "justification": "no estimate is on a bound"}]
    return pd.DataFrame(rows)


def policy_rows(problem: Calibration, estimates: pd.DataFrame) -> pd.DataFrame:
    """The recorded paths, estimated knots with their estimates."""
    values = dict(zip(estimates["parameter"], estimates["value"]))
    table = problem.policy.table
    shown = [values.get(r["parameter"], problem.held.get(r["parameter"], np.nan)) if r["basis"] == "estimated"
             else float(r["value"]) for _, r in table.iterrows()]
    return pd.DataFrame({"lever": table["lever"], "knot": table["knot"], "year": table["year"].astype(int),
                         "value": shown, "unit": table["unit"], "basis": table["basis"], "source": table["source"]})


def _observed_rows(problem: Calibration) -> pd.DataFrame:
    constants = problem.reference.constants()
    table = seam.load_observed(constants)
    return pd.DataFrame({"parameter": table["parameter"], "value": table["parameter"].map(constants),
                         "source": table["source"]})


def _out_of_sample_summary(inputs: ReportInputs) -> list[str]:
    oos = inputs.extra.get("out_of_sample")
    if not oos:
        return []
    goals = oos["evaluation"].goals.copy()
    goals["met"] = goals["met"].map({True: "yes", False: "**no**"})
    return ["### Goals (out of sample: fitted to 2000-2005, projected 2006-2010)", "",
            _table(goals[["goal", "statistic", "threshold", "value", "n_points", "met"]]), "",
            "Details under *Out-of-sample test*.", ""]


def _out_of_sample_section(inputs: ReportInputs, figures: str) -> list[str]:
    oos = inputs.extra.get("out_of_sample")
    if not oos:
        return []
    problem, fit, evaluation = oos["problem"], oos["fit"], oos["evaluation"]
    held = pd.DataFrame({"parameter": list(problem.held), "value": list(problem.held.values())})
    shape = [n for n in dict.fromkeys(evaluation.points["series"]) if problem.fit_modes.get(n) == "shape"]
    return [
        "## Out-of-sample test",
        "",
        f"The same problem fitted to the points up to {problem.fit_until} only ({problem.n_residuals} points, "
        f"{len(problem.names)} parameters; the search {'converged' if fit.converged else 'did NOT converge'} after "
        f"{fit.generations} generations), then run on to {problem.years[-1]} under the recorded policy paths and "
        f"compared with every point of {problem.fit_until + 1}-{problem.years[-1]} "
        f"(`{oos_module.ESTIMATES_FILE.name}`, `{oos_module.STATISTICS_FILE.name}`). "
        + (f"A shape series ({', '.join(shape)}) keeps the factor fitted on its in-sample points: the "
           f"real GDP index is anchored on the model's {problem.fit_until} level, so its errors are "
           "errors of growth since then; the real GDP goal is judged on it alone, because a level at "
           "2010 prices before 2006 needs the 2006-2010 price changes, which lie outside the fit "
           "period (the 2010 level's row shows how far the 2000-2005 data leave the level). " if shape else "")
        + "Parameters that only later data identify (the rail network's, whose points start in 2008) are "
        "whatever the 2000-2005 data leave them, which the rail row shows.",
        "",
        "Policy inputs after the fit period, held at the full calibration's estimates (they cannot "
        "be estimated from 2000-2005 data; the projection is conditional on the recorded policy):",
        "",
        _table(held) if len(held) else "(none)",
        "",
        _table(evaluation.stats, 4),
        "",
        f"![out of sample]({figures}/out_of_sample.png)",
        "",
    ]


def _finish_panels(fig, axes, used: int) -> None:
    """Hide the unused panels of a grid and draw one legend for all panels (labels once)."""
    for ax in list(axes.flat)[used:]:
        ax.axis("off")
    handles = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    fig.legend(handles.values(), handles.keys(), loc="lower right", fontsize=8)
