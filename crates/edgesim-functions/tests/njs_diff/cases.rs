//! The differential cases: tables of inputs per API, crossed, plus random inputs from a fixed
//! seed. Every case is a function body (ES5 plus what both runtimes accept, so it parses in
//! njs and in the runtimes it is marked for).

/// Which of our runtimes a case applies to (njs 0.7.9 has the APIs of both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    Both,
    /// `cloudfront-js-1.0`: byte strings (`String.bytesFrom`, `toUTF8`…), no Buffer.
    V1,
    /// `cloudfront-js-2.0`: Buffer, TextEncoder/TextDecoder, atob/btoa.
    V2,
}

#[derive(Debug, Clone)]
pub struct Case {
    /// The API family, for the report and for allow-list prefixes.
    pub group: String,
    pub body: String,
    pub only: Only,
}

struct Cases(Vec<Case>);

impl Cases {
    /// A case returning `expr`.
    fn e(&mut self, group: &str, only: Only, expr: impl AsRef<str>) {
        self.s(group, only, format!("return {};", expr.as_ref()));
    }
    /// A case made of statements (it returns what it wants to compare).
    fn s(&mut self, group: &str, only: Only, body: impl Into<String>) {
        self.0.push(Case {
            group: group.to_owned(),
            body: body.into(),
            only,
        });
    }
}

/// A small deterministic generator (xorshift64*), so the random cases are the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    /// A JS string literal mixing ASCII, URL syntax, Latin-1, BMP, astral and lone surrogates.
    fn string(&mut self, max: u64) -> String {
        let len = self.below(max + 1);
        let mut s = String::from("'");
        for _ in 0..len {
            let unit: u32 = match self.below(10) {
                0..=3 => 0x20 + self.below(0x5f) as u32,
                4 => [0x25, 0x2b, 0x26, 0x3d, 0x3f, 0x2f, 0x23][self.below(7) as usize],
                5 => 0x80 + self.below(0x80) as u32,
                6 => 0x100 + self.below(0x700) as u32,
                7 => 0x3000 + self.below(0x5000) as u32,
                8 => {
                    // A surrogate pair (astral character).
                    let hi = 0xD800 + self.below(0x400) as u32;
                    let lo = 0xDC00 + self.below(0x400) as u32;
                    s.push_str(&format!("\\u{hi:04x}\\u{lo:04x}"));
                    continue;
                }
                _ => 0xD800 + self.below(0x800) as u32,
            };
            s.push_str(&format!("\\u{unit:04x}"));
        }
        s.push('\'');
        s
    }
    /// A JS array literal of byte values.
    fn bytes(&mut self, max: u64) -> String {
        let len = self.below(max + 1);
        let items: Vec<String> = (0..len)
            .map(|_| {
                // Bias towards UTF-8 structure so decoders meet valid and broken sequences.
                match self.below(4) {
                    0 => self.below(0x80),
                    1 => 0x80 + self.below(0x40),
                    2 => 0xC0 + self.below(0x40),
                    _ => self.below(256),
                }
                .to_string()
            })
            .collect();
        format!("[{}]", items.join(","))
    }
    /// A string literal over an alphabet (for decoders).
    fn of_alphabet(&mut self, alphabet: &str, max: u64) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        let len = self.below(max + 1);
        let s: String = (0..len)
            .map(|_| chars[self.below(chars.len() as u64) as usize])
            .collect();
        format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// Strings that every encoder and decoder meets.
const STRINGS: &[&str] = &[
    "''",
    "'a'",
    "'hello world'",
    "'A-Za-z0-9+/='",
    "'\\u00e9t\\u00e9'",
    "'\\u65e5\\u672c\\u8a9e'",
    "'\\ud83d\\ude00'",
    "'\\ud800'",
    "'x\\udc00y'",
    "'a\\u0000b'",
    "'\\u00ff\\u00fe\\u0080'",
    "'a b&c=d'",
    "'%41%zz%'",
    "'~!*()\\''",
    "'line\\nbreak\\ttab'",
    "'\\u20ac100'",
];

const ENCODINGS: &[&str] = &[
    "'utf8'",
    "'utf-8'",
    "'hex'",
    "'base64'",
    "'base64url'",
    "'latin1'",
    "'binary'",
    "'ascii'",
    "'UTF8'",
    "'HEX'",
    "undefined",
    "'bogus'",
];

const HEX_INPUTS: &[&str] = &[
    "''",
    "'00'",
    "'00ff7f80'",
    "'ABCDEF'",
    "'abc'",
    "'zz11'",
    "'0G'",
    "'12 34'",
    "'1'",
    "'deadbeefcafe'",
    "'-1'",
];

const BASE64_INPUTS: &[&str] = &[
    "''",
    "'aGk='",
    "'aGk'",
    "'a G\\nk'",
    "'bG9nZ2luZw%3D%3D'",
    "'bG9nZ2luZw=='",
    "'-_-_'",
    "'+/+/'",
    "'aGk=aGk='",
    "'===='",
    "'YQ'",
    "'YWI'",
    "'@@@'",
    "'aGVsbG8gd29ybGQ'",
    "'8J+YgA=='",
    "'8J-YgA'",
    "'YW\\u00e9Jj'",
    "'Y'",
    "'YWJj.ZGVm'",
    "'eyJhbGciOiJIUzI1NiJ9'",
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.1",
    "0.5",
    "1.5",
    "2.5",
    "-2.5",
    "123.456",
    "1e21",
    "1e-7",
    "123456789012345680000",
    "0.000001",
    "1.005",
    "NaN",
    "Infinity",
    "-Infinity",
    "9007199254740993",
    "5e-324",
    "1.7976931348623157e308",
    "255",
    "4294967295",
    "0.1 + 0.2",
];

pub fn all() -> Vec<Case> {
    let mut c = Cases(Vec::new());
    let mut rng = Rng(0x005e_ed0f_1a2b_3c4d);
    buffer(&mut c, &mut rng);
    byte_strings(&mut c, &mut rng);
    text_and_base64(&mut c, &mut rng);
    crypto(&mut c, &mut rng);
    querystring(&mut c, &mut rng);
    json(&mut c);
    numbers(&mut c, &mut rng);
    dates(&mut c);
    strings_arrays_regexps(&mut c);
    uri(&mut c, &mut rng);
    errors(&mut c);
    c.0
}

