"""Local fakes of Rasa's REST channel, the Telegram Bot API and the WhatsApp Graph API.

Each is a small Starlette app served by uvicorn on 127.0.0.1 (real HTTP on loopback), speaking the
documented wire format: core.telegram.org/bots/api ("Making requests"), Rasa's
``rasa/core/channels/rest.py``, and Meta's Cloud API messages endpoint and error object.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port_url() -> str:
    """A loopback URL on which nothing listens (for 'Rasa is down')."""
    sock = _bound_socket()
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


class ThreadServer:
    """Serves an ASGI app from a background thread with its own event loop."""

    def __init__(self, app: Any) -> None:
        self._sock = _bound_socket()
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def __enter__(self) -> ThreadServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


@contextlib.asynccontextmanager
async def serve_in_loop(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn inside the running event loop; yields its base URL."""
    sock = _bound_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)
        sock.close()


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``predicate()`` is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


# --------------------------------------------------------------------------------------------
# Rasa REST channel


class FakeRasa:
    """``POST /webhooks/rest/webhook``; records bodies and answers with ``responder(body)``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay_seconds = 0.0
        self.status = 200
        self.responder: Callable[[dict[str, Any]], Any] = self.echo

    @staticmethod
    def echo(body: dict[str, Any]) -> Any:
        return [{"recipient_id": body["sender"], "text": f"Antwoord op: {body['message']}"}]

    def reply_with(self, items: list[dict[str, Any]]) -> None:
        self.responder = lambda body: [{"recipient_id": body["sender"], **i} for i in items]

    @property
    def messages(self) -> list[str]:
        return [request["message"] for request in self.requests]

    def app(self) -> Starlette:
        async def webhook(request: Request) -> Response:
            body = await request.json()
            self.requests.append(body)
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            return JSONResponse(self.responder(body), status_code=self.status)

        async def status(_request: Request) -> Response:
            return JSONResponse({"status": "ok"})

        return Starlette(
            routes=[
                Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                Route("/webhooks/rest/", status, methods=["GET"]),
            ]
        )


# --------------------------------------------------------------------------------------------
# Telegram Bot API


BOT_USER = {
    "id": 5550001,
    "is_bot": True,
    "first_name": "Wegwijzer test",
    "username": "wegwijzer_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class FakeBotApi:
    """``/bot<token>/<method>`` with form, multipart or JSON parameters, as the Bot API accepts.

    Records every call; ``fail_next`` scripts an error answer for the next call of a method.
    """

    token = "5550001:TEST-fake-token"

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.updates: list[dict[str, Any]] = []
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._message_ids = itertools.count(1000)

    def fail_next(self, method: str, status: int, description: str, retry_after: int | None = None) -> None:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self._failures.setdefault(method, []).append((status, body))

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    def sent(self) -> list[dict[str, Any]]:
        return self.calls_to("sendMessage")

    async def _params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            content_type = request.headers.get("content-type", "")
            if content_type.startswith("application/json"):
                params.update(await request.json())
            else:
                form = await request.form()
                params.update({key: value for key, value in form.items() if isinstance(value, str)})
        if isinstance(params.get("reply_markup"), str):
            params["reply_markup"] = json.loads(params["reply_markup"])
        return params

    def app(self) -> Starlette:
        async def method(request: Request) -> Response:
            if request.path_params["token"] != self.token:
                return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
            name = request.path_params["method"]
            params = await self._params(request)
            self.calls.append((name, params))
            failures = self._failures.get(name)
            if failures:
                status, body = failures.pop(0)
                return JSONResponse(body, status_code=status)
            result = await self._result(name, params)
            if result is None:
                not_found = {"ok": False, "error_code": 404, "description": "Not Found"}
                return JSONResponse(not_found, 404)
            return JSONResponse({"ok": True, "result": result})

        return Starlette(routes=[Route("/bot{token}/{method}", method, methods=["GET", "POST"])])

    async def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name in {"deleteWebhook", "setWebhook", "answerCallbackQuery", "close"}:
            return True
        if name == "getUpdates":
            offset = int(params.get("offset", 0) or 0)
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if not pending:
                await asyncio.sleep(0.1)
            return pending
        if name == "sendMessage":
            message: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        return None


# --------------------------------------------------------------------------------------------
# WhatsApp Cloud API (Graph API)


def _title_ok(text: Any, limit: int) -> bool:
    return isinstance(text, str) and 0 < len(text) <= limit


def graph_error(code: int, message: str, status: int = 400) -> tuple[int, dict[str, Any]]:
    """Meta's error object (developers.facebook.com/docs/graph-api/guides/error-handling)."""
    return status, {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": "AbCdEfGhIjK",
        }
    }


