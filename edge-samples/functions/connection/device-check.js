// Connection function (viewer mTLS): only devices of our organization, with a serial number
// that is not on the revocation list in the KeyValueStore, may open a TLS connection.
// Test it offline:
//   edgesim test-function --event-type connection \
//       --function functions/connection/device-check.js \
//       --event events/connection-device.json --kvs kvs/revoked-serials.json
import cf from 'cloudfront';

async function connectionHandler(connection) {
    const cert = connection.clientCertificate;
    if (!cert) {
        // Optional mTLS: no certificate was presented.
        connection.logCustomData(`NO_CERT:${connection.clientIp}`);
        return connection.deny();
    }
    const leaf = cert.certificates.leaf;
    if (!leaf.subject.includes('OU=AuthorizedDevices')) {
        console.log(`not a device certificate: ${leaf.subject}`);
        return connection.deny();
    }
    const serial = leaf.serialNumber.replaceAll(':', '');
    if (await cf.kvs().exists(serial)) {
        connection.logCustomData(`REVOKED:${serial}`);
        return connection.deny();
    }
    console.log(`device ${leaf.subject} allowed`);
    return connection.allow();
}
