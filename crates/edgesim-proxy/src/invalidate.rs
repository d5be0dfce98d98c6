//! Invalidation, as `CreateInvalidation` does it (docs/cloudfront/invalidation.md): by path,
//! with `*` allowed only as the last character, and by cache tag (items starting with `#`,
//! matched against the tags the origin sent in the distribution's cache-tag header).

use http::HeaderMap;

use crate::cache::{key_path, Cache};

/// CloudFront's longest invalidation path.
const MAX_PATH_CHARS: usize = 4000;
/// Longest cache tag.
const MAX_TAG_CHARS: usize = 256;
/// Tags beyond this many on one object are ignored.
const MAX_TAGS_PER_OBJECT: usize = 50;

/// One checked invalidation item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A path (with the query string, when the cache key has one). `prefix` when it ended in
    /// `*`: everything starting with `path` goes.
    Path { path: String, prefix: bool },
    /// A cache tag, lower-cased (tags match case-insensitively).
    Tag(String),
}

impl Item {
    /// Parses one `CreateInvalidation` item; the error says what CloudFront would refuse.
    pub fn parse(item: &str) -> Result<Item, String> {
        if let Some(tag) = item.strip_prefix('#') {
            if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS {
                return Err(format!(
                    "{item:?}: a cache tag has 1 to {MAX_TAG_CHARS} characters"
                ));
            }
            if tag.contains('*') {
                return Err(format!("{item:?}: cache tags take no wildcard"));
            }
            if !tag.bytes().all(|b| (33..=126).contains(&b) && b != b',') {
                return Err(format!(
                    "{item:?}: a cache tag is printable ASCII without spaces or commas"
                ));
            }
            return Ok(Item::Tag(tag.to_ascii_lowercase()));
        }
        if !item.starts_with('/') {
            return Err(format!("{item:?}: an invalidation path starts with /"));
        }
        if item.chars().count() > MAX_PATH_CHARS {
            return Err(format!(
                "{item:?}: an invalidation path has at most {MAX_PATH_CHARS} characters"
            ));
        }
        let (path, prefix) = match item.strip_suffix('*') {
            Some(head) => (head, true),
            None => (item, false),
        };
        if path.contains('*') {
            return Err(format!(
                "{item:?}: the * wildcard is allowed only as the last character"
            ));
        }
        Ok(Item::Path {
            path: path.to_owned(),
            prefix,
        })
    }

    /// Whether this item removes an object cached under `key` with these response headers.
    fn matches(&self, key: &str, headers: &HeaderMap, tag_header: Option<&str>) -> bool {
        match self {
            // Every variant (headers, cookies in the key) of a path goes, as CloudFront does;
            // paths are case-sensitive.
            Item::Path { path, prefix } => {
                let cached = key_path(key);
                if *prefix {
                    cached.starts_with(path.as_str())
                } else {
                    cached == path
                }
            }
            Item::Tag(tag) => tag_header.is_some_and(|name| {
                object_tags(headers, name).any(|t| t.eq_ignore_ascii_case(tag))
            }),
        }
    }
}

/// Parses every item; all must be valid, as CreateInvalidation refuses the whole batch.
pub fn parse_items<S: AsRef<str>>(items: &[S]) -> Result<Vec<Item>, String> {
    if items.is_empty() {
        return Err("give at least one path or #tag to invalidate".to_owned());
    }
    items.iter().map(|i| Item::parse(i.as_ref())).collect()
}

/// The tags an origin response carries: comma-separated values of the configured header, at
/// most 50 per object.
pub fn object_tags<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .take(MAX_TAGS_PER_OBJECT)
}

/// Removes every cached object an item matches; returns how many were removed.
pub fn invalidate(cache: &Cache, items: &[Item], tag_header: Option<&str>) -> usize {
    cache.remove_where(|key, object| {
        items
            .iter()
            .any(|item| item.matches(key, &object.headers, tag_header))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_is_allowed_only_at_the_end() {
        assert_eq!(
            Item::parse("/images/*").unwrap(),
            Item::Path {
                path: "/images/".into(),
                prefix: true
            }
        );
        assert!(Item::parse("/images/*.jpg").is_err());
        assert!(Item::parse("images/a.jpg").is_err());
    }

    #[test]
    fn tags_are_case_insensitive_printable_ascii_without_commas_or_wildcards() {
        assert_eq!(
            Item::parse("#Product-42").unwrap(),
            Item::Tag("product-42".into())
        );
        assert!(Item::parse("#a,b").is_err());
        assert!(Item::parse("#a b").is_err());
        assert!(Item::parse("#prod*").is_err());
        assert!(Item::parse("#").is_err());
    }

    #[test]
    fn object_tags_split_on_commas_and_stop_at_fifty() {
        let mut headers = HeaderMap::new();
        let many: Vec<String> = (0..60).map(|i| format!("t{i}")).collect();
        headers.insert("x-tags", many.join(", ").parse().unwrap());
        let tags: Vec<&str> = object_tags(&headers, "x-tags").collect();
        assert_eq!(tags.len(), 50);
        assert_eq!(tags[0], "t0");
    }
}
