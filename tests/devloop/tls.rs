//! HTTPS and HTTP/2 towards viewers, HTTPS origins, the viewer protocol policies and
//! CloudFront-Forwarded-Proto.

use std::process::Command;

use edgesim::proxy::{CertSource, ServeOptions, ViewerTls};

use crate::harness::{Edge, TempDir, TestOrigin};
use crate::live::LiveEdge;

fn self_signed(dir: &TempDir) -> ViewerTls {
    ViewerTls::new(&CertSource::SelfSigned {
        cache_dir: dir.0.join("cache"),
    })
    .expect("certificate")
}

/// `curl` with the given arguments; (status line facts, body).
fn curl(args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(["-s", "--max-time", "20"])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "curl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_serves_http2_and_http1_by_alpn_with_a_generated_certificate() {
    let certs = TempDir::new();
    let tls = self_signed(&certs);
    assert!(tls.generated && tls.cert_path.is_file());
    let origin = TestOrigin::start().await;
    let config = format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{}\"\n[default_behavior]\norigin = \"o\"\n\
         # CloudFront-* headers reach the origin only when a policy names them.\n\
         origin_request_policy = \"AllViewerAndCloudFrontHeaders-2022-06\"\n",
        origin.port()
    );
    let options = ServeOptions {
        tls: Some(tls.clone()),
        https_port: None,
    };
    let edge = LiveEdge::start_with(&config, &[], false, options).await;
    let url = format!("https://127.0.0.1:{}/page", edge.server.local_addr().port());
    let cert = tls.cert_path.to_str().unwrap().to_owned();
    let url2 = url.clone();
    let (h2, h1, verified) = tokio::task::spawn_blocking(move || {
        (
            curl(&[
                "--http2",
                "-k",
                "-o",
                "/dev/null",
                "-w",
                "%{http_version} %{http_code}",
                &url2,
            ]),
            curl(&[
                "--http1.1",
                "-k",
                "-o",
                "/dev/null",
                "-w",
                "%{http_version} %{http_code}",
                &url2,
            ]),
            // The generated certificate verifies for 127.0.0.1 when trusted.
            curl(&[
                "--cacert",
                &cert,
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                &url2,
            ]),
        )
    })
    .await
    .unwrap();
    assert_eq!(h2, "2 200");
    assert_eq!(h1, "1.1 200");
    assert_eq!(verified, "200");
    let seen = origin.last();
    assert_eq!(seen.headers["cloudfront-forwarded-proto"], "https");
    assert_eq!(
        seen.uri, "/page",
        "an HTTP/2 request reaches the origin as HTTP/1.1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_is_generated_once_and_reused() {
    let certs = TempDir::new();
    let first = self_signed(&certs);
    let second = self_signed(&certs);
    assert!(first.generated);
    assert!(!second.generated);
    assert_eq!(first.cert_path, second.cert_path);
}

const POLICIES: &str = "[[origins]]\nid = \"site\"\nmock = {}\n\n\
    [[origins.routes]]\npath = \"/*\"\nbody = \"hi\"\n\n\
    [default_behavior]\norigin = \"site\"\n\n\
    [[behaviors]]\npath_pattern = \"/secure/*\"\norigin = \"site\"\nviewer_protocol_policy = \"redirect-to-https\"\n\n\
    [[behaviors]]\npath_pattern = \"/only/*\"\norigin = \"site\"\nviewer_protocol_policy = \"https-only\"\n";

#[tokio::test]
async fn redirect_to_https_answers_301_for_get_and_307_for_post() {
    let edge = Edge::start(POLICIES, &[]).await;
    let reply = edge
        .get_with("/secure/a?x=1", &[("host", "localhost:8080")])
        .await;
    assert_eq!(reply.status, 301);
    assert_eq!(
        reply.header("location"),
        Some("https://localhost/secure/a?x=1")
    );
    assert_eq!(reply.x_cache(), "Redirect from cloudfront");
    assert_eq!(reply.header("server"), Some("CloudFront"));
    let post = http::Request::post("/secure/form")
        .body(String::from("a=1"))
        .unwrap();
    assert_eq!(edge.send_body(post).await.status, 307);
    assert_eq!(
        edge.get("/elsewhere").await.status,
        200,
        "allow-all elsewhere"
    );
}

#[tokio::test]
async fn https_only_answers_403_over_http() {
    let edge = Edge::start(POLICIES, &[]).await;
    let reply = edge.get("/only/a").await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.x_cache(), "Error from cloudfront");
}

#[tokio::test]
async fn cloudfront_forwarded_proto_is_http_on_the_plain_listener() {
    let origin = TestOrigin::start().await;
    let config = format!(
        "[[origins]]\nid = \"o\"\nurl = \"http://127.0.0.1:{}\"\n[default_behavior]\norigin = \"o\"\n\
         # CloudFront-* headers reach the origin only when a policy names them.\n\
         origin_request_policy = \"AllViewerAndCloudFrontHeaders-2022-06\"\n",
        origin.port()
    );
    let edge = Edge::start(&config, &[]).await;
    let reply = edge
        .get_with("/x", &[("cloudfront-forwarded-proto", "https")])
        .await;
    assert_eq!(
        reply.json()["headers"]["cloudfront-forwarded-proto"],
        "http"
    );
}

/// An HTTPS origin with its own (self-signed) certificate: the edge server itself, serving
/// a mock origin over TLS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_origin_with_its_own_certificate_needs_ca_file() {
    let certs = TempDir::new();
    let tls = self_signed(&certs);
    let inner = "[[origins]]\nid = \"site\"\nmock = {}\n\n[[origins.routes]]\npath = \"/*\"\nbody = \"over tls\"\n\n[default_behavior]\norigin = \"site\"\n";
    let dev_server = LiveEdge::start_with(
        inner,
        &[],
        false,
        ServeOptions {
            tls: Some(tls.clone()),
            https_port: None,
        },
    )
    .await;
    let port = dev_server.server.local_addr().port();
    let trusted = format!(
        "[[origins]]\nid = \"dev\"\nurl = \"https://localhost:{port}\"\nca_file = \"{}\"\n[default_behavior]\norigin = \"dev\"\ncache = {{ min_ttl = 0, default_ttl = 0, max_ttl = 0 }}\n",
        tls.cert_path.display()
    );
    let edge = Edge::start(&trusted, &[]).await;
    let reply = edge.get("/").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, "over tls");

    let untrusted = trusted.replace(&format!("ca_file = \"{}\"\n", tls.cert_path.display()), "");
    let edge = Edge::start(&untrusted, &[]).await;
    assert_eq!(
        edge.get("/").await.status,
        502,
        "a certificate the system does not trust is refused, as CloudFront refuses it"
    );
}
