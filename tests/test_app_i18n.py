"""Chinese mode is Chinese (issue 9): every label, unit, tooltip, table and message the app shows
in Chinese is walked and any run of Latin letters that is not an allowed token fails the test.

Allowed: acronyms and names that Chinese texts write in Latin letters (GDP, CO2, R&D, PySD ...),
file names and paths, commands, and the columns that show code (model identifiers, equations).
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit import dataframe_util  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from model.paths import PROJECT_DIR  # noqa: E402
from webapp import charts, model_tab, modeldoc, page, runs, state  # noqa: E402
from webapp.i18n import t  # noqa: E402

APP = str(PROJECT_DIR / "app.py")
ALLOWED = {
    "GDP", "CO2", "R&D", "PySD", "Simlin", "PlanSim", "YAML", "CSV", "Vensim", "P", "kB", "U", "M", "S", "C",
    "p05", "p25", "p50", "p75", "p95", "PLANSIM_APP_ENGINE", "pysd", "python", "m", "calibration",
    "English",  # the language picker names each language in itself
    "CEADs", "IPCC", "TJ", "GJ",  # inventories and energy units named in sources
    "Griliches", "logit",  # an author cited in a comment; a function's name
    "Hall", "Mairesse", "Mohnen", "NBER", "Coe", "Helpman", "Nordhaus", "Lucas", "Prescott", "Hayashi",  # cited in comments
}
# file names, paths and commands (model/scorecard.py, scenarios/*.yaml, `python -m calibration`)
CODE = re.compile(r"`[^`]*`|[\w./*-]*[\w*]\.(?:py|yaml|yml|csv|md|mdl|png)\b|\b(?:model|webapp|scenarios|calibration|tests|benchmarks)/[\w/.*-]+|PLANSIM_APP_ENGINE=\w+"
                  r"|\b\d+(?:\.\d+)?e[-+]?\d+\b"  # numbers such as 1e-9
                  r"|\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # identifiers: data-series keys, link parameters
WORD = re.compile(r"[A-Za-z][A-Za-z0-9&_]*")


def untranslated(text: str) -> list[str]:
    """Runs of Latin letters in ``text`` that are not allowed in Chinese mode."""
    text = re.sub(r"\\(.)", r"\1", str(text))  # Markdown as read: escapes and directives away
    text = re.sub(r":[a-z]+(?:-badge)?\[", " ", text)
    text = CODE.sub(" ", text)
    return [w for w in WORD.findall(text) if w not in ALLOWED and not re.fullmatch(r"[A-Z]\d*|\d+\w*", w)]


def test_the_checker_catches_english():
    assert untranslated("单位: 10^4 tce/year") == ["tce", "year"]
    assert untranslated("研发经费占GDP比例 (model/scorecard.py), P(达成) 16 %, CO2") == []
    assert untranslated("Business as usual") == ["Business", "as", "usual"]


def texts_of(at: AppTest, lang: str) -> list[tuple[str, str]]:
    """(where, text) of everything a reader sees or hovers in the current page."""
    out = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "warning", "error", "success", "info"):
        out += [(kind, e.value) for e in at.get(kind)]
    for kind in ("selectbox", "multiselect", "radio", "slider", "toggle", "button", "file_uploader"):
        for w in at.get(kind):
            out.append((f"{kind} label", w.label))
            out.append((f"{kind} help", getattr(w, "help", "") or ""))
            if hasattr(w, "options"):
                out += [(f"{kind} option", o) for o in w.options]
    for m in at.metric:
        out += [("metric", m.label), ("metric", m.value), ("metric", m.delta), ("metric help", m.proto.help)]
    out += [("progress", p.proto.text) for p in at.get("progress")]
    out += [("tab", tab.label) for tab in at.tabs]
    for chart in at.get("vega_lite_chart"):
        data = dataframe_util.convert_arrow_bytes_to_pandas_df(chart.proto.data.data)
        for column in ("indicator", "series", "note"):
            out += [("chart " + column, v) for v in set(data[column])]
        out.append(("chart spec", chart.proto.spec))
    code = model_tab.code_columns(lang)
    for frame in at.dataframe:
        value = frame.value
        out += [("table column", str(c)) for c in value.columns]
        for column in value.columns:
            if str(column) not in code and not pd.api.types.is_numeric_dtype(value[column]):
                out += [(f"table {column}", v) for v in set(value[column].dropna().astype(str))]
    return out


def spec_texts(spec: str) -> list[str]:
    """The words a chart spec shows: titles (field names and filters are code)."""
    found = []

    def visit(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "text") and isinstance(value, str):
                    found.append(value)
                else:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(json.loads(spec))
    return found


def model_file_words() -> set[str]:
    """Names and comments of the model file's variables: Chinese only through
    model/variables_zh.yaml (helper 'data'); left out of the walk until that file is there
    (test_model_file_words_are_chinese skips and says how many lack a translation)."""
    if modeldoc.variable_words_zh():
        return set()
    table = model_tab.equation_table()
    return set(table["name"]) | {str(d) for d in table["documentation"]}


def walk(at: AppTest, lang: str) -> dict[str, set]:
    bad: dict[str, set] = {}
    skip = model_file_words()
    for where, text in texts_of(at, lang):
        if text in skip:
            continue
        pieces = spec_texts(text) if where == "chart spec" else [text]
        for piece in pieces:
            words = untranslated(piece)
            if words:
                bad.setdefault(where, set()).add(f"{piece[:120]!r}: {words}")
    return bad


def every_view(at: AppTest):
    """Yield the page in each of its views: charts (uncertainty on), table, each model view."""
    at.session_state[page.TAB_INDEX_KEY] = 0
    at.toggle(key=state.UNCERTAINTY_KEY).set_value(True).run()
    yield "charts"
    at.toggle(key=state.UNCERTAINTY_KEY).set_value(False).run()
    at.session_state[page.TAB_INDEX_KEY] = 1
    at.run()
    yield "table"
    at.session_state[page.TAB_INDEX_KEY] = 2
    at.run()
    for view in model_tab.VIEWS:
        if view in ("equations", "diagram"):
            continue  # model-file words: test_model_file_words_are_chinese
        at.radio(key=state.widget_key("model_view", "zh")).set_value(view).run()
        yield f"model {view}"


def test_chinese_mode_is_chinese():
    """Every label, unit, tooltip, table cell and message of the page in Chinese."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update({"lang": "zh", "investment_rate": "九", "no_such_parameter": "1"})
    at.run()
    assert not at.exception
    bad = walk(at, "zh")
    for view in every_view(at):
        assert not at.exception, view
        for where, items in walk(at, "zh").items():
            bad.setdefault(f"{view}: {where}", set()).update(items)
    # the scenario descriptions (scenario files) are Chinese once the loader gives description_zh
    cat = runs.catalog()
    if not all(hasattr(sc, "description_zh") for sc in cat.scenarios.values()):
        # not yet delivered by helper 'core': test_scenario_descriptions_are_chinese skips with the reason
        starts = [sc.description[:40] for sc in cat.scenarios.values()]
        bad = {k: kept for k, v in bad.items() if (kept := {i for i in v if not any(s in i for s in starts)})}
    assert not bad, "\n".join(f"{where}: {sorted(items)[:5]}" for where, items in bad.items())


