//! Connection functions (viewer mTLS) through the built binary: `generate-event connection`
//! from a real certificate made by openssl, then `test-function --event-type connection`, as
//! docs/cloudfront/connection-functions.md describes them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("edge-samples")
}

fn edgesim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args(args)
        .current_dir(samples())
        .output()
        .expect("the edgesim binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("edgesim-conn-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (.ci/run installs it)");
    assert!(out.status.success(), "openssl {args:?}: {}", stderr(&out));
}

/// A CA and a device certificate it signed, with a serial number whose high bit is set.
fn device_certificate(dir: &Path, subject: &str) -> PathBuf {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    // A CA already in `dir` is reused (so two device certificates can share a trust store).
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/C=US/O=Example Inc/CN=Example mTLS CA",
    ]);
    if !dir.join("ca.pem").is_file() {
        openssl(dir, &ca);
    }
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend(["-keyout", "dev.key", "-out", "dev.csr", "-subj", subject]);
    openssl(dir, &csr);
    // A v3 client certificate (rustls refuses v1 ones).
    std::fs::write(
        dir.join("client.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "dev.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "0x9e2aaf1656e547",
            "-days",
            "30",
            "-extfile",
            "client.ext",
            "-out",
            "dev.pem",
        ],
    );
    dir.join("dev.pem")
}

