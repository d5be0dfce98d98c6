// Calibration case for redirect-based-on-country: viewers in Germany go to /de/index.html.
function handler(event) {
    var req = event.request;
    var h = req.headers;
    var host = req.headers.host.value;
    var target = 'DE';
    var location = `https://${host}/de/index.html`;
    if (h['cloudfront-viewer-country']) {
        var code = h['cloudfront-viewer-country'].value;
        if (code === target) {
            var redirect = {
                statusCode: 302,
                statusDescription: 'Found',
                headers: { "location": { "value": location } }
            };
            return redirect;
        }
    }
    return req;
}
