// The smallest viewer-request function: hands the request back unchanged. Used by the
// `functions-empty` load case to measure what a function run costs before any user code.
function handler(event) {
    return event.request;
}