class FakeGraph:
    """``POST /<version>/<phone-number-id>/messages``; validates Meta's documented limits."""

    token = "graph-test-token"
    version = "v99.0"
    phone_number_id = "1098765432"

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.attempts = 0
        self._failures: list[tuple[int, dict[str, Any]]] = []
        self.delay_seconds = 0.0

    def fail_next(self, status: int, body: dict[str, Any]) -> None:
        self._failures.append((status, body))

    def texts(self) -> list[str]:
        found: list[str] = []
        for body in self.sent:
            if body["type"] == "text":
                found.append(body["text"]["body"])
            else:
                found.append(body["interactive"]["body"]["text"])
        return found

    @staticmethod
    def problem(body: dict[str, Any]) -> str | None:
        if body.get("messaging_product") != "whatsapp" or not body.get("to"):
            return "messaging_product and to are required"
        if body.get("type") == "text":
            text = body.get("text", {}).get("body")
            return None if _title_ok(text, 4096) else "text.body must be 1-4096 characters"
        if body.get("type") != "interactive":
            return "unsupported type"
        interactive = body["interactive"]
        if not _title_ok(interactive.get("body", {}).get("text"), 1024):
            return "interactive body must be 1-1024 characters"
        action = interactive.get("action", {})
        if interactive.get("type") == "button":
            buttons = action.get("buttons", [])
            ids = [b["reply"]["id"] for b in buttons]
            if not 1 <= len(buttons) <= 3 or len(set(ids)) != len(ids):
                return "1-3 buttons with unique ids"
            for button in buttons:
                if not _title_ok(button["reply"]["title"], 20) or not _title_ok(button["reply"]["id"], 256):
                    return "button title <= 20, id <= 256"
            return None
        if interactive.get("type") == "list":
            if not _title_ok(action.get("button"), 20):
                return "list button label <= 20"
            rows = [row for section in action.get("sections", []) for row in section["rows"]]
            if not 1 <= len(rows) <= 10:
                return "1-10 rows"
            for row in rows:
                if not _title_ok(row["title"], 24) or not _title_ok(row["id"], 200):
                    return "row title <= 24, id <= 200"
            return None
        return "unsupported interactive type"

    def app(self) -> Starlette:
        async def messages(request: Request) -> Response:
            self.attempts += 1
            if request.headers.get("authorization") != f"Bearer {self.token}":
                status, body = graph_error(190, "Invalid OAuth access token", 401)
                return JSONResponse(body, status_code=status)
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            if self._failures:
                status, body = self._failures.pop(0)
                return JSONResponse(body, status_code=status)
            body = await request.json()
            problem = self.problem(body)
            if problem is not None:
                status, error = graph_error(131009, f"Parameter value is not valid: {problem}")
                return JSONResponse(error, status_code=status)
            self.sent.append(body)
            return JSONResponse(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                    "messages": [{"id": f"wamid.fake{len(self.sent)}"}],
                }
            )

        return Starlette(
            routes=[Route(f"/{self.version}/{self.phone_number_id}/messages", messages, methods=["POST"])]
        )
