"""Operation-level authorization: KMS API requests, their condition keys and checks.

``authorize_operation(request, keys, policies, grants)`` decides every check a
KMS operation needs (ReEncrypt: the source and the destination key; alias
operations: the alias and each key) and returns an ``OperationDecision``.
``perform_operation`` also applies the effects of the grant operations to a
``GrantStore``.

Names are imported on first use (PEP 562), because ``kmspolicy.grants`` imports
``kmspolicy.operations.errors`` and the authorization modules import the grants.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "AuthorizationStep": "decision",
    "CallerIdentity": "request",
    "Check": "catalogue",
    "KeyRecord": "request",
    "KeyRing": "keyring",
    "KmsApiError": "errors",
    "OperationDecision": "decision",
    "OperationInfo": "catalogue",
    "OperationRequest": "request",
    "OperationResult": "perform",
    "authorize_operation": "authorize",
    "derive_context": "context",
    "operation_catalogue": "catalogue",
    "perform_operation": "perform",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
