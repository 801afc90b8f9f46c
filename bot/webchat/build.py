"""Bundles the widget with socket.io-client into bot/webchat/static/ (and axe-core for the tests).

Why a bundle: the library's site must load nothing from a CDN, and one <script> tag must be
enough. The npm packages come from the npm registry (``npm ci`` in bot/webchat); this script only
copies and wraps them, so it needs no Node. ``--check`` rebuilds in memory and fails when the
committed files differ: ``make test`` uses it to prove static/ is up to date.

Usage: python -m bot.webchat.build [--check] [--node-modules DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

WEBCHAT_DIR = Path(__file__).resolve().parent
REPO_DIR = WEBCHAT_DIR.parent.parent
STATIC_DIR = WEBCHAT_DIR / "static"
AXE_DIR = REPO_DIR / "tests" / "web" / "vendor"

# Packages whose code ends up in socket.io.min.js (its own bundle of the client stack).
SOCKET_IO_PACKAGES = (
    "socket.io-client",
    "engine.io-client",
    "engine.io-parser",
    "socket.io-parser",
    "@socket.io/component-emitter",
)


class BuildError(Exception):
    """A build input is missing; the message says which and how to get it."""


@dataclass(frozen=True)
class Output:
    """One file the build writes, as bytes."""

    path: Path
    content: bytes


def _read(path: Path) -> str:
    if not path.is_file():
        raise BuildError(f"missing build input {path}; run `npm ci` in {WEBCHAT_DIR}")
    return path.read_text(encoding="utf-8")


def _version(node_modules: Path, package: str) -> str:
    data = json.loads(_read(node_modules / package / "package.json"))
    return str(data["version"])


def _licence_text(node_modules: Path, package: str) -> str:
    folder = node_modules / package
    for name in ("LICENSE", "LICENSE.md", "license", "license.md"):
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    raise BuildError(f"no licence file in {folder}")


def _strip_source_map(code: str) -> str:
    lines = [line for line in code.splitlines() if not line.startswith("//# sourceMappingURL=")]
    return "\n".join(lines)


def bundle_js(node_modules: Path) -> str:
    """Wrap socket.io-client's UMD build and the widget in one closure.

    The UMD build sees a local ``module`` object, so it neither defines a global ``io`` nor
    registers with an AMD loader the host page may have.
    """
    socket_io = _strip_source_map(_read(node_modules / "socket.io-client" / "dist" / "socket.io.min.js"))
    widget = _read(WEBCHAT_DIR / "src" / "widget.js")
    version = _version(node_modules, "socket.io-client")
    return (
        f"/*! Wegwijzer web chat widget (EUPL-1.2). Bundles socket.io-client {version} (MIT);"
        " licences in LICENSES.txt. Built by bot/webchat/build.py: do not edit. */\n"
        "(function () {\n"
        "var module = { exports: {} }, exports = module.exports, define = undefined;\n"
        f"{socket_io}\n"
        ";var io = module.exports;\n"
        f"{widget}"
        "})();\n"
    )


def licences(node_modules: Path) -> str:
    """Collect the licence texts of everything bundled into static/."""
    parts = ["Third-party code bundled into wegwijzer.js\n"]
    for package in SOCKET_IO_PACKAGES:
        version = _version(node_modules, package)
        parts.append(f"\n===== {package} {version} =====\n")
        parts.append(_licence_text(node_modules, package))
    return "".join(parts)


def plan(node_modules: Path) -> list[Output]:
    """Everything the build writes, in memory."""
    axe_version = _version(node_modules, "axe-core")
    axe = _read(node_modules / "axe-core" / "axe.min.js")
    return [
        Output(STATIC_DIR / "wegwijzer.js", bundle_js(node_modules).encode()),
        Output(STATIC_DIR / "wegwijzer.css", _read(WEBCHAT_DIR / "src" / "widget.css").encode()),
        Output(STATIC_DIR / "demo.css", _read(WEBCHAT_DIR / "src" / "demo.css").encode()),
        Output(STATIC_DIR / "LICENSES.txt", licences(node_modules).encode()),
        Output(AXE_DIR / "axe.min.js", axe.encode()),
        Output(
            AXE_DIR / "axe-core.LICENSE.txt",
            f"axe-core {axe_version}\n\n{_licence_text(node_modules, 'axe-core')}".encode(),
        ),
    ]


def stale(outputs: list[Output]) -> list[Path]:
    """Outputs whose file on disk is missing or differs."""
    return [o.path for o in outputs if not o.path.is_file() or o.path.read_bytes() != o.content]


def main(argv: list[str] | None = None) -> int:
    """Build or check the bundle; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the committed files differ")
    parser.add_argument("--node-modules", type=Path, default=WEBCHAT_DIR / "node_modules")
    args = parser.parse_args(argv)
    try:
        outputs = plan(args.node_modules)
    except BuildError as exc:
        sys.stderr.write(f"webchat build: {exc}\n")
        return 2
    if args.check:
        outdated = stale(outputs)
        for path in outdated:
            sys.stderr.write(f"webchat build: out of date: {path.relative_to(REPO_DIR)}\n")
        if outdated:
            sys.stderr.write("webchat build: run `make webchat-build` and commit the result\n")
            return 1
        sys.stdout.write("webchat build: bundle is up to date\n")
        return 0
    for output in outputs:
        output.path.parent.mkdir(parents=True, exist_ok=True)
        output.path.write_bytes(output.content)
        sys.stdout.write(f"webchat build: wrote {output.path.relative_to(REPO_DIR)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
