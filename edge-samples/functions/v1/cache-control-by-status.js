// cache-control-by-status.js - runtime cloudfront-js-1.0, event type viewer-response
// (ES5 style. Same behaviour as ../cache-control-by-status.js: 2xx/3xx
// responses without a cache-control header get one; all others are untouched.)

var BROWSER_MAX_AGE = 86400; // one day, in seconds

function handler(event) {
    var response = event.response;
    var status = response.statusCode;

    if (status >= 200 && status < 400 && !response.headers['cache-control']) {
        response.headers['cache-control'] = { value: 'public, max-age=' + BROWSER_MAX_AGE };
    }

    return response;
}
