// Calibration case for add-true-client-ip-header: the viewer's address as true-client-ip.
function handler(event) {
    var req = event.request;
    var ip = event.viewer.ip;
    req.headers['true-client-ip'] = { value: ip };
    return req;
}
