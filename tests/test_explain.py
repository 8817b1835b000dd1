"""Why did it move? (issue 14, section 2): loop dominance from Simlin's Loops That Matter read
through model/loops.yaml, the causes tree from the model's equations, and `python -m model
explain`. Known answers come from the declarations (loops.yaml, levers.yaml, the model file),
never from numbers a recalibration moves."""
from __future__ import annotations

import re

import numpy as np
import pytest

from model import PlanSimError
from model.cli.main import main
from model.explain import causes_tree, check_indicator, explain, loop_analysis
from model.explain.causes import direct_causes, tree
from model.explain.loops import OTHER, declared_loops, dominance, dominant, match, periods
from model.explain.text import render
from model.mdl import ident, read
from model.project import Project

YEAR = 2020


@pytest.fixture(scope="module")
def fast():
    return Project(engine="simlin")


@pytest.fixture(scope="module")
def bau_analysis(fast):
    return loop_analysis(fast, None, YEAR)


@pytest.fixture(scope="module")
def text(fast):
    return read(fast.mdl_path)


def declared_found(analysis) -> dict[str, dict]:
    found = {}
    for loop in analysis["loops"]:
        loop_id = match(loop["variables"], declared_loops())
        if loop_id:
            found[loop_id] = loop
    return found


# -- dominance: the rule on a tiny synthetic problem ------------------------------------------------
def test_dominant_takes_the_fewest_strongest_loops_reaching_half():
    assert dominant({"a": 0.3, "b": -0.25, "c": 0.45}) == (("c", "a"), 0)
    assert dominant({"a": 0.6, "b": 0.4}) == (("a",), 0)
    assert dominant({"a": 0.1, "b": 0.1, "c": 0.1, "d": 0.1, "e": 0.1, "f": 0.5 - 0.4}) == (("a", "b", "c"), 2)
    assert dominant({"a": 0.0}) == ((), 0)


def test_periods_merge_years_and_cover_the_inactive_first_year():
    years = np.arange(2010, 2016)
    shares = {"R": np.array([0, 0.8, 0.7, 0.2, 0.1, 0.9]), "B": np.array([0, -0.2, -0.3, -0.8, -0.9, -0.1])}
    assert periods(years, shares) == [(2010, 2012, ("R",), 0), (2013, 2014, ("B",), 0), (2015, 2015, ("R",), 0)]


def test_a_found_loop_is_a_declared_loop_only_with_the_same_members():
    loop = declared_loops()[0]
    members = tuple(ident(m) for m in loop.members)
    assert match(members[::-1], declared_loops()) == loop.id  # order does not matter
    assert match(members + ("another_variable",), declared_loops()) is None
    assert match(members[1:], declared_loops()) is None


# -- dominance in the model ------------------------------------------------------------------------
def test_the_periods_cover_every_year_of_the_run(fast, bau_analysis, text):
    found = dominance(bau_analysis, "GDP", tuple(direct_causes(text, "GDP")))
    assert found.loops, "no loop passes through GDP"
    spans = found.periods
    assert spans[0][0] == fast.control["INITIAL TIME"] and spans[-1][1] == YEAR
    assert all(b[0] == a[1] + 1 for a, b in zip(spans, spans[1:]))
    assert all(keys for _, _, keys, _ in spans)
    # every active year's shares add up to 1 over the loops that matter
    total = np.sum([np.abs(s) for s in found.shares.values()], axis=0)
    assert np.allclose(total[found.active], 1) and found.active[1:].all()
    bands = found.bands()
    assert np.allclose(np.sum(list(bands.values()), axis=0)[found.active], 1)
    assert OTHER in bands or all(found.loops[k]["declared"] or k in bands for k in found.shares)


def test_declared_loops_found_have_their_declared_polarity(bau_analysis):
    """Simlin's reading of each declared loop it finds agrees with loops.yaml, and its signed
    share has the sign of that polarity (reinforcing >= 0, balancing <= 0)."""
    found = declared_found(bau_analysis)
    assert found, "the analysis found none of the declared loops"
    polarity = {d.id: d.polarity for d in declared_loops()}
    for loop_id, loop in found.items():
        assert loop["polarity"] == polarity[loop_id], loop_id
        sign = 1 if polarity[loop_id] == "reinforcing" else -1
        assert (sign * loop["score"] >= -1e-12).all() and (sign * loop["score"] > 0).any(), loop_id


def test_declared_loops_through_an_indicator_are_shown_or_reported_missing(bau_analysis, text):
    found = dominance(bau_analysis, "GDP", tuple(direct_causes(text, "GDP")))
    through = {d.id for d in declared_loops() if "GDP" in d.members}
    shown = {v["declared"] for v in found.loops.values() if v["declared"]}
    assert through and through == shown | set(found.missing)


