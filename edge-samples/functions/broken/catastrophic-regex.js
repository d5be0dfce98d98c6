// broken/catastrophic-regex.js - both runtimes. DELIBERATELY BROKEN.
//
// A regular expression with nested quantifiers backtracks exponentially on a
// near-match. The engine cannot interrupt a running regular expression, so
// `edgesim test-function` stops the whole run after 5 s and reports an
// execution error. `edgesim serve` answers the request 503 after the 100 ms
// limit and leaves the run's function thread behind at idle priority; while
// that run lasts, every other request for the function gets 503
// FunctionThrottledError, as at the edge.

function handler(event) {
    var probe = event.request.headers['x-probe'];
    var text = probe ? probe.value : 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!';
    if (/^(a+)+$/.test(text)) {
        event.request.headers['x-bot'] = { value: 'yes' };
    }
    return event.request;
}
