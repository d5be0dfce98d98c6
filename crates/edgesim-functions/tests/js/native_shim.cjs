// The byte encodings the Rust side provides to the prelude as `__cf_native.*`
// (src/encoding.rs), in JavaScript, so the prelude can run under Node for
// tests/js/prelude_test.mjs. The Rust versions are checked against the same
// Node answers by the `prelude_replay` test, which runs in boa.
'use strict';
var fromCharCode = String.fromCharCode;
var arraySlice = Array.prototype.slice;
var HEX = '0123456789abcdef';
var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
var B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  function unitsToString(units, start, end) {
    var s = '';
    for (var i = start; i < end; i += 8192) {
      s += fromCharCode.apply(null, arraySlice.call(units, i, Math.min(i + 8192, end)));
    }
    return s;
  }
  function codePointAt(str, i) {
    var c = str.charCodeAt(i);
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < str.length) {
      var d = str.charCodeAt(i + 1);
      if (d >= 0xDC00 && d <= 0xDFFF) return 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
    }
    if (c >= 0xD800 && c <= 0xDFFF) return 0xFFFD;
    return c;
  }
  function pushUtf8(out, cp) {
    if (cp < 0x80) {
      out.push(cp);
    } else if (cp < 0x800) {
      out.push(0xC0 | (cp >> 6), 0x80 | (cp & 63));
    } else if (cp < 0x10000) {
      out.push(0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    } else {
      out.push(0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    }
  }
  function hexValue(c) {
    if (c >= 48 && c <= 57) return c - 48;   // 0-9
    if (c >= 65 && c <= 70) return c - 55;   // A-F
    if (c >= 97 && c <= 102) return c - 87;  // a-f
    return -1;
  }
  function base64Value(c) {
    if (c >= 65 && c <= 90) return c - 65;        // A-Z
    if (c >= 97 && c <= 122) return c - 71;       // a-z
    if (c >= 48 && c <= 57) return c + 4;         // 0-9
    if (c === 43 || c === 45) return 62;          // + -
    if (c === 47 || c === 95) return 63;          // / _
    return -1;
  }
  function utf8Encode(str) {
    var out = [];
    for (var i = 0; i < str.length; ) {
      var cp = codePointAt(str, i);
      i += cp > 0xFFFF ? 2 : 1;
      pushUtf8(out, cp);
    }
    return out;
  }
  function utf8Decode(bytes, start, end, fatal) {
    var units = [];
    var i = start;
    while (i < end) {
      var b = bytes[i++];
      var cp = b;
      if (b >= 0x80) {
        var need = 0, lower = 0x80, upper = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
          need = 1; cp = b & 0x1F;
        } else if (b >= 0xE0 && b <= 0xEF) {
          need = 2; cp = b & 0x0F;
          if (b === 0xE0) lower = 0xA0;
          if (b === 0xED) upper = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
          need = 3; cp = b & 0x07;
          if (b === 0xF0) lower = 0x90;
          if (b === 0xF4) upper = 0x8F;
        } else {
          cp = -1;
        }
        for (var k = 0; k < need; k++) {
          var n = i < end ? bytes[i] : -1;
          if (n < lower || n > upper) { cp = -1; break; } // n is not consumed
          cp = (cp << 6) | (n & 0x3F);
          lower = 0x80; upper = 0xBF;
          i++;
        }
      }
      if (cp < 0) {
        if (fatal) return null;
        cp = 0xFFFD;
      }
      if (cp > 0xFFFF) {
        cp -= 0x10000;
        units.push(0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else {
        units.push(cp);
      }
    }
    return unitsToString(units, 0, units.length);
  }
  function hexEncode(bytes, start, end) {
    var parts = [];
    for (var i = start; i < end; i++) parts.push(HEX[bytes[i] >> 4] + HEX[bytes[i] & 15]);
    return parts.join('');
  }
  function hexDecode(str) {
    var out = [];
    for (var i = 0; i + 1 < str.length; i += 2) {
      var hi = hexValue(str.charCodeAt(i) & 0xFF);
      var lo = hexValue(str.charCodeAt(i + 1) & 0xFF);
      if (hi < 0 || lo < 0) break;
      out.push(hi * 16 + lo);
    }
    return out;
  }
  function base64Encode(bytes, start, end, url) {
    var a = url ? B64URL : B64;
    var parts = [];
    var i = start, n;
    for (; i + 2 < end; i += 3) {
      n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      parts.push(a[n >> 18] + a[(n >> 12) & 63] + a[(n >> 6) & 63] + a[n & 63]);
    }
    if (end - i === 1) {
      n = bytes[i] << 16;
      parts.push(a[n >> 18] + a[(n >> 12) & 63] + (url ? '' : '=='));
    } else if (end - i === 2) {
      n = (bytes[i] << 16) | (bytes[i + 1] << 8);
      parts.push(a[n >> 18] + a[(n >> 12) & 63] + a[(n >> 6) & 63] + (url ? '' : '='));
    }
    return parts.join('');
  }
  function base64Decode(str) {
    var out = [];
    var acc = 0, bits = 0;
    for (var i = 0; i < str.length; i++) {
      var c = str.charCodeAt(i) & 0xFF;
      if (c === 61) break;
      var v = base64Value(c);
      if (v < 0) continue;
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push((acc >> bits) & 0xFF);
        acc &= (1 << bits) - 1;
      }
    }
    return out;
  }
function utf8Binary(str) {
  return Buffer.from(str, 'utf8').toString('latin1');
}
function encodeBinary(raw, enc) {
  return Buffer.from(raw, 'latin1').toString(enc);
}
// Always defer to the engine's JSON.parse (V8's, under Node).
function jsonParse() {
  return undefined;
}
module.exports = {
  utf8Encode, utf8Decode, hexEncode, hexDecode, base64Encode, base64Decode,
  utf8Binary, encodeBinary, jsonParse,
};