fn buffer(c: &mut Cases, rng: &mut Rng) {
    use Only::V2;
    for s in STRINGS {
        for enc in ENCODINGS {
            c.e(
                "buffer.from",
                V2,
                format!("Buffer.from({s}, {enc}).toString('hex')"),
            );
        }
        c.e("buffer.byteLength", V2, format!("Buffer.byteLength({s})"));
        for enc in ["'hex'", "'base64'", "'base64url'", "'latin1'"] {
            c.e(
                "buffer.byteLength",
                V2,
                format!("Buffer.byteLength({s}, {enc})"),
            );
        }
    }
    for bytes in [
        "[]",
        "[0]",
        "[104,105]",
        "[0,255,128,127]",
        "[195,169]",
        "[240,159,152,128]",
        "[255,254]",
        "[192,128]",
        "[237,160,128]",
        "[244,144,128,128]",
        "[226,130]",
        "[97,226,130,98]",
        "[251,255,191]",
        "[62,63,64]",
    ] {
        for enc in ENCODINGS {
            c.e(
                "buffer.toString",
                V2,
                format!("Buffer.from({bytes}).toString({enc})"),
            );
        }
    }
    for h in HEX_INPUTS {
        c.e(
            "buffer.hex",
            V2,
            format!("Buffer.from({h}, 'hex').toString('hex')"),
        );
    }
    for b in BASE64_INPUTS {
        for enc in ["'base64'", "'base64url'"] {
            c.e(
                "buffer.base64",
                V2,
                format!("Buffer.from({b}, {enc}).toString('hex')"),
            );
            c.e(
                "buffer.base64",
                V2,
                format!("Buffer.byteLength({b}, {enc})"),
            );
        }
        c.e(
            "buffer.base64",
            V2,
            format!("Buffer.from({b}, 'base64url').toString()"),
        );
    }
    for arg in [
        "[256, -1, 1.5, '7', 'x', null]",
        "new Uint8Array([1,2,3])",
        "new Uint16Array([258, 3])",
        "new Uint8Array([1,2,3,4]).buffer",
        "Buffer.from('abc')",
        "{length: 2, 0: 5, 1: 6}",
        "'abc'",
    ] {
        c.e("buffer.from", V2, format!("Buffer.from({arg})"));
    }
    for (a, b) in [
        ("[1,2,3]", "[1,2,3]"),
        ("[1,2]", "[1,2,3]"),
        ("[2]", "[1,9]"),
        ("[]", "[]"),
        ("[255]", "[0]"),
        ("[1,2,3]", "[1,2]"),
    ] {
        c.e(
            "buffer.compare",
            V2,
            format!("Buffer.compare(Buffer.from({a}), Buffer.from({b}))"),
        );
        c.e(
            "buffer.compare",
            V2,
            format!("Buffer.from({a}).compare(Buffer.from({b}))"),
        );
        c.e(
            "buffer.compare",
            V2,
            format!("Buffer.from({a}).equals(Buffer.from({b}))"),
        );
    }
    for list in [
        "[]",
        "[Buffer.from('a')]",
        "[Buffer.from('ab'), Buffer.from('cd')]",
        "[Buffer.from('ab'), new Uint8Array([1,2])]",
    ] {
        c.e("buffer.concat", V2, format!("Buffer.concat({list})"));
        for total in ["0", "1", "3", "10"] {
            c.e(
                "buffer.concat",
                V2,
                format!("Buffer.concat({list}, {total})"),
            );
        }
    }
    let ranges = [
        "",
        "1",
        "-1",
        "0, 2",
        "1, -1",
        "-3, -1",
        "2, 1",
        "0, 100",
        "100",
        "-100",
        "1.5, 3.7",
        "undefined, 2",
        "NaN, 2",
    ];
    for r in ranges {
        c.e(
            "buffer.slice",
            V2,
            format!("Buffer.from('abcdef').slice({r})"),
        );
        c.e(
            "buffer.slice",
            V2,
            format!("Buffer.from('abcdef').subarray({r})"),
        );
        c.e(
            "buffer.slice",
            V2,
            format!("Buffer.from('abcdef').toString('utf8', {r})"),
        );
    }
    c.s(
        "buffer.slice",
        V2,
        "var b = Buffer.from('abc'); var s = b.slice(1); s[0] = 122; return b.toString();",
    );
    for (v, args) in [
        ("'c'", ""),
        ("'cd'", ""),
        ("'z'", ""),
        ("99", ""),
        ("'c'", ", 3"),
        ("'a'", ", -2"),
        ("Buffer.from('de')", ""),
        ("''", ""),
        ("'c'", ", 10"),
    ] {
        for m in ["indexOf", "lastIndexOf", "includes"] {
            c.e(
                "buffer.search",
                V2,
                format!("Buffer.from('abcdabcd').{m}({v}{args})"),
            );
        }
    }
    for args in [
        "0",
        "'ab'",
        "'ab', 1",
        "'ab', 1, 3",
        "'6162', 'hex'",
        "'6162', 0, 4, 'hex'",
        "257",
        "''",
    ] {
        c.e("buffer.fill", V2, format!("Buffer.alloc(5).fill({args})"));
    }
    for args in ["3", "3, 1", "3, 'ab'", "3, 'YWI=', 'base64'", "0", "2, ''"] {
        c.e("buffer.alloc", V2, format!("Buffer.alloc({args})"));
    }
    for args in [
        "'hi'",
        "'hi', 2",
        "'hi', 4",
        "'hello', 1, 2",
        "'6869', 0, 'hex'",
        "'\\u00e9\\u00e9', 3",
        "'aGk=', 'base64'",
    ] {
        c.s(
            "buffer.write",
            V2,
            format!("var b = Buffer.alloc(5); var n = b.write({args}); return [n, b];"),
        );
    }
    for args in ["", "1", "1, 2", "1, 0, 2", "0, 3, 100"] {
        c.s(
            "buffer.copy",
            V2,
            format!("var t = Buffer.alloc(4); var n = Buffer.from('abc').copy(t, {args}); return [n, t];"),
        );
    }
    let bytes = "[1, 2, 3, 4, 250, 251, 252, 253, 254, 255]";
    let reads = [
        ("readUInt8", 1),
        ("readInt8", 1),
        ("readUInt16LE", 2),
        ("readUInt16BE", 2),
        ("readInt16LE", 2),
        ("readInt16BE", 2),
        ("readUInt32LE", 4),
        ("readUInt32BE", 4),
        ("readInt32LE", 4),
        ("readInt32BE", 4),
        ("readFloatLE", 4),
        ("readFloatBE", 4),
        ("readDoubleLE", 8),
        ("readDoubleBE", 8),
    ];
    for (m, width) in reads {
        for off in ["", "0", "1", "4", "6"] {
            c.e(
                "buffer.read",
                V2,
                format!("Buffer.from({bytes}).{m}({off})"),
            );
        }
        c.e(
            "buffer.read",
            V2,
            format!("Buffer.from({bytes}).{m}({})", 10 - width + 1),
        );
        c.e("buffer.read", V2, format!("Buffer.from({bytes}).{m}(-1)"));
    }
    for (m, w) in [
        ("readUIntLE", "3"),
        ("readUIntBE", "3"),
        ("readIntLE", "6"),
        ("readIntBE", "2"),
    ] {
        c.e(
            "buffer.read",
            V2,
            format!("Buffer.from({bytes}).{m}(1, {w})"),
        );
    }
    let writes = [
        ("writeUInt8", "255"),
        ("writeInt8", "-128"),
        ("writeUInt16LE", "65535"),
        ("writeUInt16BE", "4660"),
        ("writeInt16LE", "-2"),
        ("writeInt16BE", "-32768"),
        ("writeUInt32LE", "4294967295"),
        ("writeUInt32BE", "305419896"),
        ("writeInt32LE", "-1"),
        ("writeInt32BE", "-2147483648"),
        ("writeFloatLE", "1.5"),
        ("writeFloatBE", "-0.1"),
        ("writeDoubleLE", "3.141592653589793"),
        ("writeDoubleBE", "-1e300"),
    ];
    for (m, v) in writes {
        for off in ["", "0", "3"] {
            c.s(
                "buffer.write",
                V2,
                format!(
                    "var b = Buffer.alloc(12); var r = b.{m}({v}{}{off}); return [r, b];",
                    if off.is_empty() { "" } else { ", " }
                ),
            );
        }
        c.s(
            "buffer.write",
            V2,
            format!("var b = Buffer.alloc(4); return b.{m}({v}, 3);"),
        );
    }
    c.s(
        "buffer.write",
        V2,
        "var b = Buffer.alloc(2); return b.writeUInt8(256);",
    );
    c.s(
        "buffer.write",
        V2,
        "var b = Buffer.alloc(2); return b.writeInt8(200);",
    );
    for m in ["swap16", "swap32", "swap64"] {
        for n in [8, 3] {
            c.e(
                "buffer.swap",
                V2,
                format!("Buffer.from([1,2,3,4,5,6,7,8].slice(0, {n})).{m}()"),
            );
        }
    }
    for e in [
        "Buffer.from('hi').toJSON()",
        "JSON.stringify(Buffer.from('hi'))",
        "Buffer.isBuffer(Buffer.alloc(1))",
        "Buffer.isBuffer(new Uint8Array(1))",
        "Buffer.isBuffer('a')",
        "Buffer.isEncoding('utf8')",
        "Buffer.isEncoding('UTF-8')",
        "Buffer.isEncoding('base64url')",
        "Buffer.isEncoding('latin1')",
        "Buffer.isEncoding('nope')",
        "Buffer.isEncoding(1)",
        "Buffer.from('abc')[1]",
        "Buffer.from('abc').length",
        "Buffer.from('abc') instanceof Uint8Array",
        "typeof Buffer",
        "Buffer.from('ab').toString('hex', 1)",
        "String(Buffer.from('abc'))",
        "Buffer.from('abc') + ''",
        "Buffer.alloc(3).fill('a').toString()",
        "Buffer.from(Buffer.from('xyz').buffer).length",
        "Buffer.from('abc').reverse()",
        "Buffer.from([3,1,2]).sort()",
        "Buffer.from('abc').map(function (x) { return x + 1; })",
        "Buffer.from('abc').readUInt16LE(0.5)",
    ] {
        c.e("buffer.misc", V2, e);
    }
    for i in 0..60 {
        let bytes = rng.bytes(24);
        let enc = rng.pick(&[
            "'utf8'",
            "'hex'",
            "'base64'",
            "'base64url'",
            "'latin1'",
            "'ascii'",
        ]);
        c.e(
            "buffer.random",
            V2,
            format!("Buffer.from({bytes}).toString({enc})"),
        );
        let s = rng.string(12);
        let enc = rng.pick(&["'utf8'", "'latin1'", "'ascii'", "'hex'", "'base64'"]);
        c.e(
            "buffer.random",
            V2,
            format!("Buffer.from({s}, {enc}).toString('hex')"),
        );
        if i % 2 == 0 {
            let b = rng.of_alphabet("ABCXYZabcxyz0189+/-_= %.", 16);
            c.e(
                "buffer.random",
                V2,
                format!("Buffer.from({b}, 'base64').toString('hex')"),
            );
            c.e(
                "buffer.random",
                V2,
                format!("Buffer.from({b}, 'base64url').toString('hex')"),
            );
        }
    }
}

