//! `ModelError`: the one error type of this crate, for input that does not fit the CloudFront model.
//!
//! Every variant names the field path it is about (`request.uri`, `response.headers.host.value`,
//! …) so that a user who wrote an event file by hand can find the mistake. Verdicts on what a
//! *function* returned are not errors of this crate but CloudFront outcomes; they live in
//! [`crate::validate::ValidationError`] and end up as an [`crate::EdgeFailure`].

use std::fmt;

use serde_json::Value;

/// Bad input to the model: an event file that is not a CloudFront Functions event, or a function
/// result that cannot be turned into HTTP.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A field holds a value of the wrong JSON type.
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        /// Dotted path of the field, e.g. `request.uri`.
        path: String,
        /// What the field must hold, e.g. `a string`.
        expected: &'static str,
        /// The JSON type that was there instead, e.g. `number`.
        found: &'static str,
    },

    /// A required field is absent.
    #[error("{path}: missing, expected {expected}")]
    Missing {
        /// Dotted path of the field.
        path: String,
        /// What the field must hold.
        expected: &'static str,
    },

    /// A field has the right type but a value CloudFront would never produce or accept.
    #[error("{path}: {problem}")]
    InvalidValue {
        /// Dotted path of the field.
        path: String,
        /// What is wrong with it, in a sentence fragment.
        problem: String,
    },

    /// The document is a Lambda@Edge event (`{"Records": [...]}`), not a CloudFront Functions
    /// event. Said explicitly because both kinds of event file sit side by side in projects.
    #[error(
        "this looks like a Lambda@Edge event (it has `Records`), not a CloudFront Functions \
         event; use `edgesim invoke` to run Lambda@Edge handlers"
    )]
    LambdaEdgeEvent,

    /// A value the function returned cannot be carried by HTTP (a header value with a line
    /// break, a URI with a space, …).
    #[error("{path}: cannot be sent over HTTP: {reason}")]
    Http {
        /// Dotted path of the field.
        path: String,
        /// Why the `http` crate refused it.
        reason: String,
    },

    /// A client certificate file that is not a PEM X.509 certificate (client_cert.rs).
    #[error("not a client certificate: {0}")]
    Certificate(String),

    /// A checked event still failed to deserialize into the typed model.
    #[error("the event does not fit the CloudFront Functions model: {0}")]
    Decode(#[from] serde_json::Error),
}

impl ModelError {
    /// Shorthand for [`ModelError::WrongType`] with the found type read off `value`.
    pub(crate) fn wrong_type(
        path: impl fmt::Display,
        expected: &'static str,
        value: &Value,
    ) -> Self {
        ModelError::WrongType {
            path: path.to_string(),
            expected,
            found: json_type_name(value),
        }
    }

    /// Shorthand for [`ModelError::Missing`].
    pub(crate) fn missing(path: impl fmt::Display, expected: &'static str) -> Self {
        ModelError::Missing {
            path: path.to_string(),
            expected,
        }
    }

    /// Shorthand for [`ModelError::InvalidValue`].
    pub(crate) fn invalid(path: impl fmt::Display, problem: impl Into<String>) -> Self {
        ModelError::InvalidValue {
            path: path.to_string(),
            problem: problem.into(),
        }
    }

    /// Shorthand for [`ModelError::Http`].
    pub(crate) fn http(path: impl fmt::Display, reason: impl ToString) -> Self {
        ModelError::Http {
            path: path.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// The name of a JSON value's type as it appears in messages (`found number`).
pub(crate) fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A field path that is only spelled out when it is displayed, i.e. when an error or warning
/// names it. Validation and conversion walk every header, query and cookie entry; building
/// `request.headers.x-id.value` for each of them up front would cost an allocation per entry
/// on the success path, where the path is never read.
///
/// Displays exactly as [`child_path`] and [`index_path`] would build it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FieldPath<'a> {
    /// A path given as text, e.g. `request.headers`.
    Root(&'a str),
    /// `parent` followed by a map key (`.key`, or `["odd key"]`).
    Key(&'a FieldPath<'a>, &'a str),
    /// `parent` followed by an array index (`[2]`).
    Index(&'a FieldPath<'a>, usize),
}

impl<'a> FieldPath<'a> {
    /// A path given as text.
    pub(crate) const fn root(path: &'a str) -> Self {
        FieldPath::Root(path)
    }

    /// This path followed by a map key; see [`child_path`].
    pub(crate) const fn key(&'a self, key: &'a str) -> FieldPath<'a> {
        FieldPath::Key(self, key)
    }

    /// This path followed by an array index; see [`index_path`].
    pub(crate) const fn index(&'a self, index: usize) -> FieldPath<'a> {
        FieldPath::Index(self, index)
    }
}

impl fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldPath::Root(path) => f.write_str(path),
            FieldPath::Key(parent, key) => {
                if is_plain_key(key) {
                    write!(f, "{parent}.{key}")
                } else {
                    // serde_json's string serialisation gives a properly escaped, quoted key.
                    let quoted = Value::String((*key).to_owned());
                    write!(f, "{parent}[{quoted}]")
                }
            }
            FieldPath::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// Whether a map key can follow a dot in a path without making it ambiguous.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Appends a map key to a field path: `request.headers` + `host` gives `request.headers.host`;
/// keys that would make the path ambiguous are quoted (`request.headers["a.b"]`).
pub(crate) fn child_path(parent: &str, key: &str) -> String {
    if is_plain_key(key) {
        format!("{parent}.{key}")
    } else {
        // serde_json's string serialisation gives a properly escaped, quoted key.
        let quoted = Value::String(key.to_owned()).to_string();
        format!("{parent}[{quoted}]")
    }
}

/// Appends an array index to a field path: `…multiValue[1]`.
pub(crate) fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_wrong_type_names_the_path_what_was_expected_and_what_was_found() {
        let err = ModelError::wrong_type("request.uri", "a string", &json!(3));
        assert_eq!(
            err.to_string(),
            "request.uri: expected a string, found number"
        );
    }

    #[test]
    fn a_missing_field_names_the_path_and_what_was_expected() {
        let err = ModelError::missing("request.method", "a string");
        assert_eq!(
            err.to_string(),
            "request.method: missing, expected a string"
        );
    }

    #[test]
    fn plain_keys_extend_the_path_with_a_dot_and_odd_keys_are_quoted() {
        assert_eq!(
            child_path("request.headers", "x-id"),
            "request.headers.x-id"
        );
        assert_eq!(
            child_path("request.cookies", "a.b"),
            "request.cookies[\"a.b\"]"
        );
        assert_eq!(child_path("request.cookies", ""), "request.cookies[\"\"]");
        assert_eq!(index_path("x.multiValue", 2), "x.multiValue[2]");
    }

    #[test]
    fn a_lazy_path_displays_as_the_eagerly_built_one() {
        let root = FieldPath::root("request.headers");
        for key in ["x-id", "a.b", "", "quo\"te", "caf\u{e9}", "new\nline"] {
            let entry = root.key(key);
            let multi = entry.key("multiValue");
            let element = multi.index(3);
            let eager = child_path(
                &index_path(
                    &child_path(&child_path("request.headers", key), "multiValue"),
                    3,
                ),
                "value",
            );
            assert_eq!(element.key("value").to_string(), eager);
        }
    }
}
