"""Deliberately wrong Python handlers."""


def raises(event, context):
    request = event["Records"][0]["cf"]["request"]
    return request["headers"]["cookie"][0]["value"]  # KeyError: no cookie header


def returns_list(event, context):
    return [event["Records"][0]["cf"]["request"]]
