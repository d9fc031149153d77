"""``cfn:`` — CloudFormation templates (JSON or YAML, short-form tags included), CDK or SAM output after
transformation, or a CDK ``cdk.out`` directory (every ``*.template.json`` in it).

Templates are decoded by :mod:`.decode` (YAML short forms included), their intrinsic functions resolved offline
(:mod:`.intrinsics`) with the options: the account (default ``123456789012``, the account the CloudFormation
documentation uses), the region (default ``us-east-1``; the partition follows it), parameter values (default:
each parameter's ``Default``) and the stack name (the file's name). The resources are read by :mod:`.reader`.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import Location, SourceError
from ...policy.textfile import display_path
from ..build import SourceDraft
from ..files import read_source_text
from ..spec import SourceSpec
from .decode import decode_template
from .intrinsics import Template
from .reader import read_template

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_REGION", "read_cfn"]

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


def read_cfn(spec: SourceSpec) -> list[SourceDraft]:
    """One draft per template: the file, or each template of a cdk.out directory."""
    path = spec.file
    if path.is_dir():
        templates = sorted(path.rglob("*.template.json"))
        if not templates:
            raise SourceError(
                "the directory holds no *.template.json: is it a CDK cloud assembly (cdk.out)?",
                location=Location(spec.display),
                hint="run `cdk synth` first, or name a template file",
            )
        read = [_read(spec, template) for template in templates]
    else:
        read = [_read(spec, path)]
    for name in spec.parameters:
        if not any(template.declares(name) for template, _ in read):
            raise SourceError(
                f"a value is given for the parameter {name}, which no template declares",
                location=Location(spec.display),
                hint="check its name (in --parameter or a suite's `parameters:`) against the template's "
                "`Parameters`; names are case-sensitive",
            )
    return [draft for _, draft in read]


def _read(spec: SourceSpec, path: Path) -> tuple[Template, SourceDraft]:
    display = display_path(path)
    text = read_source_text(path, display, "CloudFormation template")
    data, source_map = decode_template(text, display)
    stack = path.name.split(".", 1)[0] or "stack"
    template = Template(
        data,
        display=display,
        source_map=source_map,
        account=spec.account or DEFAULT_ACCOUNT,
        region=spec.region or DEFAULT_REGION,
        partition=spec.partition,
        stack_name=stack,
        parameters=spec.parameters,
    )
    source = str(spec) if path == spec.file else f"cfn:{display}"
    return template, read_template(template, source)
