import cf from 'cloudfront';

// kvs-ab-routing.js - runtime cloudfront-js-2.0 only, event type viewer-request
//
// A/B test driven by a JSON document in the KeyValueStore:
//
//   key "ab-config" -> {"experiment":"checkout-v2","weight":50}
//
// `weight` is the percentage of new visitors sent to variant b. The variant
// is sticky: it is kept in the cookie "ab-<experiment>" ("a" or "b"). A
// returning visitor keeps their variant; a new visitor is assigned one at
// random and the cookie is added to the forwarded request (the origin, or a
// viewer-response function, turns it into a Set-Cookie for the browser).
// The URI is then rewritten to /a/... or /b/...
//
// Without an "ab-config" key the experiment is off and requests pass through.
// get(key, { format: 'json' }) parses the stored string for us.

const kvs = cf.kvs();
const CONFIG_KEY = 'ab-config';

async function handler(event) {
    const request = event.request;
    let config;

    try {
        config = await kvs.get(CONFIG_KEY, { format: 'json' });
    } catch (err) {
        return request; // no experiment running
    }

    const cookieName = 'ab-' + config.experiment;
    const cookie = request.cookies[cookieName];
    let group;

    if (cookie && (cookie.value === 'a' || cookie.value === 'b')) {
        group = cookie.value;
        console.log(config.experiment + ': returning visitor in group ' + group);
    } else {
        group = Math.random() * 100 < config.weight ? 'b' : 'a';
        request.cookies[cookieName] = { value: group };
        console.log(config.experiment + ': new visitor assigned to group ' + group);
    }

    request.uri = '/' + group + request.uri;
    return request;
}
