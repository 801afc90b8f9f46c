"""Runs ``knowledge.pii.mask_pii`` in worker processes, so masking a long text cannot stall the event loop.

Why processes and not ``asyncio.to_thread``: masking spends its time inside ``re`` and CPython's regular
expression engine keeps the GIL for a whole match. Measured on a 4096-digit text (the longest the widget sends):
about 0.1 s per text, and a ticker on the event loop lagged 150-250 ms even with the masking in a thread. A
worker process has its own GIL, so Rasa's event loop, which serves every conversation, only waits for a pipe.

Bounded on both sides: ``workers`` processes (``WEBCHAT_MASK_WORKERS``, default 1) each mask one text at a time,
and at most ``queue`` texts (``WEBCHAT_MASK_QUEUE``) wait for a free worker; one more raises ``MaskingBusy`` at
once, and so does a worker that needs longer than ``timeout`` seconds (it is killed and replaced) or that died.
The caller then refuses the message: it never reaches Rasa unmasked.

Protocol (``python -m bot.connectors.mask_worker``): one JSON string a line on stdin, one JSON object
``{"text": ..., "found": [...]}`` a line on stdout. The workers start with the Sanic server
(``start``) and stop with it (``stop``); a missing worker is started on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from pathlib import Path

from knowledge.pii import MaskResult

log = logging.getLogger(__name__)

MASK_TIMEOUT_SECONDS = 5.0
_REPO = Path(__file__).resolve().parents[2]
_LINE_LIMIT = 4 * 1024 * 1024


class MaskingBusy(RuntimeError):
    """No worker can mask this text now (all busy and the queue full, a timeout, or a worker died)."""


class _Worker:
    """One ``mask_worker`` process and its pipes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls) -> _Worker:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO), env.get("PYTHONPATH", "")) if p)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.connectors.mask_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            limit=_LINE_LIMIT,
        )
        return cls(process)

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def mask(self, text: str, timeout: float) -> MaskResult:
        stdin, stdout = self.process.stdin, self.process.stdout
        if stdin is None or stdout is None:
            raise MaskingBusy("the masking worker has no pipes")
        stdin.write(json.dumps(text).encode() + b"\n")
        await stdin.drain()
        line = await asyncio.wait_for(stdout.readline(), timeout)
        if not line:
            raise MaskingBusy("the masking worker exited")
        answer = json.loads(line)
        return MaskResult(text=str(answer["text"]), found=[str(kind) for kind in answer["found"]])

    async def stop(self) -> None:
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        with contextlib.suppress(Exception):
            await self.process.wait()


class MaskingPool:
    """At most ``workers`` masking processes and ``queue`` waiting texts (module docstring)."""

    def __init__(self, workers: int, queue: int, timeout: float = MASK_TIMEOUT_SECONDS) -> None:
        self.workers = workers
        self.queue = queue
        self.timeout = timeout
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._pending = 0

    def _slots(self) -> asyncio.Queue[_Worker | None]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self.workers):
                self._idle.put_nowait(None)  # None: a slot whose worker is started on first use
        return self._idle

    async def start(self) -> None:
        """Start every worker now (Sanic's ``before_server_start``), so the first message does not wait."""
        slots = self._slots()
        started = []
        for _ in range(self.workers):
            worker = slots.get_nowait()
            started.append(worker if worker is not None and worker.alive else await _Worker.start())
        for worker in started:
            slots.put_nowait(worker)

    async def stop(self) -> None:
        """Stop the idle workers (Sanic's ``after_server_stop``)."""
        slots = self._slots()
        while not slots.empty():
            worker = slots.get_nowait()
            if worker is not None:
                await worker.stop()

    async def mask(self, text: str) -> MaskResult:
        """``mask_pii(text)``, computed by a worker process.

        Raises:
            MaskingBusy: The queue is full, the worker took longer than ``timeout`` or died.
        """
        if self._pending >= self.workers + self.queue:
            raise MaskingBusy("every masking worker is busy and the queue is full")
        self._pending += 1
        slots = self._slots()
        try:
            worker = await slots.get()
        except BaseException:
            self._pending -= 1
            raise
        try:
            if worker is None or not worker.alive:
                worker = await _Worker.start()
            try:
                return await worker.mask(text, self.timeout)
            except (asyncio.TimeoutError, MaskingBusy, OSError, ValueError, KeyError) as error:
                log.warning("a masking worker failed (%s); replaced it", type(error).__name__)
                await worker.stop()
                worker = None
                raise MaskingBusy("the masking worker failed") from error
            except BaseException:
                # Cancelled mid-request: its answer may still come, so this worker is never handed on.
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
                worker = None
                raise
        finally:
            self._pending -= 1
            slots.put_nowait(worker)  # the slot goes back, with its worker or None (started on next use)
