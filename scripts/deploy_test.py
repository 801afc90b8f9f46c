"""The image test (`make deploy-test`): build both images, run the compose stack, chat via nginx, check counts.

Why: the Dockerfiles and deploy/compose.yaml were checked only statically, and an image that does not start
passes every test on the host (tests/ops/image_contents.py has the story). This script:

1. uses a running Docker daemon, or starts one without bridge networking (and stops it again);
2. makes or reuses the local base images (scripts/deploy_base.py; no registry is reachable here);
3. builds deploy/rasa.Dockerfile and deploy/app.Dockerfile from the working tree, passing this machine's pip
   settings (index, CA bundle) as BuildKit secrets, so nothing of them is stored in the images;
4. derives a compose file from deploy/compose.yaml that differs only where one host forces it: every service
   on the host's network (`network_mode: host`) and on its own free 127.0.0.1 port, Debian's PostgreSQL, Redis
   and nginx for the registry images, nginx's config rendered from deploy/nginx.conf with loopback upstreams and
   a throwaway certificate, the SQL tracker store (so the tracker database is really used), and one more API
   process ("reader") whose clock is 40 days later, because statistics are published only for settled periods
   (docs/api.md); nginx's `api` upstream points at the reader;
5. opens the web chat's socket.io session through nginx's public TLS server (and sees a foreign Origin
   refused), holds a conversation over Rasa's REST channel through nginx's internal Rasa balancer, waits
   until the relay delivered the events, and reads `GET /api/v1/stats` through nginx's public TLS server
   with the read key: the referral shown must be counted once, and the conversation once;
6. proves the PostgreSQL roles: the API's role cannot connect to the tracker database, Rasa's role cannot
   connect to the API's, and neither is a superuser, while Rasa's role reads the tracker rows it wrote;
7. tears the stack down (`down -v`) and writes results/deploy-test.json.

Everything binds 127.0.0.1 and no service talks to an address outside the loopback range; the builds reach
only the package registries. Run as root. Usage: python -m scripts.deploy_test [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from scripts import deploy_base
from scripts.stack import free_port

ROOT = deploy_base.ROOT
WORK = deploy_base.WORK
DOCKER = deploy_base.DOCKER
COMPOSE = os.environ.get("DOCKER_COMPOSE", "docker-compose")
RESULTS = ROOT / "results" / "deploy-test.json"
VERSION = "deploy-test"
# The chat stack's clock and the reader's, as in tests/e2e/test_counting_e2e.py: November 2025 is settled for
# the reader, which publishes exact counts.
CHAT_NOW = "2025-11-26T19:00:00+01:00"
READER_NOW = "2026-01-05T12:00:00+01:00"
NOVEMBER = "from=2025-11-01&to=2025-11-30&period=month"
# One question whose answer shows one referral block before a municipality is known (tests/e2e).
QUESTION = "hoe vraag ik zorgtoeslag aan"
REFERRAL_TARGET = "belastingtelefoon"
PUBLIC_HOST = "wegwijzer.example.nl"
PROXIED = ("rasa-1", "rasa-2", "actions-1", "actions-2", "api-reader")
STACK = ("postgres", "redis", "rasa-1", "rasa-2", "actions-1", "relay-1", "actions-2", "relay-2", "api")
START_TIMEOUT = float(os.environ.get("DEPLOY_TEST_START_TIMEOUT", "900"))


def compose_variables() -> set[str]:
    """The variables deploy/compose.yaml substitutes (``${NAME...}``)."""
    text = (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
    return set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))


def log(message: str) -> None:
    print(f"[deploy-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure raise with the end of its output."""
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:6])} failed ({result.returncode}):\n{(result.stdout + result.stderr)[-4000:]}"
        )
    return result


# --- 1. daemon ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def docker_daemon() -> Iterator[None]:
    """A Docker daemon for the test: the running one, or one started here without bridge networking."""
    if subprocess.run([DOCKER, "info"], capture_output=True).returncode == 0:
        yield
        return
    WORK.mkdir(parents=True, exist_ok=True)
    logfile = (WORK / "dockerd.log").open("ab")
    flags = ["--bridge=none", "--iptables=false", "--ip-masq=false", "--ip-forward=false"]
    daemon = subprocess.Popen(["dockerd", *flags], stdout=logfile, stderr=logfile, start_new_session=True)
    log(f"started dockerd {' '.join(flags)} (pid {daemon.pid})")
    try:
        deadline = time.monotonic() + 60
        while subprocess.run([DOCKER, "info"], capture_output=True).returncode != 0:
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dockerd did not start; see {WORK / 'dockerd.log'}")
            time.sleep(1)
        yield
    finally:
        daemon.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            daemon.wait(30)
        logfile.close()


