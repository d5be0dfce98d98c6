// broken/throws.js - both runtimes, viewer-request. DELIBERATELY BROKEN.
//
// Reads `.value` of a header the event does not have. The TypeError escapes
// the handler: TestFunction reports it in FunctionErrorMessage (prefixed with
// "The CloudFront function associated with the CloudFront distribution is
// invalid or could not run.") and the edge answers 503
// (X-Cache: FunctionExecutionError from cloudfront).
// Fix: check that the header exists before reading it.

function handler(event) {
    var request = event.request;
    var apiKey = request.headers['x-api-key'].value;
    request.headers['x-api-key-seen'] = { value: apiKey };
    return request;
}
