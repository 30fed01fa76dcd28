"""Stateful emulators of the external services: Shopify (:mod:`emulators.shopify`) and
OpenText Workflow Service (:mod:`emulators.opentext`).

They serve the tests, the sandbox (``casebridge up``, :mod:`deploy.local.sandbox`)
and the compose profile ``emulators``; they are not part of the production wheel
(``pyproject.toml`` excludes this package), so a deployed worker cannot reach
for them. A development install (``make install``, an editable install of the
checkout) imports them from the repository root. They import nothing of
``streams``: only :mod:`connectors.errors`, whose hierarchy they share.
"""
