"""Stage 3 of the flow: Decisions -> the bundle's files (plan text, space, scenario, train.py,
driver), written atomically with a lock file. Never imports or runs the code it writes.
"""
