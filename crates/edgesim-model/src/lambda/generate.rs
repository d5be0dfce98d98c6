//! Realistic sample events for each trigger, like `sam local generate-event cloudfront`, but
//! in today's shapes (lambda-edge.md §2.9): the full `config`, `querystring` always present,
//! `origin` on origin triggers, CloudFront's own request headers on origin triggers.

use http::StatusCode;
use serde_json::{Map, Value};

use super::event::{body_object, build_event, EventConfig};
use super::headers::push_header;
use super::origin::{CustomOrigin, Origin};
use super::Trigger;
use crate::error::ModelError;

/// What to put in a generated event; every field has a realistic default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// `request.uri` (must start with `/`).
    pub uri: String,
    /// `request.method`.
    pub method: String,
    /// Extra request headers (`name`, `value`), added after the defaults; a name given here
    /// replaces the default of that name.
    pub headers: Vec<(String, String)>,
    /// `request.querystring`, without `?`.
    pub querystring: String,
    /// A request body, exposed as with IncludeBody (request triggers only).
    pub body: Option<String>,
    /// `response.status` (response triggers only).
    pub status: u16,
    /// `request.clientIp`.
    pub client_ip: String,
    /// The host the viewer asked for.
    pub host: String,
    /// The origin's domain name on origin triggers.
    pub origin_domain: String,
    /// `cf.config`.
    pub config: EventConfig,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            uri: "/index.html".to_owned(),
            method: "GET".to_owned(),
            headers: Vec::new(),
            querystring: String::new(),
            body: None,
            status: 200,
            client_ip: "192.0.2.44".to_owned(),
            host: "shop.example.test".to_owned(),
            origin_domain: "app-origin.example.test".to_owned(),
            config: EventConfig::default(),
        }
    }
}

