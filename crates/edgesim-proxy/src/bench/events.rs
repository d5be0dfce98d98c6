//! Event inputs for `edgesim bench`: one JSON file, a folder of JSON files, or a JSON Lines file
//! (one event per line). A bad event is bad input: the run stops before it starts, naming the
//! file (and line).

use std::path::Path;

use serde_json::Value;

use crate::error::ProxyError;

/// One event, with a name to report it by (`file.json`, `file.jsonl:3`).
#[derive(Debug, Clone)]
pub struct NamedEvent {
    pub name: String,
    pub event: Value,
}

fn bad(message: String) -> ProxyError {
    ProxyError::BenchInput(message)
}

/// Whether `path` is read as JSON Lines (by extension).
pub fn is_json_lines(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson")
    )
}

/// Reads the events at `path`, each checked by `check` (which returns the normalised event or
/// says what is wrong with it).
pub fn load(
    path: &Path,
    check: &dyn Fn(&Value) -> Result<Value, String>,
) -> Result<Vec<NamedEvent>, ProxyError> {
    let display = path.display().to_string();
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| bad(format!("{}: cannot read: {e}", p.display())))
    };
    let parse = |name: String, text: &str| -> Result<NamedEvent, ProxyError> {
        let json: Value =
            serde_json::from_str(text).map_err(|e| bad(format!("{name}: not valid JSON: {e}")))?;
        let event = check(&json).map_err(|e| bad(format!("{name}: {e}")))?;
        Ok(NamedEvent { name, event })
    };
    let meta = std::fs::metadata(path).map_err(|e| bad(format!("{display}: cannot read: {e}")))?;
    let events = if meta.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| bad(format!("{display}: cannot list: {e}")))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| parse(p.display().to_string(), &read(p)?))
            .collect::<Result<Vec<_>, _>>()?
    } else if is_json_lines(path) {
        read(path)?
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| parse(format!("{display}:{}", i + 1), l))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        vec![parse(display.clone(), &read(path)?)?]
    };
    if events.is_empty() {
        return Err(bad(format!(
            "{display}: no events (expected a .json event, a folder of .json events, or a .jsonl file with one event per line)"
        )));
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &Value) -> Result<Value, String> {
        if v.get("request").is_some() {
            Ok(v.clone())
        } else {
            Err("request: missing".to_owned())
        }
    }

    #[test]
    fn a_folder_a_file_and_json_lines_all_give_events() {
        let dir = std::env::temp_dir().join(format!("edgesim-bench-ev-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("b.json"), r#"{"request":{"uri":"/b"}}"#).unwrap();
        std::fs::write(dir.join("a.json"), r#"{"request":{"uri":"/a"}}"#).unwrap();
        std::fs::write(dir.join("notes.txt"), "not an event").unwrap();
        let names: Vec<String> = load(&dir, &accept)
            .unwrap()
            .into_iter()
            .map(|e| e.event["request"]["uri"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["/a", "/b"]);

        let lines = dir.join("events.jsonl");
        std::fs::write(
            &lines,
            "{\"request\":{\"uri\":\"/1\"}}\n\n{\"request\":{\"uri\":\"/2\"}}\n",
        )
        .unwrap();
        let events = load(&lines, &accept).unwrap();
        assert_eq!(events.len(), 2);
        assert!(events[1].name.ends_with("events.jsonl:3"));

        std::fs::write(&lines, "{\"request\":{}}\n{\"nope\":1}\n").unwrap();
        let e = load(&lines, &accept).unwrap_err().to_string();
        assert!(e.ends_with("events.jsonl:2: request: missing"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
