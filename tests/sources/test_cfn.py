"""cfn: sources — CloudFormation templates (AWS CloudFormation User Guide: the template anatomy, "Intrinsic
function reference", "Pseudo parameters reference" and each resource type's properties and return values)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from iam_tester.cli import main
from iam_tester.errors import SourceError
from iam_tester.sources import Inventory

from .helpers import EXAMPLES, inventory, principal, statements

TEMPLATE = EXAMPLES / "template.yaml"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
TRUST_YAML = json.dumps(TRUST)  # JSON is YAML


def _read(tmp_path: Path, text: str, name: str = "stack.yaml", **options: object) -> Inventory:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return inventory(f"cfn:{path}", **options)


def test_example_template_resolves_its_intrinsics() -> None:
    """Sub, GetAtt, Ref to resources and parameters, Join and the pseudo parameters give the example's names."""
    found = inventory(f"cfn:{TEMPLATE}")
    worker = principal(found, "WorkerRole")
    assert worker.arn == "arn:aws:iam::123456789012:role/services/upload-worker-dev"  # defaults: account, Env=dev
    assert [(p.name, p.origin.id) for p in worker.identity] == [
        ("work", "WorkerRole"),
        ("delete-old-uploads", "ExtraPolicy"),
    ]
    assert [s.get("Sid") for s in statements(worker.identity[0].document)] == ["TakeJobs", "Admin"]  # NoValue dropped
    assert statements(worker.identity[1].document)[0]["Resource"] == "arn:aws:s3:::template-uploads-dev/expired/*"
    assert worker.boundary is not None
    assert worker.boundary.name == "worker-boundary-dev"
    bucket, queue = found.resources
    assert (bucket.arn, queue.arn) == (
        "arn:aws:s3:::template-uploads-dev",
        "arn:aws:sqs:us-east-1:123456789012:upload-jobs-dev",
    )
    assert bucket.policy is not None
    first = statements(bucket.policy.document)[0]
    assert first["Principal"] == {"AWS": worker.arn}
    assert first["Resource"] == "arn:aws:s3:::template-uploads-dev/*"
    assert bucket.policy.document["Version"] == "2012-10-17"  # an unquoted YAML date read back as text


def test_parameters_and_conditions_from_options() -> None:
    """--parameter values choose the Fn::If branch and the names; --account-id and --region build the ARNs."""
    found = inventory(f"cfn:{TEMPLATE}", account="444455556666", region="eu-west-1", parameters={"Env": "prod"})
    worker = principal(found, "WorkerRole")
    assert worker.arn == "arn:aws:iam::444455556666:role/services/upload-worker-prod"
    assert [s.get("Sid") for s in statements(worker.identity[0].document)] == ["TakeJobs", "Admin", "ProdLogs"]
    assert found.resources[1].arn == "arn:aws:sqs:eu-west-1:444455556666:upload-jobs-prod"


