// security-headers.js - runtime cloudfront-js-2.0, event type viewer-response
//
// Adds the usual browser-hardening headers to every response.
// The Content-Security-Policy is only a default: when the origin already sent
// one (it usually knows its pages better), that one is kept.
//
// Note: CloudFront does not run viewer-response functions when the origin
// answered with a status >= 400, nor for custom error pages, so those responses
// will NOT carry these headers. Configure a response headers policy if you
// need them everywhere.

const DEFAULT_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'";

async function handler(event) {
    const response = event.response;
    const headers = response.headers;

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
