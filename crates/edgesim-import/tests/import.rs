//! Imported distributions, served: a SAM template with a CloudFront Function (inline code and a
//! KeyValueStore), Lambda@Edge in Node (CodeUri) and Python (inline ZipFile), a cache policy of
//! the template and managed ones; then requests through the distribution as CloudFront would
//! answer them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use edgesim_import::{import_file, ImportOptions, OriginTarget};
use edgesim_proxy::{Config, Distribution};
use http_body_util::BodyExt;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edgesim-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn sam_options(dir: &Path) -> ImportOptions {
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("blog")).unwrap();
    std::fs::write(site.join("blog/index.html"), "<h1>blog</h1>").unwrap();
    let mut options = ImportOptions::new(dir);
    options
        .parameters
        .insert("ApiDomain".into(), "api.example.com".into());
    options
        .origins
        .insert("SiteOrigin".into(), OriginTarget::Dir(site));
    options
}

fn warning_paths(imported: &edgesim_import::Imported) -> Vec<String> {
    imported.warnings.iter().map(|w| w.path.clone()).collect()
}

#[test]
fn a_sam_template_in_yaml_with_short_tags_becomes_a_config() {
    let dir = scratch("sam");
    let imported = import_file(
        &fixtures().join("sam-site/template.yaml"),
        &sam_options(&dir),
    )
    .unwrap();
    let toml = &imported.toml;
    // !GetAtt, !Sub and !Join resolved; the origin's custom header kept.
    assert!(
        toml.contains("\"x-origin-secret\" = \"secret-prod\""),
        "{toml}"
    );
    // The template's cache policy, by !Ref.
    assert!(toml.contains("cache_policy = { min_ttl = 0, default_ttl = 60, max_ttl = 300, query_strings = [\"page\", \"q\"], headers = [\"Authorization\"]"), "{toml}");
    // The managed CachingOptimized policy by id, by name in the config.
    assert!(
        toml.contains("cache_policy = \"CachingOptimized\""),
        "{toml}"
    );
    // Custom error responses are CloudFront's own table now.
    assert!(
        toml.contains("[[custom_error_responses]]\nerror_code = 404\nresponse_page_path = \"/index.html\"\nresponse_code = 200"),
        "{toml}"
    );
    // Legacy ForwardedValues.
    assert!(
        toml.contains("query_strings = \"all\", headers = [], cookies = [\"session\"]"),
        "{toml}"
    );
    // SAM's `!Ref Fn.Version` and Globals (Runtime, Timeout).
    assert!(
        toml.contains("runtime = \"nodejs20.x\", handler = "),
        "{toml}"
    );
    assert!(
        toml.contains("include_body = true, timeout_ms = 5000"),
        "{toml}"
    );
    let at = "Resources.Distribution.Properties.DistributionConfig";
    let paths = warning_paths(&imported);
    for want in [
        format!("{at}.WebACLId"),
        format!("{at}.Aliases"),
        format!("{at}.CacheBehaviors[1].SmoothStreaming"),
        format!("{at}.DefaultCacheBehavior.ViewerProtocolPolicy"),
        format!("{at}.WebACLId.Fn::ImportValue"),
    ] {
        assert!(paths.contains(&want), "no warning for {want}: {paths:#?}");
    }
    assert_eq!(
        imported.unmapped_origins.len(),
        1,
        "ApiOrigin is not mapped"
    );
}

async fn get(
    d: &Distribution,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, http::HeaderMap, String) {
    let mut req = http::Request::get(path).header("host", "d111111abcdef8.cloudfront.net");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(edgesim_proxy::empty()).unwrap();
    let viewer: SocketAddr = "203.0.113.10:5000".parse().unwrap();
    let resp = d.handle(req, viewer).await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_imported_distribution_runs_its_functions() {
    let dir = scratch("sam-serve");
    let imported = import_file(
        &fixtures().join("sam-site/template.yaml"),
        &sam_options(&dir),
    )
    .unwrap();
    imported.write_files().unwrap();
    let config: Config = imported.config(&dir.join("edgesim.toml"), &dir).unwrap();
    let d = Distribution::start(&config).await.unwrap();

    // The CloudFront Function (inline FunctionCode) appends index.html; the directory given
    // with --origin serves it; the Python origin-response function (inline ZipFile) adds a
    // header.
    let (status, headers, body) = get(&d, "/blog/", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "<h1>blog</h1>");
    assert_eq!(headers["x-served-by"], "edge");

    // The Node viewer-request function from CodeUri answers 401 itself.
    let (status, headers, body) = get(&d, "/api/orders", &[]).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body, "no token");
    assert_eq!(
        headers["x-cache"],
        "LambdaGeneratedResponse from cloudfront"
    );
}

#[test]
fn the_aws_clis_distribution_config_imports_with_code_given_by_name() {
    let dir = scratch("cli");
    let mut options = ImportOptions::new(&dir);
    let function =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../edge-samples/functions/spa-rewrite.js");
    options.code.insert("spa-rewrite".into(), function);
    let imported = import_file(&fixtures().join("cli/distribution-config.json"), &options).unwrap();
    assert_eq!(imported.format, edgesim_import::Format::AwsCli);
    let toml = &imported.toml;
    assert!(
        toml.contains("id = \"awsexamplebucket.s3.amazonaws.com-cli-example\""),
        "{toml}"
    );
    assert!(
        toml.contains("viewer_request = { runtime = \"cloudfront-js-2.0\", code = "),
        "{toml}"
    );
    assert!(toml.contains("spa-rewrite.js"), "{toml}");
    let paths = warning_paths(&imported);
    // Switched-off settings (Logging, TrustedSigners, OriginShield…) are no warning; the
    // ones that matter are.
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("Logging") || p.contains("TrustedSigners")),
        "{paths:#?}"
    );
    assert!(
        paths.contains(&"DistributionConfig.PriceClass".to_owned()),
        "{paths:#?}"
    );
    assert!(
        toml.contains(
            "allowed_methods = [\"GET\", \"HEAD\"]\ncached_methods = [\"GET\", \"HEAD\"]"
        ),
        "{paths:#?}"
    );
    imported.config(&dir.join("edgesim.toml"), &dir).unwrap();
}