/// Builds an event for `trigger`. Errors name the offending option.
pub fn generate_event(trigger: Trigger, options: &GenerateOptions) -> Result<Value, ModelError> {
    if !options.uri.starts_with('/') {
        return Err(ModelError::invalid("--uri", "must start with `/`"));
    }
    if options.method.is_empty() || !options.method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ModelError::invalid(
            "--method",
            "must be an HTTP method such as GET",
        ));
    }
    let status = StatusCode::from_u16(options.status).map_err(|_| {
        ModelError::invalid(
            "--status",
            format!("{} is not an HTTP status", options.status),
        )
    })?;
    if options.body.is_some() && !trigger.is_request() {
        return Err(ModelError::invalid(
            "--body",
            format!("{trigger} events carry no body; IncludeBody applies to viewer-request and origin-request"),
        ));
    }

    let origin_side = !trigger.is_viewer();
    let mut defaults: Vec<(String, String)> = Vec::new();
    let host = if origin_side {
        &options.origin_domain
    } else {
        &options.host
    };
    defaults.push(("Host".into(), host.clone()));
    if origin_side {
        defaults.push(("X-Forwarded-For".into(), options.client_ip.clone()));
        defaults.push(("User-Agent".into(), "Amazon CloudFront".into()));
        defaults.push((
            "Via".into(),
            "2.0 5e1f0c7a9b3d4e2f8a6c1b0d9e7f3a25.cloudfront.net (CloudFront)".into(),
        ));
        defaults.push(("Accept-Encoding".into(), "br,gzip".into()));
    } else {
        defaults.push((
            "User-Agent".into(),
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36".into(),
        ));
        defaults.push((
            "Accept".into(),
            "text/html,application/xhtml+xml,*/*;q=0.8".into(),
        ));
        defaults.push(("Accept-Encoding".into(), "gzip, deflate, br".into()));
    }
    if options.body.is_some() {
        defaults.push((
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
    }
    let given: Vec<String> = options
        .headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect();
    let mut headers = Map::new();
    for (name, value) in defaults
        .iter()
        .filter(|(name, _)| !given.contains(&name.to_ascii_lowercase()))
        .chain(options.headers.iter())
    {
        if name.is_empty() || http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(ModelError::invalid(
                "--header",
                format!("`{name}` is not a header name"),
            ));
        }
        push_header(&mut headers, name, value);
    }
    if let Some(body) = &options.body {
        if !given.iter().any(|n| n == "content-length") {
            push_header(&mut headers, "Content-Length", &body.len().to_string());
        }
    }

    let mut request = Map::new();
    request.insert("clientIp".into(), options.client_ip.clone().into());
    request.insert("headers".into(), Value::Object(headers));
    request.insert("method".into(), options.method.to_ascii_uppercase().into());
    request.insert(
        "querystring".into(),
        options.querystring.trim_start_matches('?').into(),
    );
    request.insert("uri".into(), options.uri.clone().into());
    if let Some(body) = &options.body {
        request.insert("body".into(), body_object(trigger, body.as_bytes()));
    }
    if !trigger.is_viewer() {
        let mut origin = CustomOrigin::new(options.origin_domain.clone());
        origin
            .custom_headers
            .push(("X-Origin-Token".into(), "t0k3n".into()));
        request.insert("origin".into(), Origin::Custom(origin).to_json());
    }

    let response = (!trigger.is_request()).then(|| {
        let mut headers = Map::new();
        push_header(&mut headers, "Content-Type", "text/html; charset=utf-8");
        push_header(&mut headers, "Content-Length", "1024");
        push_header(&mut headers, "Date", "Mon, 09 Feb 2026 08:15:00 GMT");
        push_header(
            &mut headers,
            "Last-Modified",
            "Sun, 08 Feb 2026 17:02:11 GMT",
        );
        push_header(&mut headers, "ETag", "\"5e7f3a25c0d9\"");
        push_header(&mut headers, "Cache-Control", "max-age=600");
        push_header(&mut headers, "Server", "nginx");
        if trigger == Trigger::ViewerResponse {
            push_header(&mut headers, "Age", "42");
        }
        let mut response = Map::new();
        response.insert("status".into(), status.as_str().into());
        response.insert(
            "statusDescription".into(),
            status.canonical_reason().unwrap_or("").into(),
        );
        response.insert("headers".into(), Value::Object(headers));
        Value::Object(response)
    });
    Ok(build_event(
        trigger,
        &options.config,
        Value::Object(request),
        response,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lambda::event::{cf, parse_event};
    use serde_json::json;

    #[test]
    fn every_trigger_generates_an_event_that_parses_as_that_trigger() {
        for trigger in Trigger::ALL {
            let event = generate_event(trigger, &GenerateOptions::default()).unwrap();
            assert_eq!(parse_event(&event).unwrap(), Some(trigger));
            let cf = cf(&event).unwrap();
            assert_eq!(cf["request"].get("origin").is_some(), !trigger.is_viewer());
            assert_eq!(cf.get("response").is_some(), !trigger.is_request());
            assert!(cf["request"].get("body").is_none());
        }
    }

    #[test]
    fn options_shape_the_request_and_response() {
        let options = GenerateOptions {
            uri: "/login".into(),
            method: "post".into(),
            headers: vec![
                ("Authorization".into(), "Basic dTpw".into()),
                ("host".into(), "h.example".into()),
            ],
            querystring: "?next=/".into(),
            body: Some("user=a".into()),
            ..GenerateOptions::default()
        };
        let event = generate_event(Trigger::ViewerRequest, &options).unwrap();
        let request = &cf(&event).unwrap()["request"];
        assert_eq!(request["method"], "POST");
        assert_eq!(request["querystring"], "next=/");
        assert_eq!(
            request["headers"]["host"],
            json!([{"key": "Host", "value": "h.example"}])
        );
        assert_eq!(
            request["headers"]["authorization"][0]["value"],
            "Basic dTpw"
        );
        assert_eq!(request["body"]["data"], "dXNlcj1h");
        let options = GenerateOptions {
            status: 404,
            ..GenerateOptions::default()
        };
        let event = generate_event(Trigger::OriginResponse, &options).unwrap();
        assert_eq!(cf(&event).unwrap()["response"]["status"], "404");
        assert_eq!(
            cf(&event).unwrap()["response"]["statusDescription"],
            "Not Found"
        );
    }

    #[test]
    fn bad_options_name_the_flag() {
        let bad = |options: GenerateOptions, trigger| {
            generate_event(trigger, &options).unwrap_err().to_string()
        };
        assert!(bad(
            GenerateOptions {
                uri: "x".into(),
                ..Default::default()
            },
            Trigger::ViewerRequest
        )
        .starts_with("--uri"));
        assert!(bad(
            GenerateOptions {
                status: 1000,
                ..Default::default()
            },
            Trigger::ViewerResponse
        )
        .starts_with("--status"));
        assert!(bad(
            GenerateOptions {
                body: Some("x".into()),
                ..Default::default()
            },
            Trigger::OriginResponse
        )
        .starts_with("--body"));
        assert!(bad(
            GenerateOptions {
                headers: vec![("bad name".into(), "v".into())],
                ..Default::default()
            },
            Trigger::ViewerRequest
        )
        .starts_with("--header"));
    }
}