# --- 3. images ---------------------------------------------------------------------------------------------


def build_context() -> Path:
    """The build context: the working tree's files as git sees them (tracked and new, not ignored) and the
    trained model, which is git-ignored and may be a link out of the tree."""
    context = WORK / "context"
    shutil.rmtree(context, ignore_errors=True)
    listed = run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=ROOT).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_symlink() or not source.is_file():
            continue
        target = context / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    model = ROOT / "models" / "wegwijzer.tar.gz"
    if not model.is_file():
        raise RuntimeError(f"{model} is missing: run `make train` first")
    (context / "models").mkdir(exist_ok=True)
    shutil.copy2(model.resolve(), context / "models" / "wegwijzer.tar.gz")
    return context


def pip_secrets() -> dict[str, Path]:
    """This machine's pip index settings and CA bundle as files for BuildKit secrets (nothing else of pip's
    configuration: local wheel folders and file:// indexes do not exist inside a build)."""
    settings = run([sys.executable, "-m", "pip", "config", "list"]).stdout
    values: dict[str, str] = {}
    for line in settings.splitlines():
        key, _, value = line.partition("=")
        values[key.split(".", 1)[-1]] = value.strip().strip("'\"")
    index = os.environ.get("PIP_INDEX_URL") or values.get("index-url", "")
    extras = (os.environ.get("PIP_EXTRA_INDEX_URL") or values.get("extra-index-url", "")).split()
    cert = os.environ.get("PIP_CERT") or values.get("cert") or "/etc/ssl/certs/ca-certificates.crt"
    lines = ["[global]"]
    if index.startswith(("http://", "https://")):
        lines.append(f"index-url = {index}")
    web_extras = [u for u in extras if u.startswith(("http://", "https://"))]
    if web_extras:
        lines.append("extra-index-url = " + " ".join(web_extras))
    conf = WORK / "pip.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    conf.chmod(0o600)
    found = {"pip_conf": conf}
    if Path(cert).is_file():
        found["pip_cert"] = Path(cert)
    return found


def build_image(dockerfile: str, tag: str, base: str, context: Path, secret_files: dict[str, Path]) -> float:
    started = time.monotonic()
    argv = [DOCKER, "build", "--network", "host", "--progress", "plain", "-f", dockerfile, "-t", tag]
    argv += ["--build-arg", f"BASE_IMAGE={base}"]
    for name, path in secret_files.items():
        argv += ["--secret", f"id={name},src={path}"]
    logfile = WORK / f"build-{Path(dockerfile).stem.split('.')[0]}.log"
    with logfile.open("w") as out:
        code = subprocess.run([*argv, str(context)], stdout=out, stderr=subprocess.STDOUT,
                              env={**os.environ, "DOCKER_BUILDKIT": "1"}).returncode  # fmt: skip
    if code != 0:
        raise RuntimeError(
            f"docker build -f {dockerfile} failed; see {logfile}:\n{logfile.read_text()[-3000:]}"
        )
    return time.monotonic() - started


def check_no_secret_in(tag: str, secret_files: dict[str, Path]) -> None:
    """The pip settings were mounted for the build steps only: not in the image history, not in its files."""
    history = run([DOCKER, "history", "--no-trunc", "--format", "{{.CreatedBy}}", tag]).stdout
    conf = secret_files["pip_conf"].read_text(encoding="utf-8")
    for url in re.findall(r"https?://\S+", conf):
        assert url not in history, f"{tag}: the pip index {url} is in the image history"
    found = run([DOCKER, "run", "--rm", "--network", "none", "--entrypoint", "sh", tag, "-c",
                 "ls /run/secrets 2>/dev/null | wc -l"]).stdout.strip()  # fmt: skip
    assert found == "0", f"{tag}: /run/secrets is not empty in the image"


# --- 4. compose file, nginx config, environment --------------------------------------------------------------


