// body-response.js - runtime cloudfront-js-1.0, event type viewer-request
// (ES5 style. Same behaviour as ../body-response.js. Response bodies shipped
// before runtime 2.0 and work in 1.0 as well.)
//
//   /maintenance  -> 200 HTML page, body { encoding: 'text', data }
//   /healthz      -> 200 "ok", body as a plain string

var MAINTENANCE_PAGE =
    '<!DOCTYPE html>\n' +
    '<html lang="en">\n' +
    '<head><meta charset="utf-8"><title>Down for maintenance</title></head>\n' +
    '<body><h1>We will be back soon</h1><p>Scheduled maintenance is in progress.</p></body>\n' +
    '</html>\n';

function handler(event) {
    var request = event.request;

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
