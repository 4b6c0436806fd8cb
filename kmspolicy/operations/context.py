"""Derive the condition keys that KMS supplies for one check of one operation.

Which keys an action supplies comes from the catalogue (``catalogue.json``); what
each key's value is comes from the request parameters, the caller and the key.
Every key is derived first and then filtered to the keys the action supplies, so a
policy can never see a key that KMS would not have set for that operation.

The caller's own ``context`` fills in only keys that KMS does not derive: a key
that describes the principal, the key or the request parameters comes from them
alone, and condition-key names compare without regard to case.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kmspolicy.catalogue import catalogue
from kmspolicy.evaluate.principal import CallerType, parse_caller
from kmspolicy.evaluate.request import Grant, KeyMetadata
from kmspolicy.operations.catalogue import Check, OperationInfo
from kmspolicy.operations.request import KeyRecord, OperationRequest
from kmspolicy.operations.validate import parse_timestamp

ContextValues = dict[str, str | list[str]]

# KMS writes more than 50 aliases into kms:ResourceAliases as no value at all.
MAX_RESOURCE_ALIASES = 50

_ALIAS_RESOURCE_KEYS = frozenset({"kms:calleraccount", "kms:viaservice"})

# Keys that KMS derives from the principal, the key or the request parameters.
# Caller context can neither replace nor add them, even when KMS leaves one out.
# Principal tags are caller input like the context, so a context
# aws:PrincipalTag/<k> counts unless ``principal_tags`` also names that tag.
_DERIVED_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalisawsservice",
        "aws:principaltype",
        "aws:principalservicename",
        "aws:username",
        "aws:resourceaccount",
        "aws:tagkeys",
    }
)
_DERIVED_PREFIXES = (
    "kms:",
    "aws:resourcetag/",
    "aws:requesttag/",
)

_PARAMETER_KEYS = {
    "SigningAlgorithm": "kms:SigningAlgorithm",
    "MacAlgorithm": "kms:MacAlgorithm",
    "KeyAgreementAlgorithm": "kms:KeyAgreementAlgorithm",
    "KeyPairSpec": "kms:DataKeyPairSpec",
    "WrappingAlgorithm": "kms:WrappingAlgorithm",
    "WrappingKeySpec": "kms:WrappingKeySpec",
    "ExpirationModel": "kms:ExpirationModel",
    "ReplicaRegion": "kms:ReplicaRegion",
    "PrimaryRegion": "kms:PrimaryRegion",
    "RotationPeriodInDays": "kms:RotationPeriodInDays",
    "PendingWindowInDays": "kms:ScheduleKeyDeletionPendingWindowInDays",
    "BypassPolicyLockoutSafetyCheck": "kms:BypassPolicyLockoutSafetyCheck",
    "MessageType": "kms:MessageType",
    "GranteePrincipal": "kms:GranteePrincipal",
    "RetiringPrincipal": "kms:RetiringPrincipal",
    "GranteeServicePrincipal": "kms:GranteeServicePrincipal",
    "RetiringServicePrincipal": "kms:RetiringServicePrincipal",
}


def derive_context(
    operation: OperationInfo,
    check: Check,
    request: OperationRequest,
    key: KeyRecord | None = None,
    alias: str | None = None,
    same_key: bool | None = None,
    grant: Grant | None = None,
    now: datetime | None = None,
    alias_account: str | None = None,
) -> ContextValues:
    """Return every condition key KMS supplies for ``check`` of this request.

    ``key`` is the key the check is asked on (the primary key for ReplicateKey's
    kms:CreateKey check), and ``alias`` the alias name the request used to name
    it. ``same_key`` is True when ReEncrypt's source and destination keys are one
    key, and ``grant`` is the grant that RetireGrant retires. ``now`` is the time
    of the request (default: the current time), and ``alias_account`` the account
    that owns the alias of an alias check. Booleans and numbers are written as
    strings, as in an AWS request context.
    """
    values: ContextValues = {}
    values.update(_caller_keys(request))
    if key is not None and check.resource != "alias":
        values.update(_key_keys(key.metadata))
        values["aws:ResourceAccount"] = key.account
    if check.resource == "alias" and alias_account is not None:
        values["aws:ResourceAccount"] = alias_account
    values.update(_parameter_keys(operation, check, request.parameters))
    values.update(_encryption_context_keys(operation, check, request.parameters, grant))
    values.update(_tag_keys(request.parameters))

    if operation.name == "CreateKey":
        values.update(_new_key_keys(request.parameters))
    if operation.name == "ReplicateKey" and check.action == "kms:CreateKey" and key:
        values["kms:MultiRegionKeyType"] = "REPLICA"
    if alias is not None:
        values["kms:RequestAlias"] = alias
    if same_key is not None:
        values["kms:ReEncryptOnSameKey"] = _bool(same_key)
    values["kms:GrantIsForAWSResource"] = _bool(request.caller.via_service is not None)
    values = _with_caller_context(values, request.caller.context)
    values = _with_caller_context(values, _time_keys(now or datetime.now(UTC)))
    return _supplied_only(check, values)


def _with_caller_context(
    derived: ContextValues, caller_context: dict[str, str | list[str]]
) -> ContextValues:
    """Add the caller's context keys that KMS neither derived nor owns.

    A caller key whose name equals a derived key's name in any case is dropped,
    so ``AWS:PRINCIPALACCOUNT`` cannot shadow ``aws:PrincipalAccount``.
    """
    merged = dict(derived)
    taken = {name.lower() for name in derived}
    for name, value in caller_context.items():
        folded = name.lower()
        if folded in taken or _derived_key(folded):
            continue
        merged[name] = value
        taken.add(folded)
    return merged


def _derived_key(folded: str) -> bool:
    return folded in _DERIVED_KEYS or folded.startswith(_DERIVED_PREFIXES)


def _time_keys(now: datetime) -> ContextValues:
    """Return aws:CurrentTime and aws:EpochTime, which every request carries.

    They are added after the caller's context, so a caller that sets either key
    decides its value.
    """
    moment = now.astimezone(UTC)
    return {
        "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(moment.timestamp())),
    }


def caller_principal_arn(caller_context: dict[str, str | list[str]]) -> str | None:
    """Return the caller's own aws:PrincipalArn (any spelling of the name), if given.

    For a role session it gives the role ARN with its path, which the session
    ARN lacks. ``parse_caller`` keeps it only when it names the session's role.
    """
    for name, value in caller_context.items():
        if name.lower() == "aws:principalarn" and isinstance(value, str):
            return value
    return None


def _caller_keys(request: OperationRequest) -> ContextValues:
    """Return the keys that describe the caller and the connection."""
    caller = request.caller
    values: ContextValues = {}
    principal_arn = caller_principal_arn(caller.context)
    parsed = parse_caller(caller.principal, principal_arn)
    values.update(_principal_keys(parsed))
    for name, value in caller.principal_tags.items():
        values[f"aws:PrincipalTag/{name}"] = value

    values["aws:SecureTransport"] = _bool(caller.secure_transport)
    values["aws:ViaAWSService"] = _bool(caller.via_service is not None)
    optional = {
        "aws:SourceIp": caller.source_ip,
        "aws:SourceVpce": caller.vpc_endpoint,
        "aws:SourceVpc": caller.source_vpc,
        "aws:RequestedRegion": request.region,
        "kms:ViaService": caller.via_service,
    }
    values.update(
        {name: value for name, value in optional.items() if value is not None}
    )
    return values


def _principal_keys(parsed) -> ContextValues:
    if parsed is None:
        return {}
    if parsed.type is CallerType.SERVICE:
        return {
            "aws:PrincipalIsAWSService": "true",
            "aws:PrincipalServiceName": parsed.arn,
        }

    values: ContextValues = {
        "aws:PrincipalArn": parsed.role_arn or parsed.arn,
        "aws:PrincipalAccount": parsed.account,
        "aws:PrincipalIsAWSService": "false",
        "aws:PrincipalType": parsed.type.value,
        "kms:CallerAccount": parsed.account,
    }
    if parsed.type is CallerType.USER:
        values["aws:username"] = parsed.arn.rsplit("/", 1)[-1]
    return values


def _key_keys(metadata: KeyMetadata) -> ContextValues:
    """Return the keys KMS fills in from the key's own properties."""
    values: ContextValues = {}
    optional = {
        "kms:KeySpec": metadata.spec,
        "kms:KeyUsage": metadata.usage,
        "kms:KeyOrigin": metadata.origin,
        "kms:MultiRegionKeyType": metadata.multi_region_key_type,
    }
    values.update(
        {name: value for name, value in optional.items() if value is not None}
    )
    if metadata.multi_region is not None:
        values["kms:MultiRegion"] = _bool(metadata.multi_region)
    if 0 < len(metadata.aliases) <= MAX_RESOURCE_ALIASES:
        values["kms:ResourceAliases"] = list(metadata.aliases)
    if metadata.trailing_days_without_key_usage is not None:
        days = metadata.trailing_days_without_key_usage
        values["kms:TrailingDaysWithoutKeyUsage"] = str(days)
    for name, value in metadata.tags.items():
        values[f"aws:ResourceTag/{name}"] = value
    return values


