"""Which property values the program marked secret.

The engine sends a resource's properties to an analyzer with their secrets kept: a
secret travels as `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
"value": ...}` (`MarshalProperties(..., KeepSecrets: true)` in the engine's
`analyzer_plugin.go`). pulumi-policy's Python SDK then unwraps every secret before a
rule sees the properties (`deserialize_properties(props)` in `Analyze` and
`AnalyzeStack`, whose `proxy_secrets` is only turned on for remediations), so a rule
cannot tell `pulumi.Output.secret("hunter2")` from `"hunter2"` (pulumi/pulumi-policy#241).

`preserve_secrets()` puts a deserializer in the SDK's place that does what the SDK
does and also marks each string and number that arrived inside a secret: it becomes a
`SecretStr` / `SecretFloat`, a subclass that compares, hashes, formats and parses as
the plain value, so no rule that does not ask sees a difference. A secret list or
object marks every string and number inside it. `is_secret` asks. An unknown secret
(a preview of a value built from an output) stays the SDK's unknown sentinel, marked:
reading it still raises `UnknownValueError`; `raw` reads it without the check.
Booleans and nulls cannot be marked (`bool` cannot be subclassed); no rule needs them.

The marking copies the SDK's deserializer, so it is put in place only on the pulumi-policy
releases it was tested against (`TESTED_RELEASES`); on any other, the pack says so on stderr and
its rules see secrets as plain values, as the SDK hands them.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from typing import Any

from pulumi_policy import deserialize as _sdk_deserialize
from pulumi_policy import policy as _sdk_policy

_SIG_KEY = _sdk_deserialize.SPECIAL_SIG_KEY
_SECRET_SIG = _sdk_deserialize.SPECIAL_SECRET_SIG

# The pulumi-policy releases whose `deserialize_properties` `_deserialize_property` follows.
TESTED_RELEASES = ("1.21.0",)


class SecretStr(str):
    """A string the program marked secret."""

    __slots__ = ()


class SecretFloat(float):
    """A number the program marked secret (the wire carries every number as a float)."""

    __slots__ = ()


def is_secret(value: Any) -> bool:
    return isinstance(value, (SecretStr, SecretFloat))


def contains_secret(value: Any) -> bool:
    """Whether a value, or anything inside it, is marked secret."""
    if is_secret(value):
        return True
    if isinstance(value, (str, bytes)):
        return False
    if hasattr(value, "keys"):
        return any(contains_secret(raw(value, key)) for key in value.keys())
    if hasattr(value, "__len__") and hasattr(value, "__getitem__"):
        return any(contains_secret(raw(value, index)) for index in range(len(value)))
    return False


def raw(props: Any, key: Any) -> Any:
    """`props[key]` without the SDK's unknown check (its proxies keep the plain value under `__target`)."""
    try:
        target = props["__target"]
    except (KeyError, TypeError, IndexError):
        target = props
    try:
        return target[key]
    except (KeyError, IndexError, TypeError):
        return None


def _mark(value: Any) -> Any:
    if isinstance(value, str):
        return SecretStr(value)
    if isinstance(value, float) and not isinstance(value, bool):
        return SecretFloat(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return SecretFloat(value)
    if isinstance(value, list):
        return [_mark(v) for v in value]
    if isinstance(value, dict):
        return {k: _mark(v) for k, v in value.items()}
    return value


def _deserialize_property(prop: Any) -> Any:
    if isinstance(prop, list):
        return [_deserialize_property(e) for e in prop]
    if isinstance(prop, dict):
        if prop.get(_SIG_KEY) == _SECRET_SIG:
            if "value" not in prop:
                raise AssertionError("Invalid secret encountered when unmarshaling resource property")
            return _mark(_deserialize_property(prop["value"]))
        if _SIG_KEY in prop:
            # Assets and archives: exactly the SDK's answer.
            return _sdk_deserialize._deserialize_property(prop)
        return {key: _deserialize_property(value) for key, value in prop.items()}
    return prop


def _secret_marking(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def deserialize_properties(props: dict[str, Any], proxy_secrets: bool = False) -> dict[str, Any]:
        if proxy_secrets:
            # Remediations rewrite properties and need the SDK's own secret proxies.
            return original(props, proxy_secrets)
        return {key: _deserialize_property(value) for key, value in props.items()}

    deserialize_properties.marks_secrets = True  # type: ignore[attr-defined]
    return deserialize_properties


def installed_release() -> str:
    """The installed pulumi-policy's version."""
    return metadata.version("pulumi-policy")


def preserve_secrets() -> bool:
    """Let the pack's rules see which values are secret. True once in place; False (and
    nothing changed) on a pulumi-policy release the marking was not tested against."""
    current = getattr(_sdk_policy, "deserialize_properties", None)
    if getattr(current, "marks_secrets", False):
        return True
    if installed_release() not in TESTED_RELEASES or current is not _sdk_deserialize.deserialize_properties:
        return False
    _sdk_policy.deserialize_properties = _secret_marking(current)
    return True
