"""origin-response, Python: add security headers, hide the origin's Server header, and
turn origin 5xx errors into a short-lived cache entry."""

SECURITY_HEADERS = {
    "strict-transport-security": ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload"),
    "x-content-type-options": ("X-Content-Type-Options", "nosniff"),
    "x-frame-options": ("X-Frame-Options", "DENY"),
    "referrer-policy": ("Referrer-Policy", "same-origin"),
}


def handler(event, context):
    response = event["Records"][0]["cf"]["response"]
    headers = response["headers"]
    for name, (key, value) in SECURITY_HEADERS.items():
        headers[name] = [{"key": key, "value": value}]
    headers.pop("server", None)
    if int(response["status"]) >= 500:
        headers["cache-control"] = [{"key": "Cache-Control", "value": "max-age=5"}]
    return response
