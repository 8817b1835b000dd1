"""PlanSim Shanghai in the browser: ``streamlit run app.py``.

Pick a scenario, move the plan's levers and see the 2015 (12th plan) and 2020 (13th plan)
targets respond; the page lives in the ``webapp`` package.
"""
from webapp.page import main

main()
