"""Makes the local base images that the image test (`make deploy-test`) builds the project's images on.

Why: no image registry is reachable here, so `python:3.10-slim-bookworm`, `python:3.11-slim-bookworm`,
`postgres`, `redis` and `nginx` cannot be pulled. Debian's package mirror is reachable, so a Debian 12
(bookworm) root file system is made with `debootstrap` from the mirror this machine's apt uses, and turned into
an image with `docker import`. On top of it:

- ``py3.11``: a virtual environment of Debian's Python 3.11 at /opt/venv (the app image's base).
- ``py3.10``: the build machine's own CPython 3.10 (pyenv, the interpreter `.venv-rasa` runs on), copied in at
  the same path because its RUNPATH is absolute, with a virtual environment at /opt/venv (the Rasa image's
  base). Debian 12 ships only Python 3.11 and Debian 11 only 3.9, and Rasa 3.6's lock needs 3.10
  (docs/operations.md, "Image test").
- the root file system itself stands in for the PostgreSQL 15, Redis 7.0 and nginx images (Debian packages).

Every image is tagged with a hash of what it is made from, so an unchanged input reuses the image.
Standard library only; run as root (debootstrap, Docker). Usage: python3 -m scripts.deploy_base [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "deploy-test"
DOCKER = os.environ.get("DOCKER", "/usr/bin/docker")
SUITE = "bookworm"
# Python 3.11 (venv) for the app image; the 3.10 interpreter needs the same shared libraries, which python3
# pulls in. PostgreSQL, Redis and nginx stand in for their registry images in the test stack.
PACKAGES = ("python3", "python3-venv", "ca-certificates", "postgresql", "redis-server", "nginx-light")
BASE_REPO = "wegwijzer-base"
# Files of the 3.10 interpreter that the image must not carry: the test suite (size) and everything that was
# installed into its site-packages on this machine (the image installs its own from requirements/rasa.lock).
KEEP_SITE = re.compile(
    r"^(pip|setuptools|pkg_resources|_distutils_hack)(-[^/]*\.dist-info)?$|^distutils-precedence\.pth$"
)

PY311_DOCKERFILE = """\
FROM {rootfs}
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
"""

PY310_DOCKERFILE = """\
FROM {rootfs}
COPY python {prefix}
# The interpreter lives under /root (its RUNPATH); the image's unprivileged user must reach it.
RUN chmod 755 /root {prefix_parents} && {prefix}/bin/python3.10 -m venv /opt/venv
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
"""


def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    """Run a command, failing with its output when it fails."""
    result = subprocess.run(argv, capture_output=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).decode(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(argv[:4])} ... failed with exit code {result.returncode}:\n{tail}")
    return result  # type: ignore[no-any-return]


def image_exists(tag: str) -> bool:
    return subprocess.run([DOCKER, "image", "inspect", tag], capture_output=True).returncode == 0


def debian_mirror() -> str:
    """The Debian mirror this machine's apt uses (DEBIAN_MIRROR overrides), so no host name is written here."""
    if os.environ.get("DEBIAN_MIRROR"):
        return os.environ["DEBIAN_MIRROR"]
    sources = [*sorted(Path("/etc/apt").glob("sources.list.d/*.sources")), Path("/etc/apt/sources.list")]
    for path in sources:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in re.finditer(r"^URIs:\s*(\S+)", text, re.MULTILINE):
            if not match.group(1).rstrip("/").endswith("-security"):
                return match.group(1)
        for match in re.finditer(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+" + SUITE + r"\s", text, re.MULTILINE):
            return match.group(1)
    raise RuntimeError("no Debian mirror found in /etc/apt; set DEBIAN_MIRROR")


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def make_rootfs(log: list[str]) -> str:
    """The debootstrapped bookworm image, made once per package list and mirror."""
    mirror = debian_mirror()
    tag = f"{BASE_REPO}:{SUITE}-{digest(SUITE, 'minbase', ','.join(PACKAGES), mirror)}"
    if image_exists(tag):
        log.append(f"reused {tag}")
        return tag
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix=f"rootfs-{SUITE}-", dir=WORK))
    try:
        run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(target), mirror])
        # The package lists and caches are not needed in the image.
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (target / cache).glob("*"):
                if entry.is_file():
                    entry.unlink()
        tar = subprocess.Popen(["tar", "-C", str(target), "-c", "."], stdout=subprocess.PIPE)
        run([DOCKER, "import", "--change", "ENV LANG=C.UTF-8", "-", tag], stdin=tar.stdout)
        if tar.wait() != 0:
            raise RuntimeError(f"tar of {target} failed")
    finally:
        shutil.rmtree(target, ignore_errors=True)
    log.append(f"made {tag} in {time.monotonic() - started:.0f} s (debootstrap {SUITE} + docker import)")
    return tag