fn byte_strings(c: &mut Cases, rng: &mut Rng) {
    use Only::V1;
    for s in STRINGS {
        c.e("bytes.toUTF8", V1, format!("{s}.toUTF8()"));
        c.e("bytes.toBytes", V1, format!("{s}.toBytes()"));
        c.e("bytes.fromUTF8", V1, format!("{s}.fromUTF8()"));
        c.e("bytes.fromBytes", V1, format!("{s}.fromBytes()"));
        c.e("bytes.toUTF8", V1, format!("{s}.toUTF8().length"));
        c.e("bytes.toUTF8", V1, format!("{s}.toUTF8().fromUTF8()"));
        c.e("bytes.toUTF8", V1, format!("{s}.toUTF8(1, 3)"));
        c.e("bytes.toBytes", V1, format!("{s}.toBytes(1)"));
    }
    for h in HEX_INPUTS {
        c.e(
            "bytes.bytesFrom",
            V1,
            format!("String.bytesFrom({h}, 'hex')"),
        );
    }
    for b in BASE64_INPUTS {
        c.e(
            "bytes.bytesFrom",
            V1,
            format!("String.bytesFrom({b}, 'base64')"),
        );
        c.e(
            "bytes.bytesFrom",
            V1,
            format!("String.bytesFrom({b}, 'base64url')"),
        );
    }
    for arr in [
        "[]",
        "[104, 105]",
        "[256, 257]",
        "[-1]",
        "['65', 'x']",
        "[1.9]",
        "new Uint8Array([200, 1])",
    ] {
        c.e("bytes.bytesFrom", V1, format!("String.bytesFrom({arr})"));
    }
    for e in [
        "String.bytesFrom('abc', 'utf8')",
        "String.bytesFrom('abc')",
        "String.bytesFrom(1)",
        "'\\u00c3\\u00a9'.fromUTF8()",
        "'\\u00c3'.fromUTF8()",
        "'\\u00c3\\u00a9x'.fromUTF8(0, 2)",
        "'abc'.fromBytes(1, 2)",
        "'\\u0100'.fromBytes()",
        "String.bytesFrom([195, 169]).fromUTF8()",
        "typeof String.prototype.toUTF8",
        "typeof String.prototype.replaceAll",
    ] {
        c.e("bytes.misc", V1, e);
    }
    for _ in 0..40 {
        let bytes = rng.bytes(16);
        c.e(
            "bytes.random",
            V1,
            format!("String.bytesFrom({bytes}).fromUTF8()"),
        );
        let s = rng.string(10);
        c.e("bytes.random", V1, format!("{s}.toUTF8()"));
    }
}

fn text_and_base64(c: &mut Cases, rng: &mut Rng) {
    use Only::V2;
    for s in STRINGS {
        c.e("text.encode", V2, format!("new TextEncoder().encode({s})"));
        c.s(
            "text.encodeInto",
            V2,
            format!("var u = new Uint8Array(4); var r = new TextEncoder().encodeInto({s}, u); return [r.read, r.written, u];"),
        );
    }
    for bytes in [
        "[]",
        "[104,105]",
        "[239,187,191,104]",
        "[195,169]",
        "[255]",
        "[195]",
        "[240,159,152,128]",
        "[237,160,128]",
        "[97,0,98]",
        "[192,175]",
    ] {
        c.e(
            "text.decode",
            V2,
            format!("new TextDecoder().decode(new Uint8Array({bytes}))"),
        );
        c.e(
            "text.decode",
            V2,
            format!(
                "new TextDecoder('utf-8', {{ignoreBOM: true}}).decode(new Uint8Array({bytes}))"
            ),
        );
        c.e(
            "text.decode",
            V2,
            format!("new TextDecoder('utf-8', {{fatal: true}}).decode(new Uint8Array({bytes}))"),
        );
        c.e(
            "text.decode",
            V2,
            format!("new TextDecoder().decode(Buffer.from({bytes}))"),
        );
    }
    for e in [
        "new TextDecoder().encoding",
        "new TextDecoder('UTF-8').encoding",
        "new TextDecoder('utf8').encoding",
        "new TextDecoder().fatal",
        "new TextDecoder('utf-8', {fatal: true}).fatal",
        "new TextDecoder().ignoreBOM",
        "new TextDecoder('latin1')",
        "new TextDecoder('utf-16le')",
        "new TextEncoder().encoding",
        "new TextDecoder().decode()",
        "new TextDecoder().decode(new Uint8Array([104, 105]).buffer)",
        "new TextEncoder().encode()",
        "new TextEncoder().encode(123)",
    ] {
        c.e("text.misc", V2, e);
    }
    for b in BASE64_INPUTS {
        c.e("atob", V2, format!("atob({b})"));
    }
    for e in [
        "atob('YQ==')",
        "atob(' YQ== ')",
        "atob('YQ=')",
        "atob('Y')",
        "atob('YQ===')",
        "atob(undefined)",
        "atob(null)",
        "atob(12)",
        "atob()",
    ] {
        c.e("atob", V2, e);
    }
    for s in STRINGS {
        c.e("btoa", V2, format!("btoa({s})"));
    }
    for e in ["btoa()", "btoa(undefined)", "btoa(null)", "btoa(123)"] {
        c.e("btoa", V2, e);
    }
    for _ in 0..30 {
        let b = rng.of_alphabet("ABCabc012+/=", 12);
        c.e("atob.random", V2, format!("atob({b})"));
    }
}

