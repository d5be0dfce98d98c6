// broken/destructuring.js - DELIBERATELY BROKEN, runtime cloudfront-js-2.0.
//
// Runtime 2.0 has const/let/async, but NOT destructuring: the edge rejects
// this with a SyntaxError ("Token ... not supported in this version"),
// although Node runs it happily. Write `const request = event.request;`.

async function handler(event) {
    const { request } = event;
    return request;
}
