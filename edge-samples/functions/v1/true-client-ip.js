// true-client-ip.js - runtime cloudfront-js-1.0, event type viewer-request
// (ES5 style. Same behaviour as ../true-client-ip.js: `true-client-ip` is set
// from event.viewer.ip, overwriting anything the viewer sent.)

function handler(event) {
    var request = event.request;
    request.headers['true-client-ip'] = { value: event.viewer.ip };
    return request;
}
