// Calibration case for url-rewrite-static-websites: directory URIs get index.html, extension-less
// ones /index.html.
function handler(event) {
    var req = event.request;
    var path = req.uri;
    if (path.endsWith('/')) {
        req.uri += 'index.html';
    } else if (!path.includes('.')) {
        req.uri += '/index.html';
    }
    return req;
}
