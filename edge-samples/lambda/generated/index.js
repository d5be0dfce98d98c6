'use strict';
// viewer-request, Node.js, callback style: answer some paths at the edge without going to
// the cache or the origin — a health check and permanent redirects.
const REDIRECTS = { '/old-blog': '/blog/', '/docs/v1': '/docs/' };

exports.handler = function (event, context, callback) {
  const request = event.Records[0].cf.request;
  if (request.uri === '/healthz') {
    callback(null, {
      status: 200, // AWS's examples use numbers; CloudFront accepts both
      statusDescription: 'OK',
      headers: { 'content-type': [{ key: 'Content-Type', value: 'application/json' }] },
      body: JSON.stringify({ ok: true, requestId: context.awsRequestId.length > 0 }),
    });
    return;
  }
  const target = REDIRECTS[request.uri];
  if (target) {
    callback(null, {
      status: '301',
      statusDescription: 'Moved Permanently',
      headers: { location: [{ key: 'Location', value: target }] },
    });
    return;
  }
  callback(null, request);
};
