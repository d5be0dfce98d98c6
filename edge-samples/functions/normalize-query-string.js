// normalize-query-string.js - runtime cloudfront-js-2.0, event type viewer-request
//
// Same normalisation as normalize-query.js (lower-case names, drop utm_*,
// sort by name, keep every value of a repeated parameter), but the result is
// assigned to request.querystring as a STRING such as "a=1&b=2", the form
// AWS's documented "normalize query string parameters" example uses.
// CloudFront forwards that string verbatim, so it must already be encoded:
// values arrive percent-encoded and are copied unchanged.
//
// A parameter with an empty value is emitted as its bare name (`flag`).
// When the viewer sent no query string at all, the request is left alone.

async function handler(event) {
    const request = event.request;
    const original = request.querystring || {};
    const names = Object.keys(original);

    if (names.length === 0) {
        return request;
    }

    const merged = {};
    names.forEach(function (name) {
        const key = name.toLowerCase();
        if (key.startsWith('utm_')) {
            return;
        }
        const entry = original[name];
        const occurrences = entry.multiValue ? entry.multiValue : [entry];
        if (!Object.prototype.hasOwnProperty.call(merged, key)) {
            merged[key] = [];
        }
        occurrences.forEach(function (occurrence) {
            merged[key].push(occurrence.value);
        });
    });

    const parts = [];
    Object.keys(merged).sort().forEach(function (key) {
        merged[key].forEach(function (value) {
            parts.push(value === '' ? key : key + '=' + value);
        });
    });

    request.querystring = parts.join('&');
    return request;
}
