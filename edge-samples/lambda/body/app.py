"""viewer-request with IncludeBody, Python: refuse JSON bodies that carry a `debug` field."""
import base64
import json


def handler(event, context):
    request = event["Records"][0]["cf"]["request"]
    body = request.get("body")
    if request["method"] != "POST" or not body or not body["data"]:
        return request
    payload = json.loads(base64.b64decode(body["data"]))
    if "debug" in payload:
        print("refusing debug flag")
        return {"status": 403, "statusDescription": "Forbidden", "body": "debug is not allowed"}
    return request
