"""Each plan target is stated in its indicator's unit, spelled the same way in both files."""
import shutil

import pandas as pd
import pytest

from model.errors import PlanSimError
from model.metadata import indicator_table, plan_targets
from model.paths import TARGETS_FILE


def _raw_targets() -> pd.DataFrame:
    """The file as written (not through plan_targets(), whose check is under test here)."""
    return pd.read_csv(TARGETS_FILE, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("row", _raw_targets().to_dict("records"), ids=lambda r: f"{r['plan']}-{r['id']}")
def test_every_target_unit_is_its_indicator_unit(row):
    units = indicator_table()["unit"]
    assert row["model_indicator"] in units.index
    assert row["unit"] == units[row["model_indicator"]]


def test_a_target_in_another_unit_spelling_is_refused(tmp_path):
    path = tmp_path / TARGETS_FILE.name
    shutil.copy(TARGETS_FILE, path)
    table = _raw_targets()
    row = int(table.index[(table["plan"] == "12th") & (table["id"] == "energy_total")][0])
    table.loc[row, "unit"] = "10^4 tce"
    table.to_csv(path, index=False)
    with pytest.raises(PlanSimError) as err:
        plan_targets(path)
    message = str(err.value)
    assert f"{TARGETS_FILE.name}: row {row + 2}, column 'unit'" in message
    assert "'10^4 tce'" in message and "'10^4 tce/year'" in message and "energy_total" in message


def test_plan_targets_reads_the_declared_file():
    assert len(plan_targets()) == len(_raw_targets())
