// origin-request hook for the load benchmark: hands the request back unchanged, so the
// measurement is the cost of running a Lambda@Edge hook, not of the handler's own work.
exports.handler = async (event) => event.Records[0].cf.request;
