"""Checks of rendered Kubernetes manifests: schemas, then casebridge's invariants.

Built-in kinds are validated with ``kubernetes-validate`` in strict mode (its
schemas ship inside the package, so no network is needed). KEDA's custom
resources have no schema there; they are validated against the JSON Schemas in
``deploy/k8s/schemas/``, written from KEDA's documented fields.

The invariants, per worker Deployment: readiness, liveness (and startup)
probes on ``/metrics`` at the web port; CPU and memory requests and a memory
limit; a non-root security context; credentials only through ``secretKeyRef``
or ``secretRef``; a PodDisruptionBudget; known roles; an environment that
loads through the application's settings; its own app id (consumer group). Per
ScaledObject: an existing target without ``spec.replicas``, ``minReplicaCount
<= maxReplicaCount <=`` the topic's partitions, and a Kafka trigger that
watches the target's consumer group on the workers' brokers with their TLS and
SASL settings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from deploy.check import roles as role_info
from deploy.check import settings_env
from deploy.check.application import Application
from deploy.check.report import Finding

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "k8s" / "schemas"
METRICS_PATH = "/metrics"
WEB_PORT_NAME = "web"
LISTEN_ALL = ("0.0.0.0", "::")

#: Settings security mechanism -> KEDA kafka trigger ``sasl`` value.
KEDA_SASL = {"PLAIN": "plaintext", "SCRAM-SHA-256": "scram_sha256", "SCRAM-SHA-512": "scram_sha512"}

Doc = dict[str, Any]


def _name(doc: Doc) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


@cache
def _keda_schema(kind: str, api_version: str) -> dict[str, Any] | None:
    group, _, version = api_version.partition("/")
    path = SCHEMA_DIR / f"{kind.lower()}-{group.split('.')[0]}-{version}.json"
    if not path.is_file():
        return None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def schema_findings(docs: list[Doc], artefact: str, kubernetes_version: str) -> Iterator[Finding]:
    """Validate every document: built-in kinds strictly, KEDA kinds with our schemas."""
    try:
        import jsonschema
        import kubernetes_validate.utils as kv
    except ImportError as exc:
        yield Finding(
            artefact,
            "schemas",
            f"{exc.name} is not installed: pip install -e '.[dev]' "
            "(needs kubernetes-validate and jsonschema in the dev extras)",
        )
        return

    for doc in docs:
        api_version = str(doc.get("apiVersion", ""))
        subject = _name(doc)
        if api_version.startswith("keda.sh/"):
            schema = _keda_schema(str(doc.get("kind")), api_version)
            if schema is None:
                yield Finding(artefact, subject, f"no schema in {SCHEMA_DIR.name}/ for this kind")
                continue
            validator = jsonschema.Draft202012Validator(schema)
            for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
                where = ".".join(str(p) for p in error.absolute_path) or "(document)"
                yield Finding(artefact, subject, f"{where}: {error.message}")
            continue
        try:
            kv.validate(doc, kubernetes_version, strict=True)
        except kv.SchemaNotFoundError as exc:
            yield Finding(artefact, subject, exc.message)
        except kv.ValidationError as exc:
            where = ".".join(str(p) for p in exc.absolute_path) or "(document)"
            yield Finding(artefact, subject, f"{where}: {exc.message}")


@dataclass(frozen=True, slots=True)
class Worker:
    """A casebridge Deployment and what its container will see."""

    doc: Doc
    container: Doc
    env: dict[str, str]
    roles: list[str] | None

    @property
    def name(self) -> str:
        return str(self.doc["metadata"]["name"])

    @property
    def pod_labels(self) -> dict[str, str]:
        labels: dict[str, str] = self.doc["spec"]["template"]["metadata"].get("labels", {})
        return labels

    @property
    def pod_spec(self) -> Doc:
        spec: Doc = self.doc["spec"]["template"]["spec"]
        return spec

    def setting(self, name: str, default: str | None = None) -> str | None:
        return self.env.get(name, default)


def _by_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d.get("kind") == kind]


def _worker(app: Application, doc: Doc, config_maps: Mapping[str, Doc]) -> Worker | None:
    containers = doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
    container = next((c for c in containers if c.get("name") == "worker"), None)
    if container is None:
        return None
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref and ref.get("name") in config_maps:
            env.update({k: str(v) for k, v in config_maps[ref["name"]].get("data", {}).items()})
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = str(entry["value"])
        elif "secretKeyRef" in entry.get("valueFrom", {}):
            env[entry["name"]] = settings_env.placeholder(app, entry["name"])
    command = [*container.get("command", []), *container.get("args", [])]
    return Worker(doc, container, env, role_info.roles_of(app, command))


def _partitions(app: Application, env: Mapping[str, str]) -> int:
    default = app.default_partitions
    try:
        return int(env.get("CASEBRIDGE_KAFKA__DEFAULT_PARTITIONS", default))
    except ValueError:
        return default


def _selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _probe_findings(app: Application, w: Worker, artefact: str, subject: str) -> Iterator[Finding]:
    web_port = int(w.setting("CASEBRIDGE_WEB_PORT", str(app.web_port)) or 0)
    ports = {p.get("name"): p.get("containerPort") for p in w.container.get("ports", [])}
    if ports.get(WEB_PORT_NAME) != web_port:
        yield Finding(
            artefact, subject, f"container port {WEB_PORT_NAME!r} must be {web_port} (the web port)"
        )
    for kind in ("readinessProbe", "livenessProbe"):
        probe = w.container.get(kind)
        if not probe:
            yield Finding(artefact, subject, f"no {kind}")
            continue
        http = probe.get("httpGet")
        if (
            not http
            or http.get("path") != METRICS_PATH
            or http.get("port")
            not in (
                WEB_PORT_NAME,
                web_port,
            )
        ):
            yield Finding(
                artefact, subject, f"{kind} must be an HTTP GET of {METRICS_PATH} on the web port"
            )


def _resource_findings(w: Worker, artefact: str, subject: str) -> Iterator[Finding]:
    resources = w.container.get("resources", {})
    requests, limits = resources.get("requests", {}), resources.get("limits", {})
    for key in ("cpu", "memory"):
        if key not in requests:
            yield Finding(artefact, subject, f"no {key} request")
    if "memory" not in limits:
        yield Finding(artefact, subject, "no memory limit")


def _security_findings(w: Worker, artefact: str, subject: str) -> Iterator[Finding]:
    pod = w.pod_spec.get("securityContext", {})
    box = w.container.get("securityContext", {})
    non_root = box.get("runAsNonRoot", pod.get("runAsNonRoot"))
    user = box.get("runAsUser", pod.get("runAsUser"))
    if non_root is not True:
        yield Finding(artefact, subject, "runAsNonRoot must be true")
    if user == 0:
        yield Finding(artefact, subject, "runAsUser must not be 0")
    if box.get("allowPrivilegeEscalation") is not False:
        yield Finding(artefact, subject, "allowPrivilegeEscalation must be false")
    if box.get("readOnlyRootFilesystem"):
        data_dir = w.setting("CASEBRIDGE_DATA_DIR")
        mounts = [m.get("mountPath", "") for m in w.container.get("volumeMounts", [])]
        if data_dir is None or not any(
            data_dir == m or data_dir.startswith(m.rstrip("/") + "/") for m in mounts
        ):
            yield Finding(
                artefact,
                subject,
                "read-only root file system but CASEBRIDGE_DATA_DIR is not on a mounted volume",
            )


def secret_keys(docs: list[Doc]) -> dict[str, set[str]]:
    """Secret name -> the keys it holds, for the Secrets among ``docs``."""
    return {
        d["metadata"]["name"]: {*d.get("data", {}), *d.get("stringData", {})}
        for d in _by_kind(docs, "Secret")
    }


def _secret_findings(
    w: Worker,
    config_maps: Mapping[str, Doc],
    rendered_secrets: Mapping[str, set[str]],
    documented_secrets: Mapping[str, set[str]],
    artefact: str,
    subject: str,
) -> Iterator[Finding]:
    for entry in w.container.get("env", []):
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        if not ref:
            continue
        name, key = ref.get("name"), ref.get("key")
        if (
            name in rendered_secrets
            and key not in rendered_secrets[name]
            and not ref.get("optional")
        ):
            yield Finding(artefact, subject, f"{entry['name']}: Secret {name} has no key {key!r}")
        if name in documented_secrets and key not in documented_secrets[name]:
            yield Finding(
                artefact,
                subject,
                f"{entry['name']}: key {key!r} is missing from the example Secret {name}",
            )
    for entry in w.container.get("env", []):
        if settings_env.is_secret_name(entry["name"]) and "value" in entry:
            yield Finding(artefact, subject, f"{entry['name']} is a literal: use a secretKeyRef")
        value_from = entry.get("valueFrom", {})
        if settings_env.is_secret_name(entry["name"]) and "configMapKeyRef" in value_from:
            yield Finding(
                artefact, subject, f"{entry['name']} comes from a ConfigMap: use a Secret"
            )
    for source in w.container.get("envFrom", []):
        ref = source.get("configMapRef")
        if not ref:
            continue
        leaked = [
            k
            for k in config_maps.get(ref["name"], {}).get("data", {})
            if settings_env.is_secret_name(k)
        ]
        if leaked:
            yield Finding(
                artefact, subject, f"ConfigMap {ref['name']} holds credentials: {', '.join(leaked)}"
            )


def _env_findings(app: Application, w: Worker, artefact: str, subject: str) -> Iterator[Finding]:
    for name in settings_env.unknown_names(app, w.env):
        yield Finding(artefact, subject, f"{name} is not a casebridge setting (misspelt?)")
    error = settings_env.load_errors(app, w.env)
    if error:
        yield Finding(artefact, subject, error)
    if w.setting("CASEBRIDGE_WEB_HOST") not in LISTEN_ALL:
        yield Finding(
            artefact,
            subject,
            "CASEBRIDGE_WEB_HOST must be 0.0.0.0: probes and Services cannot reach 127.0.0.1",
        )


def _role_findings(app: Application, w: Worker, artefact: str, subject: str) -> Iterator[Finding]:
    if w.roles is None:
        yield Finding(artefact, subject, "the container does not run `casebridge worker`")
        return
    unknown, pending = role_info.role_problems(app, w.roles)
    if unknown:
        yield Finding(artefact, subject, f"unknown role(s): {', '.join(unknown)}")
    if pending:
        yield Finding(
            artefact,
            subject,
            f"role(s) {', '.join(pending)} not in streams.pipeline.ROLES yet: "
            "the worker exits until they land",
            "warning",
        )


def invariant_findings(
    app: Application,
    docs: list[Doc],
    artefact: str,
    documented_secrets: Mapping[str, set[str]] | None = None,
) -> Iterator[Finding]:
    """casebridge's own rules over one rendered overlay.

    ``documented_secrets`` (from ``secret.example.yaml``) lists the keys every
    Secret read out of band must be documented with.
    """
    rendered_secrets = secret_keys(docs)
    config_maps = {d["metadata"]["name"]: d for d in _by_kind(docs, "ConfigMap")}
    deployments = _by_kind(docs, "Deployment")
    pdbs = _by_kind(docs, "PodDisruptionBudget")
    scaled = _by_kind(docs, "ScaledObject")
    trigger_auths = {d["metadata"]["name"] for d in _by_kind(docs, "TriggerAuthentication")}
    scaled_targets = {s.get("spec", {}).get("scaleTargetRef", {}).get("name"): s for s in scaled}

    workers: dict[str, Worker] = {}
    for doc in deployments:
        subject = _name(doc)
        worker = _worker(app, doc, config_maps)
        if worker is None:
            yield Finding(artefact, subject, "no container named 'worker'")
            continue
        workers[worker.name] = worker
        yield from _probe_findings(app, worker, artefact, subject)
        yield from _resource_findings(worker, artefact, subject)
        yield from _security_findings(worker, artefact, subject)
        yield from _secret_findings(
            worker, config_maps, rendered_secrets, documented_secrets or {}, artefact, subject
        )
        yield from _env_findings(app, worker, artefact, subject)
        yield from _role_findings(app, worker, artefact, subject)
        if not any(
            _selects(
                p.get("spec", {}).get("selector", {}).get("matchLabels", {}), worker.pod_labels
            )
            for p in pdbs
        ):
            yield Finding(artefact, subject, "no PodDisruptionBudget selects its pods")
        replicas = doc["spec"].get("replicas")
        if worker.name in scaled_targets and replicas is not None:
            yield Finding(
                artefact,
                subject,
                "sets spec.replicas although a ScaledObject scales it (every apply would reset it)",
            )
        consumes = set(worker.roles or ()) & role_info.CONSUMER_ROLES
        partitions = _partitions(app, worker.env)
        if consumes and isinstance(replicas, int) and replicas > partitions:
            yield Finding(
                artefact,
                subject,
                f"{replicas} replicas of a consumer role exceed the {partitions} partitions",
            )

    app_ids: dict[str, str] = {}
    for worker in workers.values():
        app_id = worker.setting("CASEBRIDGE_APP_ID", app.app_id)
        assert app_id is not None
        if app_id in app_ids:
            yield Finding(
                artefact,
                _name(worker.doc),
                f"app id {app_id!r} also used by {app_ids[app_id]}: roles would share a consumer "
                "group and its single leader",
            )
        app_ids[app_id] = worker.name

    covered = {r for w in workers.values() for r in (w.roles or ())}
    missing = sorted(role_info.known_roles(app) - covered)
    if workers and missing:
        yield Finding(
            artefact, "(all Deployments)", f"no Deployment runs role(s) {', '.join(missing)}"
        )

    for service in _by_kind(docs, "Service"):
        selector = service.get("spec", {}).get("selector", {})
        targets = [w for w in workers.values() if _selects(selector, w.pod_labels)]
        if not targets:
            yield Finding(artefact, _name(service), "selects no Deployment's pods")
        for port in service.get("spec", {}).get("ports", []):
            target = port.get("targetPort")
            for w in targets:
                names = {p.get("name") for p in w.container.get("ports", [])}
                numbers = {p.get("containerPort") for p in w.container.get("ports", [])}
                if target not in names | numbers:
                    yield Finding(
                        artefact, _name(service), f"targetPort {target!r} not on {w.name}"
                    )

    for obj in scaled:
        yield from _scaled_object_findings(app, obj, workers, trigger_auths, artefact)


def _scaled_object_findings(
    app: Application,
    obj: Doc,
    workers: Mapping[str, Worker],
    trigger_auths: set[str],
    artefact: str,
) -> Iterator[Finding]:
    subject = _name(obj)
    spec = obj.get("spec", {})
    target_name = spec.get("scaleTargetRef", {}).get("name")
    target = workers.get(target_name)
    if target is None:
        yield Finding(artefact, subject, f"scaleTargetRef {target_name!r} is no worker Deployment")
        return
    partitions = _partitions(app, target.env)
    low, high = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
    if not isinstance(low, int) or not isinstance(high, int):
        return  # the schema check reports the type
    if low > high:
        yield Finding(artefact, subject, f"minReplicaCount {low} > maxReplicaCount {high}")
    if high > partitions:
        yield Finding(
            artefact,
            subject,
            f"maxReplicaCount {high} exceeds the {partitions} partitions: the extra "
            "replicas would sit idle (partitions are the scaling ceiling)",
        )
    topics = app.topics
    app_id = target.setting("CASEBRIDGE_APP_ID", app.app_id)
    bootstrap = target.setting("CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS", app.bootstrap_servers)
    protocol = target.setting("CASEBRIDGE_KAFKA__SECURITY_PROTOCOL", "PLAINTEXT") or "PLAINTEXT"
    mechanism = target.setting("CASEBRIDGE_KAFKA__SASL_MECHANISM") or "PLAIN"
    for index, trigger in enumerate(spec.get("triggers", [])):
        if trigger.get("type") != "kafka":
            continue
        where = f"triggers[{index}]"
        meta = trigger.get("metadata", {})
        if meta.get("consumerGroup") != app_id:
            yield Finding(
                artefact,
                subject,
                f"{where}.consumerGroup {meta.get('consumerGroup')!r} is not the target's app id "
                f"{app_id!r} (its consumer group)",
            )
        if meta.get("topic") not in topics:
            yield Finding(
                artefact, subject, f"{where}.topic {meta.get('topic')!r} is no casebridge topic"
            )
        if _servers(meta.get("bootstrapServers", "")) != _servers(bootstrap or ""):
            yield Finding(
                artefact,
                subject,
                f"{where}.bootstrapServers differ from the workers' "
                "CASEBRIDGE_KAFKA__BOOTSTRAP_SERVERS",
            )
        wants_tls = protocol in ("SSL", "SASL_SSL")
        if (meta.get("tls") == "enable") != wants_tls:
            yield Finding(
                artefact,
                subject,
                f"{where}.tls must be {'enable' if wants_tls else 'unset'} for {protocol}",
            )
        wants_sasl = KEDA_SASL.get(mechanism) if protocol.startswith("SASL") else None
        if meta.get("sasl", "none") != (wants_sasl or "none"):
            yield Finding(
                artefact, subject, f"{where}.sasl must be {wants_sasl or 'none'} for {protocol}"
            )
        auth = trigger.get("authenticationRef", {}).get("name")
        if protocol != "PLAINTEXT" and auth is None:
            yield Finding(artefact, subject, f"{where} needs an authenticationRef for {protocol}")
        if auth is not None and auth not in trigger_auths:
            yield Finding(artefact, subject, f"{where}.authenticationRef {auth!r} is not rendered")


def _servers(value: str) -> set[str]:
    return {s.strip() for s in value.split(",") if s.strip()}
