"""What a provider's schema says about a resource type, read from its generated Python SDK.

The provider plugin (and its schema) is not here offline, but the Python SDK is generated
from that schema: a resource's output getter is typed `Output[T]` for a property the
provider always returns, and `Output[Optional[T]]` for one that may be absent. An input
that is always returned and that the program left out is one the provider computes (an
ECS service's `launchType`, a security group's `ingress`), and a preview of a new resource
shows it as unknown.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import types
import typing
from typing import Optional

_PULUMI_NAME = "_pulumi_name"


@functools.lru_cache(maxsize=None)
def always_returned(type_token: str) -> frozenset[str]:
    """The output properties (schema names) a resource of this type always has; empty when
    the type's SDK class cannot be found."""
    cls = _resource_class(type_token)
    if cls is None:
        return frozenset()
    names = set()
    for attribute in vars(cls).values():
        if not isinstance(attribute, property) or attribute.fget is None:
            continue
        name = getattr(attribute.fget, _PULUMI_NAME, None)
        try:
            annotation = inspect.get_annotations(attribute.fget).get("return")
        except Exception:  # noqa: BLE001 - an odd annotation just means "don't know"
            continue
        if name and annotation is not None and not _optional(typing.get_args(annotation)):
            names.add(name)
    return frozenset(names - {"id", "urn"})


def _optional(args: tuple) -> bool:
    inner = args[0] if args else None
    return typing.get_origin(inner) in (typing.Union, types.UnionType) and type(None) in typing.get_args(inner)


def _resource_class(type_token: str) -> Optional[type]:
    """`aws:ecs/service:Service` -> `pulumi_aws.ecs.Service`."""
    try:
        package, module, name = type_token.split(":")
    except ValueError:
        return None
    module = module.split("/")[0]
    path = f"pulumi_{package.replace('-', '_')}" + ("" if module == "index" else f".{module}")
    try:
        found = getattr(importlib.import_module(path), name, None)
    except ImportError:
        return None
    return found if isinstance(found, type) else None
