//! Runtime names (`nodejs20.x`, `python3.12`) and handler settings (`dir/index.handler`)
//! resolved to a file and an export.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::LambdaError;

/// A Lambda@Edge runtime (lambda-edge.md §3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runtime {
    /// `nodejs<major>.x`, run by the `node` on `PATH` whatever its version.
    Node {
        /// The major version in the name, e.g. 20.
        major: u32,
    },
    /// `python3.<minor>`, run by the `python3` on `PATH` whatever its version.
    Python {
        /// The minor version in the name, e.g. 12.
        minor: u32,
    },
}

impl Runtime {
    /// Parses `nodejs<N>.x` or `python3.<N>`.
    pub fn parse(name: &str) -> Result<Runtime, LambdaError> {
        let unknown = || LambdaError::UnknownRuntime(name.to_owned());
        if let Some(rest) = name.strip_prefix("nodejs") {
            let major = rest.strip_suffix(".x").ok_or_else(unknown)?;
            let major = major.parse().map_err(|_| unknown())?;
            return Ok(Runtime::Node { major });
        }
        if let Some(minor) = name.strip_prefix("python3.") {
            let minor = minor.parse().map_err(|_| unknown())?;
            return Ok(Runtime::Python { minor });
        }
        Err(unknown())
    }

    /// Whether this is a Node.js runtime.
    pub fn is_node(&self) -> bool {
        matches!(self, Runtime::Node { .. })
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Runtime::Node { major } => write!(f, "nodejs{major}.x"),
            Runtime::Python { minor } => write!(f, "python3.{minor}"),
        }
    }
}

/// A handler setting resolved to a source file and the attribute path inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerTarget {
    /// The source file, absolute.
    pub file: PathBuf,
    /// The export: `handler`, or a dotted path (`handlers.main`) for Node.js.
    pub export: String,
    /// The module name (file stem), e.g. `index`.
    pub module: String,
}

/// Node.js module extensions in the order Lambda's runtime tries them.
const NODE_EXTENSIONS: &[&str] = &["js", "mjs", "cjs"];

/// Resolves `path/to/module.export` against `base` (relative settings) for `runtime`.
///
/// Node.js splits the last path component at its **first** dot (`index.a.b` → module `index`,
/// export `a.b`) and tries `.js`, `.mjs`, `.cjs`; Python splits at the **last** dot and also
/// accepts dotted packages (`pkg.app.handler` → `pkg/app.py`).
pub fn resolve_handler(
    runtime: &Runtime,
    handler: &str,
    base: &Path,
) -> Result<HandlerTarget, LambdaError> {
    let bad = |reason: String| LambdaError::BadHandler {
        handler: handler.to_owned(),
        reason,
    };
    let (dir, last) = match handler.rfind('/') {
        Some(slash) => (&handler[..slash], &handler[slash + 1..]),
        None => ("", handler),
    };
    let split = match runtime {
        Runtime::Node { .. } => last.split_once('.'),
        Runtime::Python { .. } => last.rsplit_once('.'),
    };
    let Some((module, export)) = split.filter(|(m, e)| !m.is_empty() && !e.is_empty()) else {
        return Err(bad(format!(
            "Runtime.MalformedHandlerName: '{handler}' is not of the form FILE.EXPORT"
        )));
    };
    let dir = base.join(dir);
    let candidates: Vec<PathBuf> = match runtime {
        Runtime::Node { .. } => NODE_EXTENSIONS
            .iter()
            .map(|ext| dir.join(format!("{module}.{ext}")))
            .collect(),
        Runtime::Python { .. } => vec![dir.join(format!("{}.py", module.replace('.', "/")))],
    };
    let Some(file) = candidates.iter().find(|p| p.is_file()) else {
        let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        return Err(bad(format!(
            "Runtime.ImportModuleError: Cannot find module '{module}' (tried {})",
            tried.join(", ")
        )));
    };
    let file = std::fs::canonicalize(file).map_err(|e| bad(format!("{}: {e}", file.display())))?;
    let module = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(HandlerTarget {
        file,
        export: export.to_owned(),
        module,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_names_parse_and_print_back() {
        assert_eq!(
            Runtime::parse("nodejs20.x").unwrap(),
            Runtime::Node { major: 20 }
        );
        assert_eq!(
            Runtime::parse("python3.12").unwrap(),
            Runtime::Python { minor: 12 }
        );
        assert_eq!(
            Runtime::parse("nodejs22.x").unwrap().to_string(),
            "nodejs22.x"
        );
        for bad in ["node20", "nodejs20", "python2.7", "python3.x", "java21", ""] {
            assert!(matches!(
                Runtime::parse(bad),
                Err(LambdaError::UnknownRuntime(_))
            ));
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("edgesim-rt-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn node_handlers_split_at_the_first_dot_and_try_each_extension() {
        let dir = temp_dir("node");
        std::fs::write(dir.join("index.mjs"), "export const a = {};").unwrap();
        let node = Runtime::Node { major: 20 };
        let target = resolve_handler(&node, "index.a.b", &dir).unwrap();
        assert!(target.file.ends_with("index.mjs"));
        assert_eq!(target.export, "a.b");
        assert_eq!(target.module, "index");
        let missing = resolve_handler(&node, "nope.handler", &dir).unwrap_err();
        assert!(missing.to_string().contains("Cannot find module 'nope'"));
        let malformed = resolve_handler(&node, "index", &dir).unwrap_err();
        assert!(malformed.to_string().contains("MalformedHandlerName"));
    }

    #[test]
    fn python_handlers_split_at_the_last_dot_and_accept_packages() {
        let dir = temp_dir("python");
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(dir.join("pkg/app.py"), "def handler(e, c): return e").unwrap();
        let python = Runtime::Python { minor: 11 };
        let target = resolve_handler(&python, "pkg.app.handler", &dir).unwrap();
        assert!(target.file.ends_with("pkg/app.py"));
        assert_eq!(target.export, "handler");
        let target = resolve_handler(&python, "pkg/app.handler", &dir).unwrap();
        assert_eq!(target.module, "app");
    }
}
