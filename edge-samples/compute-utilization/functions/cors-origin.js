// Calibration case for add-cors-header: echo the viewer's origin when the response has no
// access-control-allow-origin, and say so in the log.
function handler(event) {
    var req = event.request;
    var res = event.response;
    var h = res.headers;
    if (!res.headers['access-control-allow-origin'] && req.headers['origin']) {
        h['access-control-allow-origin'] = { value: req.headers['origin'].value };
        console.log("access-control-allow-origin was missing, adding it");
    }
    return res;
}
