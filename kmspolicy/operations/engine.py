"""Decide one check over a request context that the caller built in full.

Operation-level checks need a context holding exactly the keys KMS supplies for
the operation, and IAM-only checks on an alias ARN; the reference evaluator's
``decide`` takes both as options.
"""

from __future__ import annotations

from kmspolicy.evaluate.decision import Decision
from kmspolicy.evaluate.evaluator import decide
from kmspolicy.evaluate.request import PolicySet, Request


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
    return decide(request, policies, context=context, iam_only=iam_only)