def test_scenario_descriptions_are_chinese():
    AppTest.from_file(APP, default_timeout=300).run()
    scenarios = runs.catalog().scenarios.values()
    if not all(hasattr(sc, "description_zh") for sc in scenarios):
        pytest.skip("the scenario loader gives no description_zh yet (helper 'core': description {zh, en})")
    for sc in scenarios:
        assert untranslated(page.scenario_description(sc, "zh")) == [], sc.name


def test_model_file_words_are_chinese():
    """The equations table and the diagram in Chinese: names and comments from
    model/variables_zh.yaml for every model variable."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update({"lang": "zh"})
    at.run()
    names = list(model_tab.equation_table()["name"])
    words = modeldoc.variable_words_zh()
    if not words:
        pytest.skip(f"model/variables_zh.yaml is not there yet (helper 'data'): {len(names)} variables lack "
                    "a Chinese name and comment")
    missing = [n for n in names if not words.get(n, {}).get("name") or not words.get(n, {}).get("comment")]
    assert not missing, f"{len(missing)} model variables lack a Chinese name or comment: {missing[:20]}"
    at.session_state[page.TAB_INDEX_KEY] = 2
    at.run()
    at.radio(key=state.widget_key("model_view", "zh")).set_value("equations").run()
    assert not walk(at, "zh")
    dot = model_tab.structure().dot("energy", names={n: words[n]["name"] for n in names},
                                    units={}, docs={n: words[n]["comment"] for n in names})
    labels = re.findall(r'(?:label|xlabel)="([^"]+)"', dot)
    assert labels and all(not untranslated(label) for label in labels)


def test_chart_units_and_titles_follow_the_language():
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update({"lang": "zh"})
    at.run()
    cat = runs.catalog()
    title = charts.panel_title(cat.indicators["energy_total"], "zh")
    assert title.endswith("(万吨标准煤/年)")
    data = pd.concat(dataframe_util.convert_arrow_bytes_to_pandas_df(c.proto.data.data)
                     for c in at.get("vega_lite_chart"))
    assert title in set(data["indicator"])
    assert t("series_current", "zh") in set(data["series"])
