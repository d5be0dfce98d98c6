//! KeyValueStore: a read-only key → value store loaded from CloudFront's import-file format.
//!
//! `{"data":[{"key":"home","value":"/v2/index.html"}, …]}` (cloudfront-functions.md §9.3), with
//! the quotas of §9.2 checked at load so a store that CloudFront would refuse is refused here too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::Deserialize;

use crate::limits::{KVS_MAX_KEY_BYTES, KVS_MAX_STORE_BYTES, KVS_MAX_VALUE_BYTES};

/// A store that failed to load; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum KvsError {
    #[error("{path}: cannot read KeyValueStore file: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a KeyValueStore import file: {message} (expected {{\"data\":[{{\"key\":\"…\",\"value\":\"…\"}}]}})")]
    Format { path: PathBuf, message: String },
    #[error("{path}: data[{index}]: {message}")]
    Entry {
        path: PathBuf,
        index: usize,
        message: String,
    },
    #[error("{path}: the store holds {size} bytes; a KeyValueStore holds at most {KVS_MAX_STORE_BYTES} bytes (5 MB)")]
    TooLarge { path: PathBuf, size: usize },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportFile {
    data: Vec<ImportEntry>,
}

#[derive(Deserialize)]
struct ImportEntry {
    key: serde_json::Value,
    value: serde_json::Value,
}

/// One loaded store.
#[derive(Debug, Clone)]
pub struct KeyValueStore {
    id: String,
    entries: HashMap<String, String>,
    loaded: SystemTime,
    modified: SystemTime,
}

/// What `kvs.meta()` resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvsMeta {
    pub creation_date_time: String,
    pub last_updated_date_time: String,
    pub key_count: usize,
}

