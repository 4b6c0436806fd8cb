"""Operation-level authorization: KMS API requests, their condition keys and checks.

``authorize_operation(request, keys, policies, grants)`` decides every check a
KMS operation needs (ReEncrypt: the source and the destination key; alias
operations: the alias and each key) and returns an ``OperationDecision``.
``perform_operation`` also applies the effects of the grant operations to a
``GrantStore``.
"""

from kmspolicy.operations.authorize import authorize_operation
from kmspolicy.operations.catalogue import Check, OperationInfo, operation_catalogue
from kmspolicy.operations.context import derive_context
from kmspolicy.operations.decision import AuthorizationStep, OperationDecision
from kmspolicy.operations.errors import KmsApiError
from kmspolicy.operations.keyring import KeyRing
from kmspolicy.operations.perform import OperationResult, perform_operation
from kmspolicy.operations.request import CallerIdentity, KeyRecord, OperationRequest

__all__ = [
    "AuthorizationStep",
    "CallerIdentity",
    "Check",
    "KeyRecord",
    "KeyRing",
    "KmsApiError",
    "OperationDecision",
    "OperationInfo",
    "OperationRequest",
    "OperationResult",
    "authorize_operation",
    "derive_context",
    "operation_catalogue",
    "perform_operation",
]
