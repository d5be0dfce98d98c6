// normalize-query-string.js - runtime cloudfront-js-1.0, event type viewer-request
// (ES5 style. Same behaviour as ../normalize-query-string.js: the normalised
// query is assigned to request.querystring as a STRING, e.g. "a=1&b=2".)

function handler(event) {
    var request = event.request;
    var original = request.querystring || {};
    var names = Object.keys(original);

    if (names.length === 0) {
        return request;
    }

    var merged = {};
    names.forEach(function (name) {
        var key = name.toLowerCase();
        if (key.indexOf('utm_') === 0) {
            return;
        }
        var entry = original[name];
        var occurrences = entry.multiValue ? entry.multiValue : [entry];
        if (!Object.prototype.hasOwnProperty.call(merged, key)) {
            merged[key] = [];
        }
        occurrences.forEach(function (occurrence) {
            merged[key].push(occurrence.value);
        });
    });

    var parts = [];
    Object.keys(merged).sort().forEach(function (key) {
        merged[key].forEach(function (value) {
            parts.push(value === '' ? key : key + '=' + value);
        });
    });

    request.querystring = parts.join('&');
    return request;
}
