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


def test_the_database_has_a_healthcheck_and_the_web_waits_for_it_and_the_release():
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["release"]["condition"] == "service_completed_successfully"


# Issue 17 item 18: a compose file that deploys.

def test_a_one_off_release_service_migrates_and_can_load_the_seed_and_create_the_admin():
    release = compose()["services"]["release"]
    assert release["restart"] == "no" and release["command"] == ["sh", "deploy/release.sh"]
    script = (ROOT / "deploy" / "release.sh").read_text()
    for step in ("collectstatic --noinput", "migrate --noinput", "loaddata seed_timeline", "createsuperuser --noinput"):
        assert f"python manage.py {step}" in script
    for name in ("LOAD_SEED", "DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_EMAIL", "DJANGO_SUPERUSER_PASSWORD"):
        assert name in release["environment"]
    for name in ("web", "worker", "beat"):
        assert compose()["services"][name]["depends_on"]["release"]["condition"] == "service_completed_successfully"


def test_the_release_script_runs_on_a_fresh_database_and_again_on_the_same(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               VAR_DIR=str(tmp_path), STATIC_ROOT=str(tmp_path / "static"), LOAD_SEED="1",
               DJANGO_SUPERUSER_USERNAME="first-admin", DJANGO_SUPERUSER_EMAIL="admin@example.org",
               DJANGO_SUPERUSER_PASSWORD="a long pass phrase", PATH=f"{Path(sys.executable).parent}:{env['PATH']}")
    first = subprocess.run(["sh", "deploy/release.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    again = subprocess.run(["sh", "deploy/release.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "seed not loaded" in again.stdout and "admin first-admin exists" in again.stdout
    assert (tmp_path / "static" / "timeline" / "site.css").exists()


def test_every_long_running_service_restarts_and_redis_keeps_its_data_in_a_volume():
    services = compose()["services"]
    for name in ("db", "redis", "web", "worker", "beat", "nginx"):
        assert services[name]["restart"] == "unless-stopped", name
    assert "redisdata:/data" in services["redis"]["volumes"]
    assert "redisdata" in compose()["volumes"]


def test_ssl_redirect_and_the_proxy_settings_come_from_the_environment():
    environment = compose()["services"]["web"]["environment"]
    assert environment["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-1}"
    assert environment["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    assert environment["REDIS_CACHE_URL"] == "redis://redis:6379/1"
    production = (ROOT / "config" / "production.py").read_text()
    assert 'envbool("SECURE_SSL_REDIRECT", True)' in production


def test_the_dockerignore_keeps_the_virtualenv_databases_and_secrets_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".venv", "var", ".git", ".env", "**/*.sqlite3", "staticfiles"):
        assert entry in ignored


# Issue 17 item 2: nginx in front of gunicorn, the same configuration in compose and CI.

def test_only_nginx_is_published_and_it_uses_the_repositorys_configuration():
    services = compose()["services"]
    assert "ports" not in services["web"]
    nginx = services["nginx"]
    assert nginx["image"].startswith("nginx:")
    assert {"${HTTP_PORT:-80}:80", "${HTTPS_PORT:-443}:443"} == set(nginx["ports"])
    assert "./deploy/nginx/timeline.conf.template:/etc/nginx/templates/default.conf.template:ro" in nginx["volumes"]
    assert "static:/srv/static:ro" in nginx["volumes"]
    assert "bench/slow_clients.py" in (ROOT / ".ci" / "run").read_text()
    assert "timeline.conf.template" in (ROOT / "bench" / "slow_clients.py").read_text()


def test_the_nginx_template_buffers_terminates_tls_and_names_every_placeholder_it_uses():
    import re

    template = (ROOT / "deploy" / "nginx" / "timeline.conf.template").read_text()
    for directive in ("proxy_request_buffering on;", "proxy_buffering on;", "client_header_timeout 10s;",
                      "ssl_certificate ${NGINX_TLS_CERT};", "proxy_set_header X-Forwarded-Proto $scheme;",
                      "alias ${NGINX_STATIC_ROOT}/;"):
        assert directive in template
    placeholders = set(re.findall(r"\$\{(\w+)\}", template))
    assert placeholders == set(compose()["services"]["nginx"]["environment"])


def test_each_service_command_exists_in_the_project():
    services = compose()["services"]
    web = " ".join(services["web"]["command"])
    assert "gunicorn -c config/gunicorn.py config.wsgi:application" in web and (ROOT / "config" / "wsgi.py").exists()
    assert (ROOT / "config" / "gunicorn.py").exists()
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


# Issue 17 item 17: no several workers with a cache each.

def test_production_settings_refuse_several_workers_without_a_shared_cache():
    key = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2
    refused = _import_production(SECRET_KEY=key, WEB_CONCURRENCY="3", REDIS_CACHE_URL="")
    assert refused.returncode != 0 and "REDIS_CACHE_URL must name a shared cache" in refused.stderr
    assert _import_production(SECRET_KEY=key, WEB_CONCURRENCY="1", REDIS_CACHE_URL="").returncode == 0
    assert _import_production(SECRET_KEY=key, WEB_CONCURRENCY="3",
                              REDIS_CACHE_URL="redis://127.0.0.1:6379/1").returncode == 0


def test_gunicorn_refuses_to_start_several_workers_without_a_shared_cache():
    import pytest

    from config.gunicorn import refuse_unshared_cache

    with pytest.raises(RuntimeError, match="3 gunicorn workers without REDIS_CACHE_URL"):
        refuse_unshared_cache(3, {})
    refuse_unshared_cache(1, {})
    refuse_unshared_cache(3, {"REDIS_CACHE_URL": "redis://redis:6379/1"})


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


def test_gunicorn_believes_no_clients_x_forwarded_proto():
    # gunicorn would set wsgi.url_scheme from it, and Django falls back to that when
    # TrustedProxyMiddleware dropped the header (issue 17 item 16).
    import config.gunicorn

    assert config.gunicorn.forwarded_allow_ips == ""
