"""The deployment files in deploy/ and the production endpoints, checked offline (app environment).

Docker and Kubernetes do not run on the development machine, so this checks what can be checked here: every
file parses, compose.yaml validates against the Compose file schema, the exposure rules of docs/threat-model.md
hold in compose, nginx and the Helm values, and deploy/nginx.conf passes `nginx -t` and, run for real with
local stand-ins for the upstreams, refuses foreign origins and caps a slow action call.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci_support import require_module, unavailable
from tests.ops.ops_support import ROOT

DEPLOY = ROOT / "deploy"
DAY = 86_400


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(load(DEPLOY / "compose.yaml"))


def retention_default_days() -> int:
    match = re.search(
        r"^DEFAULT_RETENTION_DAYS = (\d+)$", (ROOT / "actions" / "retention.py").read_text(), re.M
    )
    assert match
    return int(match.group(1))


def nginx_origins(text: str) -> set[str]:
    block = re.search(r"map \$http_origin \$webchat_origin_allowed \{(.*?)\}", text, re.S)
    assert block, "no Origin allow-list map"
    return set(re.findall(r'"(https?://[^"]+)"\s+1;', block.group(1)))


# --- files parse ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "deploy/compose.yaml",
        "deploy/helm/values.yaml",
        "endpoints.prod.yml",
        "endpoints.sql.yml",
        "endpoints.yml",
    ],
)
def test_yaml_files_parse(path: str) -> None:
    assert isinstance(load(ROOT / path), dict)


def test_compose_matches_the_compose_file_schema(compose: dict[str, Any]) -> None:
    schema_path = Path(os.environ.get("COMPOSE_SCHEMA", ROOT / "var" / "tools" / "compose_spec.json"))
    if not schema_path.exists():
        unavailable(f"COMPOSE SCHEMA MISSING at {schema_path}: run `make deploy-tools`")
    jsonschema_rs = require_module("jsonschema_rs", "jsonschema-rs is needed (app environment)")

    errors = [str(e).splitlines()[0] for e in jsonschema_rs.validator_for(json.loads(schema_path.read_text()))
              .iter_errors(compose)]  # fmt: skip

    assert errors == []


# --- compose: what is published and where each part sits --------------------------------------------

RASA_IMAGE_SERVICES = ("rasa-1", "rasa-2", "actions-1", "actions-2", "relay-1", "relay-2", "retention")


def test_only_the_proxy_publishes_ports(compose: dict[str, Any]) -> None:
    published = sorted(name for name, service in compose["services"].items() if service.get("ports"))
    assert published == ["proxy"]


@pytest.mark.parametrize(
    "name", ["rasa-1", "rasa-2", "actions-1", "actions-2", "redis", "postgres", "api", "relay-1", "staff"]
)
def test_internal_services_sit_on_the_internal_network_only(compose: dict[str, Any], name: str) -> None:
    assert compose["services"][name]["networks"] == ["private"]
    assert compose["networks"]["private"]["internal"] is True


# Rasa starts through our entry point, so the speed-ups are installed whichever channels are configured.
RASA_COMMAND = ["python", "-m", "bot.connectors.rasa_main", "run"]


def test_two_rasa_instances_and_two_action_servers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    rasa = [n for n, s in services.items() if s.get("command", [])[:4] == RASA_COMMAND]
    actions = [n for n, s in services.items() if s.get("command") == ["python", "-m", "actions.server"]]
    assert sorted(rasa) == ["rasa-1", "rasa-2"]
    assert sorted(actions) == ["actions-1", "actions-2"]


@pytest.mark.parametrize("name", RASA_IMAGE_SERVICES)
def test_rasa_image_services_have_telemetry_off(compose: dict[str, Any], name: str) -> None:
    assert compose["services"][name]["environment"]["RASA_TELEMETRY_ENABLED"] == "false"


@pytest.mark.parametrize("name", ["rasa-1", "rasa-2"])
def test_rasa_runs_channels_only_and_calls_actions_through_the_capping_proxy(
    compose: dict[str, Any], name: str
) -> None:
    service = compose["services"][name]
    assert not {"--enable-api", "--debug", "--cors", "--auth-token"} & set(service["command"])
    assert service["environment"]["ACTION_SERVER_URL"] == "http://proxy:5055/webhook"


def test_allowed_origins_agree_between_nginx_env_example_and_helm() -> None:
    nginx = nginx_origins((DEPLOY / "nginx.conf").read_text())
    env_line = re.search(r"^WEBCHAT_ALLOWED_ORIGINS=(.*)$", (DEPLOY / "env.example").read_text(), re.M)
    assert env_line
    helm = load(DEPLOY / "helm" / "values.yaml")
    helm_env = {e["name"]: e.get("value") for e in helm["extraEnv"]}
    helm_nginx = nginx_origins(helm["nginx"]["customConfiguration"]["rasa.nginx.conf"])

    assert nginx == set(env_line.group(1).split(",")) == set(helm_env["WEBCHAT_ALLOWED_ORIGINS"].split(","))
    assert helm_nginx == nginx


# --- endpoints and Helm values: retention and locking -----------------------------------------------


def test_redis_tracker_expiry_equals_the_retention_period() -> None:
    prod = load(ROOT / "endpoints.prod.yml")
    helm = load(DEPLOY / "helm" / "values.yaml")["applicationSettings"]["endpoints"]

    assert prod["tracker_store"]["type"] == "redis"
    assert prod["tracker_store"]["record_exp"] == retention_default_days() * DAY
    assert helm["trackerStore"]["record_exp"] == retention_default_days() * DAY


@pytest.mark.parametrize("path", ["endpoints.prod.yml", "endpoints.sql.yml"])
def test_scaled_endpoints_use_the_redis_lock_store(path: str) -> None:
    assert load(ROOT / path)["lock_store"]["type"] == "redis"


def test_sql_endpoints_and_the_retention_job_read_the_same_variables() -> None:
    tracker = load(ROOT / "endpoints.sql.yml")["tracker_store"]
    in_endpoints = {m for v in tracker.values() for m in re.findall(r"\$\{(TRACKER_DB_\w+)\}", str(v))}
    in_job = set(re.findall(r'"(TRACKER_DB_\w+)"', (ROOT / "actions" / "retention.py").read_text()))

    assert tracker["type"] == "SQL" and tracker["dialect"] == "postgresql"
    assert in_endpoints == in_job


def test_helm_values_keep_rasa_closed() -> None:
    values = load(DEPLOY / "helm" / "values.yaml")
    settings = values["applicationSettings"]

    assert settings["enableAPI"] is False
    assert settings["telemetry"]["enabled"] is False
    assert not {"--enable-api", "--debug", "--cors", "--auth-token"} & set(values["args"])
    assert values["replicaCount"] >= 2
    assert settings["endpoints"]["lockStore"] | {"enabled": True} == settings["endpoints"]["lockStore"]
    assert settings["endpoints"]["lockStore"]["type"] == "redis"
    assert values["service"]["type"] == "ClusterIP"


# --- nginx: syntax, and behaviour against local stand-ins --------------------------------------------


def nginx_binary() -> str:
    configured = os.environ.get("NGINX_BIN", str(ROOT / "var" / "tools" / "nginx" / "usr" / "sbin" / "nginx"))
    found = configured if Path(configured).exists() else shutil.which("nginx")
    if not found:
        unavailable("NGINX MISSING: run `make deploy-tools` (unpacks Debian's nginx; nothing is installed)")
    return str(Path(found).resolve())


def nginx_test(binary: str, prefix: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` of ``prefix``/nginx.conf, with ``prefix`` as nginx's prefix and its errors on stderr."""
    return subprocess.run(
        [binary, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", "stderr"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def localise(
    conf: str, workdir: Path, widget: Path, upstream_port: int, slow_port: int, ports: dict[int, int]
) -> str:
    """deploy/nginx.conf rewritten to run here: local ports, stand-in upstreams, a test certificate."""
    mime = Path(nginx_binary()).parents[2] / "etc" / "nginx" / "mime.types"
    conf = conf.replace("include /etc/nginx/mime.types;", f"include {mime};" if mime.exists() else "")
    conf = conf.replace("/etc/nginx/certs/", f"{workdir}/")
    conf = conf.replace("/tmp/nginx", f"{workdir}/nginx")
    conf = conf.replace("alias /srv/widget/;", f"alias {widget}/;")
    conf = re.sub(r"(?m)^(\s*)server actions-\d:5055", rf"\1server 127.0.0.1:{slow_port}", conf)
    conf = re.sub(r"(?m)^(\s*)server [a-z0-9-]+:\d+", rf"\1server 127.0.0.1:{upstream_port}", conf)
    conf = re.sub(r"http://(telegram|whatsapp|staff):\d+", f"http://127.0.0.1:{upstream_port}", conf)
    for public, local in ports.items():
        conf = re.sub(rf"(?m)^(\s*)listen {public}\b", rf"\1listen 127.0.0.1:{local}", conf)
    return conf


class StandIn(BaseHTTPRequestHandler):
    """Answers every request with 200 and the path it got; the slow variant takes 8 s (a hung action)."""

    delay = 0.0

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        time.sleep(self.delay)
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_: Any) -> None:
        return


