"""origin-request hook for the load benchmark: hands the request back unchanged."""


def handler(event, context):
    return event["Records"][0]["cf"]["request"]