fn crypto(c: &mut Cases, rng: &mut Rng) {
    use Only::{Both, V2};
    let inputs = [
        "''",
        "'abc'",
        "'\\u00e9'",
        "'\\u65e5\\u672c'",
        "'\\ud83d\\ude00'",
        "'x'.repeat(200)",
    ];
    let algs = ["'md5'", "'sha1'", "'sha256'"];
    let encodings = ["'hex'", "'base64'", "'base64url'"];
    for alg in algs {
        for input in inputs {
            for enc in encodings {
                c.e(
                    "crypto.hash",
                    Both,
                    format!("require('crypto').createHash({alg}).update({input}).digest({enc})"),
                );
            }
            for key in ["'key'", "''", "'k'.repeat(100)", "'\\u00e9'"] {
                let enc = encodings[input.len() % 3];
                c.e(
                    "crypto.hmac",
                    Both,
                    format!(
                        "require('crypto').createHmac({alg}, {key}).update({input}).digest({enc})"
                    ),
                );
            }
        }
        c.e(
            "crypto.hash",
            V2,
            format!("require('crypto').createHash({alg}).update('abc').digest()"),
        );
        c.e(
            "crypto.hash",
            V2,
            format!(
                "require('crypto').createHash({alg}).update(Buffer.from([1,2,255])).digest('hex')"
            ),
        );
        c.e("crypto.hmac", V2, format!("require('crypto').createHmac({alg}, Buffer.from([1,2])).update('abc').digest('hex')"));
        c.e(
            "crypto.hash",
            Both,
            format!("require('crypto').createHash({alg}).update('a').update('bc').digest('hex')"),
        );
    }
    for e in [
        "require('crypto').createHash('sha512')",
        "require('crypto').createHash('md4')",
        "require('crypto').createHash('SHA256').update('a').digest('hex')",
        "require('crypto').createHash()",
        "require('crypto').createHmac('sha256')",
        "require('crypto').createHash('sha256').digest('latin1')",
        "require('crypto').createHash('sha256').digest('binary')",
        "require('crypto').createHash('sha256').digest('foo')",
        "require('crypto').createHmac('sha1', 'k').digest('foo')",
        "require('crypto').createHash('sha256').update(1)",
        "require('crypto').createHash('sha256').update(null)",
        "require('crypto').createHash('sha256').update('abc', 'hex').digest('hex')",
        "require('crypto').createHash('sha256').update('YWJj', 'base64').digest('hex')",
        "require('crypto').createHash('sha256').update('abc', 'bogus').digest('hex')",
        "typeof require('crypto').createHash('md5').update",
        "typeof require('crypto')",
        "Object.keys(require('crypto')).sort().join()",
    ] {
        c.e("crypto.misc", Both, e);
    }
    c.s(
        "crypto.misc",
        Both,
        "var h = require('crypto').createHash('md5'); h.digest('hex'); return h.digest('hex');",
    );
    c.s(
        "crypto.misc",
        Both,
        "var h = require('crypto').createHash('md5'); h.digest('hex'); return h.update('a');",
    );
    c.s(
        "crypto.misc",
        Both,
        "var h = require('crypto').createHmac('md5', 'k'); h.digest('hex'); return h.digest('hex');",
    );
    for _ in 0..30 {
        let s = rng.string(20);
        let alg = rng.pick(&algs);
        let enc = rng.pick(&encodings);
        c.e(
            "crypto.random",
            Both,
            format!("require('crypto').createHash({alg}).update({s}).digest({enc})"),
        );
        let k = rng.string(8);
        c.e(
            "crypto.random",
            Both,
            format!("require('crypto').createHmac({alg}, {k}).update({s}).digest({enc})"),
        );
    }
}

fn querystring(c: &mut Cases, rng: &mut Rng) {
    use Only::Both;
    let parse_inputs = [
        "''",
        "'a=1'",
        "'a=1&b=2'",
        "'a=1&a=2&a=3'",
        "'a'",
        "'a='",
        "'=1'",
        "'&&a=1&&'",
        "'a=1=2'",
        "'a+b=c+d'",
        "'a%20b=c%20d'",
        "'%E6%97%A5=%E6%9C%AC'",
        "'a=%ZZ'",
        "'a=%E6%97'",
        "'a=%'",
        "'%=%'",
        "'a[]=1&a[]=2'",
        "'__proto__=1'",
        "'constructor=x'",
        "'a=1;b=2'",
        "'?a=1'",
        "'a=%C3%A9&b=%FF'",
        "'k=v&k'",
        "'a=b=c&d'",
        "'&'",
        "'='",
    ];
    for q in parse_inputs {
        c.e(
            "qs.parse",
            Both,
            format!("require('querystring').parse({q})"),
        );
        c.e(
            "qs.parse",
            Both,
            format!("require('querystring').decode({q})"),
        );
    }
    for (q, rest) in [
        ("'a:1;b:2'", "';', ':'"),
        ("'a=1&b=2&c=3'", "null, null, {maxKeys: 2}"),
        ("'a=1&b=2&c=3'", "'&', '=', {maxKeys: 0}"),
        ("'a=1&b=2'", "'&&'"),
        ("'a==1&&b==2'", "'&&', '=='"),
        (
            "'a=%41'",
            "null, null, {decodeURIComponent: function (s) { return s.toLowerCase(); }}",
        ),
        ("'a=1'", "undefined, undefined, {maxKeys: -1}"),
        ("'a=1&b=2'", "'', ''"),
    ] {
        c.e(
            "qs.parse",
            Both,
            format!("require('querystring').parse({q}, {rest})"),
        );
    }
    for obj in [
        "{}",
        "{a: 1}",
        "{a: 'x y', b: '\\u00e9'}",
        "{a: [1, 2]}",
        "{a: []}",
        "{a: true, b: null, c: undefined}",
        "{a: {}}",
        "{a: NaN, b: Infinity, c: -0}",
        "{'a b': 'c&d=e'}",
        "{a: '\\ud83d\\ude00'}",
        "{a: '\\ud800'}",
        "{a: [null, 'x', {}]}",
        "{'': ''}",
        "{a: 1.5e300}",
        "{a: \"~!*()'-_.\"}",
    ] {
        c.e(
            "qs.stringify",
            Both,
            format!("require('querystring').stringify({obj})"),
        );
        c.e(
            "qs.stringify",
            Both,
            format!("require('querystring').encode({obj}, ';', ':')"),
        );
    }
    for e in [
        "require('querystring').stringify('abc')", "require('querystring').stringify(null)",
        "require('querystring').stringify({a: 'b'}, null, null, {encodeURIComponent: function (s) { return s.toUpperCase(); }})",
        "require('querystring').parse(null)", "require('querystring').parse(123)",
        "typeof require('querystring').unescapeBuffer",
        "Object.keys(require('querystring')).sort().join()",
    ] {
        c.e("qs.misc", Both, e);
    }
    for s in STRINGS.iter().chain(&[
        "'a+b'",
        "'%2B'",
        "'%u0041'",
        "'%E6%97%A5'",
        "'%41%4'",
        "'100%'",
    ]) {
        c.e(
            "qs.escape",
            Both,
            format!("require('querystring').escape({s})"),
        );
        c.e(
            "qs.unescape",
            Both,
            format!("require('querystring').unescape({s})"),
        );
    }
    for _ in 0..40 {
        let k = rng.of_alphabet("ab=&%+2E9AF ", 14);
        c.e(
            "qs.random",
            Both,
            format!("require('querystring').parse({k})"),
        );
        let s = rng.string(8);
        c.e(
            "qs.random",
            Both,
            format!("require('querystring').stringify({{k: {s}}})"),
        );
    }
}

