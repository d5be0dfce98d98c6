"""viewer-request, Python: HTTP Basic authentication (same behaviour as index.js)."""
import base64

EXPECTED = "Basic " + base64.b64encode(b"edge:sim").decode()


def handler(event, context):
    request = event["Records"][0]["cf"]["request"]
    auth = request["headers"].get("authorization")
    if auth and auth[0]["value"] == EXPECTED:
        return request
    print(f"denied {request['method']} {request['uri']} from {request['clientIp']}")
    return {
        "status": "401",
        "statusDescription": "Unauthorized",
        "headers": {
            "www-authenticate": [
                {"key": "WWW-Authenticate", "value": 'Basic realm="edgesim", charset="UTF-8"'}
            ],
            "content-type": [{"key": "Content-Type", "value": "text/plain; charset=utf-8"}],
        },
        "body": "Authentication required.",
    }
