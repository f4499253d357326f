"""The org stands alone: no gateway imports, faults and settings through its own config, optional trustme."""

import re
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from service.errors import ConfigError
from service.org.server import TLS_MISSING, make_tls_files
from service.org.state import OrgConfig
from service.settings import Settings

REPO = Path(__file__).resolve().parents[2]
ORG_DIR = REPO / "service" / "org"
GATEWAY_IMPORT = re.compile(r"from service\.(salesforce|tools)|import service\.(salesforce|tools)")


async def test_org_imports_nothing_from_the_gateway() -> None:
    """No module of service/org imports service.salesforce or service.tools."""
    offenders = [p.name for p in ORG_DIR.glob("*.py") if GATEWAY_IMPORT.search(p.read_text())]
    assert offenders == []


async def test_org_reads_no_settings() -> None:
    """No module of service/org reads the global settings; the caller builds OrgConfig."""
    offenders = [p.name for p in ORG_DIR.glob("*.py") if "get_settings" in p.read_text()]
    assert offenders == []


async def test_faults_come_from_the_config(make_embedded_org) -> None:
    """OrgConfig.fault_spec (ORG_FAULTS) injects faults into an org started with that config."""
    settings = Settings(org_faults="limit_exceeded:query:1")
    config = OrgConfig.from_settings(settings)
    assert config.fault_spec == "limit_exceeded:query:1"
    org = make_embedded_org(fault_spec=config.fault_spec)
    token = org.get_token()
    with httpx2.Client(base_url=org.url, headers={"Authorization": f"Bearer {token}"}) as client:
        answers = [client.get("/services/data/v58.0/query", params={"q": "SELECT Id FROM Lead"}).status_code]
        answers.append(client.get("/services/data/v58.0/query", params={"q": "SELECT Id FROM Lead"}).status_code)
    assert answers == [403, 200]


async def test_tls_without_trustme_fails_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without trustme, asking for TLS raises a ConfigError naming the install command."""
    monkeypatch.setitem(sys.modules, "trustme", None)
    with pytest.raises(ConfigError) as err:
        make_tls_files(tmp_path, "127.0.0.1")
    assert str(err.value) == TLS_MISSING and "\n" not in TLS_MISSING and "pip install trustme" in TLS_MISSING


def test_org_serve_tls_without_trustme_exits_2_in_one_line(tmp_path: Path) -> None:
    """`org serve --tls` without trustme prints one line naming the install command and exits 2."""
    code = (
        "import sys; sys.modules['trustme'] = None; from service.cli import main; "
        f"raise SystemExit(main(['org', 'serve', '--tls', '--port', '0', '--data-dir', {str(tmp_path)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: {TLS_MISSING}"]
