"""CloudFormation's intrinsic functions, resolved offline (AWS CloudFormation User Guide, "Intrinsic function
reference", "Pseudo parameters reference", "Conditions", and each resource type's "Return values").

``Ref``, ``Fn::GetAtt``, ``Fn::Sub`` (both forms, ``${!Literal}`` included), ``Fn::Join``, ``Fn::Select``,
``Fn::Split``, ``Fn::If`` with ``Conditions`` (``Fn::Equals``, ``Fn::And``, ``Fn::Or``, ``Fn::Not``,
``Condition``), ``Fn::FindInMap``, ``Fn::Base64``, ``Fn::ToJsonString`` and ``Fn::Length``; parameters from the
options or their ``Default``; the pseudo parameters from the options (account, region, partition, stack name).

What a template cannot say offline raises :class:`Unresolvable` with the reason: a name CloudFormation
generates (a role without ``RoleName``), an ID AWS chooses (a KMS key's), ``Fn::ImportValue`` (another stack's
export), ``Fn::GetAZs``, a custom resource's attributes. A loop of references (a ``Ref`` chain or conditions
that come back to where they started) is an error in the template, reported with the loop.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from ...errors import SourceError
from ...policy.sourcemap import PathPart, SourceMap, format_path
from ..files import source_error
from .decode import plain

__all__ = ["NO_VALUE", "Template", "Unresolvable"]

_SUB = re.compile(r"\$\{([^}]*)\}")
_CUSTOM = ("AWS::CloudFormation::CustomResource",)


class Unresolvable(Exception):
    """A value the template cannot give offline; ``why`` says what it depends on."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()
"""``Ref: AWS::NoValue``: the property is removed."""