class SlowStandIn(StandIn):
    delay = 8.0


@pytest.fixture(scope="module")
def running_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    binary = nginx_binary()
    workdir = tmp_path_factory.mktemp("nginx")
    if not shutil.which("openssl"):
        unavailable("OPENSSL MISSING: needed for a test certificate")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={PUBLIC}",
         "-keyout", str(workdir / "privkey.pem"), "-out", str(workdir / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), handler) for handler in (StandIn, SlowStandIn)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = {80: free_port(), 443: free_port(), 5005: free_port(), 5055: free_port()}
    widget = readable_copy(ROOT / "bot" / "webchat" / "static")
    upstreams = servers[0].server_port, servers[1].server_port
    conf = localise((DEPLOY / "nginx.conf").read_text(), workdir, widget, *upstreams, ports)
    (workdir / "nginx.conf").write_text(conf)
    check = nginx_test(binary, workdir)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(
        [binary, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-e", "stderr", "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", ports[443]), timeout=1):
            break
        time.sleep(0.1)
    yield ports
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)
    for server in servers:
        server.shutdown()
    shutil.rmtree(widget.parent, ignore_errors=True)


def readable_copy(static: Path) -> Path:
    """The widget's files where nginx's workers can read them, as the image's /srv/widget/.

    Started as root, nginx runs its workers as ``nobody``, who cannot enter a checkout or pytest folder that
    only its owner may open (``mktemp -d`` makes such folders), and would answer 403.
    """
    base = Path(tempfile.mkdtemp(prefix="wegwijzer-widget-"))
    base.chmod(0o755)
    copy = Path(shutil.copytree(static, base / "widget"))
    for path in [copy, *copy.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return copy


def request(
    port: int, method: str, path: str, host: str, headers: dict[str, str] | None = None
) -> tuple[int, float]:
    """One HTTPS request to the local nginx; returns (status, seconds)."""
    import http.client

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    started = time.monotonic()
    try:
        connection.request(
            method, path, body=b"{}" if method == "POST" else None, headers={"Host": host, **(headers or {})}
        )
        status = connection.getresponse().status
    finally:
        connection.close()
    return status, time.monotonic() - started


def plain(port: int, method: str, path: str) -> tuple[int, float]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.monotonic()
    try:
        connection.request(method, path, body=b"{}" if method == "POST" else None)
        status = connection.getresponse().status
    finally:
        connection.close()
    return status, time.monotonic() - started


PUBLIC = "wegwijzer.example.nl"


@pytest.mark.parametrize(
    ("origin", "status"),
    [("https://www.bibliotheekkerkrade.nl", 200), ("https://evil.example", 403), (None, 403)],
)
def test_proxy_lets_only_allowed_origins_reach_the_socket(
    running_nginx: dict[str, int], origin: str | None, status: int
) -> None:
    headers = {"Origin": origin} if origin else {}
    got, _ = request(running_nginx[443], "GET", "/socket.io/?EIO=4&transport=polling", PUBLIC, headers)
    assert got == status


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/webhooks/rest/webhook", 404),
        ("POST", "/webhooks/triage/webhook", 404),
        ("GET", "/conversations/x/tracker", 404),
        ("POST", "/api/v1/events", 404),
        ("GET", "/api/v1/stats", 200),
        ("GET", "/widget/wegwijzer.css", 200),
    ],
)
def test_public_host_exposes_only_the_public_paths(
    running_nginx: dict[str, int], method: str, path: str, status: int
) -> None:
    got, _ = request(running_nginx[443], method, path, PUBLIC)
    assert got == status


