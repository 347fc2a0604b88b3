# Concert: one image for web (gunicorn), worker and beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Requirements first: the dependency layer is rebuilt only when they change. The runtime
# file only: the test tools (requirements-dev.txt) have no place in the image.
# psycopg2-binary ships its own libpq, so no compiler or system packages are needed.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Static files are collected at build time into the image (served by WhiteNoise).
# Settings refuse to load without SECRET_KEY when DEBUG is off; this throwaway key
# exists only for this build step and is never part of the running container.
RUN SECRET_KEY=collectstatic-only DEBUG=0 python manage.py collectstatic --noinput \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin concert \
    && mkdir -p var && chown -R concert var

# Not root: the Celery worker refuses to be comfortable as root, and nothing needs it.
USER concert

EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