class Template:
    """A decoded template and the values its intrinsics take with the given account, region and parameters."""

    def __init__(
        self,
        data: Any,
        *,
        display: str,
        source_map: SourceMap,
        account: str,
        region: str,
        partition: str,
        stack_name: str,
        parameters: Mapping[str, str],
    ) -> None:
        self.display = display
        self.source_map = source_map
        if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
            raise self.error("this is not a CloudFormation template: it has no `Resources` mapping", ())
        self.data = data
        self.resources: dict[str, Any] = data["Resources"]
        self.account, self.region, self.partition = account, region, partition
        self.url_suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
        self.stack_name = stack_name
        self.parameters = parameters
        self._check_parameters()
        self._conditions: dict[str, bool | Unresolvable] = {}
        self._active: list[str] = []  # what is being resolved, to report loops

    def error(self, message: str, parts: tuple[PathPart, ...], hint: str | None = None) -> SourceError:
        return source_error(message, self.display, self.source_map, parts, hint)

    # -- values ---------------------------------------------------------------------------------------
    def resolve(self, value: Any, where: tuple[PathPart, ...]) -> Any:
        """``value`` with every intrinsic evaluated; raises :class:`Unresolvable`."""
        if isinstance(value, dict):
            if len(value) == 1:
                ((name, argument),) = value.items()
                if name == "Ref" or (isinstance(name, str) and name.startswith("Fn::")):
                    return self._function(name, argument, (*where, name))
            resolved = {str(k): self.resolve(v, (*where, k)) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(value, list):
            items = [self.resolve(item, (*where, i)) for i, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        return plain(value)

    def _function(self, name: str, argument: Any, where: tuple[PathPart, ...]) -> Any:
        handler = _FUNCTIONS.get(name)
        if handler is None:
            raise Unresolvable(f"{name} is not evaluated offline")
        return handler(self, argument, where)

    def text(self, value: Any, where: tuple[PathPart, ...]) -> str:
        resolved = self.resolve(value, where)
        if isinstance(resolved, bool) or not isinstance(resolved, (str, int, float)):
            raise self.error(f"expected a string, not {type(resolved).__name__}", where)
        return str(resolved)

    # -- Ref and Fn::GetAtt ---------------------------------------------------------------------------
    def ref(self, name: Any, where: tuple[PathPart, ...]) -> Any:
        if not isinstance(name, str):
            raise self.error("Ref takes the name of a parameter, a resource or a pseudo parameter", where)
        pseudo = self._pseudo(name)
        if pseudo is not None:
            return pseudo
        parameters = self.data.get("Parameters") or {}
        if name in parameters:
            return self._parameter(name, parameters[name])
        if name in self.resources:
            return self._entered(name, where, lambda: self.attribute(name, None))
        raise self.error(f"Ref to {name!r}, which is neither a parameter nor a resource of the template", where)

    def get_att(self, argument: Any, where: tuple[PathPart, ...]) -> Any:
        if isinstance(argument, str) and "." in argument:
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str)):
            raise self.error("Fn::GetAtt takes [LogicalId, Attribute]", where)
        logical, attribute = argument[0], self.text(argument[1], (*where, 1))
        if logical not in self.resources:
            raise self.error(f"Fn::GetAtt of {logical!r}, which is not a resource of the template", where)
        return self._entered(logical, where, lambda: self.attribute(logical, attribute))

    def _entered(self, logical: str, where: tuple[PathPart, ...], work: Callable[[], Any]) -> Any:
        if logical in self._active:
            loop = " -> ".join([*self._active[self._active.index(logical) :], logical])
            raise self.error(f"a loop of references: {loop}", where, hint="a value cannot depend on itself")
        self._active.append(logical)
        try:
            return work()
        finally:
            self._active.pop()

    def attribute(self, logical: str, attribute: str | None) -> Any:
        """A resource's ``Ref`` value (``attribute`` ``None``) or attribute, where it can be known offline."""
        resource = self.resources[logical]
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if not isinstance(kind, str):
            raise self.error("a resource needs a `Type`", ("Resources", logical))
        if kind in _CUSTOM or kind.startswith("Custom::"):
            raise Unresolvable(f"{logical} is a custom resource: its values are known only after it runs")
        known = _ATTRIBUTES.get(kind, {})
        builder = known.get(attribute)
        if builder is None:
            what = "Ref" if attribute is None else attribute
            raise Unresolvable(f"the {what} of {logical} ({kind}) is known only after deployment")
        return builder(self, logical)

    def name(self, logical: str, prop: str) -> str:
        """A resource's physical name from its ``prop``; CloudFormation generates it when absent."""
        properties = self.properties(logical)
        if prop not in properties:
            raise Unresolvable(f"{logical} has no {prop}: CloudFormation generates the name at deployment")
        return self.text(properties[prop], ("Resources", logical, "Properties", prop))

    def properties(self, logical: str) -> dict[str, Any]:
        found = self.resources[logical].get("Properties") or {}
        if not isinstance(found, dict):
            raise self.error("`Properties` must be a mapping", ("Resources", logical, "Properties"))
        return found

    def iam_arn(self, logical: str, kind: str, prop: str) -> str:
        path = "/"
        if "Path" in self.properties(logical):
            path = self.text(self.properties(logical)["Path"], ("Resources", logical, "Properties", "Path"))
        return f"arn:{self.partition}:iam::{self.account}:{kind}{path}{self.name(logical, prop)}"

    def regional_arn(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def _pseudo(self, name: str) -> Any:
        values: dict[str, Any] = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": self.regional_arn(
                "cloudformation", f"stack/{self.stack_name}/00000000-0000-0000-0000-000000000000"
            ),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        return values.get(name)

    def declares(self, name: str) -> bool:
        """Does the template declare the parameter ``name``?"""
        declared = self.data.get("Parameters")
        return isinstance(declared, dict) and name in declared

    def _check_parameters(self) -> None:
        """A given value outside a parameter's AllowedValues is refused, as CloudFormation refuses it: a typo
        (``Env=prdo``) would otherwise read the template as no deployment of it ever is."""
        declared = self.data.get("Parameters")
        for name, value in self.parameters.items():
            declaration = declared.get(name) if isinstance(declared, dict) else None
            allowed = declaration.get("AllowedValues") if isinstance(declaration, dict) else None
            if isinstance(allowed, list) and value not in [str(plain(item)) for item in allowed]:
                raise self.error(
                    f"the parameter {name} is {value!r}, which is not one of its AllowedValues",
                    ("Parameters", name, "AllowedValues"),
                    hint=f"give one of: {', '.join(str(plain(item)) for item in allowed)}",
                )

    def _parameter(self, name: str, declaration: Any) -> Any:
        if name in self.parameters:
            value: Any = self.parameters[name]
        elif isinstance(declaration, dict) and "Default" in declaration:
            value = plain(declaration["Default"])
        else:
            raise Unresolvable(f"the parameter {name} has no value: give it (--parameter {name}=VALUE)")
        kind = declaration.get("Type", "String") if isinstance(declaration, dict) else "String"
        if (
            isinstance(kind, str)
            and (kind == "CommaDelimitedList" or kind.startswith("List<"))
            and isinstance(value, str)
        ):
            return [item.strip() for item in value.split(",")]
        return value if not isinstance(value, (int, float)) or isinstance(value, bool) else str(value)

    # -- conditions -----------------------------------------------------------------------------------
    def condition(self, name: Any, where: tuple[PathPart, ...]) -> bool:
        if not isinstance(name, str) or name not in (self.data.get("Conditions") or {}):
            raise self.error(f"the condition {name!r} is not defined in `Conditions`", where)
        found = self._conditions.get(name)
        if found is None:
            key = f"Conditions.{name}"
            try:
                found = bool(
                    self._entered(key, where, lambda: self._truth(self.data["Conditions"][name], ("Conditions", name)))
                )
            except Unresolvable as exc:
                found = exc
            self._conditions[name] = found
        if isinstance(found, Unresolvable):
            raise Unresolvable(f"the condition {name} depends on what is not known offline: {found.why}")
        return found

    def _truth(self, value: Any, where: tuple[PathPart, ...]) -> bool:
        if isinstance(value, dict) and len(value) == 1:
            ((name, argument),) = value.items()
            at = (*where, name)
            if name == "Condition":
                return self.condition(argument, at)
            if name in ("Fn::And", "Fn::Or") and isinstance(argument, list):
                results = [self._truth(item, (*at, i)) for i, item in enumerate(argument)]
                return all(results) if name == "Fn::And" else any(results)
            if name == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
                return not self._truth(argument[0], (*at, 0))
            if name == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
                left, right = (self.resolve(item, (*at, i)) for i, item in enumerate(argument))
                return bool(_comparable(left) == _comparable(right))
        resolved = self.resolve(value, where)
        if isinstance(resolved, bool):
            return resolved
        raise self.error("a condition is Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition", where)


