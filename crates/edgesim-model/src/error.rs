//! `ModelError`: the one error type of this crate, for input that does not fit the CloudFront model.
//!
//! Every variant names the field path it is about (`request.uri`, `response.headers.host.value`,
//! …) so that a user who wrote an event file by hand can find the mistake. Verdicts on what a
//! *function* returned are not errors of this crate but CloudFront outcomes; they live in
//! [`crate::validate::ValidationError`] and end up as an [`crate::EdgeFailure`].

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

    /// A checked event still failed to deserialize into the typed model.
    #[error("the event does not fit the CloudFront Functions model: {0}")]
    Decode(#[from] serde_json::Error),
}

impl ModelError {
    /// Shorthand for [`ModelError::WrongType`] with the found type read off `value`.
    pub(crate) fn wrong_type(path: &str, expected: &'static str, value: &Value) -> Self {
        ModelError::WrongType {
            path: path.to_owned(),
            expected,
            found: json_type_name(value),
        }
    }

    /// Shorthand for [`ModelError::Missing`].
    pub(crate) fn missing(path: &str, expected: &'static str) -> Self {
        ModelError::Missing {
            path: path.to_owned(),
            expected,
        }
    }

    /// Shorthand for [`ModelError::InvalidValue`].
    pub(crate) fn invalid(path: &str, problem: impl Into<String>) -> Self {
        ModelError::InvalidValue {
            path: path.to_owned(),
            problem: problem.into(),
        }
    }

    /// Shorthand for [`ModelError::Http`].
    pub(crate) fn http(path: &str, reason: impl ToString) -> Self {
        ModelError::Http {
            path: path.to_owned(),
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

/// Appends a map key to a field path: `request.headers` + `host` gives `request.headers.host`;
/// keys that would make the path ambiguous are quoted (`request.headers["a.b"]`).
pub(crate) fn child_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
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
}
