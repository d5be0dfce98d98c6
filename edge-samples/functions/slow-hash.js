// Deliberately slow (for `edgesim bench --max-utilization`): hashes the URI by hand, 1,500
// rounds of string arithmetic, far over CloudFront's budget. The gate must fail on it.
function handler(event) {
    var request = event.request;
    var h = 0;
    for (var round = 0; round < 1500; round++) {
        for (var i = 0; i < request.uri.length; i++) {
            h = (h * 31 + request.uri.charCodeAt(i) + round) % 1000003;
        }
    }
    request.headers['x-uri-hash'] = { value: String(h) };
    return request;
}
