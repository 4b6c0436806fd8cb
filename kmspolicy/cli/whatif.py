"""``kmspolicy what-if``: decide one request over policies from files, and explain it."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from pydantic import ValidationError

from kmspolicy.cli.output import write_json
from kmspolicy.errors import DocumentError, KmsPolicyError
from kmspolicy.evaluate.evaluator import decide
from kmspolicy.evaluate.request import Grant, KeyMetadata, PolicySet, Request
from kmspolicy.policy.document import load_json, read_limited
from kmspolicy.policy.model import Policy, PolicyKind
from kmspolicy.policy.parse import read_policy_bytes

EXIT_ALLOW = 0
EXIT_DENY = 1
EXIT_BAD_INPUT = 2


class InputError(Exception):
    """A flag or file that what-if cannot use; the message names it."""


def add_whatif_parser(commands) -> None:
    parser = commands.add_parser(
        "what-if",
        help="decide one request over a key policy and IAM policies, and explain it",
        description="Decide one KMS request offline and explain the decision.",
    )
    policies = parser.add_argument_group("policies")
    policies.add_argument("--key-policy", metavar="FILE", help="the key policy (JSON)")
    policies.add_argument(
        "--identity-policy",
        metavar="FILE",
        action="append",
        default=[],
        help="an IAM policy of the caller; repeat for several",
    )
    policies.add_argument(
        "--permission-boundary",
        metavar="FILE",
        help="the caller's permissions boundary",
    )
    policies.add_argument(
        "--session-policy",
        metavar="FILE",
        action="append",
        default=[],
        help="a session policy; repeat for several",
    )
    policies.add_argument(
        "--scp",
        metavar="FILE",
        action="append",
        default=[],
        help="an SCP, one organization level per flag, root first",
    )
    policies.add_argument(
        "--rcp",
        metavar="FILE",
        action="append",
        default=[],
        help="an RCP, one organization level per flag, root first",
    )
    policies.add_argument(
        "--vpce-policy", metavar="FILE", help="the VPC endpoint policy"
    )
    policies.add_argument(
        "--grants",
        metavar="FILE",
        help='grants in ListGrants form ({"Grants": [...]} or a list)',
    )

    request = parser.add_argument_group("request")
    request.add_argument(
        "--principal", required=True, help="caller ARN or service principal name"
    )
    request.add_argument(
        "--action", help="IAM action, for example kms:Decrypt (or give --operation)"
    )
    request.add_argument(
        "--resource",
        default=None,
        help="key ARN, or * for actions without a key (default: --key-arn or *)",
    )
    request.add_argument(
        "--key-arn", help="ARN of the key the key policy is attached to"
    )
    request.add_argument(
        "--context",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="a request context key; repeat a key to give it several values",
    )
    request.add_argument(
        "--context-json",
        metavar="JSON",
        help='context keys as a JSON object, for exact lists: {"aws:TagKeys": ["a"]}',
    )
    request.add_argument(
        "--encryption-context",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="an encryption context pair; repeat for several",
    )
    operation = parser.add_argument_group(
        "operation request (instead of --action; format: docs/cases.md)"
    )
    operation.add_argument(
        "--operation", help="KMS API operation, for example Decrypt or ReEncrypt"
    )
    operation.add_argument(
        "--parameters",
        metavar="JSON",
        default="{}",
        help="the operation's parameters as a JSON object in the KMS API's names",
    )
    operation.add_argument(
        "--key-metadata",
        metavar="JSON",
        default="{}",
        help="metadata of the --key-arn key: spec, usage, origin, tags, aliases, ...",
    )
    operation.add_argument(
        "--region",
        help="Region of the KMS endpoint, which sets aws:RequestedRegion "
        "(default: the Region of --key-arn)",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format"
    )
    parser.set_defaults(run=run_whatif)


def run_whatif(arguments: argparse.Namespace) -> int:
    if (arguments.action is None) == (arguments.operation is None):
        print("error: give exactly one of --action and --operation", file=sys.stderr)
        return EXIT_BAD_INPUT
    if arguments.operation is not None:
        return run_operation(arguments)
    try:
        request, policies = _inputs(arguments)
        decision = decide(request, policies, _action_key_metadata(arguments))
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KmsPolicyError as error:
        print(f"error: {error.message}", file=sys.stderr)
        for finding in getattr(error, "findings", [])[1:]:
            print(
                f"  {finding.line}:{finding.column}: [{finding.code}] {finding.message}",
                file=sys.stderr,
            )
        return EXIT_BAD_INPUT

    if arguments.format == "json":
        write_json(decision.to_dict())
    else:
        print(decision.explain())
    return EXIT_ALLOW if decision.allowed else EXIT_DENY


def run_operation(arguments: argparse.Namespace) -> int:
    """Decide an operation request (``--operation``) and print every check."""
    from kmspolicy.grants.load import load_grant_store
    from kmspolicy.operations import authorize_operation

    try:
        request, keys, policies = _operation_inputs(arguments)
        grants = load_grant_store(_grant_entries(arguments.grants), field="--grants")
        decision = authorize_operation(request, keys, policies, grants)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KmsPolicyError as error:
        print(f"error: [{error.code}] {error.message}", file=sys.stderr)
        return EXIT_BAD_INPUT

    if arguments.format == "json":
        write_json(decision.to_dict())
    else:
        print(decision.explain())
    return EXIT_ALLOW if decision.allowed else EXIT_DENY


def _operation_inputs(arguments: argparse.Namespace):
    from kmspolicy.operations import (
        CallerIdentity,
        KeyRecord,
        KeyRing,
        OperationRequest,
    )

    parameters = _json_object(arguments.parameters, "--parameters")
    pairs = _pairs(arguments.encryption_context, "--encryption-context")
    if pairs and "EncryptionContext" not in parameters:
        parameters["EncryptionContext"] = pairs
    try:
        caller = CallerIdentity(
            principal=arguments.principal,
            context=_context(arguments),
        )
        policies = _policy_set(arguments, with_grants=False)
        keys = KeyRing()
        if arguments.key_arn:
            metadata = _key_metadata(arguments)
            keys.add(KeyRecord(metadata=metadata, key_policy=policies.key_policy))
        request = OperationRequest(
            operation=arguments.operation,
            parameters=parameters,
            caller=caller,
            region=_endpoint_region(arguments, keys),
        )
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        raise InputError(f"invalid {location}: {first['msg']}") from error
    return request, keys, policies


def _key_metadata(arguments: argparse.Namespace) -> KeyMetadata:
    """Return the --key-metadata object with the --key-arn ARN in ``arn``."""
    metadata = _json_object(arguments.key_metadata, "--key-metadata")
    given = metadata.pop("arn", None)
    if given is not None and given != arguments.key_arn:
        raise InputError(
            f"--key-metadata gives arn {given!r} but --key-arn is "
            f"{arguments.key_arn!r}; leave arn out of --key-metadata or give the "
            "same ARN"
        )
    return KeyMetadata(arn=arguments.key_arn, **metadata)


def _endpoint_region(arguments: argparse.Namespace, keys) -> str | None:
    """Return --region, else the Region of the --key-arn key, else None."""
    if arguments.region is not None:
        return arguments.region
    record = keys.by_arn(arguments.key_arn) if arguments.key_arn else None
    return record.region if record is not None else None


def _json_object(text: str, flag: str) -> dict:
    try:
        value = load_json(text.encode("utf-8", errors="surrogatepass"))
    except DocumentError as error:
        raise InputError(f"{flag} is not usable JSON: {error.message}") from error
    if not isinstance(value, dict):
        raise InputError(f"{flag} must be a JSON object, not {type(value).__name__}")
    return value


def _policy_set(arguments: argparse.Namespace, with_grants: bool = True) -> PolicySet:
    """Return the policies and grants given by the policy flags.

    The grants are those usable without a token: a ``--grants`` entry with
    ``"Propagated": false`` is left out, because --action takes no grant tokens.
    """
    return PolicySet(
        key_policy=_policy(arguments.key_policy, PolicyKind.KEY),
        identity_policies=[
            _policy(p, PolicyKind.IDENTITY) for p in arguments.identity_policy
        ],
        permission_boundary=_policy(arguments.permission_boundary, PolicyKind.IDENTITY),
        session_policies=[
            _policy(p, PolicyKind.IDENTITY) for p in arguments.session_policy
        ],
        scps=[[_policy(p, PolicyKind.SCP)] for p in arguments.scp],
        rcps=[[_policy(p, PolicyKind.RCP)] for p in arguments.rcp],
        vpce_policy=_policy(arguments.vpce_policy, PolicyKind.VPCE),
        grants=_grants(arguments.grants) if with_grants else [],
    )


_KEY_ARN = re.compile(r"arn:[a-z0-9-]+:kms:[a-z0-9-]*:[0-9]{12}:key/[^/\s]+")


def _action_key_metadata(arguments: argparse.Namespace) -> KeyMetadata:
    """Return the key's metadata for --action: --key-arn plus --key-metadata."""
    metadata = dict(_json_object(arguments.key_metadata, "--key-metadata"))
    arn = metadata.pop("arn", None)
    if arn is not None and arn != arguments.key_arn:
        raise InputError(
            f"--key-metadata names key {arn!r} but --key-arn is "
            f"{arguments.key_arn!r}; give the same key or leave arn out"
        )
    try:
        return KeyMetadata(arn=arguments.key_arn, **metadata)
    except (TypeError, ValidationError) as error:
        raise InputError(f"--key-metadata is invalid: {error}") from error


