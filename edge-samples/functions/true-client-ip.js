// true-client-ip.js - runtime cloudfront-js-2.0, event type viewer-request
//
// Tells the origin who the viewer is: `true-client-ip` is set from
// event.viewer.ip, the address of the client that connected to CloudFront
// (IPv4 or IPv6; behind a proxy it is the proxy's address).
//
// Any `true-client-ip` the viewer sent is overwritten, so the origin can
// trust the header. Include it in the origin request policy so it is
// forwarded.

async function handler(event) {
    const request = event.request;
    request.headers['true-client-ip'] = { value: event.viewer.ip };
    return request;
}
