"""Errors that KMS itself would return for a malformed or unusable request.

``KmsApiError.code`` is the KMS exception name that AWS puts in ``__type``
(``ValidationException``, ``NotFoundException``, ...), so callers can compare it
with what boto3 reports in ``error.response["Error"]["Code"]``.
"""

from __future__ import annotations

from typing import Any

from kmspolicy.errors import KmsPolicyError


class KmsApiError(KmsPolicyError):
    """A request that KMS rejects before or instead of deciding access.

    ``parameter`` is the request member at fault, as a dotted path in the API's
    spelling (``Constraints.EncryptionContextEquals``), or None when no single
    member is at fault. ``value`` is the offending value as given.
    """

    def __init__(
        self, code: str, message: str, parameter: str | None = None, value: Any = None
    ) -> None:
        super().__init__(code, message)
        self.parameter = parameter
        self.value = value

    def to_dict(self) -> dict:
        """Return the error in the shape of a KMS JSON error body, plus the member."""
        return {
            "__type": self.code,
            "message": self.message,
            "parameter": self.parameter,
        }


def validation_error(parameter: str, value: Any, constraint: str) -> KmsApiError:
    """Build a ValidationException in the message style KMS uses for one member."""
    shown = "null" if value is None else f"'{_short(value)}'"
    path = lower_camel(parameter)
    message = (
        f"1 validation error detected: Value {shown} at '{path}' failed to satisfy "
        f"constraint: {constraint}"
    )
    return KmsApiError("ValidationException", message, parameter, value)


def lower_camel(parameter: str) -> str:
    """Spell a member path as KMS validation messages do: ``keyId``, ``constraints.x``."""
    return ".".join(part[:1].lower() + part[1:] for part in parameter.split("."))


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