def render_nginx(ports: dict[str, int]) -> str:
    """deploy/nginx.conf with loopback listeners and upstreams; fails if a line it rewrites has changed."""
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    rewrites = [
        ("server rasa-1:5005", f"server 127.0.0.1:{ports['rasa-1']}", 2),
        ("server rasa-2:5005", f"server 127.0.0.1:{ports['rasa-2']}", 2),
        ("server actions-1:5055", f"server 127.0.0.1:{ports['actions-1']}", 1),
        ("server actions-2:5055", f"server 127.0.0.1:{ports['actions-2']}", 1),
        # Statistics are read from the reader (its clock is 40 days later): see the module docstring.
        ("server api:8000;", f"server 127.0.0.1:{ports['api-reader']};", 1),
        ("listen 80 default_server;", f"listen 127.0.0.1:{ports['http']} default_server;", 1),
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{ports['https']} ssl default_server;", 1),
        ("listen 443 ssl;", f"listen 127.0.0.1:{ports['https']} ssl;", 2),
        ("listen 5005;", f"listen 127.0.0.1:{ports['nginx-rasa']};", 1),
        ("listen 5055;", f"listen 127.0.0.1:{ports['nginx-actions']};", 1),
        ("resolver 127.0.0.11 ", "resolver 127.0.0.1 ", 1),
    ]
    for old, new, count in rewrites:
        if text.count(old) != count:
            raise RuntimeError(f"deploy/nginx.conf: expected {count} x {old!r}, found {text.count(old)}")
        text = text.replace(old, new)
    return text


def make_certificate(directory: Path) -> Path:
    """A throwaway self-signed certificate for the public host name and 127.0.0.1."""
    directory.mkdir(parents=True, exist_ok=True)
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem"),
         "-subj", f"/CN={PUBLIC_HOST}",
         "-addext", f"subjectAltName=DNS:{PUBLIC_HOST},IP:127.0.0.1"])  # fmt: skip
    (directory / "privkey.pem").chmod(0o644)
    return directory / "fullchain.pem"


def make_env() -> dict[str, str]:
    """Fresh secrets for every variable compose requires (nothing is reused between runs)."""

    def token() -> str:
        return secrets.token_urlsafe(32)

    ingest, read = token(), token()
    return {
        "WEGWIJZER_VERSION": VERSION,
        "PUBLIC_HOST": PUBLIC_HOST,
        "WEBCHAT_ALLOWED_ORIGINS": f"https://{PUBLIC_HOST}",
        # Host networking: nginx reaches Rasa from loopback, so that is the trusted proxy here.
        "WEBCHAT_TRUSTED_PROXIES": "127.0.0.1",
        "ENDPOINTS": "endpoints.sql.yml",
        "REDIS_PASSWORD": token(),
        "POSTGRES_PASSWORD": token(),
        "API_DB_PASSWORD": token(),
        "RASA_DB_PASSWORD": token(),
        "TRIAGE_STAFF_KEY": token(),
        "WEBCHAT_SESSION_KEY": token(),
        "API_INGEST_KEY": ingest,
        "API_INGEST_KEY_SHA256": hashlib.sha256(ingest.encode()).hexdigest(),
        "API_READ_KEY": read,
        "API_READ_KEY_SHA256": hashlib.sha256(read.encode()).hexdigest(),
        "API_SESSION_SECRET": token(),
    }


def _replace_in(values: list[str], old: str, new: str) -> list[str]:
    if old not in values:
        raise RuntimeError(f"deploy/compose.yaml: expected {old!r} in {values}")
    return [new if v == old else v for v in values]


def _health(service: dict[str, Any], old: str, new: str) -> None:
    test = service["healthcheck"]["test"]
    joined = json.dumps(test)
    if old not in joined:
        raise RuntimeError(f"deploy/compose.yaml: health check {test} does not name {old}")
    service["healthcheck"]["test"] = json.loads(joined.replace(old, new))