impl KeyValueStore {
    /// Loads a store from an import file. The store id is the file stem.
    pub fn load(path: &Path) -> Result<Self, KvsError> {
        let bytes = std::fs::read(path).map_err(|source| KvsError::Read {
            path: path.to_owned(),
            source,
        })?;
        let modified = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| SystemTime::now());
        let id = path
            .file_stem()
            .map_or_else(|| "kvs".to_owned(), |s| s.to_string_lossy().into_owned());
        let mut store = Self::from_json(&id, &bytes).map_err(|e| e.at(path))?;
        store.modified = modified;
        Ok(store)
    }

    /// Parses import-file JSON; errors carry an empty path until [`KeyValueStore::load`] sets it.
    pub fn from_json(id: &str, bytes: &[u8]) -> Result<Self, KvsError> {
        let path = PathBuf::new();
        if bytes.len() > KVS_MAX_STORE_BYTES {
            return Err(KvsError::TooLarge {
                path,
                size: bytes.len(),
            });
        }
        let file: ImportFile = serde_json::from_slice(bytes).map_err(|e| KvsError::Format {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let mut entries = HashMap::with_capacity(file.data.len());
        let mut size = 0;
        for (index, entry) in file.data.into_iter().enumerate() {
            let entry_err = |message: String| KvsError::Entry {
                path: path.clone(),
                index,
                message,
            };
            let serde_json::Value::String(key) = entry.key else {
                return Err(entry_err(format!(
                    "key: expected a string, found {}",
                    entry.key
                )));
            };
            let serde_json::Value::String(value) = entry.value else {
                return Err(entry_err(format!(
                    "value of {key:?}: expected a string (store JSON as a string), found {}",
                    entry.value
                )));
            };
            if key.is_empty() || key.len() > KVS_MAX_KEY_BYTES {
                return Err(entry_err(format!(
                    "key {key:?} is {} bytes; keys are 1 to {KVS_MAX_KEY_BYTES} bytes",
                    key.len()
                )));
            }
            if value.len() > KVS_MAX_VALUE_BYTES {
                return Err(entry_err(format!(
                    "value of {key:?} is {} bytes; values are at most {KVS_MAX_VALUE_BYTES} bytes (1 KB)",
                    value.len()
                )));
            }
            size += key.len() + value.len();
            if entries.insert(key.clone(), value).is_some() {
                return Err(entry_err(format!(
                    "duplicate key {key:?}: an import file may not repeat a key"
                )));
            }
        }
        if size > KVS_MAX_STORE_BYTES {
            return Err(KvsError::TooLarge { path, size });
        }
        let now = SystemTime::now();
        Ok(Self {
            id: id.to_owned(),
            entries,
            loaded: now,
            modified: now,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `meta()`: creation is the file's modification time, the last update is when it was loaded.
    pub fn meta(&self) -> KvsMeta {
        KvsMeta {
            creation_date_time: iso8601(self.modified),
            last_updated_date_time: iso8601(self.loaded),
            key_count: self.entries.len(),
        }
    }
}

impl KvsError {
    fn at(self, p: &Path) -> Self {
        let path = p.to_owned();
        match self {
            KvsError::Format { message, .. } => KvsError::Format { path, message },
            KvsError::Entry { index, message, .. } => KvsError::Entry {
                path,
                index,
                message,
            },
            KvsError::TooLarge { size, .. } => KvsError::TooLarge { path, size },
            KvsError::Read { source, .. } => KvsError::Read { path, source },
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the form CloudFront's API uses for dates.
fn iso8601(t: SystemTime) -> String {
    let d = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn load(json: &str) -> Result<KeyValueStore, KvsError> {
        KeyValueStore::from_json("test", json.as_bytes())
    }

    #[test]
    fn loads_the_import_format() {
        let s = load(r#"{"data":[{"key":"home","value":"/v2/index.html"},{"key":"cfg","value":"{\"w\":30}"}]}"#).unwrap();
        assert_eq!(s.get("home"), Some("/v2/index.html"));
        assert_eq!(s.get("cfg"), Some("{\"w\":30}"));
        assert_eq!(s.get("nope"), None);
        assert_eq!(s.meta().key_count, 2);
    }

    #[test]
    fn a_duplicated_key_makes_the_file_invalid() {
        let e = load(r#"{"data":[{"key":"a","value":"1"},{"key":"a","value":"2"}]}"#).unwrap_err();
        assert!(
            e.to_string().contains("data[1]: duplicate key \"a\""),
            "{e}"
        );
    }

    #[test]
    fn keys_over_512_bytes_and_values_over_1_kb_are_refused() {
        let long_key = "k".repeat(513);
        let e = load(&format!(
            r#"{{"data":[{{"key":"{long_key}","value":"v"}}]}}"#
        ))
        .unwrap_err();
        assert!(e.to_string().contains("keys are 1 to 512 bytes"), "{e}");
        let long_value = "v".repeat(1025);
        let e = load(&format!(
            r#"{{"data":[{{"key":"k","value":"{long_value}"}}]}}"#
        ))
        .unwrap_err();
        assert!(e.to_string().contains("at most 1024 bytes"), "{e}");
        assert!(load(&format!(
            r#"{{"data":[{{"key":"k","value":"{}"}}]}}"#,
            "v".repeat(1024)
        ))
        .is_ok());
    }

    #[test]
    fn values_must_be_strings() {
        let e = load(r#"{"data":[{"key":"a","value":{"w":1}}]}"#).unwrap_err();
        assert!(e.to_string().contains("expected a string"), "{e}");
    }

    #[test]
    fn other_shapes_are_refused_with_the_expected_format() {
        let e = load(r#"{"a":"b"}"#).unwrap_err();
        assert!(e.to_string().contains("expected {\"data\""), "{e}");
    }

    #[test]
    fn load_names_the_file() {
        let dir = std::env::temp_dir().join(format!("edgesim-kvs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("store.json");
        std::fs::write(&p, "not json").unwrap();
        let e = KeyValueStore::load(&p).unwrap_err();
        assert!(e.to_string().starts_with(&p.display().to_string()), "{e}");
    }

    #[test]
    fn dates_are_iso_8601() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(iso8601(t), "2023-11-14T22:13:20.123Z");
    }
}