def _inputs(arguments: argparse.Namespace) -> tuple[Request, PolicySet]:
    resource = arguments.resource or arguments.key_arn or "*"
    if arguments.key_policy and resource == "*":
        raise InputError(
            "--key-policy needs the key it is attached to: give --key-arn "
            "(or --resource) with the key ARN"
        )
    if arguments.key_arn and not _KEY_ARN.fullmatch(arguments.key_arn):
        raise InputError(
            f"--key-arn {arguments.key_arn!r} is not a key ARN such as "
            "arn:aws:kms:us-east-1:111122223333:key/KEY-ID"
        )
    try:
        request = Request(
            principal=arguments.principal,
            action=arguments.action,
            resource=resource,
            context=_context(arguments),
            encryption_context=_pairs(
                arguments.encryption_context, "--encryption-context"
            ),
        )
        policies = _policy_set(arguments)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        raise InputError(f"invalid {location}: {first['msg']}") from error
    return request, policies


def _context(arguments: argparse.Namespace) -> dict:
    """Merge --context pairs and --context-json; a key given twice is an error."""
    context = _pairs(arguments.context, "--context", allow_lists=True)
    if not arguments.context_json:
        return context

    extra = _json_object(arguments.context_json, "--context-json")
    for name, value in extra.items():
        is_list = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not isinstance(value, str) and not is_list:
            raise InputError(
                f"--context-json value of {name!r} must be a string or a list of "
                f"strings, not {json.dumps(value)[:40]}"
            )
        if name in context:
            raise InputError(f"{name!r} is given by both --context and --context-json")
        context[name] = value
    return context


