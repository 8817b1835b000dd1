"""The history loader: observations for plotting, derived series, and errors on bad input."""
import shutil

import pandas as pd
import pytest

from model import PlanSimError
from model import history as h

# Revised real growth 2006-2009 (上海市发展改革研究院 表0.1): 12.7, 15.2, 9.7, 8.2 per cent.
INDEX_2005 = 100 / (1.127 * 1.152 * 1.097 * 1.082)  # 64.8918


@pytest.fixture()
def files(tmp_path):
    """Copies of the three data files, to be spoiled one at a time."""
    out = {}
    for name, src in (("history", h.HISTORY_FILE), ("series", h.SERIES_FILE), ("derived", h.DERIVED_FILE)):
        out[name] = tmp_path / src.name
        shutil.copy(src, out[name])
    return out


def _load(files, **kwargs):
    return h.fit_observations(files["history"], files["series"], files["derived"], **kwargs)


def test_observations_are_usable_points_in_indicator_units():
    obs = h.observations()
    assert list(obs.columns) == ["series", "indicator", "year", "value", "quality", "weight"]
    assert set(obs["quality"]) <= {"sourced", "derived"}
    rd = obs[obs["indicator"] == "rd_share"].set_index("year")["value"]
    assert rd[2009] == 2.9 and 2010 not in rd.index  # the 2010 point is unverified
    # shape-only series (an index known up to a factor) are not in indicator units: left out
    assert "gdp_real_index_2009" not in set(obs["series"])
    gdp = obs[obs["indicator"] == "gdp"]
    assert list(gdp["value"]) == [17165.98]


def test_real_gdp_index_uses_one_vintage():
    obs = h.fit_observations()
    index = obs[obs["series"] == "gdp_real_index_2009"].set_index("year")["value"]
    assert list(index.index) == [2005, 2006, 2007, 2008, 2009]  # preliminary 2004-2005 rates not mixed in
    assert index[2009] == pytest.approx(100)
    assert index[2008] == pytest.approx(100 / 1.082)
    assert index[2005] == pytest.approx(INDEX_2005)  # the revised 12.7 for 2006, not the preliminary 12.0


def test_investment_rate_is_a_ratio_within_one_release():
    obs = h.fit_observations()
    rate = obs[obs["series"] == "investment_rate_bulletin"].set_index("year")["value"]
    assert rate.to_dict() == pytest.approx({2004: 3084.66 / 7450.27, 2005: 3542.55 / 9143.95})


def test_fit_observations_carry_model_units():
    obs = h.fit_observations()
    share = obs[(obs["series"] == "tertiary_share_csy2012") & (obs["year"] == 2010)].iloc[0]
    assert share["value"] == pytest.approx(57.3) and share["model_value"] == pytest.approx(0.573)
    assert set(obs["fit"]) == {"level", "shape"}


def test_every_history_series_is_declared():
    history = h.history_with_derived()
    declared = set(h.load_series()["series"])
    assert set(history["indicator"]) == declared


def test_missing_column(files):
    table = pd.read_csv(files["history"]).drop(columns=["quality"])
    table.to_csv(files["history"], index=False)
    with pytest.raises(PlanSimError, match=r"history_2000_2010.csv: missing column\(s\) \['quality'\]"):
        _load(files)


def test_non_numeric_value_names_row_and_column(files):
    table = pd.read_csv(files["history"], dtype=str)
    table.loc[4, "value"] = "n/a"
    table.to_csv(files["history"], index=False)
    with pytest.raises(PlanSimError, match=r"history_2000_2010.csv: row 6, column 'value': 'n/a' is not a number"):
        _load(files)


def test_unknown_series_names_row_and_column(files):
    table = pd.read_csv(files["series"], dtype=str, keep_default_na=False)
    table.loc[2, "series"] = "share_65_plus"
    table.to_csv(files["series"], index=False)
    with pytest.raises(PlanSimError, match=r"series.csv: row 4, column 'series': unknown series 'share_65_plus'"):
        _load(files)


def test_series_mapped_to_missing_model_variable(files, shanghai):
    table = pd.read_csv(files["series"], dtype=str, keep_default_na=False)
    row = table.index[table["series"] == "investment_rate_bulletin"][0]
    table.loc[row, "model_variable"] = "investment ratio"
    table.to_csv(files["series"], index=False)
    with pytest.raises(PlanSimError, match=rf"series.csv: row {row + 2}, column 'model_variable': .*'investment "
                                           r"ratio', which is not a variable of the model"):
        _load(files, model_variables=shanghai.doc.index)


def test_series_mapped_to_unknown_indicator(files):
    table = pd.read_csv(files["series"], dtype=str, keep_default_na=False)
    table.loc[0, "indicator"] = "resident_pop"
    table.to_csv(files["series"], index=False)
    with pytest.raises(PlanSimError, match=r"series.csv: row 2, column 'indicator': unknown indicator 'resident_pop'"):
        _load(files)


def test_growth_indicator_cannot_be_fitted(files):
    table = pd.read_csv(files["series"], dtype=str, keep_default_na=False)
    table.loc[0, "indicator"] = "gdp_growth"
    table.to_csv(files["series"], index=False)
    with pytest.raises(PlanSimError, match=r"row 2, column 'indicator': indicator 'gdp_growth' is of kind"):
        _load(files)


def test_non_numeric_weight(files):
    table = pd.read_csv(files["series"], dtype=str, keep_default_na=False)
    table.loc[1, "weight"] = "heavy"
    table.to_csv(files["series"], index=False)
    with pytest.raises(PlanSimError, match=r"series.csv: row 3, column 'weight': 'heavy' is not a number"):
        _load(files)


def test_derived_series_with_unknown_input(files):
    table = pd.read_csv(files["derived"], dtype=str, keep_default_na=False)
    table.loc[0, "inputs"] = "gdp_real_growth_rates"
    table.to_csv(files["derived"], index=False)
    with pytest.raises(PlanSimError, match=r"derived_series.csv: row 2, column 'inputs': unknown history series"):
        _load(files)


def test_chain_index_refuses_mixed_vintages(files):
    table = pd.read_csv(files["derived"], dtype=str, keep_default_na=False)
    table.loc[0, "source_contains"] = ""  # all sources: 2006 has a preliminary and a revised rate
    table.to_csv(files["derived"], index=False)
    with pytest.raises(PlanSimError, match=r"derived_series.csv: row 2, column 'inputs': chain_index needs one"):
        _load(files)
