"""Reading a policy file (YAML or TOML) into a validated :class:`Policy`.

Every failure — unreadable file, syntax error, wrong value — raises
:class:`PolicyError` with one line that starts with the file name, so the
merchant sees at once which file and which key to fix::

    policy.yaml: complaints.routing[2].severity: Input should be 'LOW', ... (got 'SEVERE')
    policy.yaml: line 14, column 5: mapping values are not allowed here
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from streams.policy.errors import PolicyError
from streams.policy.model import Policy

DEFAULT_POLICY_RESOURCE = "policy/default.yaml"
"""The default policy, relative to the ``deploy`` package."""

_YAML_SUFFIXES = {".yaml", ".yml"}
_TOML_SUFFIXES = {".toml"}


def load_policy(path: str | Path) -> Policy:
    """Read and validate the policy file at ``path`` (``.yaml``, ``.yml`` or ``.toml``).

    Raises:
        PolicyError: the file cannot be read, is not valid YAML/TOML, or does not
            describe a valid policy; the message names the file and the key.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _YAML_SUFFIXES | _TOML_SUFFIXES:
        raise PolicyError(
            f"{path.name}: unsupported policy file type {suffix or '(none)'!r};"
            " use .yaml, .yml or .toml"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path.name}: cannot read policy file {str(path)!r}: {exc}") from None
    return parse_policy(text, name=path.name, toml=suffix in _TOML_SUFFIXES)


def parse_policy(text: str, *, name: str = "policy.yaml", toml: bool = False) -> Policy:
    """Validate policy ``text`` (YAML unless ``toml``); ``name`` prefixes every error."""
    data = _parse_toml(text, name) if toml else _parse_yaml(text, name)
    if not isinstance(data, dict):
        shown = "an empty file" if data is None else f"a {type(data).__name__}"
        raise PolicyError(f"{name}: expected a mapping of policy sections at the top, got {shown}")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(f"{name}: {format_validation_error(exc)}") from None


def default_policy() -> Policy:
    """Load the policy shipped in ``deploy/policy/default.yaml``.

    The file is looked up as a resource of the ``deploy`` package first (which
    works from a source checkout, an editable install and a wheel that ships
    the file), then relative to this source file as a fallback.
    """
    return load_policy(default_policy_path())


def default_policy_path() -> Path:
    """Where ``deploy/policy/default.yaml`` is on this installation."""
    try:
        resource = resources.files("deploy").joinpath(DEFAULT_POLICY_RESOURCE)
        if resource.is_file():
            return Path(str(resource))
    except (ModuleNotFoundError, TypeError):
        pass
    # streams/policy/loader.py -> repository root is two levels above the package.
    return Path(__file__).resolve().parents[2] / "deploy" / DEFAULT_POLICY_RESOURCE


def format_validation_error(exc: ValidationError) -> str:
    """One line for the first error of ``exc``: ``key.path[2].name: message (got ...)``."""
    errors = exc.errors()
    first = errors[0]
    line = _format_one(first)
    if len(errors) > 1:
        line += f" (+{len(errors) - 1} more)"
    return line


def _format_one(error: ErrorDetails) -> str:
    path = _key_path(error["loc"])
    if error["type"] == "extra_forbidden":
        return f"{path}: unknown key (check the spelling; see deploy/policy/default.yaml)"
    message = error["msg"]
    # "Value error, invalid duration ..." reads better without pydantic's prefix.
    message = message.removeprefix("Value error, ")
    got = error.get("input")
    # Our own value errors (durations) already quote the value; containers are too long to show.
    quiet = error["type"] in {"missing", "value_error"} or isinstance(got, dict | list)
    shown = "" if quiet else f" (got {got!r})"
    return f"{path or '(top level)'}: {message}{shown}"


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            # pydantic marks a bad *key* of a mapping this way: the key itself is the problem.
            path += " (key)"
        else:
            path += f".{part}" if path else str(part)
    return path


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML keeps the last one silently)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise PolicyError(f"{name}: {where}{problem}") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{name}: invalid YAML: {exc}") from None


def _parse_toml(text: str, name: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib puts the position in the message: "... (at line 3, column 7)".
        raise PolicyError(f"{name}: {exc}") from None
