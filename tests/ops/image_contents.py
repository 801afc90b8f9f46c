"""What a project image must contain: the repository modules its processes import, found statically.

Why: the Rasa image once copied ``bot/connectors`` but not the ``bot`` modules the connectors import, so the
channels could not start in the image while every test on the host passed. This module reads the entry points
(channels in ``credentials.yml``, custom components in ``config.yml``, the modules compose starts), follows
their imports through the repository with ``ast`` (nothing is imported or run) and compares the files needed
with the ``COPY`` lines of a Dockerfile.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("actions", "api", "bot", "knowledge", "shared", "scripts")


def module_file(module: str) -> Path | None:
    """The repository file of a dotted module name (module.py or package/__init__.py), or None if outside."""
    if module.split(".")[0] not in TOP_LEVEL:
        return None
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_inits(path: Path) -> list[Path]:
    """The __init__.py files of every package above ``path`` (Python runs them on import)."""
    inits = []
    parent = path.parent
    while parent != ROOT and (parent / "__init__.py").is_file():
        inits.append(parent / "__init__.py")
        parent = parent.parent
    return inits


def _imports(path: Path) -> Iterable[str]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base]) if base else ".".join(parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def needed_files(modules: Iterable[str]) -> set[Path]:
    """Every repository file reached from ``modules`` by imports (transitively), package inits included."""
    todo = [f for f in (module_file(m) for m in modules) if f is not None]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo.extend(_package_inits(path))
        todo.extend(f for f in (module_file(m) for m in _imports(path)) if f is not None)
    return seen


def data_files(python_files: Iterable[Path]) -> set[Path]:
    """YAML files that sit in a needed package (the catalogue, texts): loaded at run time, so needed too."""
    found: set[Path] = set()
    for directory in {p.parent for p in python_files}:
        found.update(p for p in directory.rglob("*.yml") if p.is_file())
    return found


def rasa_entry_modules() -> set[str]:
    """Modules Rasa loads by name: channel classes, custom NLU components, and the compose commands."""
    names: set[str] = set()
    for name in yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}:
        if "." in name:
            names.add(name.rpartition(".")[0])
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config.get("pipeline", []) + config.get("policies", []):
        if "." in component.get("name", ""):
            names.add(component["name"].rpartition(".")[0])
    for endpoints in ROOT.glob("endpoints*.yml"):
        for section in (yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}).values():
            kind = section.get("type", "") if isinstance(section, dict) else ""
            if "." in kind:
                names.add(kind.rpartition(".")[0])
    return names | set(compose_modules("wegwijzer-rasa"))


def compose_modules(image: str) -> list[str]:
    """The ``python -m MODULE`` of every compose service that runs ``image``."""
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    modules = []
    services = compose["services"]
    for service in services.values():
        if not str(service.get("image", "")).startswith(image + ":"):
            continue
        command = service.get("command") or []
        if isinstance(command, list) and command[:2] == ["python", "-m"]:
            modules.append(command[2])
            if (ROOT.joinpath(*command[2].split(".")) / "__main__.py").is_file():
                modules.append(command[2] + ".__main__")  # what ``python -m PACKAGE`` runs
    return modules


def copied_paths(dockerfile: Path) -> list[Path]:
    """The repository paths a Dockerfile COPYs from the build context (not from other stages)."""
    paths: list[Path] = []
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].upper() != "COPY" or any(w.startswith("--from") for w in words):
            continue
        sources = [w for w in words[1:-1] if not w.startswith("--")]
        paths.extend(ROOT / s.rstrip("/") for s in sources)
    return paths


def missing(needed: Iterable[Path], copied: list[Path]) -> list[str]:
    """Needed files that no COPY source covers, relative to the repository root."""
    out = []
    for path in needed:
        if not any(path == c or c in path.parents for c in copied):
            out.append(str(path.relative_to(ROOT)))
    return sorted(out)
