// broken/let-in-v1.js - DELIBERATELY BROKEN for runtime cloudfront-js-1.0.
//
// Runtime 1.0 has no `const` / `let` (use `var`), so this does not compile
// there. The very same code is fine in runtime 2.0 and adds one header.

function handler(event) {
    const request = event.request;
    let label = 'const and let work here';
    request.headers['x-runtime-check'] = { value: label };
    return request;
}
