// Calibration case for preserve-query-strings-on-redirect: a 301 to the canonical host that
// rebuilds the query string from the querystring map, every multiValue occurrence included.
function handler(event) {
    const req = event.request;
    const path = req.uri;
    const redirectAll = true;
    var query = '';
    const pairs = []
    for (const name in req.querystring) {
        if (req.querystring[name].multiValue) {
            req.querystring[name].multiValue.forEach((entry) => { pairs.push(name + '=' + entry.value) })
        } else {
            pairs.push(name + '=' + req.querystring[name].value)
        }
    }
    if (pairs.length !== 0) {
        query = '?' + pairs.join('&')
    }
    if (redirectAll) {
        const redirect = {
            statusCode: 301,
            statusDescription: 'Moved Permanently',
            headers: {
                location: { value: `https://www.example.com${path}${query}` },
            }
        };
        return redirect;
    }
    return req;
}
