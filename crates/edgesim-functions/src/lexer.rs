//! A small JavaScript tokenizer, just enough to lint function source for what CloudFront rejects.
//!
//! boa accepts more syntax than CloudFront's runtimes (destructuring, `export`, `const` in 1.0…),
//! and its AST carries no line numbers for most nodes, so the per-runtime checks in `lint.rs`
//! run over this token stream instead. It understands comments, strings, template literals
//! (with nested `${…}`), regular-expression literals (by the usual previous-token rule) and
//! numbers; everything else is an identifier or a punctuator.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword.
    Ident,
    /// A numeric literal, as written (so `1_000` keeps its separator).
    Number,
    /// A string literal (quotes included).
    Str,
    /// A whole template literal, or one of its chunks around substitutions.
    Template,
    /// A regular-expression literal.
    Regex,
    /// An operator or delimiter.
    Punct,
}

/// One token and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    pub line: usize,
}

impl Token<'_> {
    pub fn is(&self, kind: Kind, text: &str) -> bool {
        self.kind == kind && self.text == text
    }
    pub fn is_punct(&self, text: &str) -> bool {
        self.is(Kind::Punct, text)
    }
    pub fn is_ident(&self, text: &str) -> bool {
        self.is(Kind::Ident, text)
    }
}

/// Longest punctuators first, so `>>>=` wins over `>>`.
const PUNCTUATORS: &[&str] = &[
    ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=", "=>", "==", "!=",
    "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "**", "<<", ">>",
];

/// Keywords after which a `/` starts a regular expression rather than a division.
const REGEX_AFTER_KEYWORDS: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

/// Splits `src` into tokens. Unterminated strings, comments or templates end the stream quietly:
/// the real parser reports those errors with better messages.
pub fn tokenize(src: &str) -> Vec<Token<'_>> {
    Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        line: 1,
        out: Vec::new(),
        template_depths: Vec::new(),
        brace_depth: 0,
    }
    .run()
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    out: Vec<Token<'a>>,
    /// Brace depths at which an open `${` substitution returns to its template.
    template_depths: Vec<usize>,
    brace_depth: usize,
}

impl<'a> Lexer<'a> {
    fn run(mut self) -> Vec<Token<'a>> {
        while self.pos < self.bytes.len() {
            let c = self.bytes[self.pos];
            match c {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                c if c.is_ascii_whitespace() => self.pos += 1,
                b'/' if self.peek(1) == Some(b'/') => self.skip_line_comment(),
                b'/' if self.peek(1) == Some(b'*') => self.skip_block_comment(),
                b'/' if self.regex_allowed() => self.regex(),
                b'\'' | b'"' => self.string(c),
                b'`' => {
                    self.pos += 1;
                    self.template_chunk(self.pos - 1);
                }
                b'0'..=b'9' => self.number(),
                b'.' if self.peek(1).is_some_and(|d| d.is_ascii_digit()) => self.number(),
                c if is_ident_start(c) => self.ident(),
                b'{' => {
                    self.brace_depth += 1;
                    self.punct(1);
                }
                b'}' => {
                    if self.template_depths.last() == Some(&self.brace_depth) {
                        // End of a `${…}` substitution: back inside the template.
                        self.template_depths.pop();
                        self.pos += 1;
                        self.template_chunk(self.pos - 1);
                    } else {
                        self.brace_depth = self.brace_depth.saturating_sub(1);
                        self.punct(1);
                    }
                }
                _ => {
                    let rest = &self.src[self.pos..];
                    // `a?.5:b` is a conditional, not optional chaining (`?.` never precedes a digit).
                    let conditional_before_number = rest.starts_with("?.")
                        && rest.as_bytes().get(2).is_some_and(u8::is_ascii_digit);
                    let len = PUNCTUATORS
                        .iter()
                        .filter(|_| !conditional_before_number)
                        .find(|p| rest.starts_with(**p))
                        .map_or_else(
                            || rest.chars().next().map_or(1, char::len_utf8),
                            |p| p.len(),
                        );
                    self.punct(len);
                }
            }
        }
        self.out
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn push(&mut self, kind: Kind, start: usize, line: usize) {
        self.out.push(Token {
            kind,
            text: &self.src[start..self.pos],
            line,
        });
    }

    fn punct(&mut self, len: usize) {
        let start = self.pos;
        self.pos += len;
        self.push(Kind::Punct, start, self.line);
    }

    fn skip_line_comment(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    fn skip_block_comment(&mut self) {
        self.pos += 2;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos] == b'*' && self.peek(1) == Some(b'/') {
                self.pos += 2;
                return;
            }
            if self.bytes[self.pos] == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
    }

