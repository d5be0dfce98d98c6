// viewerRequestHandler of njs/cf-handlers.mjs as a CloudFront Function (runtime 1.0): the
// same work the njs case does.
function handler(event) {
    var request = event.request;
    if (request.uri.endsWith('/')) {
        request.uri += 'index.html';
    }
    request.headers['x-edgesim-viewer-request'] = { value: '1' };
    return request;
}
