//! CloudFront's path patterns (cache behaviors, mock origin routes).
//!
//! Matching is case-sensitive, `*` matches any run of characters including `/`, `?` exactly
//! one character.

/// At most this many characters in a pattern (CloudFront quota).
pub const MAX_PATTERN_LENGTH: usize = 255;

/// A CloudFront path pattern such as `/images/*.jpg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    text: String,
    /// The pattern as matched: always starting with `/` (CloudFront treats `images/*` and
    /// `/images/*` alike).
    chars: Vec<char>,
}

impl PathPattern {
    /// Parses a pattern, refusing characters CloudFront does not accept.
    pub fn parse(text: &str) -> Result<PathPattern, String> {
        if text.is_empty() {
            return Err("a path pattern cannot be empty".to_owned());
        }
        if text.chars().count() > MAX_PATTERN_LENGTH {
            return Err(format!(
                "a path pattern has at most {MAX_PATTERN_LENGTH} characters"
            ));
        }
        // CloudFront's documented set: A-Z a-z 0-9 _ - . * $ / ~ " ' @ : + and & (as &amp;).
        if let Some(bad) = text
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "_-.*$/~\"'@:+&?".contains(*c)))
        {
            return Err(format!(
                "{bad:?} is not allowed in a CloudFront path pattern"
            ));
        }
        let text = text.replace("&amp;", "&");
        let mut chars: Vec<char> = text.chars().collect();
        if chars.first() != Some(&'/') && chars.first() != Some(&'*') {
            chars.insert(0, '/');
        }
        Ok(PathPattern { text, chars })
    }

    /// The pattern as written in the config.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `path` (starting with `/`, no query) matches.
    pub fn matches(&self, path: &str) -> bool {
        glob_match(&self.chars, &path.chars().collect::<Vec<_>>())
    }
}

/// Wildcard matching with one backtrack point per `*`: linear in practice, no recursion.
fn glob_match(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some('?') => {
                p += 1;
                t += 1;
            }
            Some(c) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        PathPattern::parse(pattern).unwrap().matches(path)
    }

    #[test]
    fn star_crosses_slashes_and_question_mark_is_one_char() {
        assert!(m("/api/*", "/api/v1/users"));
        assert!(m("/api/*", "/api/"));
        assert!(!m("/api/*", "/api"));
        assert!(m("*.jpg", "/a/b/c.jpg"));
        assert!(m("/images/*.jpg", "/images/x/y.jpg"));
        assert!(m("/v?/x", "/v1/x"));
        assert!(!m("/v?/x", "/v10/x"));
        assert!(m("*", "/anything"));
    }

    #[test]
    fn matching_is_case_sensitive_and_leading_slash_optional() {
        assert!(!m("/API/*", "/api/x"));
        assert!(m("images/*", "/images/a.png"));
    }

    #[test]
    fn bad_patterns_are_refused() {
        assert!(PathPattern::parse("").is_err());
        assert!(PathPattern::parse("/a b").is_err());
        assert!(PathPattern::parse("/a%20").is_err());
        assert!(PathPattern::parse(&"a".repeat(256)).is_err());
    }
}
