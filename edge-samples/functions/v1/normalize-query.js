// normalize-query.js - runtime cloudfront-js-1.0, event type viewer-request
// (ES5 style. Same behaviour as ../normalize-query.js: lower-case names, drop
// utm_*, sort by name, merge names that collide; assigned back as a map.)

function valuesOf(entry) {
    if (entry.multiValue) {
        return entry.multiValue.map(function (occurrence) { return occurrence.value; });
    }
    return [entry.value];
}

function handler(event) {
    var request = event.request;
    var original = request.querystring || {};
    var merged = {};

    Object.keys(original).forEach(function (name) {
        var key = name.toLowerCase();
        if (key.indexOf('utm_') === 0) {
            return;
        }
        var previous = Object.prototype.hasOwnProperty.call(merged, key) ? merged[key] : [];
        merged[key] = previous.concat(valuesOf(original[name]));
    });

    var normalized = {};
    Object.keys(merged).sort().forEach(function (key) {
        var values = merged[key];
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
