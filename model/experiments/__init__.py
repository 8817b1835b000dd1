"""Experiments: many runs of a project, on one executor.

``batch`` (scenario files -> results, scorecard, figures), ``ensemble`` (members with per-member
constants), ``uncertainty`` (Latin hypercube ensembles: bands, target probabilities),
``sensitivity`` (SALib indices); ``executor`` runs their tasks serially, in local worker
processes (``workers``: they die with their parent and leave Ctrl-C to it) or on a Dask
cluster; ``outdir`` writes output folders whole or not at all, with one manifest schema.
"""