def _parameter_keys(
    operation: OperationInfo, check: Check, parameters: dict
) -> ContextValues:
    """Return the keys that copy one request parameter, defaults applied."""
    values: ContextValues = {}
    for parameter, key in _PARAMETER_KEYS.items():
        value = parameters.get(parameter)
        if value is None:
            value = operation.default(parameter)
        if value is not None:
            values[key] = _text(value)

    values["kms:EncryptionAlgorithm"] = _encryption_algorithm(
        operation, check, parameters
    )
    if parameters.get("ValidTo") is not None:
        values["kms:ValidTo"] = _epoch_seconds(parameters["ValidTo"])
    if parameters.get("Operations") is not None:
        values["kms:GrantOperations"] = list(parameters["Operations"])
    constraints = parameters.get("Constraints") or {}
    values.update(_constraint_keys(constraints))
    return values


def _encryption_algorithm(
    operation: OperationInfo, check: Check, parameters: dict
) -> str:
    """Return kms:EncryptionAlgorithm: the parameter, else the default.

    Data-key operations take no algorithm and always supply SYMMETRIC_DEFAULT.
    """
    if check.encryption_algorithm is None:
        return "SYMMETRIC_DEFAULT"
    value = parameters.get(check.encryption_algorithm)
    if value is None:
        value = operation.default(check.encryption_algorithm) or "SYMMETRIC_DEFAULT"
    return value


