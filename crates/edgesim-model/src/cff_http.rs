//! Conversion between `http` requests/responses and the CloudFront Functions event, both ways.
//!
//! Into the event (cloudfront-functions.md §3): header names lower-cased, `Cookie` parsed into
//! `cookies` and `Set-Cookie` into response `cookies` (both removed from `headers`), repeated
//! names folded into `value` + `multiValue`, comma lists left alone, query values kept raw
//! percent-encoded. Out of the event: `multiValue` expanded back into occurrences (§3.5), cookies
//! re-joined, a string `querystring` forwarded verbatim.
//!
//! **Header-name case on the wire.** CloudFront title-cases each hyphen-separated part of a
//! header name when it turns the object back into HTTP (`x-example-name` → `X-Example-Name`,
//! §3.6). The `http` crate stores names in lower case, so the `HeaderMap`s built here cannot
//! carry that; an HTTP/1 server reproduces it with [`title_case`] (or hyper's
//! `title_case_headers` option).

mod from_event;
mod to_event;

pub(crate) use from_event::entry_occurrences;
pub use from_event::query_text;
pub use from_event::{apply_request, apply_response, BodyChange, ResponseParts};
pub use to_event::{
    build_event, request_event, request_object, request_part, response_event_part, response_object,
    viewer_response_event, EventContext,
};

/// A header name as CloudFront writes it on the wire: each hyphen-separated part gets an initial
/// capital and the rest is lower-cased (`x-example-name` → `X-Example-Name`).
pub fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::title_case;

    #[test]
    fn header_names_are_title_cased_part_by_part_on_the_wire() {
        assert_eq!(title_case("x-example-name"), "X-Example-Name");
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(title_case("cdn-loop"), "Cdn-Loop");
        assert_eq!(title_case("x--odd-"), "X--Odd-");
    }
}
