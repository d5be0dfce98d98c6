// broken/readonly-header.js - both runtimes, viewer-request. DELIBERATELY BROKEN.
//
// `host` is read-only in viewer-request (so are cdn-loop, content-length,
// transfer-encoding and via). The code runs fine and TestFunction shows the
// changed header without complaint, but the edge rejects the result with a
// 502: "The CloudFront function tried to add, delete, or change a read-only
// header." To send another Host to the origin, use an origin request policy
// or, in runtime 2.0, cf.updateRequestOrigin({ hostHeader: ... }).

function handler(event) {
    var request = event.request;
    request.headers['host'] = { value: 'origin.example.com' };
    return request;
}
