//! From `http` request and response parts to the CloudFront Functions event objects.

use http::header::{COOKIE, HOST, SET_COOKIE};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::Value;

use crate::cff::{
    Context, CookieEntry, CookieValue, Entry, Event, EventType, FieldMap, QueryString, Request,
    Response, Viewer, EVENT_VERSION,
};

/// The `context` fields that come from the distribution and the request, not from HTTP.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventContext {
    /// e.g. `d1sim2example.cloudfront.net` (standard distributions).
    pub distribution_domain_name: Option<String>,
    /// The connection group's domain (multi-tenant distributions).
    pub endpoint: Option<String>,
    /// e.g. `E1SIMEXAMPLE23`.
    pub distribution_id: Option<String>,
    /// Shared by the viewer-request and viewer-response runs of one request.
    pub request_id: Option<String>,
}

/// The `request` object CloudFront builds from the viewer's request head.
///
/// - `uri` is the path only, as received (not percent-decoded).
/// - `querystring` splits the raw query on `&` and each pair at its first `=`; names and values
///   stay percent-encoded, `?flag` gives `{ "value": "" }`, empty pairs (`a=1&&b=2`) are skipped.
/// - Header names are lower-case; `cookie` lines become `cookies` and leave `headers`.
/// - A request without a `Host` header (HTTP/2 carries `:authority` instead) gets a `host` entry
///   from the URI authority, as CloudFront always shows one to the function.
pub fn request_object(parts: &http::request::Parts) -> Request {
    let mut header_pairs: Vec<(String, String)> = Vec::new();
    if !parts.headers.contains_key(HOST) {
        if let Some(authority) = parts.uri.authority() {
            header_pairs.push(("host".to_owned(), authority.as_str().to_owned()));
        }
    }
    header_pairs.extend(
        parts
            .headers
            .iter()
            .filter(|(name, _)| *name != COOKIE)
            .map(|(name, value)| (name.as_str().to_owned(), header_text(value))),
    );

    let cookie_pairs = parts
        .headers
        .get_all(COOKIE)
        .iter()
        .flat_map(|line| {
            header_text(line)
                .split(';')
                .filter_map(|pair| split_pair(pair.trim()))
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>();

    Request {
        method: parts.method.as_str().to_owned(),
        uri: parts.uri.path().to_owned(),
        querystring: QueryString::Map(parse_query(parts.uri.query().unwrap_or(""))),
        headers: fold(header_pairs),
        cookies: fold(cookie_pairs),
    }
}

/// [`request_object`] as JSON.
pub fn request_part(parts: &http::request::Parts) -> Value {
    to_json(&request_object(parts))
}

/// The `response` object CloudFront builds for a viewer-response event.
///
/// `Set-Cookie` lines become `cookies` (value before the first `;`, `attributes` the raw text
/// after it with leading blanks removed) and leave `headers`. `statusDescription` is the
/// canonical reason phrase, absent for codes without one.
pub fn response_object(status: StatusCode, headers: &HeaderMap) -> Response {
    let header_pairs = headers
        .iter()
        .filter(|(name, _)| *name != SET_COOKIE)
        .map(|(name, value)| (name.as_str().to_owned(), header_text(value)))
        .collect();

    let mut cookies: FieldMap<Vec<CookieValue>> = FieldMap::new();
    for line in headers.get_all(SET_COOKIE) {
        let text = header_text(line);
        let (pair, attributes) = match text.split_once(';') {
            Some((pair, rest)) => (pair, rest.trim_start()),
            None => (text.as_str(), ""),
        };
        // A Set-Cookie line without a name=value pair carries no cookie; CloudFront's handling
        // of it is unknown, so it is dropped (inferred).
        let Some((name, value)) = split_pair(pair.trim()) else {
            continue;
        };
        let occurrence = CookieValue {
            value,
            attributes: Some(attributes.to_owned()),
        };
        match cookies.get_mut(&name) {
            Some(list) => list.push(occurrence),
            None => cookies.insert(name, vec![occurrence]),
        }
    }
    let cookies = cookies
        .iter()
        .filter_map(|(name, occurrences)| {
            let first = occurrences.first()?;
            let entry = CookieEntry {
                value: first.value.clone(),
                attributes: first.attributes.clone(),
                multi_value: (occurrences.len() > 1).then(|| occurrences.clone()),
            };
            Some((name.to_owned(), entry))
        })
        .collect();

    Response {
        status_code: status.as_u16(),
        status_description: status.canonical_reason().map(str::to_owned),
        headers: fold(header_pairs),
        cookies,
        body: None,
    }
}

/// [`response_object`] as JSON: the `response` part of a viewer-response event.
pub fn response_event_part(status: StatusCode, headers: &HeaderMap) -> Value {
    to_json(&response_object(status, headers))
}

/// Assembles a whole event; the event type follows from whether a response is given.
pub fn build_event(
    ctx: &EventContext,
    viewer_ip: &str,
    request: Request,
    response: Option<Response>,
) -> Event {
    let event_type = match response {
        Some(_) => EventType::ViewerResponse,
        None => EventType::ViewerRequest,
    };
    Event {
        version: EVENT_VERSION.to_owned(),
        context: Context {
            distribution_domain_name: ctx.distribution_domain_name.clone(),
            endpoint: ctx.endpoint.clone(),
            distribution_id: ctx.distribution_id.clone(),
            event_type: Some(event_type),
            request_id: ctx.request_id.clone(),
        },
        viewer: Some(Viewer {
            ip: viewer_ip.to_owned(),
        }),
        request,
        response,
    }
}

/// The viewer-request event for a viewer's request head.
pub fn request_event(parts: &http::request::Parts, viewer_ip: &str, ctx: &EventContext) -> Value {
    build_event(ctx, viewer_ip, request_object(parts), None).to_json()
}

/// The viewer-response event for a request head and the response about to be sent.
pub fn viewer_response_event(
    request: &http::request::Parts,
    status: StatusCode,
    headers: &HeaderMap,
    viewer_ip: &str,
    ctx: &EventContext,
) -> Value {
    let response = response_object(status, headers);
    build_event(ctx, viewer_ip, request_object(request), Some(response)).to_json()
}

/// Parses a raw query string (without `?`) into the `querystring` map.
fn parse_query(query: &str) -> FieldMap<Entry> {
    fold(query.split('&').filter_map(split_pair).collect())
}

/// Splits `name=value` at the first `=`; a bare `name` has the value `""`. `None` for an empty
/// segment.
fn split_pair(pair: &str) -> Option<(String, String)> {
    if pair.is_empty() {
        return None;
    }
    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
    Some((name.to_owned(), value.to_owned()))
}

/// Folds name/value occurrences into entries, keeping the order in which names first appear.
fn fold(pairs: Vec<(String, String)>) -> FieldMap<Entry> {
    let mut grouped: FieldMap<Vec<String>> = FieldMap::new();
    for (name, value) in pairs {
        match grouped.get_mut(&name) {
            Some(values) => values.push(value),
            None => grouped.insert(name, vec![value]),
        }
    }
    grouped
        .iter()
        .filter_map(|(name, values)| {
            Entry::from_occurrences(values.clone()).map(|entry| (name.to_owned(), entry))
        })
        .collect()
}

/// A header value as the function sees it: UTF-8 as is; anything else is read as ISO-8859-1,
/// which is what CloudFront does with non-UTF-8 input (§3.3 "Character set").
fn header_text(value: &HeaderValue) -> String {
    match std::str::from_utf8(value.as_bytes()) {
        Ok(text) => text.to_owned(),
        Err(_) => value.as_bytes().iter().map(|&b| char::from(b)).collect(),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    // The model types always serialise; never panic on a request path all the same.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

#[cfg(test)]
#[path = "to_event_tests.rs"]
mod tests;
