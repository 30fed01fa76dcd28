"""Checks of the worker Dockerfile with a small parser (no Docker engine needed).

The parser joins continuation lines, drops comments, expands ``ARG`` defaults
in ``FROM`` and splits the file into stages. The rules: a builder stage and a
runtime stage that copies from it, a ``python:3.11-slim`` runtime, a non-root
``USER``, a ``HEALTHCHECK`` of the web port, ``ENTRYPOINT ["casebridge"]``,
``CMD ["worker"]``, the web server listening on all interfaces, and every
``COPY`` source present in the build context.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from deploy.check import settings_env
from deploy.check.application import Application
from deploy.check.report import Finding

ARTEFACT = "Dockerfile"
RUNTIME_BASE = "python:3.11-slim"
_ARG_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction: upper-case keyword, raw arguments, line number."""

    keyword: str
    args: str
    line: int


@dataclass(slots=True)
class Stage:
    """A ``FROM`` and the instructions up to the next one."""

    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None


def parse(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, continuation lines joined."""
    instructions: list[Instruction] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if buffer and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer.append(line[:-1].strip())
            continue
        buffer.append(line)
        joined = " ".join(part for part in buffer if part)
        keyword, _, args = joined.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        buffer = []
    return instructions


def stages(instructions: list[Instruction]) -> list[Stage]:
    """Split into stages, expanding global ``ARG`` defaults in each ``FROM``."""
    args: dict[str, str] = {}
    result: list[Stage] = []
    for ins in instructions:
        if ins.keyword == "ARG" and not result:
            name, _, default = ins.args.partition("=")
            args[name.strip()] = default.strip()
        elif ins.keyword == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--")]
            base = _ARG_REF.sub(lambda m: args.get(m.group(1), m.group(0)), words[0])
            alias = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            result.append(Stage(base, alias))
        elif result:
            result[-1].instructions.append(ins)
    return result


def _exec_form(args: str) -> list[str] | None:
    try:
        value = json.loads(args)
    except json.JSONDecodeError:
        return None
    return [str(v) for v in value] if isinstance(value, list) else None


def check_dockerfile(app: Application, path: Path, context: Path) -> Iterator[Finding]:
    """Every finding for the Dockerfile at ``path`` built from ``context``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        yield Finding(ARTEFACT, str(path), f"cannot be read: {exc}")
        return
    all_stages = stages(parse(text))
    if len(all_stages) < 2:
        yield Finding(ARTEFACT, "stages", "not multi-stage: expected a builder and a runtime stage")
        return
    runtime = all_stages[-1]
    earlier = {s.name for s in all_stages[:-1] if s.name}
    if runtime.base != RUNTIME_BASE:
        yield Finding(ARTEFACT, "runtime stage", f"base is {runtime.base}, expected {RUNTIME_BASE}")
    copies_from = [
        m.group(1)
        for ins in runtime.all("COPY")
        if (m := re.search(r"--from=(\S+)", ins.args)) is not None
    ]
    if not set(copies_from) & earlier:
        yield Finding(ARTEFACT, "runtime stage", "copies nothing from a builder stage")

    user = runtime.last("USER")
    if user is None:
        yield Finding(ARTEFACT, "USER", "the runtime stage runs as root (no USER)")
    else:
        who = _ARG_REF.sub("", user.args).split(":")[0].strip()
        uid = _arg_default(runtime, user.args.split(":")[0])
        if who in ("root", "0") or uid == "0":
            yield Finding(ARTEFACT, "USER", f"line {user.line}: runs as root")

    health = runtime.last("HEALTHCHECK")
    if health is None or health.args.upper().startswith("NONE"):
        yield Finding(ARTEFACT, "HEALTHCHECK", "missing in the runtime stage")
    elif "/metrics" not in health.args:
        yield Finding(ARTEFACT, "HEALTHCHECK", "does not query the worker's /metrics")

    entry = runtime.last("ENTRYPOINT")
    if entry is None or _exec_form(entry.args) != ["casebridge"]:
        yield Finding(ARTEFACT, "ENTRYPOINT", 'expected the exec form ["casebridge"]')
    cmd = runtime.last("CMD")
    if cmd is None or _exec_form(cmd.args) != ["worker"]:
        yield Finding(ARTEFACT, "CMD", 'expected the exec form ["worker"]')

    env_text = " ".join(i.args for i in runtime.all("ENV"))
    if not re.search(r"CASEBRIDGE_WEB_HOST=(0\.0\.0\.0|::)\b", env_text):
        yield Finding(
            ARTEFACT, "ENV", "CASEBRIDGE_WEB_HOST=0.0.0.0 missing: the web port is unreachable"
        )
    names = dict.fromkeys(re.findall(r"\b(CASEBRIDGE_[A-Z0-9_]+)=", env_text), "")
    for name in settings_env.unknown_names(app, names):
        yield Finding(ARTEFACT, "ENV", f"{name} is not a casebridge setting (misspelt?)")
    if not any("6066" in i.args for i in runtime.all("EXPOSE")):
        yield Finding(ARTEFACT, "EXPOSE", "the web port 6066 is not exposed")

    ignored = _ignore_patterns(context / ".dockerignore")
    for stage in all_stages:
        for ins in stage.all("COPY"):
            if "--from=" in ins.args:
                continue
            words = [w for w in ins.args.split() if not w.startswith("--")]
            for source in words[:-1]:
                if not (context / source).exists():
                    yield Finding(
                        ARTEFACT, f"line {ins.line}", f"COPY source {source} not in the context"
                    )
                elif _is_ignored(source, ignored):
                    yield Finding(
                        ARTEFACT, f"line {ins.line}", f"COPY source {source} is in .dockerignore"
                    )


def _ignore_patterns(path: Path) -> list[str]:
    """The exclusion patterns of a ``.dockerignore`` (``!`` exceptions are not supported)."""
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line.rstrip("/") for line in lines if line and not line.startswith(("#", "!"))]


def _is_ignored(source: str, patterns: list[str]) -> bool:
    """True when ``source`` or one of its parent folders matches a pattern."""
    parts = PurePosixPath(source.removeprefix("./").rstrip("/") or ".").parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(candidate, pattern.removeprefix("**/"))
        or fnmatch.fnmatch(candidate, pattern)
        for candidate in candidates
        for pattern in patterns
    )


def _arg_default(stage: Stage, reference: str) -> str | None:
    match = _ARG_REF.fullmatch(reference.strip())
    if match is None:
        return None
    for ins in stage.all("ARG"):
        name, _, default = ins.args.partition("=")
        if name.strip() == match.group(1):
            return default.strip()
    return None
