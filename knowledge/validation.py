"""Small typed readers for YAML mappings that collect precise errors (file, field, problem).

Why not a schema library: the Rasa environment pins pydantic 1 and the app environment uses pydantic 2, and
knowledge/ must import in both; these few readers keep it dependency-free.
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Any

import yaml

URL_RE = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ContentError(ValueError):
    """Raised when knowledge/ content is invalid; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid content:\n" + "\n".join(f"  - {p}" for p in problems))


def read_yaml(path: Path, where: str, problems: list[str]) -> tuple[bool, Any]:
    """``(True, data)`` for a readable YAML file; ``(False, None)`` with the problem recorded otherwise."""
    try:
        return True, yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{where}: file is missing")
    except yaml.YAMLError as exc:
        problems.append(f"{where}: not valid YAML: {exc}")
    return False, None


class Reader:
    """Reads fields from one mapping and records problems as ``file: field: problem``."""

    def __init__(self, data: Any, where: str, problems: list[str], allowed: set[str]) -> None:
        self.where = where
        self.problems = problems
        if not isinstance(data, dict):
            self.fail("", f"expected a mapping, got {type(data).__name__}")
            data = {}
        self.data: dict[str, Any] = data
        for key in sorted(set(data) - allowed, key=str):
            self.fail(str(key), "unknown field (allowed: " + ", ".join(sorted(allowed)) + ")")

    def fail(self, field: str, problem: str) -> None:
        """Record a problem for ``field``."""
        label = f"{self.where}: field '{field}'" if field else self.where
        self.problems.append(f"{label}: {problem}")

    def raw(self, field: str, required: bool = True) -> Any:
        """Return the raw value, recording a problem when a required field is missing."""
        if field not in self.data or self.data[field] is None:
            if required:
                self.fail(field, "is required")
            return None
        return self.data[field]

    def text(self, field: str, required: bool = True, max_len: int | None = None) -> str | None:
        """A non-empty string."""
        value = self.raw(field, required)
        if value is None:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.fail(field, f"must be text, got {type(value).__name__}")
            return None
        value = " ".join(str(value).split())
        if not value:
            self.fail(field, "must not be empty")
            return None
        if max_len is not None and len(value) > max_len:
            self.fail(field, f"is {len(value)} characters; at most {max_len} allowed")
        return value

    def ident(self, field: str) -> str:
        """A snake_case identifier."""
        value = self.text(field) or ""
        if value and not ID_RE.match(value):
            self.fail(field, f"'{value}' is not a snake_case id")
        return value

    def url(self, field: str, required: bool = True) -> str | None:
        """An https URL."""
        value = self.text(field, required)
        if value is not None and not URL_RE.match(value):
            self.fail(field, f"'{value}' is not an https:// URL")
        return value

    def flag(self, field: str, default: bool | None = None) -> bool:
        """A boolean."""
        value = self.raw(field, default is None)
        if value is None:
            return bool(default)
        if not isinstance(value, bool):
            self.fail(field, f"must be true or false, got {value!r}")
            return bool(default)
        return value

    def day(self, field: str) -> date:
        """An ISO date."""
        value = self.raw(field)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        if value is not None:
            self.fail(field, f"must be a date like 2026-11-25, got {value!r}")
        return date.min

    def clock(self, field: str) -> time:
        """A time written as HH:MM (quoted in YAML)."""
        value = self.raw(field)
        if isinstance(value, str) and TIME_RE.match(value):
            hours, minutes = value.split(":")
            return time(int(hours), int(minutes))
        if value is not None:
            self.fail(field, f'must be a quoted time like "14:00", got {value!r}')
        return time(0, 0)

    def items(self, field: str, required: bool = True) -> list[Any]:
        """A list (possibly empty when not required)."""
        value = self.raw(field, required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(field, f"must be a list, got {type(value).__name__}")
            return []
        return value

    def texts(self, field: str, required: bool = True) -> tuple[str, ...]:
        """A list of non-empty strings."""
        out = []
        for index, item in enumerate(self.items(field, required)):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{field}[{index}]", "must be non-empty text")
                continue
            out.append(" ".join(item.split()))
        return tuple(out)

    def mapping(self, field: str, required: bool = True) -> dict[str, Any]:
        """A nested mapping."""
        value = self.raw(field, required)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(field, f"must be a mapping, got {type(value).__name__}")
            return {}
        return value
