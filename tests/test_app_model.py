"""The app's model: one project per process, also under the uncertainty switch; the Model tab
reads the model file through ``model.mdl`` and agrees with PySD's and Simlin's readings."""
from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from model import engines, mdl  # noqa: E402
from model.declaration import Declaration  # noqa: E402
from model.engines import simlin_engine  # noqa: E402
from model.metadata import MODULES  # noqa: E402
from model.paths import MODEL_FILE, PROJECT_DIR  # noqa: E402
from webapp import model_tab, runs, state  # noqa: E402
from webapp.diagram import StockFlowStructure  # noqa: E402

APP = str(PROJECT_DIR / "app.py")


def test_the_page_runs_one_project_on_the_chosen_engine():
    project = runs.project()
    assert project.engine_name == runs.engine_name() == "simlin"
    assert runs.project() is project  # built once per process


def test_uncertainty_switch_loads_no_second_model(monkeypatch):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"lang": "en", "investment_rate": "0.31"})
    at.run()
    assert not at.exception
    project = runs.project()
    made, given = [], []
    declare, create, ensemble = Declaration.__init__, engines.create, runs.uncertainty.ensemble_for_levers

    def counted_declaration(self, *args, **kwargs):
        made.append("declaration")
        declare(self, *args, **kwargs)

    def counted_engine(*args, **kwargs):
        made.append("engine")
        return create(*args, **kwargs)

    def recorded(model, *args, **kwargs):
        given.append(model)
        return ensemble(model, *args, **kwargs)

    monkeypatch.setattr(Declaration, "__init__", counted_declaration)
    monkeypatch.setattr(engines, "create", counted_engine)
    monkeypatch.setattr(runs.uncertainty, "ensemble_for_levers", recorded)
    runs.spread.clear()  # so that the switch runs an ensemble now
    at.toggle(key=state.UNCERTAINTY_KEY).set_value(True).run()
    assert not at.exception and not at.error
    assert len(at.progress) == len(runs.catalog().targets)  # the ensemble's probabilities are shown
    assert given == [project]  # the ensemble is built on the page's project
    assert made == []  # no second declaration, no second engine
    assert runs.project() is project


def test_equation_table_is_pysds_reading_of_the_model_file():
    from pysd.translators.vensim.vensim_file import VensimFile

    parsed = VensimFile(str(MODEL_FILE))
    parsed.parse()
    elements = [e for section in parsed.sections for e in section.elements]
    table = model_tab.equation_table()
    assert list(table["name"]) == [e.name for e in elements]
    assert list(table["equation"]) == [" ".join(str(e.expression).split()) for e in elements]
    doc = runs.project().doc
    assert list(table["units"]) == list(doc.loc[table["name"], "Units"])
    assert list(table["documentation"]) == list(doc.loc[table["name"], "Comment"])
    assert table.set_index("name").loc["RD intensity target point 1 value", "range"] == "[0.01, 0.06, 0.001]"  # as in the file
    assert dict(zip(table["name"], table["group"]))["private cars"] == "Transport"


def test_diagram_structure_is_simlins_reading_of_the_model_file():
    simlin = pytest.importorskip("simlin")
    structure = model_tab.structure()
    text = mdl.read(MODEL_FILE)
    name_of = {mdl.ident(name): name for name in text.variables}
    kinds = {name_of[mdl.ident(v.name)]: type(v).__name__.lower() for v in simlin.load(MODEL_FILE).variables}
    assert structure.kind == {name: "aux" if kind == "aux" else kind for name, kind in kinds.items()}
    polarity = simlin_engine.link_polarities(MODEL_FILE, text.variables)
    assert sorted((src, dst) for src, dst, _ in structure.links) == sorted(polarity)
    assert {sign for _, _, sign in structure.links} == {"POSITIVE", "NEGATIVE", "UNKNOWN"}


def test_diagram_is_the_same_whatever_order_the_polarities_come_in():
    structure = model_tab.structure()
    text = mdl.read(MODEL_FILE)
    polarity = simlin_engine.link_polarities(MODEL_FILE, text.variables)
    levers = {row["effective"]: row["module"] for row in runs.catalog().levers}  # a lever is drawn as its variable in force
    shuffled = StockFlowStructure(text, levers, MODULES, dict(reversed(list(polarity.items()))))
    for module in MODULES:
        assert shuffled.dot(module) == structure.dot(module)


def test_reruns_do_not_compile_the_model_again(monkeypatch):
    """Streamlit runs every rerun on a new thread: the compiled Simlin model is kept per process."""
    simlin = pytest.importorskip("simlin")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    loads = []
    load = simlin.load
    monkeypatch.setattr(simlin, "load", lambda *args, **kwargs: loads.append(args) or load(*args, **kwargs))
    for value in (0.22, 0.23, 0.24):  # lever sets no other test runs, so the run cache cannot answer
        at.slider(key=state.lever_key("investment_rate")).set_value(value * 100).run()  # shown in %
        assert not at.exception
    assert loads == []