fn json(c: &mut Cases) {
    use Only::Both;
    for text in [
        "'{\"a\":1}'",
        "'[1,2,3]'",
        "'\"abc\"'",
        "'1e5'",
        "'-0'",
        "'null'",
        "'true'",
        "' 1 '",
        "'{\"__proto__\":1}'",
        "'\"\\\\u00e9\"'",
        "'\"\\\\ud800\"'",
        "'{\"a\":{\"b\":[{}]}}'",
        "'{\"a\":1,\"a\":2}'",
        "'[]'",
        "'1.5e-3'",
        "'\"\\\\/\"'",
        // Invalid JSON: njs says what and where.
        "'{bad'",
        "''",
        "'{'",
        "'[1,]'",
        "'{\"a\":1,}'",
        "'tru'",
        "'\"abc'",
        "'1 2'",
        "'{a:1}'",
        "\"'a'\"",
        "'01'",
        "'1.'",
        "'.5'",
        "'+1'",
        "'[1 2]'",
        "'{\"a\" 1}'",
        "'\"\\t\"'",
        "'nul'",
        "'{\"a\":}'",
        "'[,1]'",
        "'\"\\\\x41\"'",
        "'NaN'",
        "'undefined'",
        "'1e'",
        "'-'",
        "'\"\\\\u12\"'",
        "'{\"a\":1}}'",
        "' '",
        "'[\"a\",]'",
        "'{,}'",
    ] {
        c.e("json.parse", Both, format!("JSON.parse({text})"));
    }
    for e in [
        "JSON.parse(undefined)",
        "JSON.parse(null)",
        "JSON.parse(1)",
        "JSON.parse()",
        "JSON.parse('[1,2]', function (k, v) { return typeof v === 'number' ? v * 2 : v; })",
        "JSON.parse('{\"a\":{\"b\":1}}', function (k, v) { return k === 'b' ? undefined : v; })",
    ] {
        c.e("json.parse", Both, e);
    }
    for v in [
        "{a: 1, b: [1, 'x', null], c: {d: true}}",
        "'\\u00e9\\n\\u2028'",
        "'\\ud800'",
        "[undefined, function () {}, NaN]",
        "{a: undefined, b: function () {}}",
        "new Date(0)",
        "-0",
        "1e21",
        "0.1",
        "[new Error('x')]",
        "{toJSON: function () { return 'j'; }}",
        "'\\u0007\\u001f\"\\\\'",
        "{1: 'a', b: 'c', 0: 'd'}",
        "[[[[]]]]",
        "Infinity",
        "null",
        "undefined",
        "/re/g",
        "[1, [2, [3]]]",
    ] {
        c.e("json.stringify", Both, format!("JSON.stringify({v})"));
        c.e(
            "json.stringify",
            Both,
            format!("JSON.stringify({v}, null, 2)"),
        );
    }
    for e in [
        "JSON.stringify({a: 1, b: 2}, ['b'])", "JSON.stringify({a: 1}, null, '--')", "JSON.stringify({a: 1}, null, 20)",
        "JSON.stringify({a: 1, b: 'x'}, function (k, v) { return typeof v === 'number' ? v + 1 : v; })",
        "JSON.stringify([1], null, '')", "JSON.stringify({a: [1, {b: 2}]}, null, '\\t')",
    ] {
        c.e("json.stringify", Both, e);
    }
    c.s(
        "json.stringify",
        Both,
        "var o = {}; o.o = o; return JSON.stringify(o);",
    );
    c.s(
        "json.stringify",
        Both,
        "var a = []; a.push(a); return JSON.stringify(a);",
    );
}

fn numbers(c: &mut Cases, rng: &mut Rng) {
    use Only::Both;
    for n in NUMBERS {
        c.e("number.toString", Both, format!("String({n})"));
        for d in ["0", "2", "5", "20"] {
            c.e("number.toFixed", Both, format!("({n}).toFixed({d})"));
        }
        for p in ["1", "3", "10", "21"] {
            c.e(
                "number.toPrecision",
                Both,
                format!("({n}).toPrecision({p})"),
            );
        }
        for d in ["", "0", "3"] {
            c.e(
                "number.toExponential",
                Both,
                format!("({n}).toExponential({d})"),
            );
        }
        for r in ["2", "16", "36"] {
            c.e("number.toString", Both, format!("({n}).toString({r})"));
        }
    }
    for e in [
        "(1).toFixed(101)",
        "(1).toFixed(-1)",
        "(1).toPrecision(0)",
        "(1).toPrecision(101)",
        "(1).toExponential(101)",
        "(1).toString(1)",
        "(1).toString(37)",
        "(255).toString(16.5)",
        "(1).toFixed()",
        "(0.000001).toFixed(7)",
        "(123.456).toFixed(1)",
        "(1e21).toFixed(2)",
    ] {
        c.e("number.errors", Both, e);
    }
    for s in [
        "'42'",
        "' 42 '",
        "'42px'",
        "'0x1F'",
        "'1e3'",
        "'-0'",
        "''",
        "'abc'",
        "'  -12.5e-1xyz'",
        "'Infinity'",
        "'0b101'",
        "'0o17'",
        "'.5'",
        "'5.'",
        "'1_000'",
        "'\\u00a0 7'",
        "'08'",
    ] {
        c.e("number.parse", Both, format!("parseInt({s})"));
        c.e("number.parse", Both, format!("parseFloat({s})"));
        c.e("number.parse", Both, format!("Number({s})"));
        c.e("number.parse", Both, format!("parseInt({s}, 16)"));
    }
    for e in [
        "Number.MAX_SAFE_INTEGER",
        "Number.EPSILON",
        "Number.MIN_VALUE",
        "Number.isInteger(5.0)",
        "Number.isSafeInteger(Math.pow(2, 53))",
        "Math.round(-0.5)",
        "Math.round(2.5)",
        "Math.max()",
        "Math.min(1, '0')",
        "Math.pow(2, 0.5)",
        "2 ** 10",
        "Math.hypot(3, 4)",
        "Math.trunc(-4.7)",
        "Math.sign(-3)",
        "Math.cbrt(27)",
        "Math.clz32(1)",
        "Math.fround(5.5)",
        "Math.log10(1000)",
        "Math.imul(3, 4)",
        "(25).toString(36)",
        "0.1 * 3",
        "1 / 3",
        "100 / 3",
        "2e-7 * 1",
        "123e-20",
        "-1e-7",
        "Number('0x')",
        "(-1.5).toFixed(0)",
        "(1.45).toFixed(1)",
        "(8.345).toFixed(2)",
        "(0).toPrecision(3)",
        "(-0).toFixed(2)",
    ] {
        c.e("number.misc", Both, e);
    }
    for _ in 0..60 {
        let mantissa = rng.next() % 1_000_000_000;
        let exp = rng.below(40) as i64 - 20;
        let n = format!("{mantissa}e{exp}");
        match rng.below(4) {
            0 => c.e("number.random", Both, format!("String({n})")),
            1 => c.e(
                "number.random",
                Both,
                format!("({n}).toFixed({})", rng.below(12)),
            ),
            2 => c.e(
                "number.random",
                Both,
                format!("({n}).toPrecision({})", 1 + rng.below(20)),
            ),
            _ => c.e(
                "number.random",
                Both,
                format!("({n}).toExponential({})", rng.below(15)),
            ),
        }
    }
}

