"""The OpenText sink stage: ``cases.requests`` -> one process instance per case.

:mod:`.agent` is the Faust wiring and the open-or-attach loop, :mod:`.ledger`
the changelogged table of the cases this stage has touched, :mod:`.variables`
the mapping of a case request to typed OpenText process variables.
"""
