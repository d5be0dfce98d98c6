// cors.js - runtime cloudfront-js-2.0, event type viewer-response
//
// Makes a response usable cross-origin: when the viewer sent an `origin`
// request header and the origin server did not answer with
// `access-control-allow-origin`, echo the viewer's origin back and add
// `Origin` to `vary` (the response now differs per requesting origin, so
// shared caches must keep the variants apart).
//
// Echoing any origin is the permissive choice, fine for public read-only
// APIs. For anything carrying credentials, check the origin against an
// allow-list first.
//
// In a viewer-response function, event.request is the request as it was
// forwarded (after any viewer-request function).

async function handler(event) {
    const request = event.request;
    const response = event.response;
    const origin = request.headers.origin;

    if (!origin || response.headers['access-control-allow-origin']) {
        return response;
    }

    response.headers['access-control-allow-origin'] = { value: origin.value };

    const vary = response.headers['vary'];
    if (!vary) {
        response.headers['vary'] = { value: 'Origin' };
    } else {
        const names = vary.value.toLowerCase().split(',').map(function (s) { return s.trim(); });
        if (names.indexOf('origin') === -1) {
            vary.value = vary.value + ', Origin';
        }
    }

    console.log('access-control-allow-origin: ' + origin.value);
    return response;
}
