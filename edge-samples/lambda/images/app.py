"""origin-request, Python: image format negotiation. Browsers that accept WebP get the
`.webp` variant of a JPEG or PNG; the Accept header is part of the cache key upstream."""

REWRITABLE = (".jpg", ".jpeg", ".png")


def handler(event, context):
    request = event["Records"][0]["cf"]["request"]
    accept = ",".join(h["value"] for h in request["headers"].get("accept", []))
    uri = request["uri"]
    if "image/webp" in accept and uri.lower().endswith(REWRITABLE):
        request["uri"] = uri.rsplit(".", 1)[0] + ".webp"
        request["headers"]["x-image-format"] = [{"key": "X-Image-Format", "value": "webp"}]
    return request
