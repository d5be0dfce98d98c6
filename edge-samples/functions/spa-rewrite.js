// spa-rewrite.js - runtime cloudfront-js-2.0, event type viewer-request
//
// Static sites and single-page apps are published as /dir/index.html, but
// viewers ask for /dir/ or /dir. Rewrite the URI so the origin (typically an
// S3 bucket, which has no notion of "directory index") finds the object:
//
//   /blog/            -> /blog/index.html
//   /products/shoes   -> /products/shoes/index.html
//   /assets/app.js    -> unchanged (the last segment has a file extension)
//
// The rewrite only changes WHICH object is requested. The cache behaviour and
// the origin were already chosen from the original URI and stay as they are.

async function handler(event) {
    const request = event.request;
    const uri = request.uri;

    if (uri.endsWith('/')) {
        request.uri = uri + 'index.html';
    } else {
        const lastSegment = uri.slice(uri.lastIndexOf('/') + 1);
        if (!lastSegment.includes('.')) {
            request.uri = uri + '/index.html';
        }
    }

    return request;
}
