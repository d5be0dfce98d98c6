// Calibration case for enforce-domain-redirect: any host but the canonical one gets a 301.
function handler(event) {
    const req = event.request;
    const host = req.headers.host.value;
    const canonical = "www.example.com";
    if (host !== canonical) {
        const redirect = {
            statusCode: 301,
            statusDescription: 'Moved Permanently',
            headers: {
                location: { value: `https://${canonical}` },
            }
        };
        return redirect;
    }
    return req;
}
