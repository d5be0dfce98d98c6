// cache-control-by-status.js - runtime cloudfront-js-2.0, event type viewer-response
//
// Gives browsers a caching lifetime for successful responses (2xx and 3xx)
// when the origin did not send a `cache-control` header of its own.
// Responses that already carry one are left alone: the origin knows best.
//
// Other statuses are left untouched. (In production CloudFront does not even
// run viewer-response functions for origin responses with status >= 400, so
// an error branch here would only ever run in tests.)

const BROWSER_MAX_AGE = 86400; // one day, in seconds

async function handler(event) {
    const response = event.response;
    const status = response.statusCode;

    if (status >= 200 && status < 400 && !response.headers['cache-control']) {
        response.headers['cache-control'] = { value: 'public, max-age=' + BROWSER_MAX_AGE };
    }

    return response;
}
