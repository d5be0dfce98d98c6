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

#[tokio::test]
async fn a_403_is_compressed_and_a_1000_byte_object_is_compressed() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    for path in [
        "/s/status=403;cc=max-age=60;len=3000;ct=text%2Fhtml/denied",
        "/s/len=1000;ct=application%2Fjson/edge",
    ] {
        let (_, headers, _) = get_raw(&edge, path, Some("gzip"), Version::HTTP_11).await;
        assert_eq!(
            headers.get("content-encoding").map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_object_over_10_000_000_bytes_is_not_compressed() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let (status, headers, body) = get_raw(
        &edge,
        "/s/len=10000001;ct=text%2Fplain/huge",
        Some("gzip"),
        Version::HTTP_11,
    )
    .await;
    assert_eq!(status, 200);
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(body.len(), 10_000_001);
}

#[tokio::test]
async fn a_weak_etag_is_kept_and_an_invalid_one_removed() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let (_, weak, _) = get_raw(
        &edge,
        "/s/len=5000;ct=text%2Fcss;etag=W%2F%22w%22/weak",
        Some("gzip"),
        Version::HTTP_11,
    )
    .await;
    assert_eq!(weak.get("etag").unwrap(), "W/\"w\"");
    let (_, invalid, _) = get_raw(
        &edge,
        "/s/len=5000;ct=text%2Fcss;etag=bare/invalid",
        Some("gzip"),
        Version::HTTP_11,
    )
    .await;
    assert_eq!(invalid.get("content-encoding").unwrap(), "gzip");
    assert!(invalid.get("etag").is_none());
}

#[tokio::test]
async fn with_accept_encoding_in_the_cache_key_cloudfront_does_not_compress() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = { headers = [\"accept-encoding\"] }",
        ),
        &[],
    )
    .await;
    let (_, headers, body) = get_raw(&edge, PAGE, Some("gzip"), Version::HTTP_11).await;
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(body.len(), 5000);
}

#[tokio::test]
async fn brotli_is_not_used_when_the_policy_enables_only_gzip() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(&origin, "cache_policy = { gzip = true, brotli = false }"),
        &[],
    )
    .await;
    let (_, headers, body) = get_raw(&edge, PAGE, Some("br, gzip"), Version::HTTP_11).await;
    assert_eq!(headers.get("content-encoding").unwrap(), "gzip");
    assert_eq!(gunzip(&body).len(), 5000);
}

#[tokio::test]
async fn a_viewer_not_accepting_compression_gets_the_uncompressed_object() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    get_raw(&edge, PAGE, Some("gzip"), Version::HTTP_11).await;
    let (_, headers, body) = get_raw(&edge, PAGE, None, Version::HTTP_11).await;
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(body.len(), 5000);
}

#[tokio::test]
async fn an_origin_that_compresses_itself_is_passed_through() {
    let origin = Scripted::start().await;
    let edge = Edge::start(&config(&origin, "cache_policy = \"CachingOptimized\""), &[]).await;
    let (_, headers, body) = get_raw(
        &edge,
        "/s/len=5000;ct=text%2Fhtml;h=Content-Encoding:gzip/pre",
        Some("br, gzip"),
        Version::HTTP_11,
    )
    .await;
    assert_eq!(headers.get("content-encoding").unwrap(), "gzip");
    assert_eq!(body.len(), 5000, "not compressed again");
}

#[tokio::test]
async fn a_cache_policy_without_gzip_or_brotli_gets_no_edge_compression() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache_policy = \"CachingOptimizedForUncompressedObjects\"",
        ),
        &[],
    )
    .await;
    let (_, headers, body) = get_raw(&edge, PAGE, Some("gzip, br"), Version::HTTP_11).await;
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(body.len(), 5000);
    assert!(origin.last().1.get("accept-encoding").is_none());
}

#[tokio::test]
async fn legacy_cache_settings_compress_with_gzip_only() {
    let origin = Scripted::start().await;
    let edge = Edge::start(
        &config(
            &origin,
            "cache = { min_ttl = 0, default_ttl = 60, max_ttl = 600 }",
        ),
        &[],
    )
    .await;
    let (_, headers, body) = get_raw(&edge, PAGE, Some("gzip, br"), Version::HTTP_11).await;
    assert_eq!(headers.get("content-encoding").unwrap(), "gzip");
    assert_eq!(gunzip(&body).len(), 5000);
    assert_eq!(origin.last().1.get("accept-encoding").unwrap(), "gzip");
}