    fn regex_allowed(&self) -> bool {
        match self.out.last() {
            None => true,
            Some(t) => match t.kind {
                Kind::Number | Kind::Str | Kind::Template | Kind::Regex => false,
                Kind::Ident => REGEX_AFTER_KEYWORDS.contains(&t.text),
                Kind::Punct => !matches!(t.text, ")" | "]" | "}" | "++" | "--"),
            },
        }
    }

    fn regex(&mut self) {
        let (start, line) = (self.pos, self.line);
        self.pos += 1;
        let mut in_class = false;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => self.pos += 1,
                b'[' => in_class = true,
                b']' => in_class = false,
                b'/' if !in_class => break,
                b'\n' => break,
                _ => {}
            }
            self.pos += 1;
        }
        self.pos = (self.pos + 1).min(self.bytes.len());
        while self.pos < self.bytes.len() && is_ident_part(self.bytes[self.pos]) {
            self.pos += 1;
        }
        self.push(Kind::Regex, start, line);
    }

    fn string(&mut self, quote: u8) {
        let (start, line) = (self.pos, self.line);
        self.pos += 1;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => {
                    if self.peek(1) == Some(b'\n') {
                        self.line += 1;
                    }
                    self.pos += 1;
                }
                b'\n' => break,
                c if c == quote => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            self.pos += 1;
        }
        self.pos = self.pos.min(self.bytes.len());
        self.push(Kind::Str, start, line);
    }

    /// Scans template text from `self.pos` until the closing backtick or a `${`.
    fn template_chunk(&mut self, start: usize) {
        let line = self.line;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => self.pos += 1,
                b'\n' => self.line += 1,
                b'`' => {
                    self.pos += 1;
                    self.push(Kind::Template, start, line);
                    return;
                }
                b'$' if self.peek(1) == Some(b'{') => {
                    self.pos += 2;
                    self.push(Kind::Template, start, line);
                    self.template_depths.push(self.brace_depth);
                    return;
                }
                _ => {}
            }
            self.pos += 1;
        }
        self.pos = self.pos.min(self.bytes.len());
        self.push(Kind::Template, start, line);
    }

    fn number(&mut self) {
        let (start, line) = (self.pos, self.line);
        while self.pos < self.bytes.len() {
            let c = self.bytes[self.pos];
            let exponent_sign = matches!(c, b'+' | b'-')
                && matches!(self.bytes[self.pos - 1], b'e' | b'E')
                && !self.src[start..self.pos].starts_with("0x");
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exponent_sign {
                self.pos += 1;
            } else {
                break;
            }
        }
        self.push(Kind::Number, start, line);
    }

    fn ident(&mut self) {
        let (start, line) = (self.pos, self.line);
        while self.pos < self.bytes.len() && is_ident_part(self.bytes[self.pos]) {
            self.pos += 1;
        }
        self.push(Kind::Ident, start, line);
    }
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80
}

fn is_ident_part(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<&str> {
        tokenize(src).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn comments_and_strings_hide_their_contents() {
        assert_eq!(
            texts("a // const x\n/* let y */ 'const' \"let\""),
            ["a", "'const'", "\"let\""]
        );
    }

    #[test]
    fn template_substitutions_are_tokenized() {
        let toks = tokenize("`a${ {b:1}.b }c${d}`");
        let kinds: Vec<_> = toks.iter().map(|t| (t.kind, t.text)).collect();
        assert_eq!(kinds[0], (Kind::Template, "`a${"));
        assert!(kinds.contains(&(Kind::Ident, "d")));
        assert_eq!(kinds.last().unwrap(), &(Kind::Template, "}`"));
    }

    #[test]
    fn regex_versus_division() {
        let toks = tokenize("x = a / b; y = /ab+c/g.test(s)");
        assert!(toks.iter().any(|t| t.is_punct("/")));
        assert!(toks
            .iter()
            .any(|t| t.kind == Kind::Regex && t.text == "/ab+c/g"));
    }

    #[test]
    fn a_conditional_before_a_decimal_is_not_optional_chaining() {
        assert_eq!(texts("a?.5:b"), ["a", "?", ".5", ":", "b"]);
        assert_eq!(texts("a?.b"), ["a", "?.", "b"]);
    }

    #[test]
    fn lines_are_counted() {
        let toks = tokenize("a\n/*\n*/\nb");
        assert_eq!(toks[1].line, 4);
    }

    #[test]
    fn numbers_keep_separators_and_exponents() {
        assert_eq!(texts("1_000 + 1e-5"), ["1_000", "+", "1e-5"]);
    }
}
