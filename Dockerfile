# The webhook gateway. Build: docker build -t sf-voice-gateway .
# Run against a real org:
#   docker run -p 8000:8000 -e WEBHOOK_SECRET=... -e SF_DOMAIN=https://acme.my.salesforce.com \
#     -e SF_CLIENT_ID=... -e SF_CLIENT_SECRET=... sf-voice-gateway
# With no SF_* set it runs on the embedded org (WEBHOOK_SECRET is still required off loopback).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ORG_DATA_DIR=/home/app/data

RUN useradd --create-home --uid 10001 app
WORKDIR /app

COPY pyproject.toml README.md* ./
COPY service ./service
RUN pip install . && rm -rf /root/.cache

USER app
RUN mkdir -p /home/app/data
WORKDIR /home/app
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["python", "-m", "service", "serve", "--host", "0.0.0.0", "--port", "8000"]