def test_short_forms_decode_to_the_long_forms() -> None:
    """Each YAML short form is the long form CloudFormation documents, scalar, list and mapping alike; a date
    stays the text it is written as."""
    from iam_tester.sources.cfn.decode import decode_template

    text = textwrap.dedent(
        """
        Version: 2012-10-17
        Conditions:
          Both: !And [!Condition A, !Not [!Equals [!Ref Env, prod]]]
        Resources:
          R:
            Properties:
              Endpoint: !GetAtt Db.Endpoint.Address
              Listed: !GetAtt [Db, Arn]
              Name: !Sub ["${A}-x", {A: !Select [0, !Split [",", !ImportValue Shared]]}]
              Pick: !If [Both, !FindInMap [M, !Ref "AWS::Region", K], !Base64 x]
              Zones: !GetAZs ""
        """
    )
    data, _ = decode_template(text, "t.yaml")
    assert data["Version"] == "2012-10-17"
    assert data["Conditions"]["Both"] == {
        "Fn::And": [{"Condition": "A"}, {"Fn::Not": [{"Fn::Equals": [{"Ref": "Env"}, "prod"]}]}]
    }
    properties = data["Resources"]["R"]["Properties"]
    assert properties["Endpoint"] == {"Fn::GetAtt": ["Db", "Endpoint.Address"]}
    assert properties["Listed"] == {"Fn::GetAtt": ["Db", "Arn"]}
    assert properties["Name"] == {
        "Fn::Sub": ["${A}-x", {"A": {"Fn::Select": [0, {"Fn::Split": [",", {"Fn::ImportValue": "Shared"}]}]}}]
    }
    assert properties["Pick"] == {
        "Fn::If": ["Both", {"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "K"]}, {"Fn::Base64": "x"}]
    }
    assert properties["Zones"] == {"Fn::GetAZs": ""}


def test_a_problem_inside_a_short_form_is_located_at_its_tag(tmp_path: Path) -> None:
    """A path through a long form the file writes short ends at the tag's line and column."""
    path = tmp_path / "stack.yaml"
    path.write_text(
        "Resources:\n  A:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !GetAtt Missing.Arn\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        inventory(f"cfn:{path}")
    assert "Fn::GetAtt of 'Missing'" in caught.value.message
    assert (caught.value.location.line, caught.value.location.column) == (5, 17)


def test_a_parameter_value_outside_allowed_values_is_refused() -> None:
    """A value CloudFormation would refuse (not in AllowedValues) exits 2 at the parameter's declaration."""
    with pytest.raises(SourceError) as caught:
        inventory(f"cfn:{TEMPLATE}", parameters={"Env": "prdo"})
    assert "the parameter Env is 'prdo', which is not one of its AllowedValues" in caught.value.message
    assert caught.value.location is not None
    assert caught.value.location.path == "Parameters.Env.AllowedValues"
    assert caught.value.hint == "give one of: dev, prod"


def test_a_value_for_an_undeclared_parameter_is_refused(tmp_path: Path) -> None:
    """A parameter no template declares (a misspelt name) is an error; in a cdk.out directory it is one only
    when no template of it declares the parameter."""
    with pytest.raises(SourceError, match="the parameter env, which no template declares"):
        inventory(f"cfn:{TEMPLATE}", parameters={"env": "prod"})
    out = tmp_path / "cdk.out"
    out.mkdir()
    for stack, parameters in (("Api", {"Stage": {"Type": "String", "Default": "dev"}}), ("Data", {})):
        role = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": stack.lower(), "AssumeRolePolicyDocument": TRUST}}
        template = {"Parameters": parameters, "Resources": {f"{stack}Role": role}}
        (out / f"{stack}.template.json").write_text(json.dumps(template), encoding="utf-8")
    assert len(inventory(f"cfn:{out}", parameters={"Stage": "prod"}).principals) == 2
    with pytest.raises(SourceError, match="the parameter Stag, which no template declares"):
        inventory(f"cfn:{out}", parameters={"Stag": "prod"})


def test_china_region_partition(tmp_path: Path) -> None:
    """The partition follows the region (AWS::Partition)."""
    found = inventory(f"cfn:{TEMPLATE}", region="cn-north-1")
    assert principal(found, "WorkerRole").arn == "arn:aws-cn:iam::123456789012:role/services/upload-worker-dev"


def test_json_template_and_generated_names(tmp_path: Path) -> None:
    """A JSON template reads the same; a role without RoleName is found by logical ID, its ARN unknown."""
    template = {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}},
            "Inline": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "p",
                    "Roles": [{"Ref": "Role"}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                    },
                },
            },
        }
    }
    found = _read(tmp_path, json.dumps(template, indent=2), "stack.json")
    role = principal(found, "Role")
    assert role.arn is None
    assert [p.name for p in role.identity] == ["p"]
    assert [(u.attribute, "generates the name" in u.why) for u in role.unknown] == [("arn", True)]


def test_values_only_known_in_the_account_are_unknown(tmp_path: Path) -> None:
    """Fn::ImportValue and a custom resource's attribute leave the document unknown, saying why."""
    found = _read(
        tmp_path,
        """
        Resources:
          Lookup: {Type: "Custom::Lookup", Properties: {ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:f}}
          Role:
            Type: AWS::IAM::Role
            Properties:
              RoleName: app
              AssumeRolePolicyDocument: TRUST
              Policies:
                - PolicyName: shared
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: !ImportValue shared-bucket-arn}]
                - PolicyName: looked-up
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: !GetAtt Lookup.Arn}]
        """.replace("TRUST", TRUST_YAML),
    )
    role = principal(found, "Role")
    assert role.identity == ()
    assert [u.attribute for u in role.unknown] == [
        "Properties.Policies[0].PolicyDocument",
        "Properties.Policies[1].PolicyDocument",
    ]
    assert "Fn::ImportValue" in role.unknown[0].why
    assert "custom resource" in role.unknown[1].why


def test_users_groups_and_managed_policies(tmp_path: Path) -> None:
    """A user gets its groups' policies (Groups, UserToGroupAddition); managed policies attach to groups."""
    found = _read(
        tmp_path,
        """
        Resources:
          Devs:
            Type: AWS::IAM::Group
            Properties:
              Policies:
                - PolicyName: g
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement: [{Effect: Allow, Action: "s3:List*", Resource: "*"}]
          Ops: {Type: AWS::IAM::Group, Properties: {GroupName: ops}}
          Alice: {Type: AWS::IAM::User, Properties: {UserName: alice, Groups: [!Ref Devs]}}
          AddAlice: {Type: AWS::IAM::UserToGroupAddition, Properties: {GroupName: ops, Users: [alice]}}
          OpsRead:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              Groups: [!Ref Ops]
              PolicyDocument:
                Version: "2012-10-17"
                Statement: [{Effect: Allow, Action: "ec2:Describe*", Resource: "*"}]
        """,
    )
    alice = principal(found, "Alice")
    assert alice.arn == "arn:aws:iam::123456789012:user/alice"
    assert [(p.name, p.kind.value) for p in alice.identity] == [("g", "group"), ("OpsRead", "managed")]


