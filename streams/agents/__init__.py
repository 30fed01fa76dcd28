"""The Faust agents of casebridge, one module per pipeline stage.

Each module exposes ``register(app, services)`` which declares its topics,
tables, agents, timers and web routes on the app; :mod:`streams.pipeline`
chooses which stages a worker runs.
"""
