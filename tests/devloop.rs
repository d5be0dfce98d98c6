//! The dev loop end to end: hot reload under load, WebSocket pass-through, HTTPS with HTTP/2,
//! viewer protocol policies, invalidation and the dashboard. Real sockets on 127.0.0.1, the
//! proxy in-process; no test asserts timings.

#[allow(dead_code)]
#[path = "serve/harness.rs"]
mod harness;

#[path = "devloop/cli.rs"]
mod cli;
#[path = "devloop/dashboard.rs"]
mod dashboard;
#[path = "devloop/invalidate.rs"]
mod invalidate;
#[path = "devloop/live.rs"]
mod live;
#[path = "devloop/reload.rs"]
mod reload;
#[path = "devloop/tls.rs"]
mod tls;
#[path = "devloop/websocket.rs"]
mod websocket;
