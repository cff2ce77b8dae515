# Debian 12 (bookworm) like the CI machine: .ci/check-image-packages checks this package list there.
FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Pango + HarfBuzz: WeasyPrint renders reports and certificates with them (PT Sans ships in
# static/fonts; DejaVu covers any glyph it lacks). postgresql-client: pg_dump/pg_restore for
# `manage.py backup` and `restore` (version 15, like the compose database).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig fonts-dejavu-core \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN useradd --create-home opora && mkdir -p /var/lib/opora && chown opora /var/lib/opora
USER opora
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000"]