@pytest.mark.parametrize(
    ("method", "path", "host"),
    [
        ("POST", "/telegram/webhook", PUBLIC),
        ("POST", "/whatsapp/webhook", PUBLIC),
        ("GET", "/", "staff.wegwijzer.example.nl"),
        ("GET", "/dashboard", "staff.wegwijzer.example.nl"),
    ],
)
def test_adapters_and_staff_pages_are_routed(
    running_nginx: dict[str, int], method: str, path: str, host: str
) -> None:
    got, _ = request(running_nginx[443], method, path, host)
    assert got == 200


def test_unknown_host_names_get_nothing(running_nginx: dict[str, int]) -> None:
    got, _ = request(running_nginx[443], "GET", "/api/v1/stats", "attacker.example")
    assert got == 404


def test_plain_http_redirects_to_https(running_nginx: dict[str, int]) -> None:
    got, _ = plain(running_nginx[80], "GET", "/socket.io/")
    assert got == 308


def test_internal_rasa_balancer_passes_only_the_channels(running_nginx: dict[str, int]) -> None:
    assert plain(running_nginx[5005], "POST", "/webhooks/rest/webhook")[0] == 200
    assert plain(running_nginx[5005], "GET", "/model/parse")[0] == 404


def test_action_calls_are_capped_at_five_seconds(running_nginx: dict[str, int]) -> None:
    status, seconds = plain(running_nginx[5055], "POST", "/webhook")

    assert status == 504
    assert 4.5 <= seconds < 7.5


def test_helm_sidecar_nginx_configuration_passes_nginx_t(tmp_path: Path) -> None:
    binary = nginx_binary()
    custom = load(DEPLOY / "helm" / "values.yaml")["nginx"]["customConfiguration"]
    mime = Path(binary).parents[2] / "etc" / "nginx" / "mime.types"
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "rasa.nginx.conf").write_text(custom["rasa.nginx.conf"])
    main = custom["nginx.conf"].replace("include /etc/nginx/mime.types;", "include MIME;")
    main = main.replace("/etc/nginx/", f"{tmp_path}/").replace("include MIME;", f"include {mime};")
    (tmp_path / "nginx.conf").write_text(main)

    check = nginx_test(binary, tmp_path)

    assert check.returncode == 0, check.stderr
