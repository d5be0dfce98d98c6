//! A CloudFormation (or SAM, or `cdk synth`) template: its sections, and resources by type.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub struct Template {
    pub path: PathBuf,
    /// Relative code paths (`CodeUri`, CDK asset paths) start here.
    pub dir: PathBuf,
    /// `AWS::StackName`: the file's stem (`MyStack` for `MyStack.template.json`).
    pub stack_name: String,
    pub resources: Map<String, Value>,
    pub parameters: Map<String, Value>,
    pub mappings: Map<String, Value>,
    pub conditions: Map<String, Value>,
    /// SAM `Globals.Function`.
    pub function_globals: Map<String, Value>,
}

fn section(v: &Value, key: &str) -> Map<String, Value> {
    v.get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

impl Template {
    pub fn new(v: &Value, path: &Path) -> Template {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let stem = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stack_name = stem
            .split('.')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("edgesim")
            .to_owned();
        Template {
            path: path.to_owned(),
            dir,
            stack_name,
            resources: section(v, "Resources"),
            parameters: section(v, "Parameters"),
            mappings: section(v, "Mappings"),
            conditions: section(v, "Conditions"),
            function_globals: v
                .get("Globals")
                .map(|g| section(g, "Function"))
                .unwrap_or_default(),
        }
    }

    pub fn resource_type(&self, id: &str) -> Option<&str> {
        self.resources.get(id)?.get("Type")?.as_str()
    }

    pub fn properties(&self, id: &str) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.resources
            .get(id)
            .and_then(|r| r.get("Properties"))
            .and_then(Value::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    /// `Metadata` of a resource (CDK's `aws:asset:path`).
    pub fn metadata(&self, id: &str, key: &str) -> Option<&str> {
        self.resources.get(id)?.get("Metadata")?.get(key)?.as_str()
    }

    /// Logical ids of the resources of a type, in template order.
    pub fn of_type(&self, ty: &str) -> Vec<String> {
        self.resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(ty))
            .map(|(id, _)| id.clone())
            .collect()
    }
}
