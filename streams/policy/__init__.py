"""The merchant's policy: thresholds, lists, routing and SLAs, loaded from one file.

Public surface::

    from streams.policy import Policy, PolicyError, load_policy, default_policy

See :mod:`streams.policy.model` for the sections and ``deploy/policy/default.yaml``
for a complete, commented example.
"""

from streams.policy.errors import PolicyError
from streams.policy.loader import default_policy, default_policy_path, load_policy, parse_policy
from streams.policy.model import CasePolicy, Policy, parse_duration

__all__ = [
    "CasePolicy",
    "Policy",
    "PolicyError",
    "default_policy",
    "default_policy_path",
    "load_policy",
    "parse_duration",
    "parse_policy",
]