fn dates(c: &mut Cases) {
    use Only::Both;
    for t in [
        "0",
        "1700000000000",
        "-1",
        "951782400000",
        "253402300799999",
        "-62198755200000",
        "1e15",
    ] {
        for m in [
            "toString",
            "toISOString",
            "toUTCString",
            "toDateString",
            "toTimeString",
            "toJSON",
            "getTime",
            "getDay",
            "getUTCFullYear",
            "getMonth",
            "getHours",
            "getTimezoneOffset",
            "valueOf",
            "toLocaleString",
            "toLocaleDateString",
            "toLocaleTimeString",
        ] {
            c.e("date.format", Both, format!("new Date({t}).{m}()"));
        }
        c.e("date.format", Both, format!("String(new Date({t}))"));
    }
    for s in [
        "'2024-01-02'",
        "'2024-01-02T03:04:05Z'",
        "'2024-01-02T03:04:05.678+02:00'",
        "'2024-01-02T03:04'",
        "'Tue, 02 Jan 2024 03:04:05 GMT'",
        "'Jan 2, 2024'",
        "'2024/01/02'",
        "'nonsense'",
        "''",
        "'2024-13-01'",
        "'2024-02-30'",
        "'+002024-01-02T00:00:00Z'",
        "'2024'",
        "'2024-01'",
        "'Tue Jan 02 2024 03:04:05 GMT+0000'",
        "'2024-01-02 03:04:05'",
    ] {
        c.e("date.parse", Both, format!("Date.parse({s})"));
        c.e("date.parse", Both, format!("new Date({s}).getTime()"));
    }
    for e in [
        "new Date(NaN).toString()",
        "new Date(NaN).getTime()",
        "new Date(NaN).toISOString()",
        "new Date(NaN).toUTCString()",
        "JSON.stringify(new Date(NaN))",
        "new Date(8.64e15 + 1).getTime()",
        "Date.UTC(2024, 0, 2, 3, 4, 5)",
        "Date.UTC(2024)",
        "new Date(2024, 0, 31).getDate()",
        "new Date(2024, 1, 29, 12).toISOString()",
        "new Date(0, 0).getFullYear()",
        "typeof Date.now()",
        "new Date(0).setUTCHours(25)",
        "new Date(1e12).getUTCDay()",
    ] {
        c.e("date.misc", Both, e);
    }
}

