// broken/await-in-args.js - DELIBERATELY BROKEN, runtime cloudfront-js-2.0.
//
// `await` may not appear inside the arguments of a call
// ("SyntaxError: await in arguments not supported"). Await into a variable
// first, then pass the variable:
//     const greeting = await Promise.resolve('hello');
//     ... String(greeting) ...

async function handler(event) {
    const request = event.request;
    request.headers['x-greeting'] = { value: String(await Promise.resolve('hello')) };
    return request;
}
