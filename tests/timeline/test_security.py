"""Security headers on every response, and a Content-Security-Policy without 'unsafe-inline'."""
import pytest

from timeline.security import policy_directives


def _policy(response):
    return response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/events/no-such-event/", "/admin/login/", "/healthz"])
def test_every_response_carries_the_security_headers(client, db, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # /healthz too (issue 17 item 11: it used to answer before the security middleware).
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    policy = _policy(response)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_the_policy_names_a_nonce_only_when_a_template_used_it(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">1</script>')

    def view_with_inline_script(request):
        return HttpResponse(template.render({}, request))

    request = rf.get("/")
    response = CSPMiddleware(view_with_inline_script)(request)
    nonce = str(request.csp_nonce)
    assert len(nonce) >= 20
    assert f'nonce="{nonce}"' in response.content.decode()
    assert f"script-src 'self' 'nonce-{nonce}'" in _policy(response)

    plain = CSPMiddleware(lambda r: HttpResponse("plain"))(rf.get("/"))
    assert "nonce-" not in _policy(plain)


def test_the_redoc_page_alone_gets_its_worker_and_style_hashes(client, db):
    redoc = _policy(client.get("/api/v1/redoc/"))
    assert "worker-src 'self' blob:" in redoc and "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='" in redoc
    assert "unsafe-inline" not in redoc
    assert "blob:" not in _policy(client.get("/api/v1/docs/"))


def test_static_files_served_by_whitenoise_carry_the_policy_too(client, db, settings):
    response = client.get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert "default-src 'self'" in _policy(response)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_admin_pages_need_no_inline_script_or_style(admin_client):
    # The admin's own templates load scripts from files; nothing inline would be blocked.
    for path in ["/admin/", "/admin/timeline/event/", "/admin/timeline/event/add/"]:
        html = admin_client.get(path).content.decode()
        assert "<script>" not in html and "<style>" not in html, path
        assert 'style="' not in html and " onclick=" not in html, path


def test_extra_sources_from_settings_are_added_to_their_directive():
    directives = policy_directives(extra={"img-src": ["https://img.example.org"]})
    assert directives["img-src"] == ["'self'", "data:", "https://img.example.org"]
    assert policy_directives()["img-src"] == ["'self'", "data:"]


def test_production_settings_send_hsts_and_the_policy():
    import os
    import subprocess
    import sys

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.production", SECRET_KEY="k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
               ALLOWED_HOSTS="timeline.example.org", SECURE_SSL_REDIRECT="1")
    # A page that needs no database: an address no route matches.
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/no-such-page/', secure=True, HTTP_HOST='timeline.example.org');"
        "print(r.status_code, r.headers.get('Strict-Transport-Security'), r.headers.get('Content-Security-Policy') is not None)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "404 max-age=31536000; includeSubDomains; preload True" in result.stdout


def test_the_deploy_checks_pass_with_the_production_settings():
    import os
    import subprocess
    import sys

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.production",
               SECRET_KEY="k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789", ALLOWED_HOSTS="timeline.example.org")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
