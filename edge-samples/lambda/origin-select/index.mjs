// origin-request, Node.js (ES module): pick the origin from the viewer's country or an
// explicit `x-origin` header. Changes the custom origin's domain and port and rewrites the
// Host header to match, as AWS's examples do.
const ORIGINS = {
  eu: { domainName: 'eu.origin.example.test', port: 443 },
  us: { domainName: 'us.origin.example.test', port: 443 },
  canary: { domainName: 'canary.origin.example.test', port: 8443 },
};
const EU = new Set(['AT', 'BE', 'DE', 'ES', 'FR', 'IE', 'IT', 'NL', 'PL', 'PT', 'SE']);

export const handler = async (event) => {
  const request = event.Records[0].cf.request;
  const headers = request.headers;
  let choice;
  if (headers['x-origin'] && ORIGINS[headers['x-origin'][0].value]) {
    choice = headers['x-origin'][0].value;
  } else if (headers['cloudfront-viewer-country']) {
    choice = EU.has(headers['cloudfront-viewer-country'][0].value) ? 'eu' : 'us';
  } else {
    return request; // keep the configured origin
  }
  const target = ORIGINS[choice];
  const custom = request.origin.custom;
  if (!custom) return request;
  custom.domainName = target.domainName;
  custom.port = target.port;
  headers.host = [{ key: 'host', value: target.domainName }];
  console.log(`routing ${request.uri} to ${choice}`);
  return request;
};
