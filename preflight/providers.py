"""Outputs for any provider's resources and data sources, built from its generated Python SDK.

pulumi-aws has hand-written shapes in `aws/resources.py`. Every other provider (random, tls, docker,
mysql, ...) and every AWS output those shapes leave out gets a value of the type its SDK
declares: an output typed `Output[T]` (not `Optional`) is one the provider always returns, so
it is never left out, and a nested object gets its required fields the same way. `random`,
whose values programs feed into other resources, gets values shaped like the provider's
(a password of the asked length from the asked character sets, a hex id of the asked bytes).
Which outputs are secret is not decided here: the SDK asks the engine to keep the ones its
schema marks secret (`additional_secret_outputs`), and the recorder does that as the engine does.
"""

from __future__ import annotations

import collections.abc
import types
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import schema
from .aws.names import ACCOUNT, digest
from .values import UNKNOWN_WIRE

_MAX_DEPTH = 4
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = _LOWER.upper()
_DIGITS = "0123456789"
# The random provider's default special characters.
_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"

# What the provider's Check fills in when the program leaves an argument out (the schema's
# defaults), so the recorded inputs and the pack see them.
CHECK_DEFAULTS: dict[str, dict[str, Any]] = {
    "random:index/randomPassword:RandomPassword": {
        "lower": True,
        "upper": True,
        "numeric": True,
        "number": True,
        "special": True,
        "minLower": 0,
        "minUpper": 0,
        "minNumeric": 0,
        "minSpecial": 0,
    },
    "random:index/randomPet:RandomPet": {"length": 2, "separator": "-"},
    "tls:index/privateKey:PrivateKey": {"algorithm": "RSA", "rsaBits": 2048, "ecdsaCurve": "P224"},
}
CHECK_DEFAULTS["random:index/randomString:RandomString"] = CHECK_DEFAULTS["random:index/randomPassword:RandomPassword"]


def check(type_token: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in CHECK_DEFAULTS.get(type_token, {}).items() if k not in inputs}


@dataclass
class Made:
    """What a simulated provider made of a resource: its id, its outputs, and, when its handler
    could not read the inputs, why (the outputs the handler computes are then unknown)."""

    id: str
    outputs: dict[str, Any]
    not_simulated: str = ""


def create(type_token: str, urn: str, name: str, inputs: dict[str, Any], region: str) -> Made:
    """A non-AWS resource's id and the outputs its provider computes."""
    handler = _HANDLERS.get(type_token)
    problem = ""
    try:
        outputs = handler(urn, inputs) if handler else {}
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError) as error:
        # Inputs the handler cannot read (a wrong type the provider's Check would refuse):
        # no made-up answer, the outputs it computes are unknown and the run says so.
        problem = f"not simulated, its inputs could not be read ({type(error).__name__}: {error})"
        outputs = {key: UNKNOWN_WIRE for key in schema.output_types(type_token) if inputs.get(key) is None}
    resource_id = str(outputs.pop("id", None) or f"{name}-{digest(urn, 8)}")
    fill(type_token, urn, inputs, outputs, region)
    return Made(resource_id, outputs, problem)


def _text(inputs: dict[str, Any], key: str, default: str = "") -> str:
    """A string input as the provider reads it; anything else (an object, a list) is not one."""
    value = inputs.get(key)
    return value if isinstance(value, str) and value else default


def _count(inputs: dict[str, Any], key: str, default: int) -> int:
    """A number input (`length`, `byteLength`), as an int when it reads as one, else `default`."""
    value = inputs.get(key)
    if isinstance(value, bool) or value is None:
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return default


def _length(inputs: dict[str, Any], key: str, default: int) -> int:
    """A length the provider would accept (1 to 1024); anything else reads as `default`."""
    length = _count(inputs, key, default)
    return length if 0 < length <= 1024 else default


def _object(inputs: dict[str, Any], key: str) -> dict[str, Any]:
    value = inputs.get(key)
    return value if isinstance(value, dict) else {}


def fill(
    type_token: str, urn: str, inputs: dict[str, Any], outputs: dict[str, Any], region: str, outputs_only: bool = False
) -> None:
    """Give every output the SDK declares always set, and neither the program nor a handler set,
    a value of its declared type. `outputs_only` leaves out the inputs the provider computes when
    the program omits them (an ECS service's `launchType`): a made-up value of those would be
    judged as the program's choice."""
    skipped = schema.input_names(type_token) if outputs_only else frozenset()
    for key, declared in schema.output_types(type_token).items():
        if key not in outputs and inputs.get(key) is None and key not in skipped:
            outputs[key] = plausible(declared, key, f"{urn}:{key}", region, service=_service(type_token))


