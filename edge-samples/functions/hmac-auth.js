// hmac-auth.js - runtime cloudfront-js-2.0, event type viewer-request
//
// Lets a request through only with a valid HS256 JSON Web Token, taken from
// `authorization: Bearer <jwt>` or, failing that, from the `token` query
// parameter (handy for links, e.g. signed downloads). Anything else gets a
// 401 generated at the edge; the origin never sees it.
//
// Checks: three segments, header alg HS256, HMAC-SHA256 signature (compared
// without early exit), and `exp` (seconds) in the future. Date.now() is the
// instant the function started.
//
// On success the token is removed from the query string (so it does not
// fragment the cache) and the subject is passed to the origin in
// `x-auth-subject`.
//
// The secret is inlined to keep the sample self-contained; in production
// keep it in a KeyValueStore (runtime 2.0) and rotate it there.

const crypto = require('crypto');

const SECRET = 'edgesim-sample-secret-change-me';

function unauthorized(reason, invalidToken) {
    console.log('rejected: ' + reason);
    let challenge = 'Bearer realm="example"';
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
    const auth = request.headers && request.headers.authorization;
    if (auth && auth.value.slice(0, 7).toLowerCase() === 'bearer ') {
        return auth.value.slice(7).trim();
    }
    const param = request.querystring && request.querystring.token;
    if (param && param.value) {
        return param.value;
    }
    return null;
}

function decodeSegment(segment) {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

function sameString(a, b) {
    if (a.length !== b.length) {
        return false;
    }
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
        diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    }
    return diff === 0;
}

async function handler(event) {
    const request = event.request;
    const token = findToken(request);
    if (!token) {
        return unauthorized('missing token', false);
    }

    const parts = token.split('.');
    if (parts.length !== 3) {
        return unauthorized('malformed token', true);
    }

    let header;
    let payload;
    try {
        header = decodeSegment(parts[0]);
        payload = decodeSegment(parts[1]);
    } catch (err) {
        return unauthorized('undecodable token', true);
    }
    if (header.alg !== 'HS256') {
        return unauthorized('unsupported alg', true);
    }

    const expected = crypto.createHmac('sha256', SECRET)
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
