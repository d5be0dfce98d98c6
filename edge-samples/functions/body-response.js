// body-response.js - runtime cloudfront-js-2.0, event type viewer-request
//
// Answers some requests directly from the edge, without touching the cache or
// the origin, by returning a response object instead of the request:
//
//   /maintenance  -> 200 HTML page, body given as { encoding: 'text', data }
//   /healthz      -> 200 "ok", body given as a plain string (shorthand for
//                    { encoding: 'text', data: 'ok' }); statusDescription and
//                    headers may be left out
//
// A body can also be binary: { encoding: 'base64', data: '<base64>' }.
// Setting content-type (and keeping it consistent) is up to the function.
// Everything else passes through.

const MAINTENANCE_PAGE =
    '<!DOCTYPE html>\n' +
    '<html lang="en">\n' +
    '<head><meta charset="utf-8"><title>Down for maintenance</title></head>\n' +
    '<body><h1>We will be back soon</h1><p>Scheduled maintenance is in progress.</p></body>\n' +
    '</html>\n';

async function handler(event) {
    const request = event.request;

    if (request.uri === '/maintenance') {
        return {
            statusCode: 200,
            statusDescription: 'OK',
            headers: {
                'content-type': { value: 'text/html; charset=utf-8' },
                'cache-control': { value: 'no-store' }
            },
            body: {
                encoding: 'text',
                data: MAINTENANCE_PAGE
            }
        };
    }

    if (request.uri === '/healthz') {
        return {
            statusCode: 200,
            body: 'ok'
        };
    }

    return request;
}