def _service(token: str) -> str:
    """`aws:ecs/service:Service` -> `ecs` (the ARN's service part)."""
    parts = token.split(":")
    return parts[1].split("/")[0] if len(parts) == 3 and parts[1] != "index" else parts[0]


def from_result_type(
    result_class: type, seed: str, region: str, args: dict[str, Any], service: str = ""
) -> dict[str, Any]:
    """A data source's answer built from its result type: the arguments it was called with echoed,
    every other required field a value of its type."""
    answer: dict[str, Any] = {}
    for key, (declared, optional) in schema.fields(result_class).items():
        if args.get(key) is not None:
            answer[key] = args[key]
        elif not optional:
            answer[key] = plausible(declared, key, f"{seed}:{key}", region, service=service)
    return answer


def plausible(declared: Any, key: str, seed: str, region: str, depth: int = 0, service: str = "") -> Any:
    """A value of type `declared` for the property `key`, derived from `seed`."""
    origin = typing.get_origin(declared)
    if origin is not None and getattr(origin, "__name__", "") == "Output":
        declared = typing.get_args(declared)[0]
        origin = typing.get_origin(declared)
    if origin in (typing.Union, types.UnionType):
        choices = [arg for arg in typing.get_args(declared) if arg is not type(None)]
        return plausible(choices[0], key, seed, region, depth, service) if choices else None
    if origin is not None and isinstance(origin, type) and issubclass(origin, collections.abc.Mapping):
        return {}
    if (
        origin is not None
        and isinstance(origin, type)
        and issubclass(origin, collections.abc.Sequence)
        and origin is not str
    ):
        return []
    if declared is bool:
        return False
    if declared is int:
        return 443 if key.lower().endswith("port") else 1
    if declared is float:
        return 1.0
    if isinstance(declared, type) and declared is not str and schema.fields(declared):
        if depth >= _MAX_DEPTH:
            return {}
        return {
            name: plausible(inner, name, f"{seed}:{name}", region, depth + 1, service)
            for name, (inner, optional) in schema.fields(declared).items()
            if not optional
        }
    return _string(key, seed, region, service)


def _string(key: str, seed: str, region: str, service: str = "") -> str:
    lowered = key.lower()
    token = digest(seed, 12)
    if lowered == "arn" or lowered.endswith("arn"):
        kind = key[:-3] or "resource"
        return f"arn:aws:{service or 'resource'}:{region}:{ACCOUNT}:{_kebab(kind)}/{token}"
    if lowered.endswith("pem"):
        kind = "PRIVATE KEY" if "private" in lowered else "CERTIFICATE" if "cert" in lowered else "PUBLIC KEY"
        return f"-----BEGIN {kind}-----\n{digest(seed, 64)}\n-----END {kind}-----\n"
    if lowered.endswith("url"):
        return f"https://{token}.example.com"
    if lowered.endswith(("endpoint", "address", "dnsname", "hostname", "fqdn")):
        return f"{token}.{region}.example.com"
    if lowered.endswith("id"):
        return f"{key[:3].lower()}-{digest(seed, 17)}"
    if "time" in lowered or "date" in lowered:
        return "2026-01-01T00:00:00Z"
    return f"{key}-{token}"


