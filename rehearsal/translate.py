"""A recorded Pulumi run (`preflight.run()`, simulated `up`) as a Terraform JSON configuration.

Driven by the AWS provider's own schema: the type token names the Terraform type as pulumi-aws
names its resources (`aws:ecs/taskDefinition:TaskDefinition` is `aws_ecs_task_definition`), each
camelCase input is the schema's snake_case attribute or block, with the bridge's two shapes undone
(a list block's plural name, `defaultActions` for `default_action`; a block of at most one item
flattened to an object). An input that held another resource's output becomes a Terraform
reference, found through the run's recorded property dependencies and the output values of those
resources, also inside JSON strings (container definitions, policy documents). Anything with no
counterpart in the schema is an error, except the inputs of `gaps.NEWER_THAN_PROVIDER`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from preflight import UNKNOWN, Resource, RunResult

from .errors import TranslationError
from .gaps import NEWER_THAN_PROVIDER, OVERRIDES

# Type tokens whose Terraform type does not follow `aws_<module>_<name>` or `aws_<name>`.
TYPE_EXCEPTIONS: dict[str, str] = {
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:alb/loadBalancer:LoadBalancer": "aws_alb",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "aws_service_discovery_http_namespace",
}
# Inputs pulumi-aws renames: (Terraform type, Pulumi key) -> the provider's attribute.
FIELD_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("aws_cloudwatch_metric_alarm", "name"): "alarm_name",
    ("aws_sns_topic_subscription", "topic"): "topic_arn",
}
# Outputs worth a reference besides those only AWS knows: what identifies a resource.
_IDENTIFYING = re.compile(r"(^|[a-z])(id|Id|arn|Arn|name|Name|url|Url|arnSuffix|dnsName)$")
# Among outputs of equal value, the one a reader expects (an IAM role's id is its name too).
_PREFERENCE = {"arn": 0, "name": 1, "id": 9}
# A list index in an input's path: `loadBalancers[0]`.
_INDEX = re.compile(r"\[\d+\]")
_BOUNDARY_BEFORE = r"(?<![A-Za-z0-9])"
_BOUNDARY_AFTER = r"(?![A-Za-z0-9])"
_MIN_REFERENCE_LENGTH = 4
# The resource a reference names: `aws_lb.alb` in `aws_lb.alb.arn` or in an expression over it.
_ADDRESS = re.compile(r"aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*")


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


@dataclass
class Translated:
    resource: Resource
    tf_type: str
    address_name: str
    body: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.tf_type}.{self.address_name}"


@dataclass
class NotRehearsed:
    urn: str
    type: str
    reason: str
    stand_ins: dict[str, Any] = field(default_factory=dict)
    """Its outputs as the preflight made them up, used as literal values where the program uses them."""


@dataclass
class Translation:
    resources: list[Translated]
    not_rehearsed: list[NotRehearsed]
    left_out: list[str]
    """`address.attribute` of every input left out because provider 5.100 does not have it."""
    providers: dict[str, Any]

    def by_address(self) -> dict[str, Translated]:
        return {t.address: t for t in self.resources}

    def document(self, provider_settings: dict[str, Any], terraform_block: dict[str, Any]) -> dict[str, Any]:
        resources: dict[str, dict[str, Any]] = {}
        for item in self.resources:
            resources.setdefault(item.tf_type, {})[item.address_name] = item.body
        providers = []
        for alias, settings in self.providers.items():
            merged = {**settings, **provider_settings}
            if alias:
                merged["alias"] = alias
            providers.append(merged)
        return {"terraform": terraform_block, "provider": {"aws": providers}, "resource": resources}


class Schema:
    def __init__(self, document: dict[str, Any]) -> None:
        self.resources: dict[str, Any] = document["resource_schemas"]
        self.provider: dict[str, Any] = document["provider"]["block"]

    def tf_type(self, token: str) -> str:
        if token in TYPE_EXCEPTIONS:
            return TYPE_EXCEPTIONS[token]
        try:
            package, path, _ = token.split(":")
            module, name = path.split("/")
        except ValueError:
            raise TranslationError(f"{token}: not a pulumi-aws type token (aws:<module>/<name>:<Name>)") from None
        for candidate in (f"{package}_{module}_{snake(name)}", f"{package}_{snake(name)}"):
            if candidate in self.resources:
                return candidate
        raise TranslationError(
            f"{token}: provider 5.100 has no resource aws_{module}_{snake(name)} or aws_{snake(name)}; "
            "add it to rehearsal.translate.TYPE_EXCEPTIONS if its Terraform name differs"
        )

    def block(self, tf_type: str) -> dict[str, Any]:
        return self.resources[tf_type]["block"]


def _block_key(key: str, block: dict[str, Any], tf_type: str = "") -> tuple[str, str]:
    """The schema's name for a Pulumi input key: ('attribute'|'block', name), or ('', '')."""
    attributes, blocks = block.get("attributes", {}), block.get("block_types", {})
    exact = FIELD_EXCEPTIONS.get((tf_type, key)) or snake(key)
    if exact in attributes:
        return "attribute", exact
    if exact in blocks:
        return "block", exact
    # The bridge pluralises list blocks: default_action -> defaultActions, policy -> policies.
    singulars = []
    if exact.endswith("ies"):
        singulars.append(exact[:-3] + "y")
    if exact.endswith("es"):
        singulars.append(exact[:-2])
    if exact.endswith("s"):
        singulars.append(exact[:-1])
    for singular in singulars:
        if singular in blocks:
            return "block", singular
        if singular in attributes and _is_collection(attributes[singular]):
            return "attribute", singular
    return "", ""


