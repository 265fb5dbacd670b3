"""Validation of what people type: domain names (IDNA, length, labels) and host[:port] targets."""

from __future__ import annotations

import ipaddress
import re

LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MAX_DOMAIN_LENGTH = 253


class InvalidTarget(ValueError):
    """The text is not an acceptable domain or host; the message says why in plain words."""


def is_ip_literal(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def to_ascii(label: str) -> str:
    """One label in its IDNA (punycode) form, checked for length and characters."""
    if not label:
        raise InvalidTarget("A domain name cannot contain empty labels (two dots in a row).")
    try:
        ascii_label = label if label.isascii() else label.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidTarget(f"“{label}” is not a valid internationalized domain label.") from None
    if len(ascii_label) > 63:
        raise InvalidTarget("Each part of a domain name can be at most 63 characters long.")
    if not LABEL_RE.match(ascii_label):
        raise InvalidTarget(
            f"“{label}” is not allowed: use letters, digits and hyphens, not starting or ending with a hyphen."
        )
    return ascii_label


def normalize_domain(text: str) -> str:
    """`Exämple.COM.` -> `xn--exmple-cua.com`; raises InvalidTarget for IPs, URLs, ports and bad names."""
    value = (text or "").strip()
    if not value:
        raise InvalidTarget("Enter a domain name, for example example.com.")
    if "://" in value or "/" in value or "?" in value or "#" in value:
        raise InvalidTarget("Enter only the domain name, not a URL (for example example.com).")
    if "@" in value:
        raise InvalidTarget("Enter the domain name, not an email address (the part after the @).")
    if is_ip_literal(value):
        raise InvalidTarget("Enter a domain name, not an IP address.")
    if ":" in value:
        raise InvalidTarget("Enter the domain name without a port.")
    if any(c.isspace() for c in value):
        raise InvalidTarget("A domain name cannot contain spaces.")
    labels = [to_ascii(label) for label in value.rstrip(".").lower().split(".")]
    ascii_name = ".".join(labels)
    if len(ascii_name) > MAX_DOMAIN_LENGTH:
        raise InvalidTarget(f"A domain name can be at most {MAX_DOMAIN_LENGTH} characters long.")
    if len(labels) < 2:
        raise InvalidTarget("Enter a full domain name with a dot, for example example.com.")
    if labels[-1].isdigit():
        raise InvalidTarget("Enter a domain name, not an IP address.")
    return ascii_name


def normalize_host(text: str) -> str:
    """A gateway or server: an IP address or a host name (validated like a domain)."""
    value = (text or "").strip()
    if is_ip_literal(value):
        return str(ipaddress.ip_address(value.strip("[]")))
    return normalize_domain(value)


def parse_host_port(text: str) -> tuple[str, int | None]:
    """`mail.example.com:2525`, `192.0.2.1`, `[2001:db8::1]:25` -> (host, port or None)."""
    value = (text or "").strip()
    port_text = ""
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif value.count(":") == 1:
        host, port_text = value.split(":")
    else:
        host = value
    port = None
    if port_text:
        # ASCII digits only, as portal.numbers reads request numbers (the checks package imports no Django)
        if not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 5 and 1 <= int(port_text) <= 65535):
            raise InvalidTarget(f"{port_text[:20]!r} is not a port number (1-65535).")
        port = int(port_text)
    return normalize_host(host), port
