'use strict';
// origin-response, Node.js, callback style (like most of AWS's examples): set a default
// Cache-Control when the origin sent none.
exports.handler = (event, context, callback) => {
  const response = event.Records[0].cf.response;
  if (!response.headers['cache-control']) {
    response.headers['cache-control'] = [{ key: 'Cache-Control', value: 'public, max-age=3600' }];
  }
  callback(null, response);
};
