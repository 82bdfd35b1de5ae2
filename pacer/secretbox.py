"""Secrets Pacer must read back (webhook secrets, Slack and Teams webhook URLs), encrypted.

Fernet (the `cryptography` package: AES-128-CBC with an HMAC-SHA256) with a key derived
from PACER_ENCRYPTION_KEY, else from SECRET_KEY; PACER_ENCRYPTION_KEY_OLD (comma-separated)
still decrypts what older keys wrote, so keys can be rotated. A value shown back to people
is masked: only its scheme and host, and the last 4 characters.
"""

import base64
import hashlib
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from pacer.env import env_list, env_str


class Unreadable(Exception):
    """Encrypted with a key Pacer no longer has."""


def fernet_for(secret: str) -> Fernet:
    digest = hashlib.sha256(f"pacer-secretbox:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def box() -> MultiFernet:
    current = env_str("PACER_ENCRYPTION_KEY") or settings.SECRET_KEY
    older = [key for key in env_list("PACER_ENCRYPTION_KEY_OLD") if key]
    return MultiFernet([fernet_for(key) for key in [current, *older]])


def encrypt(value: str) -> str:
    return box().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return box().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise Unreadable("this secret was encrypted with a key Pacer no longer has") from error


def masked_url(url: str) -> str:
    """https://hooks.slack.com/…abcd: enough to recognise it, not enough to use it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…{url[-4:]}"
