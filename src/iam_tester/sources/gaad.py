"""``gaad:`` — an account snapshot: the output of ``aws iam get-account-authorization-details``.

The format is the IAM API's GetAccountAuthorizationDetails response (IAM API Reference,
"GetAccountAuthorizationDetails", with its RoleDetail, UserDetail, GroupDetail and ManagedPolicyDetail
types):

- ``RoleDetailList``, ``UserDetailList``, ``GroupDetailList`` and ``Policies``; a user's ``GroupList`` names
  its groups, whose inline and managed policies reach the user ("A user's identity policies include its
  groups'");
- policy documents are JSON objects as the AWS CLI prints them, or, in the raw API's responses, URL-encoded
  JSON text ("The policy document returned in this structure is URL-encoded compliant with RFC 3986");
- a managed policy's document is its default version: the entry of ``PolicyVersionList`` with
  ``IsDefaultVersion`` (or whose ``VersionId`` is ``DefaultVersionId``);
- the response is paginated (``IsTruncated``, ``Marker``): the file holds one response (what the AWS CLI
  prints after fetching every page) or a list of responses, one per page; a snapshot whose last page says
  ``IsTruncated`` is missing pages, which is an unknown, never silently ignored.

The snapshot holds AWS managed policies only when it was taken with them (no ``--filter``, or
``--filter AWSManagedPolicy``); an attachment to one it does not hold stays unknown, by name, unless another
source or a live read supplies it (:mod:`.build`).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from ..policy.jsontext import JsonTextError, load_json
from ..policy.model import PolicyKind
from ..policy.sourcemap import NoSourceMap, PathPart, SourceMap
from .build import DraftPrincipal, ManagedRef, SourceDraft, is_aws_managed
from .files import read_json_file, source_error
from .inventory import Origin, SourcePolicy, Unknown
from .spec import SourceSpec

__all__ = ["read_gaad", "snapshot_draft"]

_LISTS = ("RoleDetailList", "UserDetailList", "GroupDetailList", "Policies")
SNAPSHOT_ID = "get-account-authorization-details"


def read_gaad(spec: SourceSpec) -> SourceDraft:
    """Read a snapshot file."""
    data, source_map = read_json_file(spec.file, spec.display, "account snapshot")
    return snapshot_draft(data, str(spec), spec.display, source_map)


def snapshot_draft(data: Any, source: str, display: str, source_map: SourceMap | None = None) -> SourceDraft:
    """The draft of snapshot ``data``: one response or a list of pages (also what ``aws:`` reads live)."""
    return _Snapshot(source, display, source_map or NoSourceMap()).read(data)


class _Snapshot:
    def __init__(self, source: str, display: str, source_map: SourceMap) -> None:
        self.source = source
        self.display = display
        self.source_map = source_map
        self.policies: list[SourcePolicy] = []

    def error(self, message: str, parts: Sequence[PathPart], hint: str | None = None) -> Exception:
        return source_error(message, self.display, self.source_map, tuple(parts), hint)

    # -- the pages ------------------------------------------------------------------------------------
    def read(self, data: Any) -> SourceDraft:
        pages: list[tuple[tuple[PathPart, ...], Mapping[str, Any]]]
        if isinstance(data, list):
            if not data:
                raise self.error("the snapshot is an empty list of pages", ())
            pages = [((i,), self.page(page, (i,))) for i, page in enumerate(data)]
        else:
            pages = [((), self.page(data, ()))]
        entries: dict[str, list[tuple[tuple[PathPart, ...], Mapping[str, Any]]]] = {name: [] for name in _LISTS}
        for prefix, page in pages:
            for name in _LISTS:
                items = page.get(name, [])
                if not isinstance(items, list):
                    raise self.error(f"`{name}` must be a list", (*prefix, name))
                for index, item in enumerate(items):
                    where = (*prefix, name, index)
                    if not isinstance(item, dict):
                        raise self.error(f"an entry of `{name}` must be an object", where)
                    entries[name].append((where, item))
        unplaced: list[Unknown] = []
        _, last = pages[-1]
        if last.get("IsTruncated") is True:
            unplaced.append(
                Unknown(
                    SNAPSHOT_ID,
                    "IsTruncated",
                    f"the last page says more follow (Marker {str(last.get('Marker', ''))[:20]!r}...): "
                    "the pages after it are missing from the snapshot",
                    self.source,
                )
            )
        by_arn, unknown_managed = self.managed(entries["Policies"])
        groups = {self.text(item, "GroupName", where): (where, item) for where, item in entries["GroupDetailList"]}
        group_parts = {name: self.group(where, item) for name, (where, item) in groups.items()}
        principals = [self.role(where, item) for where, item in entries["RoleDetailList"]]
        principals += [self.user(where, item, group_parts) for where, item in entries["UserDetailList"]]
        return SourceDraft(
            source=self.source,
            principals=tuple(principals),
            managed_by_arn=by_arn,
            managed_unknown=unknown_managed,
            unplaced=tuple(unplaced),
            policies=tuple(self.policies),
        )

    def page(self, page: Any, where: tuple[PathPart, ...]) -> Mapping[str, Any]:
        if not isinstance(page, dict) or not any(name in page for name in _LISTS):
            raise self.error(
                "this is not get-account-authorization-details output: expected an object with " + ", ".join(_LISTS),
                where,
                hint="make it with `aws iam get-account-authorization-details > account.json`",
            )
        return page

    # -- entries --------------------------------------------------------------------------------------
    def role(self, where: tuple[PathPart, ...], item: Mapping[str, Any]) -> DraftPrincipal:
        arn = self.text(item, "Arn", where)
        name = self.text(item, "RoleName", where)
        inline = self.inline(item, "RolePolicyList", where, arn, PolicyKind.IDENTITY)
        trust = None
        if item.get("AssumeRolePolicyDocument") is not None:
            trust = self.document(
                item["AssumeRolePolicyDocument"],
                name=name,
                kind=PolicyKind.TRUST,
                where=where,
                holder=arn,
                key="AssumeRolePolicyDocument",
            )
        return DraftPrincipal(
            id=arn,
            arn=arn,
            type="role",
            inline=inline,
            managed=self.attached(item, where, arn),
            boundary=self.boundary(item, where, arn),
            trust=trust,
        )

    def user(
        self,
        where: tuple[PathPart, ...],
        item: Mapping[str, Any],
        groups: Mapping[str, tuple[tuple[SourcePolicy, ...], tuple[ManagedRef, ...]]],
    ) -> DraftPrincipal:
        arn = self.text(item, "Arn", where)
        inline = list(self.inline(item, "UserPolicyList", where, arn, PolicyKind.USER))
        managed = list(self.attached(item, where, arn))
        unknown = []
        names = item.get("GroupList", [])
        if not isinstance(names, list):
            raise self.error("`GroupList` must be a list of group names", (*where, "GroupList"))
        for index, name in enumerate(names):
            if not isinstance(name, str):
                raise self.error("a group name must be a string", (*where, "GroupList", index))
            group = groups.get(name)
            if group is None:
                why = f"the user is in the group {name}, which is not in the snapshot"
                unknown.append(Unknown(arn, f"GroupList[{index}]", why, self.source))
                continue
            inline.extend(group[0])
            managed.extend(group[1])
        return DraftPrincipal(
            id=arn,
            arn=arn,
            type="user",
            inline=tuple(inline),
            managed=tuple(managed),
            boundary=self.boundary(item, where, arn),
            unknown=tuple(unknown),
        )

    def group(
        self, where: tuple[PathPart, ...], item: Mapping[str, Any]
    ) -> tuple[tuple[SourcePolicy, ...], tuple[ManagedRef, ...]]:
        arn = self.text(item, "Arn", where)
        return self.inline(item, "GroupPolicyList", where, arn, PolicyKind.GROUP), self.attached(item, where, arn)

    def managed(
        self, entries: list[tuple[tuple[PathPart, ...], Mapping[str, Any]]]
    ) -> tuple[dict[str, SourcePolicy], dict[str, Unknown]]:
        by_arn: dict[str, SourcePolicy] = {}
        unknown: dict[str, Unknown] = {}
        for where, item in entries:
            arn = self.text(item, "Arn", where)
            # The name is the ARN's last part; some producers (moto among them) leave PolicyName out.
            given = item.get("PolicyName")
            name = given if isinstance(given, str) and given else arn.rsplit("/", 1)[-1]
            versions = item.get("PolicyVersionList", [])
            if not isinstance(versions, list):
                raise self.error("`PolicyVersionList` must be a list", (*where, "PolicyVersionList"))
            default_id = item.get("DefaultVersionId")
            chosen = None
            for index, version in enumerate(versions):
                if not isinstance(version, dict):
                    raise self.error("a policy version must be an object", (*where, "PolicyVersionList", index))
                if version.get("IsDefaultVersion") is True or (
                    default_id is not None and version.get("VersionId") == default_id
                ):
                    chosen = index, version
                    break
            if chosen is None or "Document" not in chosen[1]:
                unknown[arn] = Unknown(
                    arn, "PolicyVersionList", "the snapshot does not hold the default version's document", self.source
                )
                continue
            index, version = chosen
            attribute = f"PolicyVersionList[{index}].Document"
            policy = self.document(
                version["Document"],
                name=name,
                kind=PolicyKind.MANAGED,
                where=(*where, "PolicyVersionList", index),
                holder=arn,
                key="Document",
                attribute=attribute,
                arn=arn,
                record=not is_aws_managed(arn),
            )
            by_arn[arn] = policy
        return by_arn, unknown

    # -- parts ----------------------------------------------------------------------------------------
    def inline(
        self, item: Mapping[str, Any], key: str, where: tuple[PathPart, ...], holder: str, kind: PolicyKind
    ) -> tuple[SourcePolicy, ...]:
        entries = item.get(key, [])
        if not isinstance(entries, list):
            raise self.error(f"`{key}` must be a list", (*where, key))
        policies = []
        for index, entry in enumerate(entries):
            at = (*where, key, index)
            if not isinstance(entry, dict):
                raise self.error("an inline policy must be an object with PolicyName and PolicyDocument", at)
            name = self.text(entry, "PolicyName", at)
            if "PolicyDocument" not in entry:
                raise self.error("the inline policy has no `PolicyDocument`", at)
            policies.append(
                self.document(
                    entry["PolicyDocument"],
                    name=name,
                    kind=kind,
                    where=at,
                    holder=holder,
                    key="PolicyDocument",
                    attribute=f"{key}[{index}].PolicyDocument",
                )
            )
        return tuple(policies)

    def attached(self, item: Mapping[str, Any], where: tuple[PathPart, ...], holder: str) -> tuple[ManagedRef, ...]:
        entries = item.get("AttachedManagedPolicies", [])
        if not isinstance(entries, list):
            raise self.error("`AttachedManagedPolicies` must be a list", (*where, "AttachedManagedPolicies"))
        refs = []
        for index, entry in enumerate(entries):
            at = (*where, "AttachedManagedPolicies", index)
            if not isinstance(entry, dict):
                raise self.error("an attached policy must be an object with PolicyName and PolicyArn", at)
            refs.append(ManagedRef(holder, f"AttachedManagedPolicies[{index}]", arn=self.text(entry, "PolicyArn", at)))
        return tuple(refs)

    def boundary(self, item: Mapping[str, Any], where: tuple[PathPart, ...], holder: str) -> ManagedRef | None:
        entry = item.get("PermissionsBoundary")
        if entry is None:
            return None
        at = (*where, "PermissionsBoundary")
        if not isinstance(entry, dict):
            raise self.error("`PermissionsBoundary` must be an object with PermissionsBoundaryArn", at)
        return ManagedRef(holder, "PermissionsBoundary", arn=self.text(entry, "PermissionsBoundaryArn", at))

    def document(
        self,
        raw: Any,
        *,
        name: str,
        kind: PolicyKind,
        where: tuple[PathPart, ...],
        holder: str,
        key: str,
        attribute: str | None = None,
        arn: str | None = None,
        record: bool = True,
    ) -> SourcePolicy:
        at = (*where, key)
        embedded = isinstance(raw, str)
        document = self.decoded(raw, at) if embedded else raw
        if not isinstance(document, dict):
            raise self.error("a policy document must be a JSON object (or URL-encoded JSON text)", at)
        origin = Origin(self.source, self.display, holder, attribute or key, at, embedded, self.source_map)
        policy = SourcePolicy(name=name, kind=kind, document=document, origin=origin, arn=arn)
        if record:
            self.policies.append(policy)
        return policy

    def decoded(self, text: str, at: tuple[PathPart, ...]) -> Any:
        """A document given as text: JSON, or (the raw API) URL-encoded JSON."""
        stripped = text.strip()
        candidate = stripped if stripped.startswith("{") else urllib.parse.unquote(stripped)
        try:
            return load_json(candidate)
        except (JsonTextError, json.JSONDecodeError) as exc:
            raise self.error(f"the policy document is neither a JSON object nor URL-encoded JSON: {exc}", at) from None

    def text(self, item: Mapping[str, Any], key: str, where: tuple[PathPart, ...]) -> str:
        value = item.get(key)
        if not isinstance(value, str) or not value:
            missing = "has no" if value is None else "has a malformed"
            raise self.error(f"the entry {missing} `{key}` (a non-empty string)", (*where, key) if value else where)
        return value
