"""Lever metadata declared once, and bad input rejected with clear messages before any run."""
import math
import re

import pandas as pd
import pytest
import yaml

import model
from model import LeverError, PlanSimError
from model.paths import LEVERS_FILE, MODEL_FILE

BRIEF_LEVERS = 11  # ../shared/design/model.md lists eleven levers


def test_levers_have_labels_units_ranges_and_defaults(shanghai):
    levers = shanghai.levers()
    assert len(levers) >= BRIEF_LEVERS
    assert set(levers["module"]) == {"population", "economy", "energy", "transport"}
    for _, row in levers.iterrows():
        assert row["label_zh"] and row["label_en"] and row["description"] and row["units"]
        assert row["min"] <= row["default"] <= row["max"] and row["step"] > 0
        assert re.search(r"[\u4e00-\u9fff]", row["label_zh"]), row["name"]


def test_lever_defaults_are_the_model_file_values(shanghai):
    raw = model.load(use_calibration=False)
    for name, default in raw.levers().set_index("name")["default"].items():  # a lever is a path of knots
        assert default == raw.constants()[f"{name} point 1 value"]


def test_levers_yaml_names_only_ranged_constants_of_the_model(shanghai):
    declared = yaml.safe_load(LEVERS_FILE.read_text(encoding="utf-8"))
    doc = shanghai.doc
    for name in declared:  # the range is on the lever path's value knots
        assert doc.loc[f"{name} point 1 value", "Type"] == "Constant"
        assert len(doc.loc[f"{name} point 1 value", "Limits"]) == 3


def test_every_variable_has_units_and_a_comment(shanghai):
    doc = shanghai.doc.drop(index="Time")
    assert doc["Units"].notna().all() and (doc["Units"].str.len() > 0).all()
    no_comment = doc.index[doc["Comment"].isna() | (doc["Comment"].str.len() < 5)]
    assert list(no_comment) == []


def test_numbers_appear_only_in_constants(shanghai):
    """Every number in an equation is a named constant: equations of non-constants use no
    literals other than 0 and 1 (variable names such as 'workers reaching 65' are removed first)."""
    names = sorted(shanghai.doc.index, key=len, reverse=True)
    text = MODEL_FILE.read_text(encoding="utf-8").split("\\\\\\---///")[0]
    offenders = []
    for block in text.split("|"):
        if "~" not in block or "=" not in block:
            continue
        head = block.split("~")[0]
        name, _, equation = head.partition("=")
        equation = equation.strip()
        if re.fullmatch(r"-?[\d.]+", equation):
            continue  # a constant
        for known in names:
            equation = equation.replace(known, "x")
        equation = equation.replace("1e-06", "x")  # a lever path's guard against a zero-length segment
        literals = re.findall(r"(?<![\w.])(\d+\.?\d*)(?![\w.])", equation)
        if any(float(x) not in (0.0, 1.0) for x in literals):
            offenders.append(name.strip())
    assert offenders == []


def test_indicator_list_covers_every_plan_target(shanghai):
    targets = model.plan_targets()
    assert set(targets["model_indicator"]) <= set(shanghai.indicators().index)


def test_result_is_indexed_by_year_and_unit_labelled(default_run, shanghai):
    assert default_run.index.name == "year" and list(default_run.index) == list(range(2010, 2021))
    assert set(default_run.attrs["units"]) == set(default_run.columns) == set(shanghai.indicators().index)
    long = model.to_long(default_run, "baseline")
    assert list(long.columns) == ["scenario", "year", "indicator", "value", "unit"]
    assert long["unit"].notna().all()


def test_final_year_is_respected(shanghai):
    assert list(shanghai.run(final_year=2015).index) == list(range(2010, 2016))
    assert shanghai.run(final_year=2030).index[-1] == 2030


# -- bad input -------------------------------------------------------------------------------
@pytest.mark.parametrize("name, expected", [
    ("investment rat", "'investment rate'"),
    ("RD target", "'RD intensity target'"),
    ("coal share", "'coal share target'"),
])
def test_unknown_lever_names_the_closest_valid_ones(shanghai, name, expected):
    with pytest.raises(LeverError, match=f"unknown lever '{name}'.*{re.escape(expected)}"):
        shanghai.run({name: 0.3})


@pytest.mark.parametrize("value", [0.9, -0.1, "0.3", None, True, math.nan, math.inf, -math.inf, [0.3]])
def test_bad_lever_values_name_lever_value_and_range(shanghai, value):
    with pytest.raises(LeverError) as error:
        shanghai.run({"investment rate": value})
    message = str(error.value)
    assert "'investment rate'" in message and repr(value) in message and "[0.2, 0.4]" in message


def test_nothing_runs_with_a_bad_lever(shanghai, default_run):
    with pytest.raises(LeverError):
        shanghai.run({"investment rate": 0.4, "population control": 2})
    pd.testing.assert_frame_equal(shanghai.run(), default_run)


