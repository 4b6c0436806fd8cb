"""KMS grants: the grant store and the rules KMS applies to grants."""

from kmspolicy.grants.rules import (
    GRANT_OPERATIONS_BY_KEY_TYPE,
    escalation,
    key_type,
    unsupported_operations,
)
from kmspolicy.grants.store import CreateGrantResult, GrantRecord, GrantStore

__all__ = [
    "GRANT_OPERATIONS_BY_KEY_TYPE",
    "CreateGrantResult",
    "GrantRecord",
    "GrantStore",
    "escalation",
    "key_type",
    "unsupported_operations",
]
