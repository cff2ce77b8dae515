FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home opora && mkdir -p /var/lib/opora && chown opora /var/lib/opora
USER opora
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--workers", "4", "--bind", "0.0.0.0:8000"]
