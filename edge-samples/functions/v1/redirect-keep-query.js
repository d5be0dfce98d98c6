// redirect-keep-query.js - runtime cloudfront-js-1.0, event type viewer-request
// (ES5 style. Same behaviour as ../redirect-keep-query.js.)
//
// Apex host -> 301 to the www host, keeping path and query string. The query
// string is rebuilt from the querystring map, every occurrence of a repeated
// parameter included; values are already percent-encoded and copied as is.

var APEX_HOST = 'example.com';
var CANONICAL_HOST = 'www.example.com';

function buildQueryString(querystring) {
    var parts = [];
    Object.keys(querystring).forEach(function (name) {
        var entry = querystring[name];
        var occurrences = entry.multiValue ? entry.multiValue : [entry];
        occurrences.forEach(function (occurrence) {
            parts.push(occurrence.value === '' ? name : name + '=' + occurrence.value);
        });
    });
    return parts.join('&');
}

function handler(event) {
    var request = event.request;
    var host = request.headers && request.headers.host;

    if (!host || host.value.toLowerCase() !== APEX_HOST) {
        return request;
    }

    var query = buildQueryString(request.querystring || {});
    var location = 'https://' + CANONICAL_HOST + request.uri + (query ? '?' + query : '');

    return {
        statusCode: 301,
        statusDescription: 'Moved Permanently',
        headers: {
            'location': { value: location },
            'cache-control': { value: 'max-age=3600' }
        }
    };
}
