"""A Faust worker with only the reconcile stage, for the live timer test (run as a subprocess).

Topics and the interval come from the environment so every run is isolated
from the shared ``shopify.webhooks`` topic.
"""

from __future__ import annotations

import os
from datetime import timedelta

from streams.app import create_app
from streams.reconcile import ReconcileOptions
from streams.reconcile.agent import register
from streams.services import Services
from streams.settings import load_settings

settings = load_settings()
app = create_app(settings)
services = Services(settings)
reconciler = register(
    app,
    services,
    options=ReconcileOptions(interval_s=1.0, overlap=timedelta(0)),
    topic=os.environ["CB_TEST_TOPIC"],
    watermark_topic=os.environ["CB_TEST_WATERMARKS"],
)
