// broken/uppercase-header.js - both runtimes, viewer-request. DELIBERATELY BROKEN.
//
// Header names in the returned object must be lower case. TestFunction
// returns the object as is, but the edge answers 502: "The CloudFront
// function returned an invalid value: request.headers must have header names
// in lower case." Fix: use 'x-bad'.

function handler(event) {
    var request = event.request;
    request.headers['X-Bad'] = { value: 'yes' };
    return request;
}