def test_a_lambda_permission_for_an_account_names_it_in_the_functions_partition(tmp_path: Path) -> None:
    """In a China region, a permission given to an account ID names that account's aws-cn root."""
    found = _read(
        tmp_path,
        """
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties: {FunctionName: worker, Role: x, Code: {ZipFile: x}, Runtime: python3.12, Handler: a.b}
          FromPartner:
            Type: AWS::Lambda::Permission
            Properties: {FunctionName: !GetAtt Fn.Arn, Action: lambda:InvokeFunction, Principal: "444455556666"}
        """,
        region="cn-north-1",
    )
    (function,) = found.resources
    assert function.arn == "arn:aws-cn:lambda:cn-north-1:123456789012:function:worker"
    assert function.policy is not None
    assert statements(function.policy.document)[0]["Principal"] == {"AWS": "arn:aws-cn:iam::444455556666:root"}


def test_lambda_permissions_kms_and_secrets(tmp_path: Path) -> None:
    """Lambda permissions build the function's policy; a key's ARN and a named secret's ARN are unknown."""
    found = _read(
        tmp_path,
        """
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties: {FunctionName: worker, Role: x, Code: {ZipFile: x}, Runtime: python3.12, Handler: a.b}
          FromS3:
            Type: AWS::Lambda::Permission
            Properties:
              FunctionName: !GetAtt Fn.Arn
              Action: lambda:InvokeFunction
              Principal: s3.amazonaws.com
              SourceAccount: !Ref AWS::AccountId
          Key:
            Type: AWS::KMS::Key
            Properties:
              KeyPolicy:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
                    Action: "kms:*"
                    Resource: "*"
          SecretPolicy:
            Type: AWS::SecretsManager::ResourcePolicy
            Properties:
              SecretId: db-password
              ResourcePolicy:
                Version: "2012-10-17"
                Statement: [{Effect: Deny, Principal: "*", Action: "secretsmanager:DeleteSecret", Resource: "*"}]
        """,
    )
    by_type = {r.type: r for r in found.resources}
    function = by_type["AWS::Lambda::Function"]
    assert function.arn == "arn:aws:lambda:us-east-1:123456789012:function:worker"
    assert function.id == "Fn"
    assert function.policy is not None
    assert statements(function.policy.document)[0]["Condition"] == {
        "StringEquals": {"AWS:SourceAccount": "123456789012"}
    }
    assert by_type["AWS::KMS::Key"].arn is None
    assert by_type["AWS::KMS::Key"].policy is not None
    secret = by_type["AWS::SecretsManager::Secret"]
    assert secret.arn is None
    assert "suffix" in secret.unknown[0].why


def test_cdk_out_directory_reads_every_template(tmp_path: Path) -> None:
    """A cdk.out directory is read template by template, each its own source."""
    out = tmp_path / "cdk.out"
    out.mkdir()
    for stack in ("Api", "Data"):
        template = {
            "Resources": {
                f"{stack}Role": {
                    "Type": "AWS::IAM::Role",
                    "Properties": {"RoleName": stack.lower(), "AssumeRolePolicyDocument": TRUST},
                }
            }
        }
        (out / f"{stack}.template.json").write_text(json.dumps(template), encoding="utf-8")
    (out / "manifest.json").write_text("{}", encoding="utf-8")
    found = inventory(f"cfn:{out}")
    assert [(p.id, p.arn) for p in found.principals] == [
        ("ApiRole", "arn:aws:iam::123456789012:role/api"),
        ("DataRole", "arn:aws:iam::123456789012:role/data"),
    ]
    assert len(found.sources) == 2


