// broken/export.js - both runtimes. DELIBERATELY BROKEN.
//
// CloudFront Functions are not modules: `handler` must be a plain global
// function and nothing may be exported. Any `export` fails to compile
// ("Illegal export statement"); a deployed function like this answers every
// request with a 503. The same goes for `module.exports = ...` and a
// transpiler's CommonJS prologue.

function handler(event) {
    return event.request;
}

export default handler;
