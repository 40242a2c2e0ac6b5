"""The production stack description and the production settings, checked without Docker."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_names_the_production_services():
    assert {"db", "redis", "web", "worker", "beat"} <= set(compose()["services"])


def test_the_database_has_a_healthcheck_and_the_web_waits_for_it_and_migrates():
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "migrate" in " ".join(services["web"]["command"])


def test_each_service_command_exists_in_the_project():
    services = compose()["services"]
    web = " ".join(services["web"]["command"])
    assert "gunicorn config.wsgi:application" in web and (ROOT / "config" / "wsgi.py").exists()
    assert (ROOT / "manage.py").exists()
    for name in ("worker", "beat"):
        command = services[name]["command"]
        assert command[:3] == ["celery", "-A", "config"]
        assert (ROOT / "config" / "celery.py").exists()
    # Every program the commands start is installed by requirements.txt.
    requirements = (ROOT / "requirements.txt").read_text().lower()
    for program in ("gunicorn", "celery"):
        assert f"\n{program}==" in requirements
        assert importlib.util.find_spec(program) is not None


def test_the_dockerfile_builds_from_the_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert compose()["services"]["web"]["build"] == "."


def _import_production(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.production")
    return subprocess.run([sys.executable, "-c", "import django; django.setup(); print('started')"],
                          cwd=ROOT, env=clean, capture_output=True, text=True)


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _import_production()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_the_development_key_and_debug():
    assert "SECRET_KEY must be set" in _import_production(SECRET_KEY="dev-only-insecure-key-never-use-in-production").stderr
    assert "DEBUG must be off" in _import_production(SECRET_KEY="x" * 10 + "abcdefghij" * 6, DEBUG="1").stderr


def test_production_settings_start_with_a_real_secret_key():
    result = _import_production(SECRET_KEY="k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_a_malformed_boolean_setting_is_a_clear_error():
    clean = dict(os.environ, DEBUG="maybe", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=clean,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def _junit(tmp_path, name, tests, failures=0, errors=0, skipped=0):
    path = tmp_path / name
    path.write_text(f'<testsuites><testsuite name="pytest" tests="{tests}" failures="{failures}" '
                    f'errors="{errors}" skipped="{skipped}"></testsuite></testsuites>')
    return str(path)


def _junit_total(*args):
    script = ROOT / ".ci" / "junit_total.py"
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)


def test_ci_closing_line_adds_up_the_junit_reports(tmp_path):
    result = _junit_total(_junit(tmp_path, "a.xml", 10, skipped=2), _junit(tmp_path, "b.xml", 5, skipped=1))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "tests: 12 passed, 0 failed, 3 skipped"


def test_ci_closing_line_fails_on_failures_on_no_tests_and_on_a_missing_report(tmp_path):
    failing = _junit_total(_junit(tmp_path, "f.xml", 4, failures=1, errors=1))
    assert failing.returncode == 1 and "tests: 2 passed, 2 failed, 0 skipped" in failing.stdout
    assert _junit_total(_junit(tmp_path, "empty.xml", 0)).returncode == 1
    missing = _junit_total(str(tmp_path / "absent.xml"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
