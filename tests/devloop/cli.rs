//! `edgesim serve` itself, as a user runs it: what it prints when a watched file changes. Its
//! output is not a terminal here, so the lines are plain (no colour codes).

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::harness::TempDir;

const CONFIG: &str = r#"
[[origins]]
id = "site"
mock = {}

[[origins.routes]]
path = "/*"
headers = { "cache-control" = "no-store" }
body = "hello"

[default_behavior]
origin = "site"
viewer_response = { code = "v.js" }
"#;

fn version(v: &str) -> String {
    format!("function handler(event) {{ event.response.headers['x-v'] = {{ value: '{v}' }}; return event.response; }}\n")
}

/// Lines of a child's stream, as they come.
fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// The next line containing `needle` (within 20 s), and every line read up to it.
fn until(rx: &mpsc::Receiver<String>, needle: &str, seen: &mut Vec<String>) -> String {
    loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => {
                seen.push(line.clone());
                if line.contains(needle) {
                    return line;
                }
            }
            Err(_) => panic!("no line with {needle:?}; got {seen:?}"),
        }
    }
}

fn get(addr: &str) -> String {
    let out = Command::new("curl")
        .args(["-s", "-D", "-", "-o", "/dev/null", "--max-time", "10"])
        .arg(format!("http://{addr}/"))
        .output()
        .expect("curl runs");
    String::from_utf8_lossy(&out.stdout).to_ascii_lowercase()
}

#[test]
fn serve_prints_reloads_and_broken_edits_with_file_and_line_in_plain_text() {
    let dir = TempDir::new();
    dir.write("edgesim.toml", CONFIG);
    dir.write("v.js", &version("1"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_edgesim"))
        .args(["serve", "--quiet", "--listen", "127.0.0.1:0", "--config"])
        .arg(dir.0.join("edgesim.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("edgesim runs");
    let out = lines(child.stdout.take().unwrap());
    let err = lines(child.stderr.take().unwrap());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let listening = until(&out, "listening on http://", &mut stdout);
    let addr = listening
        .trim_start_matches("listening on http://")
        .to_owned();
    until(
        &out,
        "watching the config and its files for changes",
        &mut stdout,
    );
    assert!(get(&addr).contains("x-v: 1"));

    // A broken edit: file:line and CloudFront's message; the last good version serves.
    std::fs::write(
        dir.0.join("v.js"),
        "function handler(event) {\n  return event.response\n  }}\n",
    )
    .unwrap();
    let failed = until(&err, "reload failed", &mut stderr);
    assert!(
        failed.contains("still serving the previous version"),
        "{failed}"
    );
    let detail = until(&err, "SyntaxError", &mut stderr);
    assert!(
        detail.contains("v.js:3: SyntaxError: Unexpected token \"}\""),
        "{detail}"
    );
    assert!(get(&addr).contains("x-v: 1"));

    // Fixed: the next request runs the new code.
    std::fs::write(dir.0.join("v.js"), version("2")).unwrap();
    let reloaded = until(&err, "reloaded", &mut stderr);
    assert!(
        reloaded.contains("v.js") && reloaded.contains("cache kept"),
        "{reloaded}"
    );
    assert!(get(&addr).contains("x-v: 2"));
    assert!(
        stderr.iter().chain(&stdout).all(|l| !l.contains('\x1b')),
        "no colour codes when the output is not a terminal: {stderr:?}"
    );

    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "Ctrl-C ends serve cleanly: {status:?}");
}