def build_from_tar(tag: str, context: bytes, log: list[str], what: str) -> None:
    started = time.monotonic()
    run(
        [DOCKER, "build", "--network", "host", "-t", tag, "-"],
        input=context,
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
    )
    log.append(f"made {tag} in {time.monotonic() - started:.0f} s ({what})")


def _add_text(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def reuse_or_build(
    tag: str, dockerfile: str, members: list[tuple[Path, str]], log: list[str], what: str
) -> str:
    """The image ``tag`` if it exists, else built from ``dockerfile`` and ``members`` (file, name in context).

    The tag carries a digest of everything that goes into the image, so an existing tag is the same image.
    """
    if image_exists(tag):
        log.append(f"reused {tag}")
        return tag
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        _add_text(archive, "Dockerfile", dockerfile)
        for path, name in members:
            archive.add(path, arcname=name, recursive=False)
    build_from_tar(tag, buffer.getvalue(), log, what)
    return tag


def make_py311(rootfs: str, log: list[str]) -> str:
    dockerfile = PY311_DOCKERFILE.format(rootfs=rootfs)
    tag = f"{BASE_REPO}:py3.11-{digest(dockerfile)}"
    return reuse_or_build(tag, dockerfile, [], log, "Debian's Python 3.11 in a venv")


def python310_prefix() -> Path:
    """The build machine's CPython 3.10 (PYTHON310 overrides; else the one `.venv-rasa` was made from)."""
    explicit = os.environ.get("PYTHON310")
    candidates = [Path(explicit)] if explicit else []
    cfg = ROOT / ".venv-rasa" / "pyvenv.cfg"
    if cfg.is_file():
        home = re.search(r"^home\s*=\s*(.+)$", cfg.read_text(encoding="utf-8"), re.MULTILINE)
        if home:
            candidates.append(Path(home.group(1).strip()) / "python3.10")
    candidates.extend(sorted(Path("/root/.pyenv/versions").glob("3.10.*/bin/python3.10"), reverse=True))
    for candidate in candidates:
        if candidate.is_file():
            prefix = subprocess.run(
                [str(candidate), "-c", "import sys; print(sys.base_prefix)"], capture_output=True, text=True
            ).stdout.strip()
            if prefix:
                return Path(prefix)
    raise RuntimeError("no CPython 3.10 found on this machine; set PYTHON310 to a python3.10 binary")


def _python_members(prefix: Path) -> list[tuple[Path, str]]:
    """(file, name in the context) for the interpreter's tree, without its tests and installed packages."""
    site = Path("lib", "python3.10", "site-packages")
    members = []
    for path in sorted(prefix.rglob("*")):
        rel = path.relative_to(prefix)
        parts = rel.parts
        if len(parts) >= 3 and parts[0] == "lib" and parts[2] in ("test", "idlelib", "tkinter", "turtledemo"):
            continue
        if rel.is_relative_to(site) and rel != site and not KEEP_SITE.match(rel.relative_to(site).parts[0]):
            continue
        members.append((path, f"python/{rel}"))
    return members


def make_py310(rootfs: str, log: list[str]) -> str:
    prefix = python310_prefix()
    members = _python_members(prefix)
    version = run([str(prefix / "bin" / "python3.10"), "-VV"]).stdout.decode().strip()
    parents = " ".join(str(p) for p in reversed(prefix.parents) if str(p).startswith("/root/"))
    dockerfile = PY310_DOCKERFILE.format(rootfs=rootfs, prefix=prefix, prefix_parents=parents)
    listing = "\n".join(f"{name} {path.lstat().st_size}" for path, name in members)
    tag = f"{BASE_REPO}:py3.10-{digest(dockerfile, version, listing)}"
    return reuse_or_build(tag, dockerfile, members, log, f"{version.splitlines()[0]} from {prefix}")


def make_all() -> tuple[dict[str, str], list[str]]:
    """Make (or reuse) every base image; return their tags by role and what was done."""
    log: list[str] = []
    rootfs = make_rootfs(log)
    tags = {"services": rootfs, "app": make_py311(rootfs, log), "rasa": make_py310(rootfs, log)}
    return tags, log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the tags as JSON")
    args = parser.parse_args()
    tags, log = make_all()
    for line in log:
        print(line, file=sys.stderr)
    print(json.dumps(tags) if args.json else "\n".join(f"{k}: {v}" for k, v in tags.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
