'use strict';
// viewer-request with IncludeBody, Node.js: inspect a form POST. A form without `email`
// is refused with 400; otherwise the body is replaced by a normalised version (lower-cased
// e-mail) that the origin receives instead.
exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  if (request.method !== 'POST' || !request.body) return request;
  if (request.body.inputTruncated) {
    return { status: '413', statusDescription: 'Payload Too Large', body: 'Form too large.' };
  }
  const form = new URLSearchParams(Buffer.from(request.body.data, 'base64').toString('utf8'));
  if (!form.get('email')) {
    return {
      status: '400',
      statusDescription: 'Bad Request',
      headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] },
      body: 'email is required',
    };
  }
  form.set('email', form.get('email').toLowerCase());
  request.body.action = 'replace';
  request.body.encoding = 'text';
  request.body.data = form.toString();
  return request;
};
