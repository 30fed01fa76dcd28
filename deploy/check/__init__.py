"""Offline validation of casebridge's deployment artefacts (no cluster, no Docker).

::

    python -m deploy.check                # Dockerfile, compose, k8s dev + prod overlays
    python -m deploy.check --no-k8s       # skip kustomize (no Go needed)

Modules: ``kustomize`` (build the tool once, render overlays), ``manifests``
(schemas and invariants of rendered objects), ``compose``, ``dockerfile``,
``settings_env`` (environments against the application's settings), ``roles``,
``application`` (what the checks know of casebridge: facts from
``python -m streams.deploy_facts``, never an import of ``streams``), ``report``
(findings), ``runner`` (all of it).
"""

from deploy.check.report import Finding, Report
from deploy.check.runner import check_all, check_kubernetes

__all__ = ["Finding", "Report", "check_all", "check_kubernetes"]