fn strings_arrays_regexps(c: &mut Cases) {
    use Only::{Both, V2};
    let s = "'The quick brown fox, jumps; over the lazy dog'";
    for e in [
        "split(' ')",
        "split(' ', 3)",
        "split('')",
        "split()",
        "split(/[,;]\\s*/)",
        "split(/(o)/)",
        "split('', 3)",
        "replace('o', '0')",
        "replace(/o/g, '0')",
        "replace(/(\\w+) (\\w+)/, '$2 $1')",
        "replace(/o/g, function (m, i) { return i; })",
        "replace('quick', '$&$&')",
        "replace(/x/, 'y')",
        "replace(/(?<first>\\w+)/, '[$<first>]')",
        "match(/o/g)",
        "match(/(qu)(ick)/)",
        "match(/zz/)",
        "search(/fox/)",
        "indexOf('o')",
        "lastIndexOf('o')",
        "indexOf('o', 20)",
        "slice(-8)",
        "slice(4, -4)",
        "substring(10, 4)",
        "substr(-3, 2)",
        "substr(4)",
        "charAt(100)",
        "charCodeAt(1)",
        "codePointAt(0)",
        "toUpperCase()",
        "toLowerCase()",
        "startsWith('The')",
        "endsWith('dog')",
        "includes('fox')",
        "padStart(50, '*')",
        "padEnd(48, 'ab')",
        "repeat(2).length",
        "concat(1, null)",
        "trim()",
        "normalize()",
        "localeCompare('The')",
        "at(-1)",
    ] {
        c.e("string.methods", Both, format!("{s}.{e}"));
    }
    for e in [
        "'  x  '.trimStart()",
        "'  x  '.trimEnd()",
        "'abc'.padStart(2)",
        "'abc'.padStart(6, '')",
        "String.fromCharCode(72, 105, 0x10000 + 65)",
        "String.fromCodePoint(0x1F600)",
        "'\\ud83d\\ude00'.length",
        "'\\ud83d\\ude00'.codePointAt(0)",
        "'\\ud83d\\ude00'.split('')",
        "'ABC'.toLowerCase()",
        "'\\u0130'.toLowerCase()",
        "'\\u00df'.toUpperCase()",
        "'\\u00e9'.normalize('NFD').length",
        "'a,b,,c'.split(',')",
        "'abc'.split('', -1)",
        "'x'.repeat(0)",
        "'abc'[1]",
        "'abc'[-1]",
        "'aXbX'.replace(/x/gi, '$$')",
        "'aaa'.lastIndexOf('a', -5)",
        "String(null) + String(undefined)",
        "'abc' < 'abd'",
        "'10' < '9'",
        "'a'.localeCompare('b')",
        "escape('a b\\u00e9\\u0100')",
        "unescape('%41%u0042%zz')",
        "'abc'.replaceAll('b', 'x')",
        "'aaa'.replaceAll('a', '$&b')",
        "'%'.repeat(3)",
        "'a-b_c d'.split(/[-_ ]/)",
        "'test'.match(/(?<t>t)(?<e>e)/).groups.e",
        "'abc'.substring(-1, 2)",
        "'abc'.slice(2, 1)",
        "'\\t\\n x'.trim()",
        "'a\\u00a0'.trim().length",
    ] {
        c.e("string.misc", Both, e);
    }
    let arr = "[3, 1, 10, 2, 'b', 'a', null, undefined, 20]";
    for e in [
        "sort()",
        "sort(function (a, b) { return a - b; })",
        "join()",
        "join('-')",
        "join(undefined)",
        "reverse()",
        "indexOf(10)",
        "lastIndexOf(null)",
        "includes(undefined)",
        "includes(NaN)",
        "slice(1, -1)",
        "concat([1], 2, [[3]])",
        "filter(function (x) { return typeof x === 'number'; })",
        "map(function (x) { return typeof x; })",
        "some(function (x) { return x === 'a'; })",
        "every(Boolean)",
        "find(function (x) { return x > 5; })",
        "findIndex(function (x) { return x === null; })",
        "toString()",
        "splice(1, 2)",
        "length",
        "fill(0, 2, 4)",
        "copyWithin(0, 3, 5)",
        "reduce(function (a, b) { return String(a) + b; })",
        "reduceRight(function (a, b) { return String(a) + b; }, '')",
        "flat()",
        "flatMap(function (x) { return [x, x]; }).length",
        "at(-1)",
        "findLast(function (x) { return x; })",
    ] {
        c.e("array.methods", Both, format!("{arr}.{e}"));
    }
    for e in [
        "Array.isArray([])",
        "Array.of(7, 8)",
        "typeof Array.from",
        "[1, [2, [3]]].toString()",
        "String([null, undefined, 1])",
        "[, 1].length",
        "Object.keys([, 1])",
        "[1, 2, 3].indexOf(2, -1)",
        "new Array(3).join('x')",
        "new Array(3, 4)",
        "[10, 9, 1].sort()",
        "['b', 'B', 'a', 'A'].sort()",
        "[1, 2, 3].push(4)",
        "[0, -0].indexOf(-0)",
        "[NaN].indexOf(NaN)",
        "Array.prototype.concat.call(1, 2)",
        "[5, 1, 4].sort(function () { return 0; })",
        "Object.keys({b: 1, a: 2, 1: 3, 0: 4})",
        "Object.entries({a: 1, b: [2]})",
        "Object.values({a: 1})",
        "Object.assign({}, {a: 1}, null, {b: 2})",
        "Object.getOwnPropertyNames('ab')",
        "JSON.stringify(Object.getOwnPropertyDescriptor({a: 1}, 'a'))",
        "Object.is(NaN, NaN)",
        "Object.freeze([1]).length",
        "typeof Object.getOwnPropertyDescriptors",
        "typeof Symbol",
        "typeof Promise",
        "typeof Map",
        "typeof WeakMap",
        "typeof Proxy",
        "typeof Reflect",
        "typeof URL",
        "typeof URLSearchParams",
        "typeof globalThis",
        "typeof process",
        "typeof setTimeout",
        "typeof console.log",
        "typeof console.error",
        "typeof require",
        "typeof module",
        "typeof exports",
    ] {
        c.e("array.misc", Both, e);
    }
    for (re, input) in [
        ("/(\\d+)-(\\d+)/", "'10-20'"),
        ("/a(b)?c/", "'ac'"),
        ("/^\\/api\\/(v\\d)\\//", "'/api/v2/users'"),
        ("/(?<year>\\d{4})-(?<month>\\d{2})/", "'2024-05'"),
        ("/x/g", "'axbx'"),
        ("/\\bfoo\\b/i", "'a FOO b'"),
        ("/[\\u00e9]/", "'caf\\u00e9'"),
        ("/\\.(jpg|png)$/", "'/a/b.png'"),
        ("/^$/", "''"),
        ("/(a)|(b)/", "'b'"),
        ("/\\s+/", "'a \\t b'"),
        ("/[^/]+$/", "'/a/b/c.html'"),
        ("/\\u{1F600}/u", "'\\ud83d\\ude00'"),
        ("/(?:a|b)+/y", "'abab'"),
        ("/(?=a)a/", "'a'"),
        ("/a.c/s", "'a\\nc'"),
    ] {
        c.e("regexp.exec", Both, format!("{re}.exec({input})"));
        c.e("regexp.test", Both, format!("{re}.test({input})"));
        c.e(
            "regexp.replace",
            Both,
            format!("{input}.replace({re}, '<$&>')"),
        );
        c.e(
            "regexp.props",
            Both,
            format!("[{re}.source, {re}.flags, {re}.global, String({re})]"),
        );
    }
    for e in [
        "new RegExp('a/b').source",
        "new RegExp('').toString()",
        "new RegExp('[')",
        "new RegExp('a', 'z')",
        "new RegExp('(?<n>a)\\\\k<n>').test('aa')",
        "/a/g.lastIndex",
        "'aaa'.match(/a/g).length",
        "'a1b2'.split(/\\d/)",
        "'x'.replace(/(y)?x/, '[$1]')",
        "RegExp.prototype.toString.call(/a/gim)",
        "new RegExp('a', 'gimsuy').flags",
        "/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)/.exec('abcdefghij')[10]",
        "'abc'.replace(/b/, '$0$1$`$\\'')",
    ] {
        c.e("regexp.misc", Both, e);
    }
    c.s("regexp.misc", Both, "var r = /a/g; r.test('aa'); return [r.lastIndex, r.test('aa'), r.lastIndex, r.test('aa')];");
    c.s(
        "string.template",
        Both,
        "var x = 3; return `a${x}b${x * 2}`;",
    );
    c.s(
        "string.template",
        Both,
        "var f = function (s) { return s.raw[0]; }; return f`a\\nb`;",
    );
    c.s(
        "syntax.arrow",
        Both,
        "var f = (a, b) => a + b; return f(1, 2);",
    );
    c.s(
        "syntax.rest",
        Both,
        "function f(a, ...r) { return r; } return f(1, 2, 3);",
    );
    c.s("syntax.spread", Both, "return Math.max(...[1, 5, 3]);");
    c.s(
        "syntax.block",
        V2,
        "let a = 1; { let a = 2; } const b = a; return b;",
    );
    c.s("syntax.label", Both, "var n = 0; outer: for (var i = 0; i < 3; i++) { for (var j = 0; j < 3; j++) { if (j === 1) continue outer; n++; } } return n;");
    c.s(
        "syntax.getter",
        Both,
        "var o = { get x() { return 5; } }; return o.x;",
    );
    c.s(
        "syntax.arguments",
        Both,
        "function f() { return arguments.length; } return f(1, 2, 3);",
    );
    c.s(
        "syntax.strict",
        Both,
        "return (function () { return this; })();",
    );
    c.s("syntax.strict", Both, "undeclared = 1; return undeclared;");
    c.s("syntax.typeof", Both, "return typeof undeclaredThing;");
}

fn uri(c: &mut Cases, rng: &mut Rng) {
    use Only::Both;
    let inputs = STRINGS.iter().copied().chain([
        "'http://example.com/a b?q=1&r=\\u00e9#frag'",
        "'%E6%97%A5%E6%9C%AC'",
        "'%E0%A4%A'",
        "'%'",
        "'%zz'",
        "'%C3%A9'",
        "'%ED%A0%80'",
        "'%F0%9F%98%80'",
        "'%C0%AF'",
        "'%25'",
        "'%2f%2F'",
        "'%FF'",
        "'%E6%97'",
        "'a%20b+c'",
        "';/?:@&=+$,#'",
        "\"-_.!~*'()\"",
    ]);
    for s in inputs {
        for f in [
            "encodeURIComponent",
            "encodeURI",
            "decodeURIComponent",
            "decodeURI",
            "escape",
            "unescape",
        ] {
            c.e("uri", Both, format!("{f}({s})"));
        }
    }
    for _ in 0..40 {
        let s = rng.of_alphabet("%0123456789ABCDEFabcdef/?#&=+ ", 12);
        c.e("uri.random", Both, format!("decodeURIComponent({s})"));
        let s = rng.string(6);
        c.e("uri.random", Both, format!("encodeURIComponent({s})"));
    }
}

