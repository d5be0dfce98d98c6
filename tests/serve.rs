//! End-to-end tests of `edgesim serve`: real HTTP on 127.0.0.1 ephemeral ports, the proxy
//! in-process, test origins that count what reaches them. No test asserts timings.

/// Allocations are counted as in the `edgesim` binary (CloudFront Functions' memory quota).
#[global_allocator]
static ALLOCATOR: edgesim_functions::CountingAlloc<std::alloc::System> =
    edgesim_functions::CountingAlloc(std::alloc::System);

#[path = "serve/cache.rs"]
mod cache;
#[path = "serve/compression.rs"]
mod compression;
#[path = "serve/config.rs"]
mod config;
#[path = "serve/containment.rs"]
mod containment;
#[path = "serve/errors.rs"]
mod errors;
#[path = "serve/failures.rs"]
mod failures;
#[path = "serve/harness.rs"]
mod harness;
#[path = "serve/lambda.rs"]
mod lambda;
#[path = "serve/lambda_limits.rs"]
mod lambda_limits;
#[path = "serve/mock_origin.rs"]
mod mock_origin;
#[path = "serve/origin_groups.rs"]
mod origin_groups;
#[path = "serve/pipeline.rs"]
mod pipeline;
#[path = "serve/policies.rs"]
mod policies;
#[path = "serve/response_headers.rs"]
mod response_headers;
#[path = "serve/scripted.rs"]
mod scripted;
#[path = "serve/viewer_limits.rs"]
mod viewer_limits;
