//! Automatic compression under CloudFront's conditions (docs/cloudfront/cache-and-origin.md,
//! "Compression").

use std::io::Read;

use bytes::Bytes;
use http::{Request, Version};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::harness::Edge;
use crate::scripted::Scripted;

fn config(origin: &Scripted, behavior: &str) -> String {
    format!(
        "{}[default_behavior]\norigin = \"o\"\ncompress = true\n{behavior}\n",
        origin.origin("o")
    )
}

/// A GET that keeps the body as bytes (compressed bodies are not UTF-8).
async fn get_raw(
    edge: &Edge,
    path: &str,
    accept: Option<&str>,
    version: Version,
) -> (u16, http::HeaderMap, Vec<u8>) {
    let stream = TcpStream::connect(edge.server.local_addr())
        .await
        .expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut req = Request::get(path)
        .version(version)
        .header("host", "edgesim.test");
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    let response = sender
        .send_request(req.body(Full::new(Bytes::new())).expect("request"))
        .await
        .expect("response");
    let (head, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes().to_vec();
    (head.status.as_u16(), head.headers, bytes)
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .expect("gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> String {
    let mut out = String::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_string(&mut out)
        .expect("brotli");
    out
}

const PAGE: &str = "/s/len=5000;ct=text%2Fhtml;etag=%22abc%22/page";

#[tokio::test]
async fn a_viewer_accepting_gzip_gets_a_gzip_object() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let (status, headers, body) = get_raw(&edge, PAGE, Some("gzip"), Version::HTTP_11).await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("content-encoding").unwrap(), "gzip");
    assert_eq!(gunzip(&body), "a".repeat(5000));
    assert!(body.len() < 5000);
    assert_eq!(
        headers.get("content-length").unwrap(),
        &body.len().to_string()
    );
}

#[tokio::test]
async fn brotli_is_used_when_the_viewer_accepts_both() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let (_, headers, body) = get_raw(&edge, PAGE, Some("gzip, br"), Version::HTTP_11).await;
    assert_eq!(headers.get("content-encoding").unwrap(), "br");
    assert_eq!(unbrotli(&body), "a".repeat(5000));
}

#[tokio::test]
async fn a_strong_etag_becomes_weak_on_a_compressed_object() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let (_, headers, _) = get_raw(&edge, PAGE, Some("gzip"), Version::HTTP_11).await;
    assert_eq!(headers.get("etag").unwrap(), "W/\"abc\"");
    let (_, plain, _) = get_raw(&edge, PAGE, None, Version::HTTP_11).await;
    assert_eq!(plain.get("etag").unwrap(), "\"abc\"");
}

#[tokio::test]
async fn the_first_cached_encoding_wins() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    get_raw(&edge, PAGE, Some("gzip"), Version::HTTP_11).await;
    let (_, headers, _) = get_raw(&edge, PAGE, Some("gzip, br"), Version::HTTP_11).await;
    assert_eq!(headers.get("content-encoding").unwrap(), "gzip");
    assert_eq!(headers.get("x-cache").unwrap(), "Hit from cloudfront");
    assert_eq!(origin.count("/s/"), 1);
}

#[tokio::test]
async fn objects_under_1000_bytes_or_of_other_types_are_not_compressed() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    for path in [
        "/s/len=999;ct=text%2Fhtml/small",
        "/s/len=5000;ct=image%2Fpng/png",
        "/s/len=5000;ct=text%2Fhtml;h=Content-Encoding:identity/encoded",
        "/s/len=5000;ct=text%2Fhtml;chunked=1/no-length",
        "/s/len=5000;ct=text%2Fhtml;status=500/error",
    ] {
        let (_, headers, _) = get_raw(&edge, path, Some("gzip, br"), Version::HTTP_11).await;
        let encoding = headers.get("content-encoding").map(|v| v.to_str().unwrap());
        assert!(encoding != Some("gzip") && encoding != Some("br"), "{path}");
    }
}

#[tokio::test]
async fn a_404_is_compressed_too() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let (status, headers, body) = get_raw(
        &edge,
        "/s/status=404;len=2000;ct=text%2Fhtml/nf",
        Some("gzip"),
        Version::HTTP_11,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(headers.get("content-encoding").unwrap(), "gzip");
    assert_eq!(gunzip(&body).len(), 2000);
}

#[tokio::test]
async fn an_http_1_0_request_is_not_compressed() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let (_, headers, body) = get_raw(&edge, PAGE, Some("gzip"), Version::HTTP_10).await;
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(body.len(), 5000);
    assert!(origin.last().1.get("accept-encoding").is_none());
}

#[tokio::test]
async fn nothing_is_compressed_without_compress_or_when_nothing_is_cached() {
    let origin = Scripted::start().await;
    let off = Edge::start(
        &format!(
            "{}[default_behavior]\norigin = \"o\"\ncache_policy = \"CachingOptimized\"\n",
            origin.origin("o")
        ),
        &[],
    )
    .await;
    let (_, headers, _) = get_raw(&off, PAGE, Some("gzip"), Version::HTTP_11).await;
    assert!(headers.get("content-encoding").is_none());
    let disabled = Edge::start(&config(&origin, "cache_policy = \"CachingDisabled\""), &[]).await;
    let (_, headers, _) = get_raw(&disabled, PAGE, Some("gzip"), Version::HTTP_11).await;
    assert!(
        headers.get("content-encoding").is_none(),
        "TTL 0: no edge compression"
    );
}
