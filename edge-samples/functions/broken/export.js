// broken/export.js - both runtimes. DELIBERATELY BROKEN.
//
// CloudFront finds `handler` by name; it is never imported from the module.
// `export default` fails to compile ("Illegal export statement"), and so
// does every export in runtime 1.0; a deployed function like this answers
// every request with a 503. (Runtime 2.0 tolerates a named
// `export { handler };`.) `module.exports = ...` and a transpiler's CommonJS
// prologue fail too, at run time: `module`/`exports` are not defined.

function handler(event) {
    return event.request;
}

export default handler;
