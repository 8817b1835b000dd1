"""Locations of the project's files, resolved from this package (never from the working directory)."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
MODEL_FILE = PACKAGE_DIR / "shanghai.mdl"
LEVERS_FILE = PACKAGE_DIR / "levers.yaml"
INDICATORS_FILE = PACKAGE_DIR / "indicators.yaml"
DATA_DIR = PACKAGE_DIR / "data"
BASELINE_FILE = DATA_DIR / "baseline_2010.csv"
TARGETS_FILE = DATA_DIR / "plan_targets.csv"
SCENARIO_DIR = PROJECT_DIR / "scenarios"  # the shipped scenarios
# Kept in calibration/ but read by the model and the app (observed history, calibrated defaults,
# fit statistics): named here once, so that nothing imports the calibration package for a path.
CALIBRATION_DIR = PROJECT_DIR / "calibration"
HISTORY_FILE = CALIBRATION_DIR / "data" / "history_2000_2010.csv"
SERIES_FILE = CALIBRATION_DIR / "data" / "series.csv"
DERIVED_SERIES_FILE = CALIBRATION_DIR / "data" / "derived_series.csv"
CALIBRATED_PARAMETERS_FILE = CALIBRATION_DIR / "parameters.csv"
FIT_STATISTICS_FILE = CALIBRATION_DIR / "fit_statistics.csv"  # how well the calibrated model fits 2000-2010
FIT_FIGURE_FILE = CALIBRATION_DIR / "figures" / "fit.png"


def cache_dir() -> Path:
    """Folder for derived files (the PySD translation); git-ignored, overridable by PLANSIM_CACHE."""
    return Path(os.environ.get("PLANSIM_CACHE", PROJECT_DIR / ".cache"))
