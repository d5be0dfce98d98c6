// add-origin-header.js - runtime cloudfront-js-1.0, event type viewer-request
// (ES5 style. Same behaviour as ../add-origin-header.js: add `origin` built
// from `host` when the viewer did not send one.)

function handler(event) {
    var request = event.request;
    var headers = request.headers;

    if (!headers['origin'] && headers['host']) {
        headers['origin'] = { value: 'https://' + headers['host'].value };
    }

    return request;
}
