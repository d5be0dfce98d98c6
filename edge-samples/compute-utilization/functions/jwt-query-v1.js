// Calibration case for verify-jwt (runtime 1.0): an HS256 token in ?jwt= checked with
// require('crypto'), decoded with String.bytesFrom, nbf/exp checked; 401 when anything fails.
var crypto = require('crypto');

var denied = {
    statusCode: 401,
    statusDescription: 'Unauthorized'
};

function decodeToken(token, secret) {
    if (!token) {
        throw new Error('no token');
    }
    var parts = token.split('.');
    if (parts.length !== 3) {
        throw new Error('a token has three parts');
    }
    var head = parts[0];
    var body = parts[1];
    var mac = parts[2];
    var header = JSON.parse(fromBase64Url(head));
    var claims = JSON.parse(fromBase64Url(body));
    var signed = [head, body].join('.');
    if (!sameText(mac, sign(signed, secret))) {
        throw new Error('bad signature');
    }
    if (claims.nbf && Date.now() < claims.nbf * 1000) {
        throw new Error('not active yet');
    }
    if (claims.exp && Date.now() > claims.exp * 1000) {
        throw new Error('expired');
    }
    return claims;
}

// Compares in time independent of where the texts differ.
function sameText(a, b) {
    if (a.length != b.length) {
        return false;
    }
    var diff = 0;
    for (var i = 0; i < a.length; i++) {
        diff |= (a.charCodeAt(i) ^ b.charCodeAt(i));
    }
    return 0 === diff;
}

function sign(text, secret) {
    return crypto.createHmac('sha256', secret).update(text).digest('base64url');
}

function fromBase64Url(text) {
    return String.bytesFrom(text, 'base64url');
}

function handler(event) {
    var req = event.request;
    var secret = "edgesim-calibration-secret-0123456789abcdefghij";
    if (!req.querystring.jwt) {
        console.log("no jwt in the query string");
        return denied;
    }
    var token = req.querystring.jwt.value;
    try {
        decodeToken(token, secret);
    } catch (e) {
        console.log(e);
        return denied;
    }
    delete req.querystring.jwt;
    console.log("valid token");
    return req;
}