@pytest.fixture(scope="module")
def knockout_ids(bau_analysis):
    ids = [d.id for d in declared_loops() if d.knockout and d.id in declared_found(bau_analysis)]
    assert ids, "no declared loop with a knockout is found in business as usual: nothing to knock out"
    return ids


def test_knocking_out_a_loop_removes_it_from_the_analysis(fast, knockout_ids):
    for loop_id in knockout_ids:
        loop = next(d for d in declared_loops() if d.id == loop_id)
        cut = declared_found(loop_analysis(fast, None, YEAR, params=loop.knockout))
        assert loop_id not in cut or not np.any(cut[loop_id]["score"]), loop_id


# -- causes ----------------------------------------------------------------------------------------
def names_in(equation: str, text) -> set[str]:
    """The model variables an equation's text names (longest names first)."""
    found, rest = set(), f" {equation} "
    for name in sorted(text.variables, key=len, reverse=True):
        pattern = r"(?<![\w])" + r"\s+".join(map(re.escape, name.split())) + r"(?![\w])"
        if re.search(pattern, rest, re.IGNORECASE):
            found.add(name)
            rest = re.sub(pattern, " ", rest, flags=re.IGNORECASE)
    return found


def test_the_causes_of_gdp_are_the_inputs_of_its_equation(fast, text):
    variable = fast.indicators().loc["gdp", "variable"]
    root = tree(text, variable)
    assert {c.name for c in root.children} == names_in(text.variables[variable].equation, text) - {variable}
    for child in root.children:  # two levels: each cause's own inputs (a stock: its flows)
        var = text.variables[child.name]
        expected = set(var.inflows + var.outflows) if var.is_stock else names_in(var.equation, text) - {child.name}
        assert {c.name for c in child.children} == {n for n in expected if text.variables[n].kind != "control"}
        assert all(not grandchild.children for grandchild in child.children)


def lever_in_a_tree(fast, text):
    """The first lever (file order) whose effective variable is in some indicator's causes tree
    and whose maximum is above its default, with that indicator's variable."""
    variables = list(dict.fromkeys(fast.indicators()["variable"]))
    for row in fast.levers().to_dict("records"):
        if row["max"] <= row["default"]:
            continue
        for variable in variables:
            if row["effective"] in tree(text, variable).names():
                return row, variable
    pytest.fail("no lever's effective variable is within two levels of an indicator")


def test_a_raised_lever_raises_its_effective_variable_in_the_tree(fast, text):
    row, variable = lever_in_a_tree(fast, text)
    raised = nodes(causes_tree(fast, variable, {row["name"]: row["max"]}, None, YEAR))
    assert raised[row["effective"]].change > 0, row["name"]
    lowered = nodes(causes_tree(fast, variable, {row["name"]: row["min"]}, {row["name"]: row["max"]}, YEAR))
    assert lowered[row["effective"]].change < 0, row["name"]


def nodes(root) -> dict:
    found, stack = {}, [root]
    while stack:
        node = stack.pop()
        found[node.name] = node
        stack += node.children
    return found


def test_unchanged_runs_give_no_change(fast):
    root = causes_tree(fast, "GDP", None, None, YEAR)
    assert all(abs(n) == 0 for n in [root.change] + [c.change for c in root.children])


# -- indicators and the command --------------------------------------------------------------------
def test_an_unknown_indicator_is_refused_with_the_closest_ids(fast):
    with pytest.raises(PlanSimError) as err:
        check_indicator(fast, "gpd")
    assert "gdp" in str(err.value) and "model/indicators.yaml" in str(err.value)
    assert "gdp" in err.value.messages("zh")[0]
    assert check_indicator(fast, "gdp") == "gdp"


def test_explain_command_prints_periods_and_causes(tmp_path, capsys):
    assert main(["explain", "gdp", "--scenario", "plan", "--out", str(tmp_path), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "主导回路" in out and "原因树" in out
    assert (tmp_path / "explain-gdp-zh.png").stat().st_size > 10_000
    assert main(["explain", "gpd"]) == 2
    err = capsys.readouterr().err
    assert "gdp" in err and "Traceback" not in err


def test_render_in_both_languages(fast, bau_analysis):
    found = explain(fast, "gdp", analysis=bau_analysis)
    for lang in ("zh", "en"):
        text = render(found, "GDP", "a", "b", lang)
        assert text.count("\n") > 5
    assert "GDP [" in render(found, "GDP", "a", "b", "en")
