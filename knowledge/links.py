"""Finds web addresses in a resident's text and reduces them to the part that says who owns them.

Why a module of its own: the message check compares the domain of every link with the official domains of the
organisation a message names. Scam messages rarely write ``https://``; they write ``post-nl.info/abc`` or
``www.mijn-digid.com``, so bare domains count too. Pure standard library, no network and no DNS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Second-level labels under which the registrable domain has three labels (a short, explicit list instead of
# the full Public Suffix List, which would be a dependency and a file to keep fresh).
_MULTI_PART_SUFFIXES = frozenset({"co.uk", "org.uk", "com.au", "co.nz", "com.br", "co.za", "com.tr"})

# Top-level domains that are also common words or file endings in Dutch text are accepted only with a scheme,
# "www." or a path, so "zie bijlage.pdf" or "nu.nl" style false hits stay rare while "bit.ly/x" is found.
_TLD = r"[a-z]{2,18}"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
LINK_RE = re.compile(
    rf"(?P<scheme>https?://)?(?P<host>(?:{_LABEL}\.)+{_TLD})(?P<rest>(?::\d{{1,5}})?(?:[/?#][^\s<>\"')\[\]]*)?)",
    re.IGNORECASE,
)
# Endings that look like a domain but are almost always a file name or an abbreviation in a message.
_NOT_TLDS = frozenset({"pdf", "jpg", "jpeg", "png", "doc", "docx", "txt", "gif", "zip", "xls", "xlsx", "mp4"})
# Top-level domains that exist; a bare "woord.woord" with another ending is not taken for a link.
_TLD_LIST = """nl be de eu com org net info biz io co me ly gl gd to cc us uk fr es it at ch lu pl ru cn top
    xyz online site shop store app live club icu vip buzz link click support help services service pro
    mobi tk ml ga cf gq
    cyou sbs cfd rest bond lol win work digital email page"""
KNOWN_TLDS = frozenset(_TLD_LIST.split())


@dataclass(frozen=True)
class FoundLink:
    """One web address in the text: what was written, where, and the host and registrable domain."""

    text: str
    start: int
    end: int
    host: str
    domain: str


def registrable_domain(host: str) -> str:
    """The part of a host name that one owner registers: ``mijn.digid.nl`` → ``digid.nl``.

    Args:
        host: A host name such as ``www.post-nl.info``.

    Returns:
        The last two labels, or three under a known multi-part suffix such as ``co.uk``.
    """
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _MULTI_PART_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def find_links(text: str) -> list[FoundLink]:
    """Every web address in ``text``, with or without ``https://`` or ``www.``, in order of appearance.

    A bare ``word.word`` counts only when its ending is a real top-level domain and it is not part of an
    e-mail address (those are masked before the check runs anyway).
    """
    found: list[FoundLink] = []
    for match in LINK_RE.finditer(text):
        start = match.start()
        if start > 0 and text[start - 1] in "@.-_/":
            continue
        host = match.group("host").lower()
        tld = host.rsplit(".", 1)[-1]
        if tld in _NOT_TLDS:
            continue
        explicit = bool(match.group("scheme")) or host.startswith("www.")
        if not explicit and tld not in KNOWN_TLDS:
            continue
        end = match.end()
        written = text[start:end].rstrip(".,;:!?")
        end = start + len(written)
        found.append(FoundLink(text=written, start=start, end=end, host=host, domain=registrable_domain(host)))
    return found


_DIGIT_AS_LETTER = str.maketrans(
    {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
)


def skeleton(label: str) -> str:
    """A host name reduced to letters for look-alike checks: ``p0st-n1`` → ``postnl``.

    Digits that stand in for letters become those letters, and hyphens and dots disappear, so a brand name
    written with a hyphen or with digits is still found inside a domain.
    """
    return re.sub(r"[^a-z]", "", label.lower().translate(_DIGIT_AS_LETTER))