def derive_compose(ports: dict[str, int], files: dict[str, Path], services_image: str) -> dict[str, Any]:
    """deploy/compose.yaml for one host: host networking, loopback ports, local stand-ins (module docstring)."""
    spec = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8"))
    source = spec["services"]
    services: dict[str, Any] = {}
    loopback = "127.0.0.1"
    for name in STACK:
        # Deep copies: YAML anchors make the services share their nested mappings.
        service = copy.deepcopy(source[name])
        for key in ("networks", "ports", "build", "deploy", "profiles"):
            service.pop(key, None)
        service["network_mode"] = "host"
        env = dict(service.get("environment") or {})
        if "TRACKER_DB_HOST" in env:
            env.update(TRACKER_DB_HOST=loopback, TRACKER_DB_PORT=str(ports["postgres"]))
        if "REDIS_HOST" in env:
            env.update(REDIS_HOST=loopback, REDIS_PORT=str(ports["redis"]))
        if "ACTION_SERVER_URL" in env:
            env["ACTION_SERVER_URL"] = f"http://{loopback}:{ports['nginx-actions']}/webhook"
        if name.startswith("rasa-"):
            command = _replace_in(service["command"], "0.0.0.0", loopback)
            service["command"] = _replace_in(command, "5005", str(ports[name]))
            _health(service, "127.0.0.1:5005", f"127.0.0.1:{ports[name]}")
            service.pop("depends_on", None)
        elif name.startswith("actions-"):
            env.update(ACTION_SERVER_HOST=loopback, ACTION_SERVER_PORT=str(ports[name]))
            if "CONTENT_OVERLAY_URL" in env:
                env["CONTENT_OVERLAY_URL"] = f"http://{loopback}:{ports['api']}/api/v1/content/overlay"
            _health(service, "127.0.0.1:5055", f"127.0.0.1:{ports[name]}")
        elif name.startswith("relay-"):
            env.update(API_URL=f"http://{loopback}:{ports['api']}", RELAY_POLL_INTERVAL="0.2")
        elif name == "api":
            env.update(API_HOST=loopback, API_PORT=str(ports["api"]))
            env["API_DATABASE_URL"] = env["API_DATABASE_URL"].replace(
                "@postgres:5432/", f"@{loopback}:{ports['postgres']}/"
            )
            _health(service, "127.0.0.1:8000", f"127.0.0.1:{ports['api']}")
        elif name == "postgres":
            service["image"] = services_image
            service["entrypoint"] = ["/deploy-test/pg-entrypoint.sh"]
            service["command"] = ["-p", str(ports["postgres"]), "-c", f"listen_addresses={loopback}"]
            service["volumes"] = [
                "postgres-data:/var/lib/postgresql/data",
                f"{ROOT / 'deploy' / 'postgres-init.sh'}:/docker-entrypoint-initdb.d/10-roles.sh:ro",
                f"{ROOT / 'scripts' / 'deploy_pg_entrypoint.sh'}:/deploy-test/pg-entrypoint.sh:ro",
            ]
            _health(service, "pg_isready ", f"pg_isready -h {loopback} -p {ports['postgres']} ")
        elif name == "redis":
            service["image"] = services_image
            service["command"] = [*service["command"], "--bind", loopback, "--port", str(ports["redis"])]
            service["working_dir"] = "/data"
            _health(service, "redis-cli ", f"redis-cli -h {loopback} -p {ports['redis']} ")
        if name.startswith(("rasa-", "actions-", "relay-")):
            env["WEGWIJZER_NOW"] = CHAT_NOW
        if name == "api":
            env["WEGWIJZER_NOW"] = CHAT_NOW
        service["environment"] = env
        services[name] = service
    # Rasa's SQL tracker store needs the database at start-up.
    for name in ("rasa-1", "rasa-2"):
        services[name]["depends_on"] = {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
    reader = copy.deepcopy(services["api"])
    reader["environment"].update(
        API_PORT=str(ports["api-reader"]), API_AUTO_MIGRATE="false", WEGWIJZER_NOW=READER_NOW,
        API_SUPPRESSION_THRESHOLD="1", API_ROUNDING_BASE="1",
    )  # fmt: skip
    _health(reader, f"127.0.0.1:{ports['api']}", f"127.0.0.1:{ports['api-reader']}")
    reader["depends_on"] = {"api": {"condition": "service_healthy"}}
    services["api-reader"] = reader
    proxy = copy.deepcopy(source["proxy"])
    for key in ("networks", "ports", "depends_on"):
        proxy.pop(key, None)
    proxy.update(
        image=services_image, network_mode="host", command=["nginx", "-g", "daemon off;"],
        volumes=[f"{files['nginx']}:/etc/nginx/nginx.conf:ro", f"{files['certs']}:/etc/nginx/certs:ro",
                 f"{ROOT / 'bot' / 'webchat' / 'static'}:/srv/widget:ro"],
        depends_on={n: {"condition": "service_started"} for n in PROXIED},
    )  # fmt: skip
    services["proxy"] = proxy
    volumes = dict(spec["volumes"].items())
    return (
        {"version": spec.get("version", "3.9"), "services": services, "volumes": volumes}
        if "version" in spec
        else {"services": services, "volumes": volumes}
    )


# --- 5. the conversation and the count ---------------------------------------------------------------------


def post_json(url: str, body: dict[str, Any], timeout: float = 60) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read())


