// hmac-auth.js - runtime cloudfront-js-1.0, event type viewer-request
// (ES5 style. Same behaviour as ../hmac-auth.js.)
//
// Runtime 1.0 has no Buffer: base64url segments are decoded with
// String.bytesFrom(segment, 'base64url'), which yields a byte string. That is
// fine for JSON.parse as long as the claims are ASCII.

var crypto = require('crypto');

var SECRET = 'edgesim-sample-secret-change-me';

function unauthorized(reason, invalidToken) {
    console.log('rejected: ' + reason);
    var challenge = 'Bearer realm="example"';
    if (invalidToken) {
        challenge += ', error="invalid_token"';
    }
    return {
        statusCode: 401,
        statusDescription: 'Unauthorized',
        headers: {
            'www-authenticate': { value: challenge },
            'cache-control': { value: 'no-store' }
        }
    };
}

function findToken(request) {
    var auth = request.headers && request.headers.authorization;
    if (auth && auth.value.slice(0, 7).toLowerCase() === 'bearer ') {
        return auth.value.slice(7).trim();
    }
    var param = request.querystring && request.querystring.token;
    if (param && param.value) {
        return param.value;
    }
    return null;
}

function decodeSegment(segment) {
    return JSON.parse(String.bytesFrom(segment, 'base64url'));
}

function sameString(a, b) {
    if (a.length !== b.length) {
        return false;
    }
    var diff = 0;
    for (var i = 0; i < a.length; i++) {
        diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    }
    return diff === 0;
}

function handler(event) {
    var request = event.request;
    var token = findToken(request);
    if (!token) {
        return unauthorized('missing token', false);
    }

    var parts = token.split('.');
    if (parts.length !== 3) {
        return unauthorized('malformed token', true);
    }

    var header;
    var payload;
    try {
        header = decodeSegment(parts[0]);
        payload = decodeSegment(parts[1]);
    } catch (err) {
        return unauthorized('undecodable token', true);
    }
    if (header.alg !== 'HS256') {
        return unauthorized('unsupported alg', true);
    }

    var expected = crypto.createHmac('sha256', SECRET)
        .update(parts[0] + '.' + parts[1])
        .digest('base64url');
    if (!sameString(expected, parts[2])) {
        return unauthorized('bad signature', true);
    }

    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= Date.now()) {
        return unauthorized('token expired', true);
    }

    if (request.querystring) {
        delete request.querystring.token;
    }
    if (payload.sub) {
        request.headers['x-auth-subject'] = { value: String(payload.sub) };
    }
    return request;
}