def _comparable(value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else str(value) if isinstance(value, (int, float)) else value


def _sub(template: Template, argument: Any, where: tuple[PathPart, ...]) -> str:
    variables: dict[str, Any] = {}
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        text, names = argument
        variables = {name: template.resolve(value, (*where, 1, name)) for name, value in names.items()}
    else:
        text = argument
    if not isinstance(text, str):
        raise template.error("Fn::Sub takes a string, or [string, {variables}]", where)

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner.startswith("!"):
            return "${" + inner[1:] + "}"
        name = inner.strip()
        if name in variables:
            value = variables[name]
        elif "." in name and not name.startswith("AWS::") and name.split(".", 1)[0] in template.resources:
            value = template.get_att(name.split(".", 1), where)
        else:
            value = template.ref(name, where)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise template.error(f"${{{name}}} in Fn::Sub is not a string", where)
        return str(value)

    return _SUB.sub(replace, text)


def _join(template: Template, argument: Any, where: tuple[PathPart, ...]) -> str:
    if not (isinstance(argument, list) and len(argument) == 2):
        raise template.error("Fn::Join takes [delimiter, [values]]", where)
    delimiter = template.text(argument[0], (*where, 0))
    values = template.resolve(argument[1], (*where, 1))
    if not isinstance(values, list):
        raise template.error("Fn::Join's second element must be a list", (*where, 1))
    return delimiter.join(str(plain(v)).lower() if isinstance(v, bool) else str(v) for v in values)


def _select(template: Template, argument: Any, where: tuple[PathPart, ...]) -> Any:
    if not (isinstance(argument, list) and len(argument) == 2):
        raise template.error("Fn::Select takes [index, [values]]", where)
    index = template.resolve(argument[0], (*where, 0))
    values = template.resolve(argument[1], (*where, 1))
    try:
        return values[int(index)]
    except (ValueError, TypeError, IndexError):
        raise template.error(f"Fn::Select index {index!r} is not in the list", where) from None


def _split(template: Template, argument: Any, where: tuple[PathPart, ...]) -> list[str]:
    if not (isinstance(argument, list) and len(argument) == 2):
        raise template.error("Fn::Split takes [delimiter, string]", where)
    return template.text(argument[1], (*where, 1)).split(template.text(argument[0], (*where, 0)))


def _if(template: Template, argument: Any, where: tuple[PathPart, ...]) -> Any:
    if not (isinstance(argument, list) and len(argument) == 3):
        raise template.error("Fn::If takes [condition, value if true, value if false]", where)
    chosen = 1 if template.condition(argument[0], (*where, 0)) else 2
    return template.resolve(argument[chosen], (*where, chosen))


def _find_in_map(template: Template, argument: Any, where: tuple[PathPart, ...]) -> Any:
    if not (isinstance(argument, list) and len(argument) in (3, 4)):
        raise template.error("Fn::FindInMap takes [map, top-level key, second-level key]", where)
    names = [template.text(item, (*where, i)) for i, item in enumerate(argument[:3])]
    mappings = template.data.get("Mappings") or {}
    try:
        return template.resolve(mappings[names[0]][names[1]][names[2]], ("Mappings", *names))
    except (KeyError, TypeError):
        if len(argument) == 4 and isinstance(argument[3], dict) and "DefaultValue" in argument[3]:
            return template.resolve(argument[3]["DefaultValue"], (*where, 3, "DefaultValue"))
        raise template.error(f"Fn::FindInMap: {format_path(names)} is not in `Mappings`", where) from None


def _import_value(template: Template, argument: Any, where: tuple[PathPart, ...]) -> Any:
    del template, argument, where
    raise Unresolvable("Fn::ImportValue reads another stack's export, known only in the deployed account")


def _base64(template: Template, argument: Any, where: tuple[PathPart, ...]) -> str:
    return base64.b64encode(template.text(argument, where).encode()).decode()


def _get_azs(template: Template, argument: Any, where: tuple[PathPart, ...]) -> Any:
    del template, argument, where
    raise Unresolvable("Fn::GetAZs depends on the account's Availability Zones")


def _to_json_string(template: Template, argument: Any, where: tuple[PathPart, ...]) -> str:
    return json.dumps(template.resolve(argument, where), separators=(",", ":"))


def _length(template: Template, argument: Any, where: tuple[PathPart, ...]) -> int:
    values = template.resolve(argument, where)
    if not isinstance(values, list):
        raise template.error("Fn::Length takes a list", where)
    return len(values)


_FUNCTIONS: dict[str, Callable[[Template, Any, tuple[PathPart, ...]], Any]] = {
    "Ref": Template.ref,
    "Fn::GetAtt": Template.get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::ImportValue": _import_value,
    "Fn::Base64": _base64,
    "Fn::GetAZs": _get_azs,
    "Fn::ToJsonString": _to_json_string,
    "Fn::Length": _length,
}

Builder = Callable[[Template, str], Any]


def _queue_name(t: Template, logical: str) -> str:
    return t.name(logical, "QueueName")


# Each type's "Return values" (Ref, Fn::GetAtt) that can be known offline; None is the Ref value.
_ATTRIBUTES: dict[str, dict[str | None, Builder]] = {
    "AWS::IAM::Role": {
        None: lambda t, r: t.name(r, "RoleName"),
        "Arn": lambda t, r: t.iam_arn(r, "role", "RoleName"),
    },
    "AWS::IAM::User": {
        None: lambda t, r: t.name(r, "UserName"),
        "Arn": lambda t, r: t.iam_arn(r, "user", "UserName"),
    },
    "AWS::IAM::Group": {
        None: lambda t, r: t.name(r, "GroupName"),
        "Arn": lambda t, r: t.iam_arn(r, "group", "GroupName"),
    },
    "AWS::IAM::ManagedPolicy": {
        None: lambda t, r: t.iam_arn(r, "policy", "ManagedPolicyName"),
        "PolicyArn": lambda t, r: t.iam_arn(r, "policy", "ManagedPolicyName"),
    },
    "AWS::S3::Bucket": {
        None: lambda t, r: t.name(r, "BucketName"),
        "Arn": lambda t, r: f"arn:{t.partition}:s3:::{t.name(r, 'BucketName')}",
    },
    "AWS::SQS::Queue": {
        None: lambda t, r: f"https://sqs.{t.region}.{t.url_suffix}/{t.account}/{_queue_name(t, r)}",
        "Arn": lambda t, r: t.regional_arn("sqs", _queue_name(t, r)),
        "QueueName": _queue_name,
        "QueueUrl": lambda t, r: f"https://sqs.{t.region}.{t.url_suffix}/{t.account}/{_queue_name(t, r)}",
    },
    "AWS::SNS::Topic": {
        None: lambda t, r: t.regional_arn("sns", t.name(r, "TopicName")),
        "TopicArn": lambda t, r: t.regional_arn("sns", t.name(r, "TopicName")),
        "TopicName": lambda t, r: t.name(r, "TopicName"),
    },
    "AWS::Lambda::Function": {
        None: lambda t, r: t.name(r, "FunctionName"),
        "Arn": lambda t, r: t.regional_arn("lambda", f"function:{t.name(r, 'FunctionName')}"),
    },
    "AWS::ECR::Repository": {
        None: lambda t, r: t.name(r, "RepositoryName"),
        "Arn": lambda t, r: t.regional_arn("ecr", f"repository/{t.name(r, 'RepositoryName')}"),
    },
    # The resources policies most often name besides (each type's "Return values" in the CloudFormation
    # template reference). A stream's ARN (a DynamoDB table's StreamArn) carries a time of creation: unknown.
    "AWS::DynamoDB::Table": {
        None: lambda t, r: t.name(r, "TableName"),
        "Arn": lambda t, r: t.regional_arn("dynamodb", f"table/{t.name(r, 'TableName')}"),
    },
    "AWS::Kinesis::Stream": {
        None: lambda t, r: t.name(r, "Name"),
        "Arn": lambda t, r: t.regional_arn("kinesis", f"stream/{t.name(r, 'Name')}"),
    },
    "AWS::Logs::LogGroup": {
        None: lambda t, r: t.name(r, "LogGroupName"),
        "Arn": lambda t, r: t.regional_arn("logs", f"log-group:{t.name(r, 'LogGroupName')}:*"),
    },
    "AWS::SSM::Parameter": {None: lambda t, r: t.name(r, "Name")},
    "AWS::StepFunctions::StateMachine": {
        None: lambda t, r: t.regional_arn("states", f"stateMachine:{t.name(r, 'StateMachineName')}"),
        "Arn": lambda t, r: t.regional_arn("states", f"stateMachine:{t.name(r, 'StateMachineName')}"),
        "Name": lambda t, r: t.name(r, "StateMachineName"),
    },
    "AWS::CodeBuild::Project": {
        None: lambda t, r: t.name(r, "Name"),
        "Arn": lambda t, r: t.regional_arn("codebuild", f"project/{t.name(r, 'Name')}"),
    },
}
