"""Read a Pulumi project and its stack config the way the Pulumi CLI hands them to a program.

The engine gives the language host a flat map of `namespace:key` to string: scalars as their
text (`true`, `3`), objects and lists as JSON, so `pulumi.Config(ns).get_object(key)` parses
them back. A key without a namespace belongs to the project. `secure:` values are decrypted by
the CLI; offline there is no key to decrypt them, so they become a placeholder string and the
key is marked secret (`Config.get_secret` returns a secret Output).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from . import secrets
from .errors import ProgramError

_PROJECT_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}


@dataclass(frozen=True)
class Project:
    name: str
    directory: Path
    program: Path
    config: dict[str, str] = field(default_factory=dict)
    secret_keys: tuple[str, ...] = ()
    stand_in_keys: tuple[str, ...] = ()
    """Secret keys whose values could not be decrypted offline (they hold a stand-in)."""
    stand_in_reason: str = ""

    @property
    def secrets_note(self) -> str:
        """The one line a report prints about stand-in secrets ("" when every secret was decrypted)."""
        if not self.stand_in_keys:
            return ""
        return (
            f"config secrets not decrypted ({self.stand_in_reason}); a stand-in secret value is used for: "
            + ", ".join(self.stand_in_keys)
        )

    @property
    def provider_config(self) -> dict[str, dict[str, Any]]:
        """Config grouped by namespace, values decoded: what a default provider is built from."""
        grouped: dict[str, dict[str, Any]] = {}
        for key, text in self.config.items():
            namespace, _, name = key.partition(":")
            grouped.setdefault(namespace, {})[name] = _decode(text)
        return grouped


def load_project(
    project_dir: str | Path,
    stack: str,
    stack_config: Optional[Mapping[str, Any]] = None,
) -> Project:
    directory = Path(project_dir).resolve()
    name, document = _read_manifest(directory)
    program = _program_path(directory, document.get("main"))
    declared_types, values = _project_config(document.get("config") or {}, name)
    stack_file = directory / f"Pulumi.{stack}.yaml"
    stack_document, stack_values = _stack_config(stack, stack_file, stack_config)
    for key, value in stack_values.items():
        values[_full_key(str(key), name)] = value

    config: dict[str, str] = {}
    secret_keys: list[str] = []
    opener: list[secrets.StackSecrets] = []

    def open_secret(full_key: str, ciphertext: Any) -> str:
        if not opener:  # only a stack with secrets needs its passphrase (and its half-second key)
            opener.append(secrets.for_stack(stack_document, str(stack_file)))
        return opener[0].reveal(full_key, ciphertext, str(stack_file))

    for key, value in values.items():
        expected = declared_types.get(key)
        if expected in _PROJECT_TYPES and not _has_type(value, _PROJECT_TYPES[expected]):
            raise ProgramError(
                f"stack {stack!r}: configuration key {key!r} must be of type {expected!r}, got {value!r}"
            )
        revealed, is_secret = _reveal(value, key, open_secret)
        config[key] = _encode(revealed)
        if is_secret:
            secret_keys.append(key)

    stand_in = opener[0].key is None if opener else False
    return Project(
        name,
        directory,
        program,
        config,
        tuple(secret_keys),
        stand_in_keys=tuple(secret_keys) if stand_in else (),
        stand_in_reason=opener[0].why_not if stand_in else "",
    )


def _read_manifest(directory: Path) -> tuple[str, dict[str, Any]]:
    """The project's name and its Pulumi.yaml, which must name a Python program."""
    manifest = _find_manifest(directory)
    document = _read_yaml(manifest)
    if not isinstance(document, dict) or not document.get("name"):
        raise ProgramError(f"{manifest}: a Pulumi project needs a `name`")
    runtime = document.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise ProgramError(f"{manifest}: runtime is {runtime_name!r}; preflight runs Python programs only")
    return str(document["name"]), document


_PROJECT_CONFIG_FIELDS = ("type", "default", "value", "description", "secret")


def _project_config(declared: dict[str, Any], project: str) -> tuple[dict[str, str], dict[str, Any]]:
    """Pulumi.yaml's `config:` block: the declared types, and the values (a `value`, else a
    `default`, or the entry itself when it is a plain value), by full key."""
    declared_types: dict[str, str] = {}
    values: dict[str, Any] = {}
    for key, spec in declared.items():
        full_key = _full_key(str(key), project)
        if not (isinstance(spec, dict) and any(entry in spec for entry in _PROJECT_CONFIG_FIELDS)):
            values[full_key] = spec
            continue
        if "type" in spec:
            declared_types[full_key] = str(spec["type"])
        if "value" in spec:
            values[full_key] = spec["value"]
        elif "default" in spec:
            values[full_key] = spec["default"]
    return declared_types, values


def _stack_config(
    stack: str, stack_file: Path, stack_config: Optional[Mapping[str, Any]]
) -> tuple[dict[str, Any], Mapping[str, Any]]:
    """The stack file's document (empty when `stack_config` replaces it) and the stack's config values."""
    if stack_config is not None:
        return {}, dict(stack_config)
    if not stack_file.is_file():
        raise ProgramError(f"no stack file for stack {stack!r}: {stack_file} does not exist")
    stack_document = _read_yaml(stack_file) or {}
    if not isinstance(stack_document, dict):
        raise ProgramError(f"{stack_file}: expected a mapping with a `config:` key")
    stack_values = stack_document.get("config") or {}
    if not isinstance(stack_values, dict):
        raise ProgramError(f"{stack_file}: `config:` must be a mapping")
    return stack_document, stack_values


def _find_manifest(directory: Path) -> Path:
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        if (directory / candidate).is_file():
            return directory / candidate
    raise ProgramError(f"no Pulumi project in {directory}: Pulumi.yaml not found")


# libyaml's parser, where PyYAML was built with it: a 40-service stack file took a quarter second
# in the pure-Python one. Both feed the same SafeLoader constructor, so the values are the same;
# a document libyaml refuses is parsed again in pure Python, whose error message is the one shown.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    text = path.read_text()
    try:
        return yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ProgramError(f"{path}: not valid YAML ({error})") from None


def _program_path(directory: Path, main: Any) -> Path:
    program = (directory / str(main)).resolve() if main else directory
    if program.is_dir():
        if not (program / "__main__.py").is_file():
            raise ProgramError(f"no Python program in {program}: __main__.py not found")
        return program
    if not program.is_file():
        raise ProgramError(f"the program named by `main:` does not exist: {program}")
    return program


def _full_key(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _has_type(value: Any, expected: type) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _reveal(value: Any, key: str, open_secret: Any) -> tuple[Any, bool]:
    """Replace `secure:` leaves with their plaintext (or stand-in); report whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return open_secret(key, value["secure"]), True
        found = False
        revealed = {}
        for name, inner in value.items():
            revealed[name], inner_secret = _reveal(inner, key, open_secret)
            found = found or inner_secret
        return revealed, found
    if isinstance(value, list):
        items = [_reveal(item, key, open_secret) for item in value]
        return [item for item, _ in items], any(flag for _, flag in items)
    return value, False


def _encode(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if value is None:
        return ""
    return str(value)


def _decode(text: str) -> Any:
    if text in ("true", "false"):
        return text == "true"
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text