def wait_until(what: str, check: Any, timeout: float, compose: list[str] | None = None) -> float:
    """Poll ``check()`` until it is true; return the seconds it took."""
    started = time.monotonic()
    last: Exception | None = None
    while time.monotonic() - started < timeout:
        try:
            if check():
                return time.monotonic() - started
        except (OSError, urllib.error.URLError, http.client.HTTPException, ValueError) as error:
            last = error
        time.sleep(2)
    logs = run([*compose, "logs", "--tail", "60"]).stdout[-8000:] if compose else ""
    raise RuntimeError(f"{what}: not ready after {timeout:.0f} s (last error: {last})\n{logs}")


def rest_ready(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return bool(reply.status == 200)


def https_get(port: int, cafile: Path, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """GET from nginx's public TLS server for the public host name, checking its certificate."""
    context = ssl.create_default_context(cafile=str(cafile))
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": PUBLIC_HOST, **headers})
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def check_webchat_socket(port: int, cafile: Path) -> dict[str, int]:
    """The web chat's socket.io channel answers through nginx for an allowed page and nginx refuses others."""
    path = "/socket.io/?EIO=4&transport=polling"
    status, body = https_get(port, cafile, path, {"Origin": f"https://{PUBLIC_HOST}"})
    assert status == 200 and body.startswith(b"0{") and b'"sid"' in body, (status, body[:300])
    refused, _ = https_get(port, cafile, path, {"Origin": "https://evil.example"})
    assert refused == 403, f"nginx let a foreign Origin open the socket: {refused}"
    return {"allowed_origin": status, "foreign_origin": refused}


def stats(port: int, cafile: Path, read_key: str, query: str) -> dict[str | None, int]:
    """Value totals of November from GET /api/v1/stats, through nginx's public TLS server."""
    status, body = https_get(port, cafile, f"/api/v1/stats?{NOVEMBER}&{query}", {"X-API-Key": read_key})
    if status != 200:
        raise RuntimeError(f"GET /api/v1/stats through nginx: {status} {body[:500]!r}")
    data = json.loads(body)
    return {entry["value"]: int(entry["count"] or 0) for entry in data["value_totals"]}


def is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    return host.startswith("127.") or host in ("::1", "::ffff:127.0.0.1") or host.startswith("::ffff:127.")


def check_loopback_only(compose: list[str]) -> dict[str, int]:
    """Every socket of the stack's processes, listening or connected, is on a loopback address.

    Host networking shares the host's interfaces, so this is what keeps the test off the network: `ss` lists
    the TCP and UDP sockets of the processes that `docker top` names for the project's containers."""
    pids: set[str] = set()
    for container in run([*compose, "ps", "-q"]).stdout.split():
        top = run([DOCKER, "top", container, "-eo", "pid"]).stdout.split()[1:]
        pids.update(top)
    if not pids:
        raise RuntimeError("no processes found in the stack's containers")
    listening = connected = 0
    for flags in ("-ltunpH", "-tunpH"):
        for line in run(["ss", flags]).stdout.splitlines():
            owners = set(re.findall(r"pid=(\d+)", line))
            if not owners & pids:
                continue
            fields = line.split()
            local, peer = fields[4], fields[5]
            bad = [a for a in (local, peer) if a not in ("*:*", "0.0.0.0:*", "[::]:*") and not is_loopback(a)]
            assert not bad, f"a stack process uses a non-loopback address: {line}"
            if flags.startswith("-l"):
                listening += 1
            else:
                connected += 1
    return {"processes": len(pids), "listening_sockets": listening, "connected_sockets": connected}


# --- 6. PostgreSQL roles -----------------------------------------------------------------------------------


def psql(
    compose: list[str], port: int, user: str, password: str, database: str, sql: str
) -> subprocess.CompletedProcess[str]:
    """psql over TCP (password login) inside the postgres container."""
    dsn = f"host=127.0.0.1 port={port} user={user} dbname={database}"
    argv = [*compose, "exec", "-T", "-e", f"PGPASSWORD={password}", "postgres"]
    return subprocess.run([*argv, "psql", "-X", "-At", dsn, "-c", sql], capture_output=True, text=True)


def refusal(stderr: str) -> str:
    """The line of psql's error output that gives the reason."""
    return next(line.strip() for line in stderr.splitlines() if "permission denied" in line)


def check_roles(compose: list[str], port: int, env: dict[str, str], sender: str) -> dict[str, str]:
    api, rasa = ("wegwijzer_api", env["API_DB_PASSWORD"]), ("wegwijzer_rasa", env["RASA_DB_PASSWORD"])
    found: dict[str, str] = {}
    denied = psql(compose, port, *api, "wegwijzer_tracker", "SELECT count(*) FROM events")
    assert denied.returncode != 0 and "permission denied for database" in denied.stderr, denied
    found["api_on_tracker"] = refusal(denied.stderr)
    denied = psql(compose, port, *rasa, "wegwijzer_api", "SELECT count(*) FROM event")
    assert denied.returncode != 0 and "permission denied for database" in denied.stderr, denied
    found["rasa_on_api"] = refusal(denied.stderr)
    own = psql(compose, port, *api, "wegwijzer_api", "SELECT count(*) FROM event")
    assert own.returncode == 0 and int(own.stdout.strip()) > 0, own
    found["api_own_events"] = own.stdout.strip()
    rows = psql(
        compose, port, *rasa, "wegwijzer_tracker", f"SELECT count(*) FROM events WHERE sender_id = '{sender}'"
    )
    assert rows.returncode == 0 and int(rows.stdout.strip()) > 0, rows
    found["rasa_tracker_rows_for_sender"] = rows.stdout.strip()
    roles = "SELECT string_agg(rolname || ':' || rolsuper, ',' ORDER BY rolname) FROM pg_roles"
    flags = psql(compose, port, *api, "wegwijzer_api", roles + " WHERE rolname LIKE 'wegwijzer_%'")
    assert flags.returncode == 0, flags
    assert flags.stdout.strip() == "wegwijzer_admin:true,wegwijzer_api:false,wegwijzer_rasa:false", flags.stdout
    found["superusers"] = flags.stdout.strip()
    return found


# --- the test ----------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack running (for debugging)")
    args = parser.parse_args()
    started = time.monotonic()
    timings: dict[str, float] = {}
    WORK.mkdir(parents=True, exist_ok=True)
    with docker_daemon():
        step = time.monotonic()
        bases, made = deploy_base.make_all()
        for line in made:
            log(line)
        timings["base_images_s"] = time.monotonic() - step
        context = build_context()
        secret_files = pip_secrets()
        rasa_tag, app_tag = f"wegwijzer-rasa:{VERSION}", f"wegwijzer-app:{VERSION}"
        timings["build_app_s"] = build_image(
            "deploy/app.Dockerfile", app_tag, bases["app"], context, secret_files
        )
        log(f"built {app_tag} in {timings['build_app_s']:.0f} s")
        timings["build_rasa_s"] = build_image(
            "deploy/rasa.Dockerfile", rasa_tag, bases["rasa"], context, secret_files
        )
        log(f"built {rasa_tag} in {timings['build_rasa_s']:.0f} s")
        for tag in (app_tag, rasa_tag):
            check_no_secret_in(tag, secret_files)

        names = ("postgres", "redis", "rasa-1", "rasa-2", "actions-1", "actions-2", "api", "api-reader",
                 "http", "https", "nginx-rasa", "nginx-actions")  # fmt: skip
        ports = {name: free_port() for name in names}
        while len(set(ports.values())) != len(ports):
            ports = {name: free_port() for name in names}
        run_dir = WORK / "run"
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        cafile = make_certificate(run_dir / "certs")
        (run_dir / "nginx.conf").write_text(render_nginx(ports), encoding="utf-8")
        env = make_env()
        env["TLS_CERT_DIR"] = str(run_dir / "certs")
        # Compose prefers the caller's environment to --env-file, and `make` exports the development values of
        # .env.example (placeholder keys): without this, every service would get those instead of fresh secrets.
        for name in compose_variables():
            os.environ.pop(name, None)
        env_file = run_dir / ".env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
        env_file.chmod(0o600)
        files = {"nginx": run_dir / "nginx.conf", "certs": run_dir / "certs"}
        spec = derive_compose(ports, files, bases["services"])
        (run_dir / "compose.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        project = f"wegwijzer-deploytest-{os.getpid()}"
        compose = [COMPOSE, "-p", project, "-f", str(run_dir / "compose.yaml"), "--env-file", str(env_file)]
        images = {"rasa": rasa_tag, "app": app_tag, **{f"base_{k}": v for k, v in bases.items()}}
        result: dict[str, Any] = {"ports": ports, "images": images}
        try:
            step = time.monotonic()
            run([*compose, "up", "-d", "--no-build"])
            nginx_rasa = f"http://127.0.0.1:{ports['nginx-rasa']}"
            for name in ("rasa-1", "rasa-2"):
                wait_until(
                    f"{name} REST channel",
                    lambda n=name: rest_ready(f"http://127.0.0.1:{ports[n]}/webhooks/rest/"),
                    START_TIMEOUT,
                    compose,
                )  # type: ignore[misc]
            wait_until("nginx's Rasa balancer", lambda: rest_ready(f"{nginx_rasa}/webhooks/rest/"), 60, compose)
            wait_until(
                "the reader API",
                lambda: rest_ready(f"http://127.0.0.1:{ports['api-reader']}/healthz"),
                120,
                compose,
            )
            timings["stack_up_s"] = time.monotonic() - step
            log(f"stack up in {timings['stack_up_s']:.0f} s")

            result["webchat_socket"] = check_webchat_socket(ports["https"], cafile)
            log(f"web chat socket through nginx: {result['webchat_socket']}")
            before = stats(ports["https"], cafile, env["API_READ_KEY"], "by=target&kind=referred")
            before_conv = stats(
                ports["https"], cafile, env["API_READ_KEY"], "by=kind&kind=conversation_started"
            )
            sender = f"deploy-test-{uuid.uuid4().hex[:8]}"
            step = time.monotonic()
            reply = post_json(f"{nginx_rasa}/webhooks/rest/webhook", {"sender": sender, "message": QUESTION})
            timings["first_turn_s"] = time.monotonic() - step
            text = "\n".join(m.get("text") or "" for m in reply)
            assert "Belastingtelefoon" in text, f"unexpected answer to {QUESTION!r}: {text!r}"
            log(f"answer through nginx in {timings['first_turn_s']:.1f} s: {text.splitlines()[0]!r} ...")

            def counted() -> bool:
                after = stats(ports["https"], cafile, env["API_READ_KEY"], "by=target&kind=referred")
                return after.get(REFERRAL_TARGET, 0) == before.get(REFERRAL_TARGET, 0) + 1

            timings["counted_after_s"] = wait_until("the referral in /api/v1/stats", counted, 90, compose)
            after = stats(ports["https"], cafile, env["API_READ_KEY"], "by=target&kind=referred")
            after_conv = stats(ports["https"], cafile, env["API_READ_KEY"], "by=kind&kind=conversation_started")
            grown = {
                k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)
            }
            assert grown == {REFERRAL_TARGET: 1}, f"referrals counted: {grown}"
            conversations = after_conv.get("conversation_started", 0) - before_conv.get(
                "conversation_started", 0
            )
            assert conversations == 1, f"conversations counted: {conversations}"
            log(f"counted through nginx and the reach API: referred {grown}, conversation_started +1")
            result["counted"] = {"referred": grown, "conversation_started": conversations}
            result["network"] = check_loopback_only(compose)
            log(f"loopback only: {result['network']}")
            result["roles"] = check_roles(compose, ports["postgres"], env, sender)
            log(f"PostgreSQL roles: {result['roles']}")
        except BaseException:
            (WORK / "compose-logs.txt").write_text(
                run([*compose, "logs", "--no-color"]).stdout, encoding="utf-8"
            )
            log(f"failed; compose logs in {WORK / 'compose-logs.txt'}")
            raise
        finally:
            if not args.keep:
                subprocess.run([*compose, "down", "-v", "--remove-orphans"], capture_output=True)
                shutil.rmtree(context, ignore_errors=True)
    timings["total_s"] = time.monotonic() - started
    result["timings_s"] = {k: round(v, 1) for k, v in timings.items()}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    log(f"passed in {timings['total_s']:.0f} s; {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