def _is_collection(attribute: dict[str, Any]) -> bool:
    kind = attribute.get("type")
    nested = attribute.get("nested_type", {})
    return (isinstance(kind, list) and kind[0] in ("list", "set")) or nested.get("nesting_mode") in ("list", "set")


class _Context:
    def __init__(self, where: str, references: _References, left_out: list[str], tf_type: str = "") -> None:
        self.where = where
        self.references = references
        self.left_out = left_out
        self.tf_type = tf_type

    def newer_than_provider(self, key: str, here: str, top: bool) -> bool:
        """Whether the input at `here` is one provider 5.100 lacks (`gaps.NEWER_THAN_PROVIDER`)."""
        return (top and key in NEWER_THAN_PROVIDER) or f"{self.tf_type}.{_INDEX.sub('', here)}" in NEWER_THAN_PROVIDER


def _convert_block(
    value: Any, block: dict[str, Any], path: str, ctx: _Context, top: bool = False, tf_type: str = ""
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TranslationError(f"{ctx.where}: {path or 'inputs'} is {value!r}, the provider wants an object")
    converted: dict[str, Any] = {}
    for key, inner in value.items():
        here = f"{path}.{key}" if path else key
        if inner is None:
            continue
        kind, name = _block_key(key, block, tf_type if top else "")
        if not kind:
            if ctx.newer_than_provider(key, here, top):
                ctx.left_out.append(f"{ctx.where}.{here}")
                continue
            raise TranslationError(
                f"{ctx.where}: input {here!r} has no counterpart in provider 5.100's schema "
                f"(attributes: {', '.join(sorted(block.get('attributes', {})))}; "
                f"blocks: {', '.join(sorted(block.get('block_types', {}))) or 'none'})"
            )
        if kind == "attribute":
            spec = block["attributes"][name]
            if "nested_type" in spec:
                converted[name] = _convert_nested(inner, spec["nested_type"], here, ctx)
            else:
                converted[name] = _convert_typed(inner, spec.get("type"), here, ctx)
        else:
            spec = block["block_types"][name]
            inner_block = spec["block"]
            if spec["nesting_mode"] in ("single", "group"):
                converted[name] = _convert_block(inner, inner_block, here, ctx)
            elif spec["nesting_mode"] == "map":
                converted[name] = {k: _convert_block(v, inner_block, f"{here}.{k}", ctx) for k, v in inner.items()}
            else:
                items = inner if isinstance(inner, list) else [inner]  # a flattened max-1 block
                converted[name] = [
                    _convert_block(item, inner_block, f"{here}[{i}]", ctx) for i, item in enumerate(items)
                ]
    return converted


def _convert_nested(value: Any, nested: dict[str, Any], path: str, ctx: _Context) -> Any:
    block = {"attributes": nested.get("attributes", {})}
    mode = nested.get("nesting_mode")
    if mode == "single":
        return _convert_block(value, block, path, ctx)
    if mode == "map":
        return {k: _convert_block(v, block, f"{path}.{k}", ctx) for k, v in value.items()}
    items = value if isinstance(value, list) else [value]
    return [_convert_block(item, block, f"{path}[{i}]", ctx) for i, item in enumerate(items)]


def _convert_typed(value: Any, kind: Any, path: str, ctx: _Context) -> Any:
    if value is UNKNOWN:
        raise TranslationError(f"{ctx.where}: {path} is unknown after a simulated up; nothing to rehearse with")
    if isinstance(kind, list):
        outer = kind[0]
        if outer in ("list", "set"):
            items = value if isinstance(value, list) else [value]
            return [_convert_typed(item, kind[1], f"{path}[{i}]", ctx) for i, item in enumerate(items)]
        if outer == "map":
            return {k: _convert_typed(v, kind[1], f"{path}.{k}", ctx) for k, v in value.items()}
        if outer == "object":
            block = {"attributes": {name: {"type": inner} for name, inner in kind[1].items()}}
            return _convert_block(value, block, path, ctx)
        if outer == "tuple":
            return [
                _convert_typed(item, inner, f"{path}[{i}]", ctx)
                for i, (item, inner) in enumerate(zip(value, kind[1], strict=False))
            ]
    if isinstance(value, str):
        return ctx.references.substitute(value)
    if isinstance(value, (dict, list)) and kind == "string":
        # A JSON document given as an object (pulumi-aws accepts both); Terraform wants the text.
        return ctx.references.substitute(json.dumps(value))
    return value


class _References:
    """The output values of the resources an input depended on, and the references that stand for them
    (each reference names its resource by address, `type.name`)."""

    def __init__(self, candidates: dict[str, tuple[tuple[int, int], str]]) -> None:
        self.candidates = candidates
        ordered = sorted(candidates, key=len, reverse=True)
        self.pattern = (
            re.compile(_BOUNDARY_BEFORE + "(" + "|".join(re.escape(v) for v in ordered) + ")" + _BOUNDARY_AFTER)
            if ordered
            else None
        )
        self.used: set[str] = set()

    def substitute(self, text: str) -> str:
        pieces, last = [], 0
        if self.pattern is not None:
            for match in self.pattern.finditer(text):
                pieces.append(_escape(text[last : match.start()]))
                reference = self.candidates[match.group(1)][1]
                pieces.append("${" + reference + "}")
                address = _ADDRESS.search(reference)
                if address is not None:
                    self.used.add(address.group(0))
                last = match.end()
        pieces.append(_escape(text[last:]))
        return "".join(pieces)


def _escape(literal: str) -> str:
    """Terraform reads `${` and `%{` in a string as templates; a literal one is doubled."""
    return literal.replace("${", "$${").replace("%{", "%%{")


def translate(result: RunResult, schema: Schema) -> Translation:
    if result.preview:
        raise TranslationError("the rehearsal needs a simulated up (preview=False): a preview leaves values unknown")
    run = _Run(result.resources, schema)
    left_out: list[str] = []
    translated = [_translate_resource(resource, run, left_out) for resource in run.rehearsed]
    _check_traced(translated, run.rehearsed)
    return Translation(translated, _not_rehearsed(result.resources), left_out, _providers(run))


def _is_rehearsed(resource: Resource) -> bool:
    """A pulumi-aws resource: the provider applies it."""
    return resource.custom and not resource.type.startswith("pulumi:") and resource.type.split(":", 1)[0] == "aws"


def _not_rehearsed(resources: list[Resource]) -> list[NotRehearsed]:
    not_rehearsed: list[NotRehearsed] = []
    for resource in resources:
        if resource.remote:
            not_rehearsed.append(
                NotRehearsed(
                    resource.urn,
                    resource.type,
                    "a multi-language component: its children are made by its own provider, which does not run offline",
                    {k: resource.outputs[k] for k in sorted(resource.simulated) if k in resource.outputs},
                )
            )
        elif resource.custom and not resource.type.startswith("pulumi:") and not _is_rehearsed(resource):
            not_rehearsed.append(NotRehearsed(resource.urn, resource.type, "not a pulumi-aws resource"))
    return not_rehearsed


class _Run:
    """The recorded run as the translation walks it: each resource by URN, the rehearsed ones with
    their Terraform addresses, and each component's children."""

    def __init__(self, resources: list[Resource], schema: Schema) -> None:
        self.schema = schema
        self.by_urn = {r.urn: r for r in resources}
        self.rehearsed = [r for r in resources if _is_rehearsed(r)]
        self.children: dict[str, list[str]] = {}
        for resource in resources:
            if resource.parent:
                self.children.setdefault(resource.parent, []).append(resource.urn)
        self.addresses = _addresses(self.rehearsed, schema)

    def address(self, urn: str) -> str:
        tf_type, name = self.addresses[urn]
        return f"{tf_type}.{name}"

    def expand(self, urns: Iterable[str], seen: Optional[set[str]] = None) -> set[str]:
        """Rehearsed resources behind dependencies: a component's custom descendants, and a
        resource that is not rehearsed stands for what it depended on."""
        seen = set() if seen is None else seen
        found: set[str] = set()
        for urn in urns:
            if urn in seen or urn not in self.by_urn:
                continue
            seen.add(urn)
            if urn in self.addresses:
                found.add(urn)
                continue
            resource = self.by_urn[urn]
            if resource.custom or resource.remote:
                found |= self.expand(resource.dependencies, seen)
                for deps in resource.property_dependencies.values():
                    found |= self.expand(deps, seen)
            if not resource.custom:
                found |= self.expand(self.children.get(urn, []), seen)
        return found

    def references(self, urns: set[str]) -> _References:
        """The output values of rehearsed resources an input may hold, each with the reference
        that stands for it; among equal values, the resource's own over another's copy."""
        found: dict[str, tuple[tuple[int, int], str]] = {}
        for urn in urns:
            for value, rank, reference in self._identifying_outputs(self.by_urn[urn]):
                if value not in found or rank < found[value][0]:
                    found[value] = (rank, reference)
        return _References(found)

    def _identifying_outputs(self, dependency: Resource) -> Iterable[tuple[str, tuple[int, int], str]]:
        tf_type, name = self.addresses[dependency.urn]
        attributes = self.schema.block(tf_type).get("attributes", {})
        for key, value in dependency.outputs.items():
            if key in dependency.simulated and _is_list_of_objects(value) and snake(key) in attributes:
                yield from _element_fields(value, f"{tf_type}.{name}.{snake(key)}")
                continue
            if not isinstance(value, str) or len(value) < _MIN_REFERENCE_LENGTH:
                continue
            if key not in dependency.simulated and not _IDENTIFYING.search(key):
                continue
            attribute = FIELD_EXCEPTIONS.get((tf_type, key)) or snake(key)
            if attribute not in attributes:
                continue
            # A resource's own id or ARN before another's copy of it (an association's subnet_id).
            echoed = key in dependency.inputs and key not in dependency.simulated
            yield value, (1 if echoed else 0, _PREFERENCE.get(attribute, 5)), f"{tf_type}.{name}.{attribute}"


def _is_list_of_objects(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _element_fields(elements: list[dict[str, Any]], attribute: str) -> Iterable[tuple[str, tuple[int, int], str]]:
    """The string fields of a computed list of objects (an ACM certificate's validation options), each
    as the expression that picks its element by its first field by name (a domain name): the
    order of such a set is AWS's, not the preflight's."""
    for element in elements:
        key, chosen = min(element.items())
        for field_name, value in element.items():
            if field_name == key or not isinstance(value, str) or len(value) < _MIN_REFERENCE_LENGTH:
                continue
            expression = (
                f"one([for o in {attribute} : o.{snake(field_name)} if o.{snake(key)} == {json.dumps(chosen)}])"
            )
            yield value, (0, 5), expression


def _addresses(resources: list[Resource], schema: Schema) -> dict[str, tuple[str, str]]:
    """Each resource's Terraform (type, name): its Pulumi name made a valid identifier, numbered
    when two of one type would share it."""
    addresses: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    for resource in resources:
        tf_type = schema.tf_type(resource.type)
        base = re.sub(r"[^A-Za-z0-9_-]", "_", resource.name)
        if not re.match(r"[A-Za-z_]", base):
            base = "r_" + base
        name, counter = base, 2
        while f"{tf_type}.{name}" in taken:
            name, counter = f"{base}_{counter}", counter + 1
        taken.add(f"{tf_type}.{name}")
        addresses[resource.urn] = (tf_type, name)
    return addresses


def _translate_resource(resource: Resource, run: _Run, left_out: list[str]) -> Translated:
    tf_type, name = run.addresses[resource.urn]
    where = f"{tf_type}.{name} ({resource.type} {resource.name!r})"
    block = run.schema.block(tf_type)
    body, referenced = _inputs(resource, run, block, where, left_out)
    for (override_type, attribute), (value, _gap) in OVERRIDES.items():
        if override_type == tf_type and attribute in body:
            body[attribute] = value
    depends = sorted(run.address(u) for u in run.expand(resource.dependencies) if u != resource.urn)
    depends = [d for d in depends if d not in referenced]
    if depends:
        body["depends_on"] = depends
    body["lifecycle"] = _lifecycle(resource, block, where)
    alias = _provider_alias(resource.provider, run.by_urn) if resource.provider else ""
    if alias:
        body["provider"] = "aws." + alias
    return Translated(resource, tf_type, name, body)


def _inputs(
    resource: Resource, run: _Run, block: dict[str, Any], where: str, left_out: list[str]
) -> tuple[dict[str, Any], set[str]]:
    """The resource's inputs in the provider's schema, each value that came from another
    resource's output a reference to it; and the addresses those references name."""
    tf_type = run.addresses[resource.urn][0]
    body: dict[str, Any] = {}
    referenced: set[str] = set()
    for key, value in resource.inputs.items():
        references = run.references(run.expand(resource.property_dependencies.get(key, [])))
        ctx = _Context(where, references, left_out, tf_type)
        body.update(_convert_block({key: value}, block, "", ctx, top=True, tf_type=tf_type))
        referenced |= references.used
    return body, referenced


def _lifecycle(resource: Resource, block: dict[str, Any], where: str) -> dict[str, Any]:
    lifecycle: dict[str, Any] = {}
    ignored = [_ignore_path(path, block, where) for path in resource.options.get("ignoreChanges", [])]
    if ignored:
        lifecycle["ignore_changes"] = ignored
    # Pulumi replaces by creating the new resource first unless told otherwise.
    if not resource.options.get("deleteBeforeReplace"):
        lifecycle["create_before_destroy"] = True
    return lifecycle


def _providers(run: _Run) -> dict[str, Any]:
    """The provider blocks: the default one, and one per explicit pulumi-aws provider by its alias."""
    providers = {}
    for resource in run.by_urn.values():
        if resource.type == "pulumi:providers:aws":
            providers[_provider_alias(resource.urn, run.by_urn)] = _provider_settings(resource, run.schema)
    if "" not in providers:
        providers[""] = {}
    return providers


def _ignore_path(path: str, block: dict[str, Any], where: str) -> str:
    head, _, rest = path.partition(".")
    kind, name = _block_key(head, block)
    if not kind or rest:
        raise TranslationError(f"{where}: ignoreChanges path {path!r} has no counterpart in provider 5.100's schema")
    return name


def _provider_alias(urn: str, by_urn: dict[str, Resource]) -> str:
    provider = by_urn.get(urn)
    if provider is None or provider.name.startswith("default"):
        return ""
    return re.sub(r"[^A-Za-z0-9_]", "_", provider.name)


def _provider_settings(provider: Resource, schema: Schema) -> dict[str, Any]:
    inputs = {k: v for k, v in provider.inputs.items() if k not in ("version", "endpoints")}
    ctx = _Context(f"provider {provider.name!r}", _References({}), [])
    return _convert_block(inputs, schema.provider, "", ctx)


def _check_traced(translated: list[Translated], resources: list[Resource]) -> None:
    """A value only AWS knows (an id, an ARN) left as text would name nothing in the emulator."""
    made_up: dict[str, Resource] = {}
    shared: set[str] = set()  # the account id, a zone: facts of the account, not of one resource
    for resource in resources:
        given = set(strings_in(resource.inputs))
        for key in resource.simulated:
            value = resource.outputs.get(key)
            if isinstance(value, str) and len(value) >= 8 and value not in given:
                if made_up.get(value, resource) is not resource:
                    shared.add(value)
                made_up[value] = resource
    for value in shared:
        del made_up[value]
    if not made_up:
        return
    pattern = re.compile(
        _BOUNDARY_BEFORE
        + "("
        + "|".join(re.escape(v) for v in sorted(made_up, key=len, reverse=True))
        + ")"
        + _BOUNDARY_AFTER
    )
    for item in translated:
        text = json.dumps({k: v for k, v in item.body.items() if k not in ("depends_on", "lifecycle")})
        for match in pattern.finditer(text):
            source = made_up[match.group(1)]
            if source is item.resource:
                continue  # its own auto-name
            raise TranslationError(
                f"{item.address}: holds {match.group(1)!r}, an output of {source.type} {source.name!r}, "
                "without a recorded dependency on it; the rehearsal cannot tell which reference it is"
            )


def strings_in(value: Any) -> Iterable[str]:
    """Every string inside a value of nested dicts and lists."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings_in(inner)
