// The smallest viewer-response function: hands the response back unchanged.
function handler(event) {
    return event.response;
}
