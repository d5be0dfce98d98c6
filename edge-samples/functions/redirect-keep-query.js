// redirect-keep-query.js - runtime cloudfront-js-2.0, event type viewer-request
//
// Canonical host: a request for the bare (apex) domain gets a 301 to the www
// host, keeping the path and the query string.
//
// The query string is rebuilt from the parsed `request.querystring` map:
//   - a repeated parameter has a `multiValue` array holding EVERY occurrence
//     (the first one included), so we emit all of them, in order;
//   - values arrive percent-encoded exactly as the viewer sent them, so they
//     are copied as they are (no encodeURIComponent, or %20 would become %2520);
//   - `?flag` and `?flag=` both arrive as { value: "" }; we emit `flag`.
// (Runtime 2.0 also offers request.rawQueryString(); the map form shown here
// works in both runtimes.)

const APEX_HOST = 'example.com';
const CANONICAL_HOST = 'www.example.com';

function buildQueryString(querystring) {
    const parts = [];
    Object.keys(querystring).forEach(function (name) {
        const entry = querystring[name];
        const occurrences = entry.multiValue ? entry.multiValue : [entry];
        occurrences.forEach(function (occurrence) {
            parts.push(occurrence.value === '' ? name : name + '=' + occurrence.value);
        });
    });
    return parts.join('&');
}

async function handler(event) {
    const request = event.request;
    const host = request.headers && request.headers.host;

    // Test events may come without a host header: pass such requests through.
    if (!host || host.value.toLowerCase() !== APEX_HOST) {
        return request;
    }

    const query = buildQueryString(request.querystring || {});
    const location = 'https://' + CANONICAL_HOST + request.uri + (query ? '?' + query : '');

    return {
        statusCode: 301,
        statusDescription: 'Moved Permanently',
        headers: {
            'location': { value: location },
            'cache-control': { value: 'max-age=3600' }
        }
    };
}
