'use strict';
// Deliberately wrong handlers, to show what CloudFront does with each mistake.

// Throws: CloudFront answers 503 LambdaExecutionError.
exports.throws = async (event) => {
  const cookie = event.Records[0].cf.request.headers.cookie[0].value; // no cookie header
  return cookie;
};

// Rewrites Host at viewer-request, where it is read-only: 502 LambdaValidationError.
exports.readOnlyHost = async (event) => {
  const request = event.Records[0].cf.request;
  request.headers.host = [{ key: 'Host', value: 'other.example.test' }];
  return request;
};

// A plain function that returns without calling back: no payload, 502 "not parsable".
exports.noCallback = (event) => {
  return event.Records[0].cf.request;
};

// A header entry that is not an array: 502 invalid entry in the headers object.
exports.headerObject = async (event) => {
  const request = event.Records[0].cf.request;
  request.headers['x-debug'] = { key: 'X-Debug', value: '1' };
  return request;
};
