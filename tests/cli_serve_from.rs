//! `edgesim serve --from TEMPLATE` through the real binary on a real socket: the template is
//! imported, unmapped origins are listed at startup, and the distribution answers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: d111111abcdef8.cloudfront.net\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_from_a_sam_template_answers_with_its_functions() {
    let template = repo().join("crates/edgesim-import/tests/fixtures/sam-site/template.yaml");
    let site = repo().join("edge-samples/site");
    let mut child = Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args(["serve", "--quiet", "--listen", "127.0.0.1:0", "--from"])
        .arg(&template)
        .args(["--param", "ApiDomain=api.example.com", "--origin"])
        .arg(format!("SiteOrigin={}", site.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut addr = None;
    let mut seen = String::new();
    for _ in 0..200 {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if let Some(a) = line.trim().strip_prefix("listening on http://") {
            addr = Some(a.to_owned());
            break;
        }
    }
    let Some(addr) = addr else {
        let _ = child.kill();
        let mut err = String::new();
        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
        panic!("no listening line: {seen}\n{err}");
    };
    let blog = get(&addr, "/blog/");
    let api = get(&addr, "/api/orders");
    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();

    assert!(blog.starts_with("HTTP/1.1 200"), "{blog}");
    assert!(
        blog.to_ascii_lowercase().contains("x-served-by: edge"),
        "{blog}"
    );
    assert!(api.starts_with("HTTP/1.1 401"), "{api}");
    assert!(
        err.contains("origin ApiOrigin (api.example.com) is not mapped"),
        "{err}"
    );
    assert!(
        err.contains("warning: Resources.Distribution.Properties.DistributionConfig.Aliases"),
        "{err}"
    );
}

#[test]
fn origin_mappings_without_from_are_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args(["serve", "--origin", "A=http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("go with --from FILE"));
}
