import cf from 'cloudfront';

// kvs-redirects.js - runtime cloudfront-js-2.0 only, event type viewer-request
//
// Redirect table kept in a CloudFront KeyValueStore: key = request URI,
// value = where to send the viewer (absolute URL or path). Editing the
// store changes the redirects without republishing the function.
//
//   kvs/redirects.json:  "/old-blog/" -> "https://www.example.com/blog/"
//
// The `import cf from 'cloudfront'` line must come first. kvs.get() returns
// a Promise that REJECTS when the key does not exist, so the lookup sits in
// try/catch and a miss simply lets the request through.

const kvs = cf.kvs();

async function handler(event) {
    const request = event.request;
    let target;

    try {
        target = await kvs.get(request.uri);
    } catch (err) {
        return request; // no redirect for this URI
    }

    console.log('redirect ' + request.uri + ' -> ' + target);
    return {
        statusCode: 301,
        statusDescription: 'Moved Permanently',
        headers: {
            'location': { value: target }
        }
    };
}
