//! The JS prelude (Buffer, querystring, crypto, TextEncoder, atob…) compared with Node's own
//! implementations: runs `node --test` on tests/js/. Node is part of every edgesim machine.

use std::process::Command;

#[test]
fn prelude_behaves_like_node() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js/");
    let out = Command::new("node")
        .args(["--test", dir])
        .output()
        .expect("node is installed (.ci/run installs it)");
    assert!(
        out.status.success(),
        "node --test failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
