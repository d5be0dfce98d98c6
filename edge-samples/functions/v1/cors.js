// cors.js - runtime cloudfront-js-1.0, event type viewer-response
// (ES5 style. Same behaviour as ../cors.js: echo the viewer's `origin` into
// `access-control-allow-origin` when the origin server did not set it, and
// add `Origin` to `vary`.)

function handler(event) {
    var request = event.request;
    var response = event.response;
    var origin = request.headers.origin;

    if (!origin || response.headers['access-control-allow-origin']) {
        return response;
    }

    response.headers['access-control-allow-origin'] = { value: origin.value };

    var vary = response.headers['vary'];
    if (!vary) {
        response.headers['vary'] = { value: 'Origin' };
    } else {
        var names = vary.value.toLowerCase().split(',').map(function (s) { return s.trim(); });
        if (names.indexOf('origin') === -1) {
            vary.value = vary.value + ', Origin';
        }
    }

    console.log('access-control-allow-origin: ' + origin.value);
    return response;
}
