//! WebSocket pass-through: "The page's HMR WebSocket connects through edgesim". A real
//! tokio-tungstenite server as the origin, a real client in front of `serve`.

use std::sync::{Arc, Mutex};

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;

use crate::live::LiveEdge;

/// An echo WebSocket origin that records the handshake headers it saw.
async fn echo_origin() -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                // tungstenite's callback type fixes the (large) error type.
                #[allow(clippy::result_large_err)]
                let callback = |req: &Request, response: Response| {
                    let mut seen = record.lock().unwrap();
                    seen.push(("uri".to_owned(), req.uri().to_string()));
                    for (name, value) in req.headers() {
                        seen.push((
                            name.as_str().to_owned(),
                            value.to_str().unwrap_or("").to_owned(),
                        ));
                    }
                    Ok(response)
                };
                let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
                    return;
                };
                while let Some(Ok(message)) = ws.next().await {
                    match message {
                        Message::Text(text) => {
                            let _ = ws.send(Message::text(format!("echo: {text}"))).await;
                        }
                        Message::Close(_) => break,
                        _ => {}
                    }
                }
            });
        }
    });
    (port, seen)
}

const MARK: &str = "function handler(event) { event.request.headers['x-viewer-request'] = { value: 'ran' }; return event.request; }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_connects_through_serve_and_frames_flow_both_ways() {
    let (port, seen) = echo_origin().await;
    let config = format!(
        "[[origins]]\nid = \"dev\"\nurl = \"http://127.0.0.1:{port}\"\n\n\
         [default_behavior]\norigin = \"dev\"\norigin_request_policy = \"AllViewer\"\n\
         viewer_request = {{ code = \"mark.js\" }}\n"
    );
    let edge = LiveEdge::start(&config, &[("mark.js", MARK)], false).await;
    let url = format!("ws://{}/hmr?token=1", edge.server.local_addr());
    let (mut ws, response) = tokio_tungstenite::connect_async(url)
        .await
        .expect("upgrade");
    assert_eq!(response.status(), 101);
    assert!(response.headers().contains_key("sec-websocket-accept"));
    for i in 0..3 {
        ws.send(Message::text(format!("ping {i}"))).await.unwrap();
        let answer = ws.next().await.unwrap().unwrap();
        assert_eq!(answer, Message::text(format!("echo: ping {i}")));
    }
    ws.close(None).await.unwrap();

    let seen = seen.lock().unwrap().clone();
    let get = |name: &str| seen.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    assert_eq!(get("uri").as_deref(), Some("/hmr?token=1"));
    assert_eq!(
        get("x-viewer-request").as_deref(),
        Some("ran"),
        "viewer-request runs on the upgrade request"
    );
    assert!(get("sec-websocket-key").is_some());
    assert!(get("via").is_some_and(|v| v.contains("CloudFront")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_request_function_can_refuse_the_upgrade() {
    let (port, seen) = echo_origin().await;
    let deny =
        "function handler(event) { return { statusCode: 403, statusDescription: 'Forbidden' }; }";
    let config = format!(
        "[[origins]]\nid = \"dev\"\nurl = \"http://127.0.0.1:{port}\"\n\n\
         [default_behavior]\norigin = \"dev\"\nviewer_request = {{ code = \"deny.js\" }}\n"
    );
    let edge = LiveEdge::start(&config, &[("deny.js", deny)], false).await;
    let url = format!("ws://{}/hmr", edge.server.local_addr());
    let err = tokio_tungstenite::connect_async(url).await.unwrap_err();
    match err {
        tokio_tungstenite::tungstenite::Error::Http(response) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("expected an HTTP 403, got {other}"),
    }
    assert!(seen.lock().unwrap().is_empty(), "the origin saw nothing");
}
