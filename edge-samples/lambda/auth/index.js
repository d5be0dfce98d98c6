'use strict';
// viewer-request, Node.js (CommonJS, async): HTTP Basic authentication.
// Requests without the right `Authorization` header get a generated 401 that asks the
// browser for credentials; authenticated requests continue unchanged.
const USER = 'edge';
const PASSWORD = 'sim';
const EXPECTED = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const auth = request.headers.authorization;
  if (auth && auth[0].value === EXPECTED) {
    return request;
  }
  console.log(`denied ${request.method} ${request.uri} from ${request.clientIp}`);
  return {
    status: '401',
    statusDescription: 'Unauthorized',
    headers: {
      'www-authenticate': [{ key: 'WWW-Authenticate', value: 'Basic realm="edgesim", charset="UTF-8"' }],
      'content-type': [{ key: 'Content-Type', value: 'text/plain; charset=utf-8' }],
    },
    body: 'Authentication required.',
  };
};
