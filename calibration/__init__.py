"""Calibration of model/shanghai.mdl against Shanghai's 2000-2010 history (``python -m calibration``).

Declared inputs: data/ (history, derived series, series table), parameters_spec.csv (what is
estimated and why), initial_2000.csv (how the 2000 runs start), derived_2010.csv (2010 states
read off the calibrated run), goals.csv. Outputs: estimates.csv, parameters.csv (the model's
defaults), fit_statistics.csv, REPORT.md and figures/.
"""