def _kebab(name: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


# -- random ---------------------------------------------------------------------------------------


def _characters(seed: str, length: int, inputs: dict[str, Any]) -> str:
    """`length` characters from the enabled sets, each set's minimum met first (as the provider does)."""
    sets: list[tuple[str, int]] = []
    for flag, chars, minimum in (
        ("lower", _LOWER, "minLower"),
        ("upper", _UPPER, "minUpper"),
        ("numeric", _DIGITS, "minNumeric"),
        ("special", _text(inputs, "overrideSpecial", _SPECIAL), "minSpecial"),
    ):
        if inputs.get(flag, True) is not False and chars:
            sets.append((chars, min(max(_count(inputs, minimum, 0), 0), length)))
    if not sets:
        sets = [(_LOWER, 0)]
    alphabet = "".join(chars for chars, _ in sets)
    stream = digest(seed, 4 * max(length, 1))
    picks = [int(stream[i * 4 : i * 4 + 4], 16) for i in range(max(length, 1))]
    out: list[str] = []
    for chars, at_least in sets:
        out.extend(chars[picks[len(out) % len(picks)] % len(chars)] for _ in range(at_least))
    while len(out) < length:
        out.append(alphabet[picks[len(out)] % len(alphabet)])
    return "".join(out[:length])


def _random_password(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    result = _characters(urn, _length(inputs, "length", 16), inputs)
    return {"id": "none", "result": result, "bcryptHash": "$2a$10$" + digest(urn + "bcrypt", 53)}


def _random_string(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    result = _characters(urn, _length(inputs, "length", 16), inputs)
    return {"id": result, "result": result}


def _random_id(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    import base64

    raw = bytes.fromhex(digest(urn, 2 * _length(inputs, "byteLength", 8)))
    prefix = _text(inputs, "prefix")
    url = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return {
        "id": url,
        "b64Url": prefix + url,
        "b64Std": prefix + base64.b64encode(raw).decode(),
        "hex": prefix + raw.hex(),
        "dec": prefix + str(int.from_bytes(raw, "big")),
    }


def _random_bytes(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    import base64

    raw = bytes.fromhex(digest(urn, 2 * _length(inputs, "length", 32)))
    return {"id": "none", "base64": base64.b64encode(raw).decode(), "hex": raw.hex()}


def _random_integer(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    low, high = _count(inputs, "min", 0), _count(inputs, "max", 0)
    value = low + int(digest(urn, 8), 16) % (max(high - low, 0) + 1)
    return {"id": str(value), "result": value}


_WORDS = [
    "amber",
    "brave",
    "calm",
    "eager",
    "fancy",
    "gentle",
    "happy",
    "keen",
    "lucky",
    "quiet",
    "otter",
    "falcon",
    "badger",
    "heron",
    "lynx",
    "marten",
    "panda",
    "raven",
    "tapir",
    "walrus",
]


def _random_pet(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    length = _length(inputs, "length", 2)
    words = [_WORDS[int(digest(f"{urn}:{i}", 4), 16) % len(_WORDS)] for i in range(length)]
    if _text(inputs, "prefix"):
        words.insert(0, _text(inputs, "prefix"))
    return {"id": _text(inputs, "separator", "-").join(words)}


def _random_uuid(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    value = str(uuid.UUID(digest(urn, 32)))
    return {"id": value, "result": value}


def _random_shuffle(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    given = inputs.get("inputs")
    items = [str(item) for item in given] if isinstance(given, list) else []
    items.sort(key=lambda item: digest(f"{urn}:{item}", 8))
    count = _count(inputs, "resultCount", 0)
    return {"id": "-", "results": items[:count] if count > 0 else items}


# -- docker ---------------------------------------------------------------------------------------


def _docker_image(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """pulumi-docker's `Image`: pushed to `imageName`, pinned by the digest the registry reports."""
    name = _text(inputs, "imageName", "image")
    repository = name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name
    sha = "sha256:" + digest("docker:" + urn, 64)
    return {
        "id": f"{name}-{sha}",
        "repoDigest": f"{repository}@{sha}",
        "baseImageName": name,
        "registryServer": _text(_object(inputs, "registry"), "server", name.split("/", 1)[0]),
    }


def _docker_build_image(urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """pulumi-docker-build's `Image`: its digest, and `ref` pinning its first tag to it."""
    sha = "sha256:" + digest("docker-build:" + urn, 64)
    tags = inputs.get("tags")
    first = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else ""
    repository = first.rsplit(":", 1)[0] if ":" in first.rsplit("/", 1)[-1] else first
    return {
        "id": sha,
        "digest": sha,
        "ref": f"{repository}@{sha}" if repository else sha,
        "contextHash": digest("context:" + urn, 64),
    }


_HANDLERS: dict[str, Callable[[str, dict[str, Any]], dict[str, Any]]] = {
    "random:index/randomPassword:RandomPassword": _random_password,
    "random:index/randomString:RandomString": _random_string,
    "random:index/randomId:RandomId": _random_id,
    "random:index/randomBytes:RandomBytes": _random_bytes,
    "random:index/randomInteger:RandomInteger": _random_integer,
    "random:index/randomPet:RandomPet": _random_pet,
    "random:index/randomUuid:RandomUuid": _random_uuid,
    "random:index/randomShuffle:RandomShuffle": _random_shuffle,
    "docker:index/image:Image": _docker_image,
    "docker-build:index:Image": _docker_build_image,
}

SIMULATED = frozenset(_HANDLERS)
"""The resource types whose outputs a handler here computes from the inputs (the others get
values of their declared types only)."""