def test_bad_parameter_override_and_final_year_are_rejected(shanghai):
    with pytest.raises(PlanSimError, match="unknown model constant 'depreciaton rate'.*'depreciation rate'"):
        shanghai.run(params={"depreciaton rate": 0.1})
    with pytest.raises(PlanSimError, match="final_year"):
        shanghai.run(final_year=2009)


def test_model_file_has_one_view_per_module_and_an_up_to_date_sketch():
    import subprocess
    import sys

    text = MODEL_FILE.read_text(encoding="utf-8")
    views = re.findall(r"^\*(\w+)$", text, flags=re.MULTILINE)
    assert {"Population", "Economy", "Energy", "Transport"} <= set(views)
    root = MODEL_FILE.parent.parent
    # the script imports the installed model package (the README installs it: pip install -e .)
    check = subprocess.run([sys.executable, str(root / "scripts" / "layout_views.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, f"run scripts/layout_views.py to redraw the views from the equations\n{check.stderr}"


def test_indicator_declarations_with_unknown_keys_are_rejected(tmp_path, monkeypatch):
    from model import metadata

    bad = tmp_path / "indicators.yaml"
    bad.write_text("gdp: {module: economy, variable: GDP, kind: level, scale: 1, decimals: 1, unit: x, "
                   "label_en: Energy use, industry, label_zh: y}\n", encoding="utf-8")
    monkeypatch.setattr(metadata, "INDICATORS_FILE", bad)
    with pytest.raises(PlanSimError, match=r"indicator 'gdp' has unknown keys \['industry'\]"):
        metadata.indicator_table()


# -- the Python API's arguments (issue 10 item 10) ----------------------------------------------
def repr_short(value) -> str:
    return model.errors.quote(value, 20)


@pytest.mark.parametrize("time_step", [0, -1, math.nan, math.inf, 1e-9, 0.3, 2, "0.5", True, 10**400], ids=repr_short)
def test_a_bad_time_step_is_refused_before_running(shanghai, time_step):
    with pytest.raises(PlanSimError, match=r"time_step must be 1/n year with n a whole number from 1 to 1024"):
        shanghai.run(time_step=time_step)


def test_time_steps_of_one_over_n_are_accepted(shanghai):
    assert list(shanghai.run(final_year=2012, time_step=0.25).index) == [2010, 2011, 2012]


@pytest.mark.parametrize("final_year", [2010, 2009, 2101, 10**400, 2015.0, "2015", None, True, math.nan], ids=repr_short)
def test_a_final_year_out_of_range_names_the_range(shanghai, final_year):
    with pytest.raises(PlanSimError, match=r"final_year must be a whole year from 2011 to 2100"):
        shanghai.run(final_year=final_year)


@pytest.mark.parametrize("initial_year", [math.nan, 1800, 2000.5, "2000"])
def test_a_bad_initial_year_is_refused(shanghai, initial_year):
    with pytest.raises(PlanSimError, match=r"initial_year must be a whole year from 1990 to 2099"):
        shanghai.run_variables(initial_year=initial_year, final_year=2010)


@pytest.mark.parametrize("levers", [["investment rate", 0.3], "investment rate=0.3", 0.3, [("investment rate", 0.3)]])
def test_levers_that_are_not_a_mapping_are_a_lever_error(shanghai, levers):
    with pytest.raises(LeverError, match=r"levers must be a mapping \(dict\) of lever name to number, got"):
        shanghai.run(levers)


@pytest.mark.parametrize("value", [10**400, -(10**400), 10**30], ids=repr_short)
def test_a_huge_whole_number_is_out_of_range(shanghai, value):
    with pytest.raises(LeverError, match=r"'investment rate' = -?(≈1e\d+|\d+) is outside its allowed range \[0.2, 0.4\]"):
        shanghai.run({"investment rate": value})


@pytest.mark.parametrize("value", [5.0, -1, math.nan, "0.3"])
def test_params_cannot_set_a_lever_outside_its_range(shanghai, value):
    with pytest.raises(LeverError, match=r"'investment rate' = .* allowed range \[0.2, 0.4\]"):
        shanghai.run(params={"investment rate": value})


def test_params_may_set_a_lever_inside_its_range(shanghai):
    pd.testing.assert_frame_equal(shanghai.run(params={"investment rate": 0.3}), shanghai.run({"investment rate": 0.3}))


def test_params_not_a_mapping_and_odd_names(shanghai):
    with pytest.raises(PlanSimError, match=r"params must be a mapping"):
        shanghai.run(params=[1, 2])
    with pytest.raises(LeverError, match=r"unknown lever 1;"):
        shanghai.run({1: 0.3})
    with pytest.raises(LeverError, match=r"unknown lever ≈1e\d+"):
        shanghai.run({10**5000: 0.3})


def test_a_share_in_percent_gets_a_hint(shanghai):
    with pytest.raises(LeverError, match=r"did you mean 0.25\?"):
        shanghai.run({"coal share target": 25})
    with pytest.raises(LeverError) as error:
        shanghai.run({"car plate quota": 4000})
    assert "did you mean" not in str(error.value)