def test_untransformed_sam_template_is_unknown(tmp_path: Path) -> None:
    """A template still carrying the SAM transform says the resources it would make are not read."""
    found = _read(
        tmp_path, "Transform: AWS::Serverless-2016-10-31\nResources:\n  F: {Type: AWS::Serverless::Function}\n"
    )
    assert [(u.id, u.attribute) for u in found.unplaced] == [("Transform", "AWS::Serverless-2016-10-31")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Resources:\n  A: {Type: AWS::IAM::Role\n", "not valid YAML: did not find expected ',' or '}'"),
        ('{"Resources": {"A": ', "not valid JSON: Expecting value"),
        ("", "the template is empty"),
        ("Resources:\n  A: {Type: AWS::IAM::Role, Properties: {RoleName: !Bogus x}}\n", "tag '!Bogus'"),
        ("Resources: !!python/object/apply:os.system [echo]\n", "tag 'tag:yaml.org,2002:python/object/apply"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True))
            + "Resources: *h\n",
            "an alias bomb",
        ),
        ("Description: nothing\n", "has no `Resources` mapping"),
        (
            "Resources:\n  A: {Type: AWS::IAM::Role, Properties: {RoleName: !Ref B}}\n"
            "  B: {Type: AWS::IAM::Role, Properties: {RoleName: !Ref A}}\n",
            "a loop of references: B -> A -> B",
        ),
        ("Resources:\n  A: {Type: AWS::IAM::Role, Properties: {RoleName: !Ref Missing}}\n", "Ref to 'Missing'"),
        ("Resources:\n  A: {Type: AWS::IAM::Role}\n  A: {Type: AWS::IAM::User}\n", "the key 'A' appears twice"),
        (
            "Resources:\n  A:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n"
            "        - {PolicyName: p, PolicyName: q}\n",
            "the key 'PolicyName' appears twice",
        ),
    ],
    ids=[
        "truncated-yaml",
        "truncated-json",
        "empty",
        "unknown-tag",
        "python-tag",
        "alias-bomb",
        "not-a-template",
        "reference-loop",
        "undefined-ref",
        "duplicate-key",
        "deep-duplicate-key",
    ],
)
def test_hostile_templates_exit_2(tmp_path: Path, text: str, message: str) -> None:
    """A template that cannot be read exits 2 naming the file, the line and the problem."""
    path = tmp_path / "stack.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", f"cfn:{path}"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "stack.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_reference_loop_is_located(tmp_path: Path) -> None:
    """The loop is reported at the line of the reference that closes it."""
    path = tmp_path / "stack.yaml"
    path.write_text(
        "Resources:\n  A:\n    Type: AWS::IAM::Role\n    Properties: {RoleName: !Ref B}\n"
        "  B:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref A\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        inventory(f"cfn:{path}")
    assert caught.value.location.line in (4, 8)


def test_refs_and_arns_of_the_resources_policies_name(tmp_path: Path) -> None:
    """Ref and Fn::GetAtt Arn of a DynamoDB table, a Kinesis stream, a log group, an SSM parameter, a state
    machine and a CodeBuild project with their names set resolve as each type's return values say; a
    generated name stays unknown."""
    found = _read(
        tmp_path,
        f"""
        Resources:
          Table: {{Type: AWS::DynamoDB::Table, Properties: {{TableName: items}}}}
          Stream: {{Type: AWS::Kinesis::Stream, Properties: {{Name: events}}}}
          Logs: {{Type: AWS::Logs::LogGroup, Properties: {{LogGroupName: /app/api}}}}
          Param: {{Type: AWS::SSM::Parameter, Properties: {{Name: /app/key, Type: String, Value: x}}}}
          Machine: {{Type: AWS::StepFunctions::StateMachine, Properties: {{StateMachineName: flow}}}}
          Build: {{Type: AWS::CodeBuild::Project, Properties: {{Name: ci}}}}
          Nameless: {{Type: AWS::DynamoDB::Table}}
          Role:
            Type: AWS::IAM::Role
            Properties:
              RoleName: app
              AssumeRolePolicyDocument: {TRUST_YAML}
              Policies:
                - PolicyName: refs
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: "*"
                        Resource:
                          - !GetAtt Table.Arn
                          - !Sub "arn:aws:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/${{Table}}/index/*"
                          - !GetAtt Stream.Arn
                          - !GetAtt Logs.Arn
                          - !Sub "arn:aws:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter${{Param}}"
                          - !Ref Machine
                          - !GetAtt Machine.Arn
                          - !GetAtt Build.Arn
                - PolicyName: nameless
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement: [{{Effect: Allow, Action: "*", Resource: !GetAtt Nameless.Arn}}]
        """,
        account="111122223333",
        region="eu-west-1",
    )
    role = principal(found, "Role")
    (refs,) = [p for p in role.identity if p.name == "refs"]
    assert statements(refs.document)[0]["Resource"] == [
        "arn:aws:dynamodb:eu-west-1:111122223333:table/items",
        "arn:aws:dynamodb:eu-west-1:111122223333:table/items/index/*",
        "arn:aws:kinesis:eu-west-1:111122223333:stream/events",
        "arn:aws:logs:eu-west-1:111122223333:log-group:/app/api:*",
        "arn:aws:ssm:eu-west-1:111122223333:parameter/app/key",
        "arn:aws:states:eu-west-1:111122223333:stateMachine:flow",
        "arn:aws:states:eu-west-1:111122223333:stateMachine:flow",
        "arn:aws:codebuild:eu-west-1:111122223333:project/ci",
    ]
    assert any("Nameless has no TableName" in u.why for u in found.unknown)
