"""A fleet for the replica tests: one embedded org (in this process), one Redis, N `serve` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2

from tests.state.redis_server import RedisServer, free_port

REPO = Path(__file__).resolve().parents[2]
SECRET = "fleet-secret-fleet-secret-fleet-secret"
HEADERS = {"X-Webhook-Secret": SECRET}


class Fleet:
    """Gateway processes sharing `redis` against `org`; `urls[i]` is replica i."""

    def __init__(self, org: Any, redis: RedisServer, size: int, env: dict[str, str]) -> None:
        self.org = org
        self.redis = redis
        self.env = {
            **os.environ,
            "SF_DOMAIN": org.url,
            "SF_CLIENT_ID": org.client_id,
            "SF_CLIENT_SECRET": org.client_secret,
            "WEBHOOK_SECRET": SECRET,
            "REDIS_URL": redis.url,
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.ports = [free_port() for _ in range(size)]
        self.procs: list[subprocess.Popen[bytes] | None] = [None] * size
        self.log = subprocess.DEVNULL if os.environ.get("FLEET_LOGS") is None else None

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def start(self, i: int | None = None) -> Fleet:
        for n in range(len(self.ports)) if i is None else [i]:
            cmd = [sys.executable, "-m", "service", "serve", "--port", str(self.ports[n])]
            self.procs[n] = subprocess.Popen(cmd, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log)
        for n in range(len(self.ports)) if i is None else [i]:
            self._wait_ready(n)
        return self

    def _wait_ready(self, n: int) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{self.urls[n]}/healthz", timeout=1).status_code == 200:
                    return
            except httpx2.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"replica {n} did not start")

    def kill(self, i: int) -> None:
        """SIGKILL: a crash, not a shutdown."""
        proc = self.procs[i]
        if proc is not None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            self.procs[i] = None

    def stop(self) -> None:
        for i, proc in enumerate(self.procs):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                self.procs[i] = None

    def records(self, soql: str) -> list[dict[str, Any]]:
        """Rows straight from the org (not through a gateway)."""
        response = httpx2.get(
            f"{self.org.url}/services/data/v58.0/query",
            params={"q": soql},
            headers={"Authorization": f"Bearer {self.org.get_token()}"},
        )
        rows: list[dict[str, Any]] = response.json()["records"]
        return rows
