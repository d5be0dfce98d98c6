// normalize-query.js - runtime cloudfront-js-2.0, event type viewer-request
//
// Raises the cache-hit ratio when the query string is part of the cache key:
// `?Page=2&utm_source=x&q=a` and `?q=a&page=2` should hit the same object.
//
//   - parameter names are lower-cased (values are left as they are);
//   - tracking parameters (utm_*) are dropped;
//   - parameters are sorted by name;
//   - names that become equal after lower-casing are merged, keeping every
//     value in order of appearance.
//
// The result is assigned back as a MAP of { value, multiValue } entries;
// CloudFront forwards the parameters in the map's key order. See
// normalize-query-string.js for the variant that assigns a plain string.

function valuesOf(entry) {
    if (entry.multiValue) {
        return entry.multiValue.map(function (occurrence) { return occurrence.value; });
    }
    return [entry.value];
}

async function handler(event) {
    const request = event.request;
    const original = request.querystring || {};
    const merged = {};

    Object.keys(original).forEach(function (name) {
        const key = name.toLowerCase();
        if (key.startsWith('utm_')) {
            return;
        }
        const previous = Object.prototype.hasOwnProperty.call(merged, key) ? merged[key] : [];
        merged[key] = previous.concat(valuesOf(original[name]));
    });

    const normalized = {};
    Object.keys(merged).sort().forEach(function (key) {
        const values = merged[key];
        if (values.length === 1) {
            normalized[key] = { value: values[0] };
        } else {
            normalized[key] = {
                value: values[0],
                multiValue: values.map(function (v) { return { value: v }; })
            };
        }
    });

    request.querystring = normalized;
    return request;
}
