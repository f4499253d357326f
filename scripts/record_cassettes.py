"""Re-record the Salesforce client's contract cassettes (`cassettes/*.yaml`).

    python -m scripts.record_cassettes            # a freshly started embedded org (no SF_* set)
    SF_DOMAIN=https://acme.my.salesforce.com SF_CLIENT_ID=... SF_CLIENT_SECRET=... \
        python -m scripts.record_cassettes        # your real org ("record your org")
    python -m scripts.record_cassettes --only token_fetch --out /tmp/cassettes

Then `pytest tests/salesforce/test_contract.py` replays them from a loopback server. Tokens,
signatures, client credentials, org ids and the instance host are scrubbed before anything is
written, and every file is checked for leaks afterwards (non-zero exit if one is found).
Note: the `create_record` scenario creates one Lead named "Cassette" in the org.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from scripts.contract import CASSETTE_DIR, SCENARIOS, Sandbox, Scrubber, find_leaks, make_vcr
from service.salesforce.config import org_config
from service.settings import Settings


@contextlib.contextmanager
def embedded_org() -> Iterator[Settings]:
    """Settings pointing at a freshly started embedded org (temporary data dir, ephemeral port)."""
    from service.org.server import start_org  # the embedded org's in-thread server

    with tempfile.TemporaryDirectory() as data_dir, start_org(data_dir=Path(data_dir)) as org:
        yield Settings(
            _env_file=None,
            sf_domain=org.url,
            sf_client_id=org.client_id,
            sf_client_secret=org.client_secret,
        )


async def record(settings: Settings, out: Path, names: list[str]) -> list[str]:
    """Record `names` into `out`; returns the leaks found (empty when clean)."""
    config = org_config(settings)
    secrets = {config.client_secret.get_secret_value(), config.client_id}
    leaks: list[str] = []
    for name in names:
        path = out / f"{name}.yaml"
        path.unlink(missing_ok=True)
        scrubber = Scrubber(origins={config.domain}, secrets=secrets)
        sandbox = Sandbox(settings)
        try:
            with make_vcr(scrubber, "all", out).use_cassette(path.name):
                outcome = await SCENARIOS[name](sandbox)
        finally:
            await sandbox.aclose()
        found = find_leaks(path.read_text(), secrets)
        leaks += [f"{path.name}: {leak}" for leak in found]
        print(f"{name:24s} -> {path}  {sorted(outcome)}")
    return leaks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.record_cassettes", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=CASSETTE_DIR, help="cassette directory (default: cassettes/)")
    parser.add_argument("--only", action="append", choices=sorted(SCENARIOS), help="record only these scenarios")
    args = parser.parse_args(argv)
    names = args.only or list(SCENARIOS)
    args.out.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    if settings.uses_embedded_org:
        with embedded_org() as org_settings:
            print(f"recording against a fresh embedded org at {org_settings.sf_domain}")
            leaks = asyncio.run(record(org_settings, args.out, names))
    else:
        print(f"recording against the org at {org_config(settings).domain}")
        leaks = asyncio.run(record(settings, args.out, names))
    for leak in leaks:
        print(f"LEAK {leak}", file=sys.stderr)
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main())
