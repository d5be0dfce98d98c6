// spa-rewrite.js - runtime cloudfront-js-1.0, event type viewer-request
// (ES5 style: `var`, synchronous handler. Same behaviour as ../spa-rewrite.js.)
//
//   /blog/            -> /blog/index.html
//   /products/shoes   -> /products/shoes/index.html
//   /assets/app.js    -> unchanged (the last segment has a file extension)

function handler(event) {
    var request = event.request;
    var uri = request.uri;

    if (uri.charAt(uri.length - 1) === '/') {
        request.uri = uri + 'index.html';
    } else {
        var lastSegment = uri.slice(uri.lastIndexOf('/') + 1);
        if (lastSegment.indexOf('.') === -1) {
            request.uri = uri + '/index.html';
        }
    }

    return request;
}
