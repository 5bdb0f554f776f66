"""Stage 4 of the flow: `hpogen run`, SMAC on real data for a written bundle, then the refit
and test of the incumbent, with reports. The only stage that executes generated code.

Kept import-free: dask workers import hpogen.run.target to unpickle a trial.
"""
