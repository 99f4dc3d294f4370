"""The deployment files name only settings the app reads, and keep what replicas need."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "\n".join(p.read_text() for p in (ROOT / "src" / "prd_assistant").rglob("*.py"))


def test_every_prd_setting_in_the_compose_file_is_read_by_the_app():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    app = compose["services"]["app1"]
    assert app == compose["services"]["app2"]  # two identical replicas
    names = [n for n in app["environment"] if n.startswith("PRD_")]
    assert {"PRD_DATABASE_URL", "PRD_AUTH"} <= set(names)
    for name in names:
        assert f'"{name}"' in SOURCE, f"{name} is set in compose.yaml but nothing reads it"
    assert app["environment"]["PRD_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert (ROOT / app["build"]["dockerfile"]).exists()


def test_the_reverse_proxy_is_sticky_and_passes_websockets():
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "ip_hash;" in nginx
    assert re.search(r"proxy_set_header Upgrade \$http_upgrade", nginx)
    assert nginx.count("server app") == 2


def test_the_image_installs_the_team_extra_and_never_copies_secrets():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '".[team]"' in dockerfile
    assert "secrets.toml" not in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".streamlit/secrets.toml" in ignored
    gitignored = (ROOT / ".gitignore").read_text().split()
    assert {"deploy/.env", "deploy/secrets.toml"} <= set(gitignored)
