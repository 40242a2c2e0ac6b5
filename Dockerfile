FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build-only-collectstatic-key-that-is-long-enough-to-pass-the-production-check-000 \
    python manage.py collectstatic --noinput
# The app writes var/ and, in the release service, the static volume that nginx serves.
RUN useradd --system --uid 1000 app && mkdir -p /app/var && chown -R app /app/var /app/staticfiles
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
