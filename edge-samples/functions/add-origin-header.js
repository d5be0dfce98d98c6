// add-origin-header.js - runtime cloudfront-js-2.0, event type viewer-request
//
// Some origins (S3 with CORS rules, many API frameworks) only add CORS
// response headers when the request has an `origin` header. Browsers omit it
// on same-origin and non-CORS requests, so the cached object would lack the
// CORS headers for everybody. Adding `origin` from the `host` header when it
// is missing makes every request look like a CORS request to the origin.
// Requests that already carry an `origin` pass through unchanged.

async function handler(event) {
    const request = event.request;
    const headers = request.headers;

    if (!headers['origin'] && headers['host']) {
        headers['origin'] = { value: 'https://' + headers['host'].value };
    }

    return request;
}
