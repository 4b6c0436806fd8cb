"""Decide one check over a request context that the caller built in full.

``kmspolicy.evaluate.evaluator.decide`` derives caller and key condition keys
itself, and treats every request on a resource other than ``"*"`` as a key
request that needs a key policy. Operation-level checks need two things it does
not offer: a context holding exactly the keys KMS supplies for the operation,
and IAM-only checks on an alias ARN. This module reaches the evaluator's
decision steps directly for both, so the decision logic stays the reference one.

NOTE: this uses the evaluator's private ``_Evaluation`` and ``_decide``; a public
``decide(..., context=..., iam_only=...)`` entry point in the evaluator would
remove that coupling.
"""

from __future__ import annotations

import logging

from kmspolicy.conditions.context import RequestContext
from kmspolicy.evaluate import evaluator
from kmspolicy.evaluate.decision import Decision
from kmspolicy.evaluate.request import PolicySet, Request

logger = logging.getLogger(__name__)


def decide_in_context(
    request: Request,
    policies: PolicySet,
    context: dict[str, str | list[str]],
    iam_only: bool = False,
) -> Decision:
    """Decide ``request`` with ``context`` as its complete set of condition keys.

    ``request.context`` is ignored. With ``iam_only`` the resource is decided by
    identity-side policies alone, as for an alias ARN, which has no resource
    policy. Raises InvalidPolicyError as ``decide`` does.
    """
    evaluator._require_valid(policies)
    evaluation = evaluator._Evaluation(request, policies, RequestContext(context))
    if iam_only:
        evaluation.key_operation = False

    decision = evaluator._decide(evaluation)
    logger.debug(
        "request %s: %s %s on %s -> %s",
        request.request_id,
        request.principal,
        request.action,
        request.resource,
        decision.outcome.value,
    )
    return decision