def _pairs(items: list[str], flag: str, allow_lists: bool = False) -> dict:
    pairs: dict[str, str | list[str]] = {}
    for item in items:
        name, separator, value = item.partition("=")
        if not separator or not name:
            raise InputError(f"{flag} {item!r} is not KEY=VALUE")
        if name in pairs:
            if not allow_lists:
                raise InputError(f"{flag} gives {name!r} twice; give each key once")
            previous = pairs[name]
            pairs[name] = (
                [*previous, value] if isinstance(previous, list) else [previous, value]
            )
        else:
            pairs[name] = value
    return pairs


def _read(name: str) -> bytes:
    try:
        return read_limited(Path(name))
    except OSError as error:
        raise InputError(f"cannot read {name}: {error.strerror}") from error
    except DocumentError as error:
        raise InputError(error.message) from error


def _policy(name: str | None, kind: PolicyKind) -> Policy | None:
    if name is None:
        return None
    try:
        return read_policy_bytes(_read(name), kind=kind, name=name)
    except DocumentError as error:
        f = error.finding
        raise InputError(
            f"{name}:{f.line}:{f.column}: [{f.code}] {f.message}"
        ) from error


def _grants(name: str | None) -> list[Grant]:
    from kmspolicy.grants.load import grant_entries

    entries = grant_entries(_grant_entries(name), field="--grants")
    return [entry.grant for entry in entries if entry.propagated]


def _grant_entries(name: str | None) -> list:
    """Return the grant entries of the --grants file, unvalidated; none without it."""
    if name is None:
        return []
    try:
        document = load_json(_read(name))
    except DocumentError as error:
        f = error.finding
        raise InputError(f"{name}:{f.line}:{f.column}: {f.message}") from error

    grants = document.get("Grants") if isinstance(document, dict) else document
    if not isinstance(grants, list) or not all(isinstance(g, dict) for g in grants):
        raise InputError(f'{name} must hold a list of grants or {{"Grants": [...]}}')
    return grants