/// openssl's own SHA-256 of the DER certificate, in base64url.
fn der_sha256_base64url(pem: &Path) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "openssl x509 -outform DER -in '{}' | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_'",
            pem.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_event_carries_the_certificate_as_cloudfront_describes_it() {
    let dir = temp_dir("event");
    let pem = device_certificate(
        &dir,
        "/C=US/O=Example Inc/OU=AuthorizedDevices/CN=device-0042",
    );
    let out = edgesim(&[
        "generate-event",
        "connection",
        "--cert",
        pem.to_str().unwrap(),
        "--client-ip",
        "203.0.113.7",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let event = json(&out);
    let leaf = &event["clientCertificate"]["certificates"]["leaf"];
    // The DER integer's bytes: a leading 00 because the high bit is set (as in AWS's example).
    assert_eq!(leaf["serialNumber"], "00:9e:2a:af:16:56:e5:47");
    assert_eq!(
        leaf["subject"],
        "C=US, O=Example Inc, OU=AuthorizedDevices, CN=device-0042"
    );
    assert_eq!(leaf["issuer"], "C=US, O=Example Inc, CN=Example mTLS CA");
    assert_eq!(
        leaf["sha256Fingerprint"],
        der_sha256_base64url(&pem).as_str()
    );
    let not_after = leaf["validity"]["notAfter"].as_str().unwrap();
    assert!(
        not_after.len() == 20 && not_after.ends_with('Z') && &not_after[10..11] == "T",
        "{not_after}"
    );
    assert_eq!(event["clientIp"], "203.0.113.7");
    for key in ["endpoint", "distributionId", "connectionId"] {
        assert!(event[key].is_string(), "{key}: {event}");
    }
}

fn test_connection(event: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "test-function",
        "--event-type",
        "connection",
        "--function",
        "functions/connection/device-check.js",
        "--event",
        event.to_str().unwrap(),
        "--kvs",
        "kvs/revoked-serials.json",
    ];
    args.extend(extra);
    edgesim(&args)
}

fn event_for(dir: &Path, subject: &str) -> PathBuf {
    let pem = device_certificate(dir, subject);
    let out = edgesim(&[
        "generate-event",
        "connection",
        "--cert",
        pem.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = dir.join("event.json");
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

#[test]
fn a_device_certificate_is_allowed_with_test_connection_functions_output() {
    let dir = temp_dir("allow");
    let event = event_for(&dir, "/C=US/O=Example Inc/OU=AuthorizedDevices/CN=device-7");
    let out = test_connection(&event, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        text.starts_with("{\n    \"ConnectionFunctionTestResult\": {\n"),
        "{text}"
    );
    let result = &json(&out)["ConnectionFunctionTestResult"];
    let keys: Vec<&str> = result
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "ComputeUtilization",
            "ConnectionFunctionExecutionLogs",
            "ConnectionFunctionErrorMessage",
            "ConnectionFunctionOutput"
        ]
    );
    assert_eq!(result["ConnectionFunctionOutput"], r#"{"action":"allow"}"#);
    assert_eq!(
        result["ConnectionFunctionExecutionLogs"][0],
        "device C=US, O=Example Inc, OU=AuthorizedDevices, CN=device-7 allowed"
    );
}

#[test]
fn another_organizational_unit_is_denied() {
    let dir = temp_dir("deny");
    let event = event_for(&dir, "/C=US/O=Example Inc/OU=Laptops/CN=laptop-1");
    let out = test_connection(&event, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let result = &json(&out)["ConnectionFunctionTestResult"];
    assert_eq!(result["ConnectionFunctionOutput"], r#"{"action":"deny"}"#);
}

#[test]
fn a_revoked_serial_in_the_key_value_store_is_denied_and_logged() {
    let out = test_connection(Path::new("events/connection-revoked.json"), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let result = &json(&out)["ConnectionFunctionTestResult"];
    assert_eq!(
        result["ConnectionFunctionOutput"],
        r#"{"action":"deny","logCustomData":"REVOKED:00badc0ffee0"}"#
    );
}

#[test]
fn a_stuck_connection_function_fails_instead_of_hanging() {
    let dir = temp_dir("stuck");
    let code = dir.join("stuck.js");
    std::fs::write(
        &code,
        "function connectionHandler(c) {\n  if (/^(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab')) { c.allow(); }\n  c.deny();\n}\n",
    )
    .unwrap();
    let out = edgesim(&[
        "test-function",
        "--event-type",
        "connection",
        "--function",
        code.to_str().unwrap(),
        "--event",
        "events/connection-device.json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let result = &json(&out)["ConnectionFunctionTestResult"];
    let message = result["ConnectionFunctionErrorMessage"].as_str().unwrap();
    assert!(message.contains("hard time limit"), "{message}");
    assert_eq!(result["ConnectionFunctionOutput"], "");
    assert!(
        stderr(&out).contains("denies the connection"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_input_is_named_with_exit_status_2() {
    let dir = temp_dir("bad");
    let event = dir.join("bad.json");
    std::fs::write(&event, r#"{"clientIp": 7}"#).unwrap();
    let out = test_connection(&event, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("clientIp must be a string"),
        "{}",
        stderr(&out)
    );

    let out = test_connection(
        Path::new("events/connection-device.json"),
        &["--runtime", "cloudfront-js-1.0"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cloudfront-js-2.0 only"),
        "{}",
        stderr(&out)
    );

    let out = edgesim(&[
        "generate-event",
        "connection",
        "--cert",
        "kvs/revoked-serials.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("BEGIN CERTIFICATE"),
        "{}",
        stderr(&out)
    );
}

/// A template's connection function association is imported: the code is written next to the
/// config, a warning says `serve` does not run it and how to test it, and the written code runs
/// with `test-function --event-type connection` against the store the template associates.
#[test]
fn an_imported_connection_function_is_written_and_testable() {
    let dir = temp_dir("import");
    let template = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/edgesim-import/tests/fixtures/mtls/template.json");
    let out = Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .current_dir(&dir)
        .args(["import", template.to_str().unwrap(), "--kvs"])
        .arg(format!(
            "RevokedSerials={}",
            samples().join("kvs/revoked-serials.json").display()
        ))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("DistributionConfig.ConnectionFunctionAssociation: connection function \"device-check\" (viewer mTLS, mode required): the config has no mTLS key yet"),
        "{err}"
    );
    assert!(err.contains("TrustStoreConfig"), "{err}");
    let code = dir.join("edgesim-import/functions/device-check.js");
    assert!(code.is_file(), "{err}");
    let out = edgesim(&[
        "test-function",
        "--event-type",
        "connection",
        "--function",
        code.to_str().unwrap(),
        "--event",
        "events/connection-revoked.json",
        "--kvs",
        "kvs/revoked-serials.json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        json(&out)["ConnectionFunctionTestResult"]["ConnectionFunctionOutput"],
        r#"{"action":"deny","logCustomData":"REVOKED:00badc0ffee0"}"#
    );
}

/// `serve --https --client-ca … --connection-function …`: a device certificate the function
/// allows gets its answer; one it denies, and a viewer with no certificate in required mode,
/// get no HTTP answer at all (the connection is closed).
#[test]
fn serve_runs_the_connection_function_on_each_mtls_connection() {
    use std::io::{BufRead, BufReader};
    let allowed = temp_dir("serve-allowed");
    device_certificate(
        &allowed,
        "/C=US/O=Example Inc/OU=AuthorizedDevices/CN=device-9",
    );
    let denied = temp_dir("serve-denied");
    for f in ["ca.pem", "ca.key"] {
        std::fs::copy(allowed.join(f), denied.join(f)).unwrap();
    }
    device_certificate(&denied, "/C=US/O=Example Inc/OU=Laptops/CN=laptop-9");
    let code = allowed.join("ou.js");
    std::fs::write(
        &code,
        "function connectionHandler(c) {\n  if (c.clientCertificate.certificates.leaf.subject.includes('OU=AuthorizedDevices')) { c.allow(); } else { c.deny(); }\n}\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .current_dir(samples())
        .env("EDGESIM_CACHE_DIR", allowed.join("cache"))
        .args([
            "serve",
            "--no-watch",
            "--listen",
            "127.0.0.1:0",
            "--https-listen",
            "127.0.0.1:0",
        ])
        .arg("--client-ca")
        .arg(allowed.join("ca.pem"))
        .arg("--connection-function")
        .arg(&code)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Read stdout to its end in the background: serve keeps printing, and a closed pipe would
    // end it.
    let stdout = child.stdout.take().unwrap();
    let (found, address) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("listening on https://") {
                let _ = found.send(
                    rest.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
        }
    });
    let https = address
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("serve prints its HTTPS address");
    let curl = |dir: Option<&Path>| {
        let mut cmd = Command::new("curl");
        cmd.args([
            "-sk",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "10",
        ]);
        if let Some(dir) = dir {
            cmd.arg("--cert")
                .arg(dir.join("dev.pem"))
                .arg("--key")
                .arg(dir.join("dev.key"));
        }
        let out = cmd
            .arg(format!("https://{https}/api/hello"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let results = (curl(Some(&allowed)), curl(Some(&denied)), curl(None));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        results,
        ("200".to_owned(), "000".to_owned(), "000".to_owned())
    );
}