fn errors(c: &mut Cases) {
    use Only::{Both, V2};
    for body in [
        // Property access on undefined/null names the property, as njs does.
        "var a; return a.b;",
        "var a = null; return a.b;",
        "var a; return a[0];",
        "var a; return a['key'];",
        "var a; var k = 'zz'; return a[k];",
        "var o = {}; return o.x.y.z;",
        "return 'abc'.match(/z/)[1];",
        "return JSON.parse('null').x;",
        "var e = {request: {headers: {}}}; return e.request.headers.host.value;",
        "var e = {request: {}}; return e.request.cookies.session.value;",
        "var a; a.b = 1;",
        "var a = null; a.b = 1;",
        "var a; return a.b.c();",
        "var o = {}; return o.f.call();",
        "var u; return u.length;",
        "var arr = [[1], undefined]; return arr[1][0];",
        "var o = {}; return o['a-b'].c;",
        "var m = 'x'.match(/(y)/); return m[1];",
        "var o = {a: null}; return o.a.b;",
        "var a; return a.b + 1;",
        "var o = {}; return o.a.b.c.d;",
        "var a; return a.toString();",
        // Calling a non-function.
        "var f; return f();",
        "var o = {}; return o.f();",
        "var o = {a: {}}; return o.a.b();",
        "var o = {}; return o['f']();",
        "var o = {}; var k = 'z'; return o[k]();",
        "var o = {f: 1}; return o.f();",
        "var s = 'x'; return s.foo();",
        "var a = []; return a.nope(1);",
        "return (void 0)();",
        "return (1)();",
        "return 'abc'();",
        "var x = 1; return new x();",
        "var o = {}; return new o.f();",
        "var o = {}; return o.f(1, 2);",
        "var e = {request: {}}; return e.request.uri.toLowerCase();",
        "return null.x();",
        "var o = {}; return o.a.b();",
        // Undefined names.
        "return undefinedFn();",
        "return undefinedVar;",
        "undefinedVar = 1; return 1;",
        "return new undefinedCtor();",
        "return URL;",
        "return new URL('http://a/');",
        "return URLSearchParams;",
        "return setTimeout;",
        "return typeof process === 'undefined' ? 'none' : process.env;",
        // Other built-in errors.
        "return Object.keys(undefined);",
        "return Object.keys(null);",
        "return [].reduce(function () {});",
        "return new Array(-1);",
        "return new Array(4294967296);",
        "var a = []; a.length = -1; return a;",
        "return 'x'.repeat(-1);",
        "return 'x'.repeat(Infinity);",
        "return null instanceof 1;",
        "return 1 in 2;",
        "var o = Object.freeze({a: 1}); o.a = 2; return o;",
        "var o = Object.freeze({}); o.b = 2; return o;",
        "delete Object.prototype; return 1;",
        "return Symbol() + '';",
        "return new ArrayBuffer(-1);",
        "return new Uint8Array(-1);",
        "return 'a'.normalize('x');",
        "return String.fromCodePoint(-1);",
        "return new Date(NaN).toISOString();",
        "return Object.defineProperty(1, 'a', {});",
        "return Object.create(1);",
        "return Object.setPrototypeOf(1, null);",
        "return [].at();",
        "return JSON.stringify({a: 1n});",
        "return BigInt(1.5);",
        "return new Proxy({}, {});",
        "return Reflect.ownKeys(1);",
        "return new Promise();",
        "return Promise.resolve().then(1);",
        "var a = 1; return a.b.c;",
        "return true.x.y;",
        "return Object.prototype.toString.call(null);",
        // Thrown values.
        "throw new Error('boom');",
        "throw new TypeError('t');",
        "throw 'str';",
        "throw 42;",
        "throw null;",
        "throw undefined;",
        "throw {a: 1};",
        "throw [1, 2];",
        "throw new RangeError();",
        "throw new Error();",
        "var e = new Error('m'); e.name = 'Custom'; throw e;",
        "throw new SyntaxError('s');",
        "throw new URIError('u');",
        "throw new EvalError('e');",
        "throw new ReferenceError('r');",
        "throw {name: 'X', message: 'y'};",
        "throw Object.create(null);",
        "try { null.x; } catch (e) { return e.name; }",
        "try { null.x; } catch (e) { return e instanceof TypeError; }",
        "try { decodeURI('%'); } catch (e) { return e.name; }",
        "try { JSON.parse('{'); } catch (e) { return e.name; }",
        "try { undefinedThing; } catch (e) { return e.constructor === ReferenceError; }",
        "return typeof InternalError;",
        "return typeof MemoryError;",
        "return new Error('a', {cause: 1}).cause;",
        "return String(new TypeError('x'));",
        "return new Error('x').toString();",
        "return Error('y').message;",
        "return Object.prototype.toString.call(new Error('x'));",
        "return new Error('x').stack === undefined;",
        // Module and engine limits.
        "return require('nope');",
        "return require('fs');",
        "return require();",
        "return require('crypto') === require('crypto');",
        "return eval('1');",
        "return new Function('return 1')();",
        "function r() { return r(); } return r();",
        "function r(n) { return n === 0 ? 0 : 1 + r(n - 1); } return r(200);",
        "var s = 0; for (var i = 0; i < 100000; i++) { s += i; } return s;",
        "return 'x'.repeat(100000).length;",
        "return new Array(100000).join('ab').length;",
    ] {
        c.s("errors", Both, body);
    }
    for body in [
        "return Buffer.from(1);",
        "return Buffer.from();",
        "return Buffer.from({});",
        "return Buffer.alloc(-1);",
        "return Buffer.alloc('3');",
        "return Buffer.from('a', 'bogus');",
        "return Buffer.from('abc').toString('bogus');",
        "return Buffer.concat('a');",
        "return Buffer.concat([1]);",
        "return Buffer.compare('a', 'b');",
        "return Buffer.from('ab').readUInt32LE(0);",
        "return Buffer.from('ab').readUInt8(5);",
        "return Buffer.from('ab').readUInt8('0');",
        "return Buffer.alloc(2).writeUInt8(1, 2);",
        "return Buffer.from('ab').swap32();",
        "return Buffer.from('abc').fill('');",
        "return atob('*');",
        "return atob('a');",
        "return btoa('\\u0100');",
        "return new TextDecoder('nope');",
        "return new TextDecoder('utf-8', {fatal: true}).decode(new Uint8Array([255]));",
        "return new TextEncoder().encodeInto('a', []);",
        "return new TextDecoder().decode('abc');",
        "return Buffer.from('a').equals('a');",
        "return Buffer.from('abc').write(1);",
    ] {
        c.s("errors.buffer", V2, body);
    }
    for body in [
        "return String.bytesFrom('zz', 'utf8');",
        "return String.bytesFrom();",
        "return String.bytesFrom({});",
        "return 'abc'.toUTF8(5);",
        "return '\\u0100'.toBytes();",
    ] {
        c.s("errors.bytes", Only::V1, body);
    }
}
