// Calibration case for add-security-headers: six security headers on every response.
function handler(event) {
    var res = event.response;
    var h = res.headers;
    h['strict-transport-security'] = { value: 'max-age=63072000; includeSubdomains; preload' };
    h['content-security-policy'] = { value: "default-src 'none'; img-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; frame-ancestors 'none'" };
    h['x-content-type-options'] = { value: 'nosniff' };
    h['x-frame-options'] = { value: 'DENY' };
    h['x-xss-protection'] = { value: '1; mode=block' };
    h['referrer-policy'] = { value: 'same-origin' };
    return res;
}
