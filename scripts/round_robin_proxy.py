"""A tiny round-robin HTTP reverse proxy for `make scale-test` (Rasa environment: aiohttp).

Every request goes to the next upstream in turn, with no stickiness, so consecutive turns of one
conversation land on different Rasa instances: exactly what the scale-out test needs to prove that state
lives in the shared tracker and lock stores, not in a process. It adds ``X-Wegwijzer-Upstream: <index>`` to
each response and counts requests per upstream at ``GET /_proxy/stats``. HTTP only (no WebSocket), no access
log, no bodies in logs. A test tool, not the production proxy: that is nginx, see deploy/nginx.conf.

Usage: python -m scripts.round_robin_proxy --port 8100 --upstream http://127.0.0.1:5005 --upstream http://...
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Mapping, Sequence

import aiohttp
from aiohttp import web

log = logging.getLogger("round_robin_proxy")

# Hop-by-hop headers (RFC 9110, section 7.6.1) and those aiohttp recomputes itself.
SKIPPED_HEADERS = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host", "content-length",
}  # fmt: skip
UPSTREAM_HEADER = "X-Wegwijzer-Upstream"


def _forwardable(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in dict(headers).items() if k.lower() not in SKIPPED_HEADERS}


def build_app(upstreams: Sequence[str], timeout: float = 60.0) -> web.Application:
    """The proxy application.

    Args:
        upstreams: Base URLs of the upstream servers, e.g. ``http://127.0.0.1:5005``.
        timeout: Total seconds one upstream request may take before the client gets a 504.

    Returns:
        An aiohttp application; run it with ``web.run_app``.
    """
    if not upstreams:
        raise ValueError("at least one --upstream is needed")
    bases = [u.rstrip("/") for u in upstreams]
    turn = itertools.cycle(range(len(bases)))
    counts = [0] * len(bases)
    app = web.Application(client_max_size=1024 * 1024)

    async def client_session(app: web.Application) -> AsyncIterator[None]:
        app["session"] = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout), auto_decompress=False
        )
        yield
        await app["session"].close()

    async def stats(_: web.Request) -> web.Response:
        return web.json_response({"upstreams": bases, "requests": counts})

    async def forward(request: web.Request) -> web.StreamResponse:
        index = next(turn)
        counts[index] += 1
        body = await request.read()
        session: aiohttp.ClientSession = request.app["session"]
        try:
            async with session.request(
                request.method,
                bases[index] + request.path_qs,
                headers=_forwardable(request.headers),
                data=body,
                allow_redirects=False,
            ) as upstream:
                payload = await upstream.read()
                reply = web.Response(
                    status=upstream.status, body=payload, headers=_forwardable(upstream.headers)
                )
        except asyncio.TimeoutError:
            log.warning("upstream %d timed out after %.0f s", index, timeout)
            reply = web.json_response({"error": "upstream timed out"}, status=504)
        except aiohttp.ClientError as exc:
            log.warning("upstream %d unavailable: %s", index, type(exc).__name__)
            reply = web.json_response({"error": "upstream unavailable"}, status=502)
        reply.headers[UPSTREAM_HEADER] = str(index)
        return reply

    app.cleanup_ctx.append(client_session)
    app.router.add_get("/_proxy/stats", stats)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the arguments and serve until stopped."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", action="append", required=True, help="base URL; repeat for each")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per upstream request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    web.run_app(
        build_app(args.upstream, args.timeout), host=args.host, port=args.port, access_log=None, print=None
    )


if __name__ == "__main__":
    main()