#[test]
fn a_function_whose_code_is_not_in_the_source_is_named_in_a_warning() {
    let dir = scratch("cli-nocode");
    let imported = import_file(
        &fixtures().join("cli/distribution-config.json"),
        &ImportOptions::new(&dir),
    )
    .unwrap();
    let w = imported
        .warnings
        .iter()
        .find(|w| w.path == "DistributionConfig.DefaultCacheBehavior.FunctionAssociations[0]")
        .expect("a warning for the association");
    assert!(w.message.contains("--code spa-rewrite=FILE.js"), "{w}");
    assert!(
        !imported.toml.contains("viewer_request"),
        "{}",
        imported.toml
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terraform_state_imports_functions_policies_and_the_lambda_from_its_archive() {
    let dir = scratch("tf");
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("docs")).unwrap();
    std::fs::write(site.join("docs/index.html"), "docs").unwrap();
    let mut options = ImportOptions::new(&dir);
    options
        .origins
        .insert("s3-site".into(), OriginTarget::Dir(site));
    let imported = import_file(&fixtures().join("terraform/show.json"), &options).unwrap();
    assert_eq!(imported.format, edgesim_import::Format::Terraform);
    let toml = &imported.toml;
    assert!(toml.contains("# cache policy api-cache"), "{toml}");
    assert!(toml.contains("cache_policy = { min_ttl = 0, default_ttl = 30, max_ttl = 60, query_strings = \"all\", headers = [\"Authorization\"]"), "{toml}");
    assert!(
        toml.contains("custom_headers = { \"x-api-key\" = \"secret\" }"),
        "{toml}"
    );
    let paths = warning_paths(&imported);
    assert!(
        paths.contains(&"aws_cloudfront_distribution.site.PriceClass".to_owned()),
        "{paths:#?}"
    );
    // Computed state (arn, etag, status…) and the policy's zeroed legacy TTLs are no warning.
    assert!(
        !paths
            .iter()
            .any(|p| p.ends_with(".Arn") || p.ends_with("MinTTL")),
        "{paths:#?}"
    );

    imported.write_files().unwrap();
    let config = imported.config(&dir.join("edgesim.toml"), &dir).unwrap();
    let d = Distribution::start(&config).await.unwrap();
    let (status, _, body) = get(&d, "/docs/", &[]).await;
    assert_eq!((status, body.as_str()), (200, "docs"));
    let (status, _, body) = get(&d, "/api/x", &[]).await;
    assert_eq!((status, body.as_str()), (401, "no token"));
}

/// Origin groups, custom error responses and policies land in the config keys CloudFront's
/// names map to, and the distribution behaves so: a dead primary fails over to the secondary,
/// a missing object gets the custom error page, the template's response headers policy adds
/// its header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_groups_error_pages_and_policies_are_imported_and_served() {
    let dir = scratch("failover");
    let green = dir.join("green");
    std::fs::create_dir_all(green.join("errors")).unwrap();
    std::fs::write(green.join("index.html"), "green").unwrap();
    std::fs::write(green.join("errors/404.html"), "custom not found").unwrap();
    // A port nothing listens on: the primary refuses connections.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let mut options = ImportOptions::new(&dir);
    options
        .origins
        .insert("Blue".into(), OriginTarget::Url(dead_url));
    options
        .origins
        .insert("Green".into(), OriginTarget::Dir(green));
    let imported = import_file(&fixtures().join("failover/template.json"), &options).unwrap();
    let toml = &imported.toml;
    assert!(
        toml.contains("[[origin_groups]]\nid = \"Site\"\nprimary = \"Blue\"\nsecondary = \"Green\"\nfailover_status_codes = [500, 503]"),
        "{toml}"
    );
    assert!(toml.contains("origin = \"Site\""), "{toml}");
    assert!(toml.contains("cache_policy = { min_ttl = 0, default_ttl = 120, max_ttl = 600, query_strings = [\"v\"], headers = [], cookies = \"none\", gzip = true, brotli = true }"), "{toml}");
    assert!(
        toml.contains("origin_request_policy = \"AllViewer\""),
        "{toml}"
    );
    assert!(toml.contains("response_headers_policy = { custom_headers = [{ name = \"x-served-by\", value = \"edge\", override = true }] }"), "{toml}");
    assert!(toml.contains("compress = true"), "{toml}");
    assert!(toml.contains("error_caching_min_ttl = 5"), "{toml}");
    let paths = warning_paths(&imported);
    assert!(
        !paths.iter().any(|p| p.contains("OriginGroups")
            || p.contains("CustomErrorResponses")
            || p.contains("PolicyId")
            || p.contains("Compress")),
        "{paths:#?}"
    );

    imported.write_files().unwrap();
    let config = imported.config(&dir.join("edgesim.toml"), &dir).unwrap();
    let d = Distribution::start(&config).await.unwrap();
    let (status, headers, body) = get(&d, "/index.html", &[]).await;
    assert_eq!((status, body.as_str()), (200, "green"));
    assert_eq!(headers["x-served-by"], "edge");
    let (status, _, body) = get(&d, "/nothing-here", &[]).await;
    assert_eq!((status, body.as_str()), (404, "custom not found"));
}
