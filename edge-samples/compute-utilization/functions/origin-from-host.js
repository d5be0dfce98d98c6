// Calibration case for add-origin-header: an origin header built from host when missing.
function handler(event) {
    var req = event.request;
    var h = req.headers;
    var host = req.headers.host.value;
    if (!h.origin)
        h.origin = { value: `https://${host}` };
    return req;
}
