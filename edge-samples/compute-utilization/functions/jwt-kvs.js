// Calibration case for kvs-jwt-verify (runtime 2.0): the same HS256 check with the secret read
// from a KeyValueStore, Buffer for base64url, logging switched off.
import crypto from 'crypto';
import cf from 'cloudfront';

const denied = {
    statusCode: 401,
    statusDescription: 'Unauthorized'
};
const storeId = "KVS_ID";
const secretKey = 'jwt.secret';
const verbose = false;

function decodeToken(token, secret) {
    if (!token) {
        throw new Error('no token');
    }
    const parts = token.split('.');
    if (parts.length !== 3) {
        throw new Error('a token has three parts');
    }
    const head = parts[0];
    const body = parts[1];
    const mac = parts[2];
    const claims = JSON.parse(fromBase64Url(body));
    const signed = [head, body].join('.');
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

function sameText(a, b) {
    if (a.length != b.length) {
        return false;
    }
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
        diff |= (a.charCodeAt(i) ^ b.charCodeAt(i));
    }
    return 0 === diff;
}

function sign(text, secret) {
    return crypto.createHmac('sha256', secret).update(text).digest('base64url');
}

function fromBase64Url(text) {
    return Buffer.from(text, 'base64url');
}

async function handler(event) {
    let req = event.request;
    const secret = await readSecret();
    if (!secret) {
        return denied;
    }
    if (!req.querystring.jwt) {
        log("no jwt in the query string");
        return denied;
    }
    const token = req.querystring.jwt.value;
    try {
        decodeToken(token, secret);
    } catch (e) {
        log(e);
        return denied;
    }
    delete req.querystring.jwt;
    log("valid token");
    return req;
}

async function readSecret() {
    try {
        const store = cf.kvs(storeId);
        return await store.get(secretKey);
    } catch (err) {
        log(`cannot read ${secretKey}: ${err}`);
        return null;
    }
}

function log(message) {
    if (verbose) {
        console.log(message);
    }
}