def _constraint_keys(constraints: dict) -> ContextValues:
    values: ContextValues = {}
    kind = constraint_type(constraints)
    if kind is not None:
        values["kms:GrantConstraintType"] = kind
    if constraints.get("SourceArn") is not None:
        values["kms:GrantConstraintSourceArn"] = constraints["SourceArn"]
    return values


def constraint_type(constraints: dict) -> str | None:
    """Return the value of kms:GrantConstraintType for a grant's constraints.

    NOTE: KMS does not document the value when a grant has both constraint kinds;
    this returns EncryptionContextEquals, the stricter one.
    """
    if constraints.get("EncryptionContextEquals") is not None:
        return "EncryptionContextEquals"
    if constraints.get("EncryptionContextSubset") is not None:
        return "EncryptionContextSubset"
    return None


def _encryption_context_keys(
    operation: OperationInfo, check: Check, parameters: dict, grant: Grant | None
) -> ContextValues:
    """Return kms:EncryptionContext:<k> and kms:EncryptionContextKeys.

    The pairs come from the check's encryption-context parameter; for CreateGrant
    from the grant's constraint, and for RetireGrant from the retired grant.
    An empty context supplies neither key.
    """
    pairs = request_encryption_context(operation, check, parameters)
    if grant is not None and grant.constraints is not None:
        constraints = grant.constraints.model_dump(by_alias=True, exclude_none=True)
        pairs = constraint_pairs(constraints)
        values = _constraint_keys(constraints)
    else:
        values = {}

    for name, value in pairs.items():
        values[f"kms:EncryptionContext:{name}"] = value
    if pairs:
        values["kms:EncryptionContextKeys"] = list(pairs)
    return values


def request_encryption_context(
    operation: OperationInfo, check: Check, parameters: dict
) -> dict[str, str]:
    """Return the encryption context that ``check`` is decided with."""
    if check.encryption_context is None:
        return {}
    if check.encryption_context == "Constraints":
        return constraint_pairs(parameters.get("Constraints") or {})
    return dict(parameters.get(check.encryption_context) or {})


def constraint_pairs(constraints: dict) -> dict[str, str]:
    """Return the pairs a grant constraint names (both kinds merged)."""
    pairs: dict[str, str] = {}
    pairs.update(constraints.get("EncryptionContextSubset") or {})
    pairs.update(constraints.get("EncryptionContextEquals") or {})
    return pairs


def _tag_keys(parameters: dict) -> ContextValues:
    values: ContextValues = {}
    tags = parameters.get("Tags")
    if tags:
        for tag in tags:
            values[f"aws:RequestTag/{tag['TagKey']}"] = tag.get("TagValue", "")
        values["aws:TagKeys"] = [tag["TagKey"] for tag in tags]
    if parameters.get("TagKeys"):
        values["aws:TagKeys"] = list(parameters["TagKeys"])
    return values


def _new_key_keys(parameters: dict) -> ContextValues:
    """Return the key-property keys CreateKey takes from its request, defaults applied."""
    spec = parameters.get("KeySpec") or parameters.get("CustomerMasterKeySpec")
    multi_region = bool(parameters.get("MultiRegion", False))
    values: ContextValues = {
        "kms:KeySpec": spec or "SYMMETRIC_DEFAULT",
        "kms:KeyUsage": parameters.get("KeyUsage") or "ENCRYPT_DECRYPT",
        "kms:KeyOrigin": parameters.get("Origin") or "AWS_KMS",
        "kms:MultiRegion": _bool(multi_region),
    }
    if multi_region:
        values["kms:MultiRegionKeyType"] = "PRIMARY"
    return values


def _supplied_only(check: Check, values: ContextValues) -> ContextValues:
    """Keep the keys that the check's action supplies; drop the rest."""
    known = catalogue()
    kept: ContextValues = {}
    for name, value in values.items():
        if not known.supplies_key(check.action, name):
            continue
        if check.resource == "alias" and not _alias_resource_key(name):
            continue
        kept[name] = value
    return kept


def _alias_resource_key(name: str) -> bool:
    """Tell whether an alias resource supplies ``name``: only two KMS keys and globals."""
    folded = name.lower()
    if folded.startswith("kms:"):
        return folded in _ALIAS_RESOURCE_KEYS
    info = catalogue().key(name)
    return info is None or (
        info.is_global and not folded.startswith("aws:resourcetag/")
    )


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return _bool(value)
    return str(value)


def _epoch_seconds(value: Any) -> str:
    return str(int(parse_timestamp("ValidTo", value).timestamp()))
