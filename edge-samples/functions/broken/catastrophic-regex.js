// broken/catastrophic-regex.js - both runtimes. DELIBERATELY BROKEN.
//
// A regular expression with nested quantifiers backtracks exponentially on a
// near-match. The engine cannot interrupt a running regular expression, so
// `edgesim test-function` stops the whole run after 5 s and reports an
// execution error. At the edge such a function is throttled (503), and so it
// is in `edgesim serve`: while one run is stuck (over 1 s), every other request
// for the function gets 503 FunctionThrottledError instead of another thread.

function handler(event) {
    var probe = event.request.headers['x-probe'];
    var text = probe ? probe.value : 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!';
    if (/^(a+)+$/.test(text)) {
        event.request.headers['x-bot'] = { value: 'yes' };
    }
    return event.request;
}
