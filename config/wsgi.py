import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Web processes get the web database limits (DB_WEB_STATEMENT_TIMEOUT_MS); see config/settings.py.
os.environ.setdefault("PROCESS_ROLE", "web")
application = get_wsgi_application()
