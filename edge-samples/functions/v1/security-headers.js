// security-headers.js - runtime cloudfront-js-1.0, event type viewer-response
// (ES5 style. Same behaviour as ../security-headers.js: the origin's own
// content-security-policy, if any, is kept.)

var DEFAULT_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'";

function handler(event) {
    var response = event.response;
    var headers = response.headers;

    headers['strict-transport-security'] = { value: 'max-age=63072000; includeSubDomains; preload' };
    if (!headers['content-security-policy']) {
        headers['content-security-policy'] = { value: DEFAULT_CSP };
    }
    headers['x-content-type-options'] = { value: 'nosniff' };
    headers['x-frame-options'] = { value: 'DENY' };
    headers['referrer-policy'] = { value: 'strict-origin-when-cross-origin' };
    headers['x-xss-protection'] = { value: '1; mode=block' };

    return response;
}
