"""A Lambda function's resource-based policy, assembled from its permissions.

Lambda keeps one policy per function (or alias/version) and each AddPermission call (a Terraform
``aws_lambda_permission``, a CloudFormation ``AWS::Lambda::Permission``) adds one statement to it, shaped as
GetPolicy returns it (AWS Lambda Developer Guide, "Viewing resource-based IAM policies in Lambda" and
"Granting function access to AWS services"): ``Principal`` ``{"Service": ...}`` for a service and
``{"AWS": ...}`` for an account or ARN; the source ARN as ``ArnLike`` ``AWS:SourceArn``, the source account as
``StringEquals`` ``AWS:SourceAccount``, the organization as ``aws:PrincipalOrgID`` and a function URL's auth
type as ``lambda:FunctionUrlAuthType``.
"""

from __future__ import annotations

from typing import Any

from ..policy.arns import ACCOUNT_ID

__all__ = ["permission_statement", "policy_of"]


def permission_statement(
    *,
    sid: str,
    action: str,
    principal: str,
    resource: str,
    source_arn: str | None = None,
    source_account: str | None = None,
    principal_org_id: str | None = None,
    function_url_auth_type: str | None = None,
) -> dict[str, Any]:
    """The statement one permission adds to the function's policy."""
    if principal == "*":
        who: Any = "*"
    elif principal.endswith((".amazonaws.com", ".amazonaws.com.cn")):
        who = {"Service": principal}
    elif ACCOUNT_ID.match(principal):
        # The account in the function's partition: an account of another partition is another account.
        partition = resource.split(":", 2)[1] if resource.startswith("arn:") else "aws"
        who = {"AWS": f"arn:{partition}:iam::{principal}:root"}
    else:
        who = {"AWS": principal}
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": who,
        "Action": action,
        "Resource": resource,
    }
    conditions: dict[str, dict[str, str]] = {}
    if source_arn:
        conditions.setdefault("ArnLike", {})["AWS:SourceArn"] = source_arn
    if source_account:
        conditions.setdefault("StringEquals", {})["AWS:SourceAccount"] = source_account
    if principal_org_id:
        conditions.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = principal_org_id
    if function_url_auth_type:
        conditions.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = function_url_auth_type
    if conditions:
        statement["Condition"] = conditions
    return statement


def policy_of(statements: list[dict[str, Any]]) -> dict[str, Any]:
    """The function's policy holding ``statements``, as GetPolicy shows it."""
    return {"Version": "2012-10-17", "Id": "default", "Statement": statements}
