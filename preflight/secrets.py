"""Decrypt a stack file's `secure:` values the way the Pulumi CLI does before a program runs.

A stack created with `--secrets-provider passphrase` (the default of the self-managed backends)
carries `encryptionsalt: v1:<salt>:v1:<nonce>:<ciphertext>` in `Pulumi.<stack>.yaml`: the salt
in base64, then the word `pulumi` encrypted with the stack's key, which tells a right passphrase
from a wrong one. The key is PBKDF2-HMAC-SHA256 of the passphrase and the salt, 1,000,000
rounds, 32 bytes; every `secure:` value is `v1:<nonce>:<ciphertext>`, AES-256-GCM with a 12-byte
nonce and the tag at the end of the ciphertext (Go's `Seal`). The passphrase comes from
`PULUMI_CONFIG_PASSPHRASE`, else from the file named by `PULUMI_CONFIG_PASSPHRASE_FILE`.

Other secrets providers (Pulumi Cloud, AWS KMS, Azure Key Vault, Vault, ...) need a service
that is not here offline; their values, and passphrase values without a passphrase, become a
stand-in that is still a secret, so the program and the pack see a secret where Pulumi has one.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from .errors import ProgramError

PBKDF2_ROUNDS = 1_000_000
KEY_BYTES = 32
_CHECK_PLAINTEXT = "pulumi"


def stand_in(key: str) -> str:
    """The value a secret gets when it cannot be decrypted offline: one per key, the same on every run."""
    return "preflight-secret-" + hashlib.sha256(key.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class StackSecrets:
    """How a stack's `secure:` values are opened: with `key` when the passphrase is known, else
    with stand-ins, for the reason `why_not`."""

    key: Optional[bytes]
    why_not: str = ""

    def reveal(self, full_key: str, ciphertext: Any, stack_file: str) -> str:
        if self.key is None:
            return stand_in(full_key)
        if not isinstance(ciphertext, str):
            raise ProgramError(f"{stack_file}: {full_key}: `secure:` must be a string, got {ciphertext!r}")
        try:
            return decrypt(self.key, ciphertext)
        except ValueError as error:
            raise ProgramError(f"{stack_file}: {full_key}: cannot decrypt the secure value ({error})") from None


def for_stack(
    document: Mapping[str, Any], stack_file: str, environ: Optional[Mapping[str, str]] = None
) -> StackSecrets:
    """The secrets provider the stack file names, opened with the passphrase from the environment."""
    environ = os.environ if environ is None else environ
    provider = str(document.get("secretsprovider") or "")
    salt_state = document.get("encryptionsalt")
    if provider and provider != "passphrase":
        scheme = provider.split("://", 1)[0]
        return StackSecrets(None, f"the stack's secrets provider ({scheme}) is not reachable offline")
    if not salt_state:
        return StackSecrets(
            None, "the stack's secrets are kept by the Pulumi Cloud backend, which is not reachable offline"
        )
    passphrase = _passphrase(environ)
    if passphrase is None:
        return StackSecrets(None, "neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set")
    return StackSecrets(unlock(passphrase, str(salt_state), stack_file))


def _passphrase(environ: Mapping[str, str]) -> Optional[str]:
    if "PULUMI_CONFIG_PASSPHRASE" in environ:
        return environ["PULUMI_CONFIG_PASSPHRASE"]
    path = environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if path:
        try:
            with open(os.path.abspath(path), encoding="utf-8") as handle:
                return handle.read().strip()
        except OSError as error:
            raise ProgramError(f"unable to read PULUMI_CONFIG_PASSPHRASE_FILE {path}: {error.strerror}") from None
    return None


def unlock(passphrase: str, salt_state: str, stack_file: str = "the stack file") -> bytes:
    """The stack's key, checked against the encrypted `pulumi` in `encryptionsalt`."""
    version, _, rest = salt_state.partition(":")
    salt_text, _, check = rest.partition(":")
    if version != "v1" or not check:
        raise ProgramError(f"{stack_file}: encryptionsalt {salt_state!r} is not `v1:<salt>:<check>`")
    try:
        salt = base64.b64decode(salt_text, validate=True)
    except binascii.Error:
        raise ProgramError(f"{stack_file}: encryptionsalt has a salt that is not base64: {salt_text!r}") from None
    key = derive_key(passphrase, salt)
    try:
        correct = decrypt(key, check) == _CHECK_PLAINTEXT
    except ValueError:
        correct = False
    if not correct:
        raise ProgramError(
            f"{stack_file}: incorrect passphrase: set PULUMI_CONFIG_PASSPHRASE to the stack's passphrase "
            "or PULUMI_CONFIG_PASSPHRASE_FILE to a file that holds it"
        )
    return key


@functools.lru_cache(maxsize=8)
def derive_key(passphrase: str, salt: bytes) -> bytes:
    """PBKDF2-HMAC-SHA256, as Pulumi's passphrase provider derives the stack's AES key (about half
    a second, hence cached: one derivation per stack per process)."""
    return hashlib.pbkdf2_hmac("sha256", passphrase.encode(), salt, PBKDF2_ROUNDS, KEY_BYTES)


def decrypt(key: bytes, value: str) -> str:
    """Open one `v1:<nonce>:<ciphertext>` value; ValueError when it is malformed or was made with
    another key."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "v1":
        raise ValueError("expected v1:<nonce>:<ciphertext>")
    try:
        nonce, ciphertext = base64.b64decode(parts[1], validate=True), base64.b64decode(parts[2], validate=True)
    except binascii.Error:
        raise ValueError("the nonce or ciphertext is not base64") from None
    if len(nonce) != 12:
        raise ValueError("the nonce is not 12 bytes")
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, None).decode()
    except InvalidTag:
        raise ValueError("it was encrypted with another passphrase or is corrupt") from None


def encrypt(key: bytes, plaintext: str, nonce: Optional[bytes] = None) -> str:
    """`v1:<nonce>:<ciphertext>` as `pulumi config set --secret` writes it (for tests and tools)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12) if nonce is None else nonce
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


def new_salt_state(key: bytes, salt: bytes) -> str:
    """The `encryptionsalt` of a stack whose key is `key` (for tests and tools)."""
    return f"v1:{base64.b64encode(salt).decode()}:{encrypt(key, _CHECK_PLAINTEXT)}"
