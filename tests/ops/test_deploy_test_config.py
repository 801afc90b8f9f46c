"""The one-host rewrite of deploy/ that `make deploy-test` runs, checked without Docker (part of test-deploy).

Why: `make deploy-test` is slow and outside `make test`, so a change to deploy/compose.yaml or deploy/nginx.conf
that its rewrite no longer understands, or that would send the test stack's traffic off the loopback
interface, must fail here first. The rewrite itself fails loudly on a line it does not find; these tests call
it on the committed files.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from scripts import deploy_test

PORT_NAMES = ("postgres", "redis", "rasa-1", "rasa-2", "actions-1", "actions-2", "api", "api-reader", "http",
              "https", "nginx-rasa", "nginx-actions")  # fmt: skip
PORTS = {name: 40000 + n for n, name in enumerate(PORT_NAMES)}
FILES = {"nginx": Path("/tmp/nginx.conf"), "certs": Path("/tmp/certs")}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return deploy_test.derive_compose(PORTS, FILES, "wegwijzer-base:test")


def test_every_service_uses_the_host_network_and_no_compose_network(spec: dict[str, Any]) -> None:
    for name, service in spec["services"].items():
        assert service["network_mode"] == "host", name
        assert not {"networks", "ports", "build"} & service.keys(), name
    assert "networks" not in spec


def test_no_service_name_is_left_as_an_address(spec: dict[str, Any]) -> None:
    """Host networking has no service-name DNS: every address the processes are given is 127.0.0.1."""
    names = set(spec["services"]) | {"proxy", "postgres", "redis", "api"}
    for name, service in spec["services"].items():
        text = repr([service.get(key) for key in ("environment", "command", "healthcheck")])
        for host in re.findall(r"(?:://|@)([A-Za-z0-9_.-]+):\d+", text):
            assert host == "127.0.0.1", f"{name}: address {host}"
        env = service.get("environment") or {}
        for key in ("REDIS_HOST", "TRACKER_DB_HOST"):
            if key in env:
                assert env[key] == "127.0.0.1", (name, key)
        assert "0.0.0.0" not in text, name
        assert not names & set(re.findall(r"\b([a-z0-9-]+):\d{2,5}\b", text)), name


def test_each_process_gets_its_own_port(spec: dict[str, Any]) -> None:
    services = spec["services"]
    assert str(PORTS["rasa-1"]) in services["rasa-1"]["command"]
    assert str(PORTS["rasa-2"]) in services["rasa-2"]["command"]
    assert services["actions-2"]["environment"]["ACTION_SERVER_PORT"] == str(PORTS["actions-2"])
    assert services["api-reader"]["environment"]["API_PORT"] == str(PORTS["api-reader"])
    assert services["api-reader"]["environment"]["WEGWIJZER_NOW"] == deploy_test.READER_NOW


def test_nginx_config_listens_and_proxies_on_loopback_only() -> None:
    text = deploy_test.render_nginx(PORTS)
    for listen in re.findall(r"^\s*listen\s+([^;]+);", text, re.MULTILINE):
        assert listen.startswith("127.0.0.1:"), listen
    for server in re.findall(r"^\s*server\s+([^\s;{]+)[^;{]*;", text, re.MULTILINE):
        assert server.startswith("127.0.0.1:"), server
    # The action cap and the REST location survive the rewrite.
    assert "proxy_read_timeout 5s;" in text and "location /webhooks/rest/" in text


def test_the_rewrite_fails_on_a_line_it_does_not_know(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A renamed upstream must stop the image test, not leave a service name in the rendered config."""
    original = (deploy_test.ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    (tmp_path / "deploy").mkdir()
    renamed = original.replace("rasa-2:5005", "rasa-b:5005")
    (tmp_path / "deploy" / "nginx.conf").write_text(renamed, encoding="utf-8")
    monkeypatch.setattr(deploy_test, "ROOT", tmp_path)
    with pytest.raises(RuntimeError, match="rasa-2:5005"):
        deploy_test.render_nginx(PORTS)
