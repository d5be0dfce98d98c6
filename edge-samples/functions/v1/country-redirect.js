// country-redirect.js - runtime cloudfront-js-1.0, event type viewer-request
// (ES5 style. Same behaviour as ../country-redirect.js: 302 to a localised
// section chosen from `cloudfront-viewer-country`; pass-through when the
// header is absent, the country is not mapped, or the URI is already there.)

var COUNTRY_PATHS = {
    DE: '/de',
    AT: '/de',
    CH: '/de',
    FR: '/fr',
    JP: '/ja'
};

function handler(event) {
    var request = event.request;
    var country = request.headers['cloudfront-viewer-country'];

    if (!country) {
        return request;
    }

    var code = country.value.toUpperCase();
    if (!Object.prototype.hasOwnProperty.call(COUNTRY_PATHS, code)) {
        return request;
    }

    var prefix = COUNTRY_PATHS[code];
    var uri = request.uri;
    if (uri === prefix || uri.indexOf(prefix + '/') === 0) {
        return request;
    }

    var host = request.headers.host;
    var location = (host ? 'https://' + host.value : '') + prefix + uri;
    console.log('country ' + code + ': redirecting to ' + location);

    return {
        statusCode: 302,
        statusDescription: 'Found',
        headers: {
            'location': { value: location }
        }
    };
}
