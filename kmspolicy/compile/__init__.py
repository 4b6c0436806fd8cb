"""Compile validated policies into immutable structures that decide without parsing.

``compile_policy`` prepares one policy, ``compile_policy_set`` a whole
``PolicySet``, and ``decide_compiled`` decides a request over the result with the
same outcome, reason and deciding statements as ``evaluate.evaluator.decide``.
``kmspolicy.engine.Engine`` contains the compiled policies of many keys and principals.
"""

from __future__ import annotations

from kmspolicy.compile.context import key_layer, principal_layer, request_context
from kmspolicy.compile.decide import (
    Evaluation,
    Plan,
    decide_evaluation,
    invalid_principal,
)
from kmspolicy.compile.grants import CompiledGrants, compile_grants
from kmspolicy.compile.policy import CompiledPolicy, compile_policy
from kmspolicy.compile.policy_set import CompiledPolicySet, compile_policy_set
from kmspolicy.compile.statement import CompiledStatement
from kmspolicy.conditions.context import RequestContext
from kmspolicy.evaluate.decision import Decision
from kmspolicy.evaluate.principal import parse_caller
from kmspolicy.evaluate.request import KeyMetadata, Request

__all__ = [
    "CompiledGrants",
    "CompiledPolicy",
    "CompiledPolicySet",
    "CompiledStatement",
    "compile_grants",
    "compile_policy",
    "compile_policy_set",
    "decide_compiled",
]


def decide_compiled(
    request: Request, policies: CompiledPolicySet, key: KeyMetadata | None = None
) -> Decision:
    """Decide a request over compiled policies, as ``evaluator.decide`` would.

    Raises RequestError when the principal is not a recognisable ARN or service
    name. Policies were validated when they were compiled.
    """
    first = parse_caller(request.principal)
    context = request_context(request, principal_layer(first), key_layer(key))
    has_boundary = policies.permission_boundary is not None
    caller = parse_caller(
        request.principal, principal_arn_of(context), has_boundary=has_boundary
    )
    if caller is None:
        raise invalid_principal(request.principal)
    plan = Plan(policies, caller, request.action, request.resource)
    return decide_evaluation(Evaluation(request, plan, context))


def principal_arn_of(context: RequestContext) -> str | None:
    """Return ``aws:PrincipalArn`` when it is a single string, else None."""
    value = context.value_of("aws:principalarn")
    return value if isinstance(value, str) else None
