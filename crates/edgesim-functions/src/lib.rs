//! CloudFront Functions on boa_engine: both runtimes (`cloudfront-js-1.0`, `cloudfront-js-2.0`),
//! their built-in modules, KeyValueStore, the compute budget, and TestFunction's output.
//!
//! ```no_run
//! use edgesim_functions::{CloudFrontFunction, FunctionOptions, InvokeInput, Runtime};
//! let f = CloudFrontFunction::new(
//!     "function handler(event) { return event.request; }",
//!     FunctionOptions::new("pass-through", Runtime::Js20),
//! ).unwrap();
//! let event = serde_json::json!({"version": "1.0", "context": {"eventType": "viewer-request"},
//!     "viewer": {"ip": "203.0.113.10"}, "request": {"method": "GET", "uri": "/", "headers": {}}});
//! let run = f.invoke(&event, &InvokeInput::default());
//! println!("{:?} in {:?}", run.outcome, run.cpu_time);
//! ```

pub mod budget;
pub mod calibration;
pub mod cloudfront_module;
pub mod connection;
mod convert;
mod encoding;
mod engine;
mod error;
mod error_text;
mod guards;
mod host;
pub mod kvs;
mod lexer;
pub mod limits;
mod lint;
pub mod quota;
pub mod runtime;
mod state;
pub mod test_function;
pub mod threads;
pub mod throttle;

pub use cloudfront_module::OriginChange;
pub use engine::{
    contexts_built, CloudFrontFunction, Entry, FunctionOptions, Invocation, InvokeInput,
};
pub use error::FunctionError;
pub use kvs::{KeyValueStore, KvsError};
pub use quota::CountingAlloc;
pub use runtime::Runtime;
pub use threads::FunctionThreads;

/// Unit tests count allocations as the binary does.
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: CountingAlloc<std::alloc::System> = CountingAlloc(std::alloc::System);
