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
from typing import Any, Optional

_PULUMI_NAME = "_pulumi_name"


@functools.cache
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
        except Exception:
            continue
        if name and annotation is not None and not _optional(typing.get_args(annotation)):
            names.add(name)
    return frozenset(names - {"id", "urn"})


@functools.cache
def output_types(type_token: str) -> dict[str, Any]:
    """The type of each output a resource always has (`Output[T]` unwrapped to `T`), by schema name."""
    cls = _resource_class(type_token)
    wanted = always_returned(type_token)
    if cls is None:
        return {}
    found = {}
    for name, (annotation, optional) in fields(cls).items():
        if name in wanted and not optional:
            args = typing.get_args(annotation)
            found[name] = args[0] if args else Any
    return found


@functools.cache
def fields(cls: type) -> dict[str, tuple[Any, bool]]:
    """A generated SDK class's properties by schema name: (resolved type, optional?)."""
    found: dict[str, tuple[Any, bool]] = {}
    for attribute in vars(cls).values():
        if not isinstance(attribute, property) or attribute.fget is None:
            continue
        name = getattr(attribute.fget, _PULUMI_NAME, None)
        if not name:
            continue
        try:
            annotation = typing.get_type_hints(attribute.fget).get("return", Any)
        except Exception:
            annotation = Any
        inner = (
            typing.get_args(annotation)[0]
            if typing.get_origin(annotation) is not None
            and getattr(typing.get_origin(annotation), "__name__", "") == "Output"
            else annotation
        )
        optional = _is_optional(inner)
        if optional:
            inner = next(arg for arg in typing.get_args(inner) if arg is not type(None))
        found[name] = (annotation if inner is annotation else _wrap_like(annotation, inner), optional)
    return found


def _wrap_like(annotation: Any, inner: Any) -> Any:
    """Keep the `Output[...]` wrapper's meaning (the caller unwraps it) around the non-None type."""
    origin = typing.get_origin(annotation)
    if origin is not None and getattr(origin, "__name__", "") == "Output":
        return origin[inner]
    return inner


def _is_optional(annotation: Any) -> bool:
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    return union and type(None) in typing.get_args(annotation)


def _optional(args: tuple) -> bool:
    inner = args[0] if args else None
    return typing.get_origin(inner) in (typing.Union, types.UnionType) and type(None) in typing.get_args(inner)


def _sdk_class(token: str, class_name: typing.Callable[[str], str]) -> Optional[type]:
    """The class of a Python SDK that a type token names: `pkg:module/x:Name` is looked up in
    `pulumi_pkg.module` (`pulumi_pkg` for module `index`) as `class_name("Name")`."""
    try:
        package, module, name = token.split(":")
    except ValueError:
        return None
    module = module.split("/")[0]
    path = f"pulumi_{package.replace('-', '_')}" + ("" if module == "index" else f".{module}")
    try:
        found = getattr(importlib.import_module(path), class_name(name), None)
    except ImportError:
        return None
    return found if isinstance(found, type) else None


def invoke_result_class(token: str) -> Optional[type]:
    """`aws:ecs/getTaskDefinition:getTaskDefinition` -> `pulumi_aws.ecs.GetTaskDefinitionResult`."""
    return _sdk_class(token, lambda name: name[:1].upper() + name[1:] + "Result")


def _resource_class(type_token: str) -> Optional[type]:
    """`aws:ecs/service:Service` -> `pulumi_aws.ecs.Service`."""
    return _sdk_class(type_token, lambda name: name)


@functools.cache
def input_names(type_token: str) -> frozenset[str]:
    """The schema names of a resource's inputs (its `<Name>Args` class); empty when not found."""
    cls = _resource_class(type_token)
    module = inspect.getmodule(cls) if cls is not None else None
    args = getattr(module, f"{cls.__name__}Args", None) if cls is not None and module is not None else None
    return frozenset(fields(args)) if isinstance(args, type) else frozenset()
