// broken/infinite-loop.js - both runtimes, viewer-request. DELIBERATELY BROKEN.
//
// Never returns. A run that cannot finish is an execution error, not a
// validation error; at the edge, functions that keep exceeding their compute
// budget are throttled (503).

function handler(event) {
    var spins = 0;
    while (true) {
        spins++;
    }
    return event.request;
}
