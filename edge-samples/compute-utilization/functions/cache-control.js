// Calibration case for add-cache-control-header: one cache-control header for browsers.
function handler(event) {
    var res = event.response;
    var h = res.headers;
    h['cache-control'] = { value: 'public, max-age=63072000' };
    return res;
}
