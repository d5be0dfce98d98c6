// country-redirect.js - runtime cloudfront-js-2.0, event type viewer-request
//
// Sends viewers to a localised section of the site (302, temporary) based on
// the `cloudfront-viewer-country` header.
//
// CloudFront only hands this header to a viewer-request function when the
// cache policy or origin request policy includes it. Without it - or for a
// country we have no section for, or when the viewer is already inside the
// right section - the request passes through unchanged.

const COUNTRY_PATHS = {
    DE: '/de',
    AT: '/de',
    CH: '/de',
    FR: '/fr',
    JP: '/ja'
};

async function handler(event) {
    const request = event.request;
    const country = request.headers['cloudfront-viewer-country'];

    if (!country) {
        return request;
    }

    const code = country.value.toUpperCase();
    if (!Object.prototype.hasOwnProperty.call(COUNTRY_PATHS, code)) {
        return request;
    }

    const prefix = COUNTRY_PATHS[code];
    const uri = request.uri;
    if (uri === prefix || uri.startsWith(prefix + '/')) {
        return request; // already localised: no redirect loop
    }

    const host = request.headers.host;
    const location = (host ? 'https://' + host.value : '') + prefix + uri;
    console.log('country ' + code + ': redirecting to ' + location);

    return {
        statusCode: 302,
        statusDescription: 'Found',
        headers: {
            'location': { value: location }
        }
    };
}
