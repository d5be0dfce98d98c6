// Calibration case for url-rewrite-single-page-apps (same logic as AWS's sample, our code):
// every extension-less URI is served by the app's /index.html.
function handler(event) {
    var req = event.request;
    var path = req.uri;
    if (!path.includes('.')) {
        req.uri = '/index.html';
    }
    return req;
}
