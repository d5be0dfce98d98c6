// edgesim — CloudFront Functions prelude.
//
// Evaluated once per engine context, before the viewer's function. The Rust side
// defines `__cf_native` first:
//   __cf_native.digest(alg, bytes)      -> raw digest   ('md5' | 'sha1' | 'sha256')
//   __cf_native.hmac(alg, key, bytes)   -> raw MAC
//   __cf_native.runtime                 -> '1.0' | '2.0'
//   __cf_native.utf8Encode/utf8Decode/hexEncode/hexDecode/base64Encode/base64Decode
//                                       -> the byte encodings (src/encoding.rs; JS versions
//                                          live in the Node test shim)
// where every "bytes" value is a byte string (each char code 0..255).
//
// This script defines the runtime's globals (see cloudfront-functions.md §6.4, §7)
// and then removes `__cf_native`, so the only new globals are:
//   both runtimes: require            (modules: crypto, querystring)
//   1.0 only:      String.bytesFrom, String.prototype.fromBytes/fromUTF8/toBytes/toUTF8
//   2.0 only:      Buffer, TextEncoder, TextDecoder, atob, btoa
// It also deletes Array.from (both) and String.prototype.replaceAll (1.0).
//
// Plain ES2022 script for boa: no Node or Web APIs, no private fields, no lookbehind.
(function (global) {
  'use strict';

  var native = global.__cf_native;
  if (native === undefined || native === null) {
    throw new Error('edgesim prelude: __cf_native is not defined');
  }
  var V2 = String(native.runtime) === '2.0';
  var fromCharCode = String.fromCharCode;
  var arraySlice = Array.prototype.slice;
  var objectToString = Object.prototype.toString;

  // ---------------------------------------------------------------- helpers

  // Defines non-enumerable, writable, configurable properties (like built-ins).
  function define(target, props) {
    var keys = Object.keys(props);
    for (var i = 0; i < keys.length; i++) {
      Object.defineProperty(target, keys[i], {
        value: props[keys[i]], writable: true, enumerable: false, configurable: true
      });
    }
  }

  function makeError(Ctor, code, message) {
    var e = new Ctor(message);
    if (code) e.code = code;
    return e;
  }

  // 1234567890 -> '1_234_567_890' (Node does this for big integers in messages).
  function addNumericalSeparator(s) {
    var res = '';
    var first = s[0] === '-' ? 1 : 0;
    var i = s.length;
    for (; i >= first + 4; i -= 3) res = '_' + s.slice(i - 3, i) + res;
    return s.slice(0, i) + res;
  }

  function showValue(v) {
    if (typeof v === 'string') return "'" + v + "'";
    if (v === 0 && 1 / v < 0) return '-0';
    if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) > 4294967296) {
      return addNumericalSeparator(String(v));
    }
    return String(v);
  }

  // The " Received ..." tail of Node's ERR_INVALID_ARG_TYPE.
  function received(v) {
    if (v === undefined || v === null) return ' Received ' + v;
    if (typeof v === 'function') return ' Received function ' + v.name;
    if (typeof v === 'object') {
      var ctor = v.constructor;
      return ' Received an instance of ' + (ctor && ctor.name ? ctor.name : 'Object');
    }
    var shown = showValue(v);
    if (shown.length > 28) shown = shown.slice(0, 25) + '...';
    return ' Received type ' + typeof v + ' (' + shown + ')';
  }

  // expected: e.g. 'of type number', 'an instance of Buffer or Uint8Array'
  // njs's wording: `"size" argument must be of type number` (no "The", no "Received").
  function argTypeError(name, expected) {
    var subject = / argument$/.test(name) ? name : '"' + name + '" argument';
    return new TypeError(subject + ' must be ' + expected);
  }

  function outOfRange(name, range, value) {
    return makeError(RangeError, 'ERR_OUT_OF_RANGE',
      'The value of "' + name + '" is out of range. It must be ' + range +
      '. Received ' + showValue(value));
  }

  function unknownEncoding(enc) {
    return makeError(TypeError, 'ERR_UNKNOWN_ENCODING', 'Unknown encoding: ' + enc);
  }

  function isArrayBuffer(v) {
    var tag = objectToString.call(v);
    return tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]';
  }

  function isUint8Array(v) {
    return ArrayBuffer.isView(v) && objectToString.call(v) === '[object Uint8Array]';
  }

  // A Uint8Array over the bytes of an ArrayBuffer or any ArrayBufferView, or null.
  function viewBytes(v) {
    if (isArrayBuffer(v)) return new Uint8Array(v);
    if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return null;
  }

  // --------------------------------------------------------- byte encodings
  // "bytes" below are arrays or typed arrays of numbers 0..255;
  // a "byte string" is a string whose char codes are all 0..255.

  // Code units (array-like) -> string, in chunks to keep apply() small.
  function unitsToString(units, start, end) {
    var s = '';
    for (var i = start; i < end; i += 8192) {
      s += fromCharCode.apply(null, arraySlice.call(units, i, Math.min(i + 8192, end)));
    }
    return s;
  }

  function binaryToBytes(str) {
    var out = new Array(str.length);
    for (var i = 0; i < str.length; i++) out[i] = str.charCodeAt(i) & 0xFF;
    return out;
  }

  function bytesToBinary(bytes, start, end) {
    if (start === undefined) start = 0;
    if (end === undefined) end = bytes.length;
    return unitsToString(bytes, start, end);
  }

  // Code point at index i; a lone surrogate yields U+FFFD. Callers step by 2 above 0xFFFF.
  function codePointAt(str, i) {
    var c = str.charCodeAt(i);
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < str.length) {
      var d = str.charCodeAt(i + 1);
      if (d >= 0xDC00 && d <= 0xDFFF) return 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
    }
    if (c >= 0xD800 && c <= 0xDFFF) return 0xFFFD;
    return c;
  }

  function utf8Length(cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
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

  function utf8Encode(str) {
    return native.utf8Encode(str);
  }


  function utf8ByteLength(str) {
    var n = 0;
    for (var i = 0; i < str.length; ) {
      var cp = codePointAt(str, i);
      i += cp > 0xFFFF ? 2 : 1;
      n += utf8Length(cp);
    }
    return n;
  }

  // WHATWG UTF-8 decoding of bytes[start..end): each maximal invalid subpart becomes
  // U+FFFD (as in Node and TextDecoder). With `fatal`, returns null instead.
  function utf8Decode(bytes, start, end, fatal) {
    return native.utf8Decode(bytes, start, end, fatal);
  }



  function hexEncode(bytes, start, end) {
    return native.hexEncode(bytes, start, end);
  }


  function hexValue(c) {
    if (c >= 48 && c <= 57) return c - 48;   // 0-9
    if (c >= 65 && c <= 70) return c - 55;   // A-F
    if (c >= 97 && c <= 102) return c - 87;  // a-f
    return -1;
  }

  // Decodes pairs of hex digits up to the first invalid pair (Node and njs agree).
  function hexDecode(str) {
    return native.hexDecode(str);
  }



  // Standard base64 is padded; base64url is not (as Node).
  function base64Encode(bytes, start, end, url) {
    return native.base64Encode(bytes, start, end, url);
  }


  function base64Value(c) {
    if (c >= 65 && c <= 90) return c - 65;        // A-Z
    if (c >= 97 && c <= 122) return c - 71;       // a-z
    if (c >= 48 && c <= 57) return c + 4;         // 0-9
    if (c === 43 || c === 45) return 62;          // + -
    if (c === 47 || c === 95) return 63;          // / _
    return -1;
  }

  // As njs: stops at the first character outside the alphabet (base64 or base64url) or '='.
  function base64Decode(str, url) {
    return native.base64Decode(str, url);
  }


  // Node's encoding names (case-insensitive) -> canonical name, or undefined.
  function normalizeEncoding(enc) {
    var e = String(enc).toLowerCase();
    if (e === 'utf8' || e === 'utf-8') return 'utf8';
    if (e === 'latin1' || e === 'binary') return 'latin1';
    if (e === 'ucs2' || e === 'ucs-2' || e === 'utf16le' || e === 'utf-16le') return 'utf16le';
    if (e === 'hex' || e === 'base64' || e === 'base64url' || e === 'ascii') return e;
    return undefined;
  }

  // The encodings njs (and CloudFront's Buffer) accept, by their exact names.
  function njsEncoding(enc) {
    if (enc === 'utf8' || enc === 'utf-8') return 'utf8';
    if (enc === 'hex' || enc === 'base64' || enc === 'base64url') return enc;
    return undefined;
  }

  // string -> bytes (plain array) in a canonical encoding.
  function encodeString(str, enc) {
    switch (enc) {
      case 'latin1':
      case 'ascii':
        return binaryToBytes(str);
      case 'hex':
        return hexDecode(str);
      case 'base64':
      case 'base64url':
        return base64Decode(str, enc === 'base64url');
      case 'utf16le':
        var out = [];
        for (var i = 0; i < str.length; i++) {
          var c = str.charCodeAt(i);
          out.push(c & 0xFF, c >> 8);
        }
        return out;
      default:
        return utf8Encode(str);
    }
  }

  // bytes[start..end) -> string in a canonical encoding.
  function decodeBytes(bytes, start, end, enc) {
    switch (enc) {
      case 'latin1':
        return bytesToBinary(bytes, start, end);
      case 'ascii':
        var low = [];
        for (var i = start; i < end; i++) low.push(bytes[i] & 0x7F);
        return unitsToString(low, 0, low.length);
      case 'hex':
        return hexEncode(bytes, start, end);
      case 'base64':
        return base64Encode(bytes, start, end, false);
      case 'base64url':
        return base64Encode(bytes, start, end, true);
      case 'utf16le':
        var units = [];
        for (var j = start; j + 1 < end; j += 2) units.push(bytes[j] | (bytes[j + 1] << 8));
        return unitsToString(units, 0, units.length);
      default:
        return utf8Decode(bytes, start, end, false);
    }
  }

  // Node's Buffer.byteLength for strings (base64 and hex are estimates, as in Node).
  function encodedLength(str, enc) {
    var n = str.length;
    switch (enc) {
      case 'latin1':
      case 'ascii':
        return n;
      case 'utf16le':
        return n * 2;
      case 'hex':
        // njs: half the UTF-8 length, whatever the digits.
        return utf8ByteLength(str) >>> 1;
      case 'base64':
      case 'base64url':
        // njs: what decoding gives (up to the first character outside the alphabet).
        return base64Decode(str, enc === 'base64url').length;
      default:
        return utf8ByteLength(str);
    }
  }

  // ------------------------------------------------- 1.0 byte-string marks
  // njs tells byte strings (digest(), bytesFrom(), toUTF8()) from text
  // strings internally, and crypto hashes a byte string's raw bytes. JS strings
  // carry no such flag, so 1.0 remembers the non-ASCII byte strings it produced
  // and crypto treats exactly those values as raw bytes (bounded memory).
  var byteStrings = V2 ? null : new Set();

  function markBytes(s) {
    if (byteStrings !== null && /[\x80-\xff]/.test(s)) {
      if (byteStrings.size >= 1024) byteStrings.clear();
      byteStrings.add(s);
    }
    return s;
  }

  function isMarkedBytes(s) {
    return byteStrings !== null && byteStrings.has(s);
  }

  // ----------------------------------------------------------------- crypto

  var BufferCtor = null; // set in 2.0

  function dataToBinary(data, encoding, name, expected) {
    if (typeof data === 'string') {
      if (encoding === undefined && isMarkedBytes(data)) return data;
      var enc = encoding === undefined ? 'utf8' : njsEncoding(encoding);
      if (enc === undefined) throw new TypeError('"' + encoding + '" encoding is not supported');
      if (enc === 'utf8') return native.utf8Binary(data);
      return bytesToBinary(encodeString(data, enc || 'utf8'));
    }
    var view = ArrayBuffer.isView(data) || name === 'key' ? viewBytes(data) : null;
    if (view !== null) return bytesToBinary(view);
    // njs: `data argument "number" is not a string or Buffer-like object`.
    throw new TypeError(name + ' argument "' + (data === null ? 'null' : typeof data) +
      '" is not a string or Buffer-like object');
  }

  function hashFinalized() {
    return makeError(Error, 'ERR_CRYPTO_HASH_FINALIZED', 'Digest already called');
  }

  function encodeDigest(raw, encoding) {
    if (encoding !== undefined && encoding !== 'hex' && encoding !== 'base64' && encoding !== 'base64url') {
      throw new TypeError('Unknown digest encoding: "' + encoding + '"');
    }
    var enc = encoding;
    if (enc === undefined) {
      // No (or an unknown) encoding: a Buffer in 2.0, a byte string in 1.0.
      return V2 && enc === undefined ? BufferCtor.from(binaryToBytes(raw)) : markBytes(raw);
    }
    if (enc === 'hex' || enc === 'base64' || enc === 'base64url') return native.encodeBinary(raw, enc);
    return decodeBytes(binaryToBytes(raw), 0, raw.length, enc);
  }

  // njs: exact, lower-case names.
  function normalizeAlgorithm(alg) {
    if (typeof alg !== 'string') throw new TypeError('algorithm must be a string');
    if (alg === 'md5' || alg === 'sha1' || alg === 'sha256') return alg;
    throw new TypeError('not supported algorithm: "' + alg + '"');
  }

  // key === null for a plain hash. chunks: byte strings fed so far.
  function makeHasher(alg, key, chunks) {
    var done = false;
    var self = {
      update: function update(data, inputEncoding) {
        if (done) throw hashFinalized();
        chunks.push(dataToBinary(data, inputEncoding, 'data',
          'of type string or an instance of Buffer, TypedArray, or DataView'));
        return self;
      },
      digest: function digest(encoding) {
        if (done) throw hashFinalized();
        done = true;
        var data = chunks.join('');
        chunks = null;
        var raw = key === null ? native.digest(alg, data) : native.hmac(alg, key, data);
        return encodeDigest(raw, encoding);
      }
    };
    if (key === null) {
      self.copy = function copy() {
        if (done) throw hashFinalized();
        return makeHasher(alg, null, chunks.slice());
      };
    }
    return self;
  }

  var cryptoModule = {
    createHash: function createHash(algorithm) {
      return makeHasher(normalizeAlgorithm(algorithm), null, []);
    },
    createHmac: function createHmac(algorithm, key) {
      var alg = normalizeAlgorithm(algorithm);
      var rawKey = dataToBinary(key, undefined, 'key',
        'of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey');
      return makeHasher(alg, rawKey, []);
    }
  };

  // ------------------------------------------------------------ querystring
  // A transcription of Node's lib/querystring.js.

  var QS_HEX = [];
  for (var h = 0; h < 256; h++) QS_HEX.push('%' + (h < 16 ? '0' : '') + h.toString(16).toUpperCase());

  // Characters escape() leaves alone: A-Z a-z 0-9 - . _ ~ ! ' ( ) *
  function qsNoEscape(c) {
    return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) ||
      c === 45 || c === 46 || c === 95 || c === 126 || c === 33 || (c >= 39 && c <= 42);
  }

  function qsEscape(str) {
    if (typeof str !== 'string') str = typeof str === 'object' ? String(str) : str + '';
    var out = '';
    var lastPos = 0;
    for (var i = 0; i < str.length; i++) {
      var c = str.charCodeAt(i);
      if (c < 0x80) {
        if (qsNoEscape(c)) continue;
        out += str.slice(lastPos, i) + QS_HEX[c];
      } else if (c < 0x800) {
        out += str.slice(lastPos, i) + QS_HEX[0xC0 | (c >> 6)] + QS_HEX[0x80 | (c & 0x3F)];
      } else if (c < 0xD800 || c >= 0xE000) {
        out += str.slice(lastPos, i) + QS_HEX[0xE0 | (c >> 12)] +
          QS_HEX[0x80 | ((c >> 6) & 0x3F)] + QS_HEX[0x80 | (c & 0x3F)];
      } else {
        // Surrogate: Node pairs it with the next unit whatever that is.
        if (i + 1 >= str.length) throw makeError(URIError, 'ERR_INVALID_URI', 'URI malformed');
        out += str.slice(lastPos, i);
        var cp = 0x10000 + (((c & 0x3FF) << 10) | (str.charCodeAt(i + 1) & 0x3FF));
        i++;
        out += QS_HEX[0xF0 | (cp >> 18)] + QS_HEX[0x80 | ((cp >> 12) & 0x3F)] +
          QS_HEX[0x80 | ((cp >> 6) & 0x3F)] + QS_HEX[0x80 | (cp & 0x3F)];
      }
      lastPos = i + 1;
    }
    if (lastPos === 0) return str;
    return out + str.slice(lastPos);
  }

  // Node's unescapeBuffer: '%XX' -> byte, other code units truncated to a byte.
  function qsUnescapeBytes(s, decodeSpaces) {
    var out = [];
    var maxLength = s.length - 2;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c === 43 && decodeSpaces) {
        out.push(32);
        continue;
      }
      if (c === 37 && i < maxLength) {
        var hi = hexValue(s.charCodeAt(i + 1));
        var lo = hexValue(s.charCodeAt(i + 2));
        if (hi >= 0 && lo >= 0) {
          out.push(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      out.push(c & 0xFF);
    }
    return out;
  }

  function qsUnescape(s, decodeSpaces) {
    try {
      return decodeURIComponent(s);
    } catch (e) {
      var bytes = qsUnescapeBytes(s, decodeSpaces);
      return utf8Decode(bytes, 0, bytes.length, false);
    }
  }

  function qsIsHex(c) {
    return hexValue(c) >= 0;
  }

  function qsCharCodes(str) {
    var ret = [];
    for (var i = 0; i < str.length; i++) ret.push(str.charCodeAt(i));
    return ret;
  }

  function qsDecodeStr(s, decoder) {
    try {
      return decoder(s);
    } catch (e) {
      return querystringModule.unescape(s, true);
    }
  }

  function qsAddKeyVal(obj, key, value, keyEncoded, valEncoded, decode) {
    if (key.length > 0 && keyEncoded) key = qsDecodeStr(key, decode);
    if (value.length > 0 && valEncoded) value = qsDecodeStr(value, decode);
    if (obj[key] === undefined) {
      obj[key] = value;
    } else if (Array.isArray(obj[key])) {
      obj[key].push(value);
    } else {
      obj[key] = [obj[key], value];
    }
  }

  function qsParse(qs, sep, eq, options) {
    var obj = Object.create(null);
    if (typeof qs !== 'string' || qs.length === 0) return obj;

    var sepCodes = !sep ? [38] : qsCharCodes(String(sep));
    var eqCodes = !eq ? [61] : qsCharCodes(String(eq));
    var sepLen = sepCodes.length;
    var eqLen = eqCodes.length;

    var pairs = 1000; // -1 = unlimited
    if (options && typeof options.maxKeys === 'number') {
      pairs = options.maxKeys > 0 ? options.maxKeys : -1;
    }
    var decode = querystringModule.unescape;
    if (options && typeof options.decodeURIComponent === 'function') {
      decode = options.decodeURIComponent;
    }
    var customDecode = decode !== qsUnescapeNjs;

    var lastPos = 0, sepIdx = 0, eqIdx = 0;
    var key = '', value = '';
    var keyEncoded = customDecode, valEncoded = customDecode;
    var plusChar = customDecode ? '%20' : ' ';
    var encodeCheck = 0;

    for (var i = 0; i < qs.length; i++) {
      var code = qs.charCodeAt(i);

      if (code === sepCodes[sepIdx]) {
        if (++sepIdx === sepLen) {
          // Key/value pair separator match.
          var end = i - sepIdx + 1;
          if (eqIdx < eqLen) {
            // No (complete) '=' seen: the substring is the key.
            if (lastPos < end) {
              key += qs.slice(lastPos, end);
            } else if (key.length === 0) {
              // Empty substring between separators.
              if (--pairs === 0) return obj;
              lastPos = i + 1;
              sepIdx = eqIdx = 0;
              continue;
            }
          } else if (lastPos < end) {
            value += qs.slice(lastPos, end);
          }
          qsAddKeyVal(obj, key, value, keyEncoded, valEncoded, decode);
          if (--pairs === 0) return obj;
          keyEncoded = valEncoded = customDecode;
          key = value = '';
          encodeCheck = 0;
          lastPos = i + 1;
          sepIdx = eqIdx = 0;
        }
        continue;
      }

      sepIdx = 0;
      if (eqIdx < eqLen) {
        // Still in the key: try to match the key/value separator.
        if (code === eqCodes[eqIdx]) {
          if (++eqIdx === eqLen) {
            var keyEnd = i - eqIdx + 1;
            if (lastPos < keyEnd) key += qs.slice(lastPos, keyEnd);
            encodeCheck = 0;
            lastPos = i + 1;
          }
          continue;
        }
        eqIdx = 0;
        if (!keyEncoded) {
          // Look for one valid %XX to know whether the key needs decoding.
          if (code === 37) {
            encodeCheck = 1;
            continue;
          } else if (encodeCheck > 0) {
            if (qsIsHex(code)) {
              if (++encodeCheck === 3) keyEncoded = true;
              continue;
            } else {
              encodeCheck = 0;
            }
          }
        }
        if (code === 43) {
          if (lastPos < i) key += qs.slice(lastPos, i);
          key += plusChar;
          lastPos = i + 1;
          continue;
        }
      }
      if (code === 43) {
        if (lastPos < i) value += qs.slice(lastPos, i);
        value += plusChar;
        lastPos = i + 1;
      } else if (!valEncoded) {
        if (code === 37) {
          encodeCheck = 1;
        } else if (encodeCheck > 0) {
          if (qsIsHex(code)) {
            if (++encodeCheck === 3) valEncoded = true;
          } else {
            encodeCheck = 0;
          }
        }
      }
    }

    // Leftover key or value.
    if (lastPos < qs.length) {
      if (eqIdx < eqLen) key += qs.slice(lastPos);
      else if (sepIdx < sepLen) value += qs.slice(lastPos);
    } else if (eqIdx === 0 && key.length === 0) {
      return obj;
    }
    qsAddKeyVal(obj, key, value, keyEncoded, valEncoded, decode);
    return obj;
  }

  function qsPrimitive(v) {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && isFinite(v)) return '' + v;
    if (typeof v === 'bigint') return '' + v;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return '';
  }

  function qsStringify(obj, sep, eq, options) {
    sep = sep || '&';
    eq = eq || '=';
    var encode = querystringModule.escape;
    if (options && typeof options.encodeURIComponent === 'function') {
      encode = options.encodeURIComponent;
    }
    var custom = encode !== qsEscape;
    function convert(v) {
      if (custom) return encode(qsPrimitive(v));
      if (typeof v === 'string') return v.length ? encode(v) : '';
      // Numbers >= 1e21 use exponent notation with a '+', which needs escaping.
      if (typeof v === 'number' && isFinite(v)) return Math.abs(v) < 1e21 ? '' + v : encode('' + v);
      return qsPrimitive(v);
    }

    if (obj === null || typeof obj !== 'object') return '';
    var keys = Object.keys(obj);
    var fields = '';
    for (var i = 0; i < keys.length; i++) {
      var v = obj[keys[i]];
      var ks = convert(keys[i]) + eq;
      if (Array.isArray(v)) {
        if (v.length === 0) continue;
        if (fields) fields += sep;
        for (var j = 0; j < v.length; j++) {
          if (j) fields += sep;
          fields += ks + convert(v[j]);
        }
      } else {
        if (fields) fields += sep;
        fields += ks + convert(v);
      }
    }
    return fields;
  }

  // njs's querystring.unescape() also turns '+' into a space.
  function qsUnescapeNjs(s) {
    return qsUnescape(String(s).replace(/\+/g, ' '), true);
  }

  // As njs: the members are not enumerable.
  var querystringModule = {};
  define(querystringModule, {
    decode: qsParse,
    encode: qsStringify,
    escape: qsEscape,
    parse: qsParse,
    stringify: qsStringify,
    unescape: qsUnescapeNjs
  });

  // ---------------------------------------------------------------- require

  define(global, {
    require: function require(name) {
      if (name === 'crypto') return cryptoModule;
      if (name === 'querystring') return querystringModule;
      throw new Error('Cannot find module "' + name + '"');
    }
  });

  // ------------------------------------------------- runtime 1.0 (njs extras)

  function installByteStrings() {
    define(String, {
      // From an array of octets, or from a 'hex' | 'base64' | 'base64url' string.
      bytesFrom: function bytesFrom(value, encoding) {
        if (typeof value === 'string') {
          if (typeof encoding !== 'string') throw new TypeError('"encoding" must be a string');
          var enc = encoding;
          if (enc !== 'hex' && enc !== 'base64' && enc !== 'base64url') {
            throw new TypeError('Unknown encoding: "' + enc + '"');
          }
          return markBytes(bytesToBinary(encodeString(value, enc)));
        }
        if (value !== null && typeof value === 'object') {
          var octets = [];
          var n = value.length >>> 0;
          for (var i = 0; i < n; i++) octets.push(Number(value[i]) & 0xFF);
          return markBytes(bytesToBinary(octets));
        }
        throw new TypeError('value must be a string or array-like object');
      }
    });

    define(String.prototype, {
      // Byte string -> text, one code point per byte: the same JS string.
      fromBytes: function fromBytes(start, end) {
        return String(this).slice(start, end);
      },
      // UTF-8 byte string -> text; null when the bytes are not valid UTF-8.
      fromUTF8: function fromUTF8(start, end) {
        var whole = String(this);
        var s = whole.slice(start, end);
        // njs decodes only byte strings; text (any string it did not make as bytes) comes back.
        if (/[^\x00-\xff]/.test(s) || (/[\x80-\xff]/.test(whole) && !isMarkedBytes(whole))) return s;
        return utf8Decode(binaryToBytes(s), 0, s.length, true);
      },
      // Text -> byte string; null when a code unit exceeds 255. Not marked as bytes:
      // the result equals its input, and marking would change how crypto treats the text.
      toBytes: function toBytes(start, end) {
        var s = String(this).slice(start, end);
        return /[^\x00-\xff]/.test(s) ? null : s;
      },
      // Text -> its UTF-8 bytes as a byte string, sliced by byte offsets.
      toUTF8: function toUTF8(start, end) {
        var s = String(this);
        if (isMarkedBytes(s)) return s.slice(start, end);
        return markBytes(bytesToBinary(utf8Encode(s).slice(start, end)));
      }
    });

    delete String.prototype.replaceAll;
  }

  // ---------------------------------------------------- runtime 2.0: Buffer

  function installBuffer() {
    // Buffer instances are Uint8Arrays whose prototype is Buffer.prototype.
    function Buffer(arg, encodingOrOffset, length) {
      if (typeof arg === 'number') return alloc(arg);
      return from(arg, encodingOrOffset, length);
    }
    var proto = Buffer.prototype;
    Object.setPrototypeOf(proto, Uint8Array.prototype);
    Object.setPrototypeOf(Buffer, Uint8Array); // inherits of(), [Symbol.species]

    function wrap(u8) {
      Object.setPrototypeOf(u8, proto);
      return u8;
    }

    function newBuffer(size) {
      return wrap(new Uint8Array(size));
    }

    function fromBytes(bytes) {
      var b = newBuffer(bytes.length);
      b.set(bytes);
      return b;
    }

    function validateNumber(value, name) {
      if (typeof value !== 'number') throw argTypeError(name, 'of type number', value);
    }

    function validateOffset(value, name, min, max) {
      validateNumber(value, name);
      if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
      if (value < min || value > max) throw outOfRange(name, '>= ' + min + ' && <= ' + max, value);
      return value;
    }

    function validateSize(size) {
      validateNumber(size, 'size');
      if (!(size >= 0 && size <= 4294967296)) throw new RangeError('invalid size');
    }

    // njs's Buffer knows exactly these encodings (CloudFront documents the same four:
    // docs/cloudfront/runtime.md); names are case-sensitive.
    function checkEncoding(encoding) {
      var enc = njsEncoding(encoding);
      if (enc === undefined) throw new TypeError('"' + encoding + '" encoding is not supported');
      return enc;
    }

    function requireUint8Array(value, name) {
      if (!isUint8Array(value)) throw argTypeError(name, 'an instance of Buffer or Uint8Array', value);
    }

    function fromArrayLike(obj) {
      var n = obj.length;
      if (!(n > 0)) return newBuffer(0);
      var b = newBuffer(n);
      for (var i = 0; i < b.length; i++) b[i] = obj[i];
      return b;
    }

    function fromArrayBuffer(ab, byteOffset, length) {
      byteOffset = byteOffset === undefined ? 0 : +byteOffset;
      if (byteOffset !== byteOffset) byteOffset = 0;
      var maxLength = ab.byteLength - byteOffset;
      if (maxLength < 0) {
        throw makeError(RangeError, 'ERR_BUFFER_OUT_OF_BOUNDS', '"offset" is outside of buffer bounds');
      }
      if (length === undefined) {
        length = maxLength;
      } else {
        length = +length;
        if (length > 0) {
          if (length > maxLength) {
            throw makeError(RangeError, 'ERR_BUFFER_OUT_OF_BOUNDS', '"length" is outside of buffer bounds');
          }
        } else {
          length = 0;
        }
      }
      return wrap(new Uint8Array(ab, byteOffset, length));
    }

    function fromString(str, encoding) {
      var enc = 'utf8';
      if (encoding !== undefined) enc = checkEncoding(encoding);
      var bytes = encodeString(str, enc);
      // njs: when the encoding yields no bytes at all (decoded length 0), the string's own
      // UTF-8 bytes are used instead.
      if (enc === 'hex' ? utf8ByteLength(str) < 2 : (enc !== 'utf8' && bytes.length === 0)) {
        bytes = utf8Encode(str);
      }
      return fromBytes(bytes);
    }

    function from(value, encodingOrOffset, length) {
      if (typeof value === 'string') return fromString(value, encodingOrOffset);
      if (typeof value === 'object' && value !== null) {
        if (isArrayBuffer(value)) return fromArrayBuffer(value, encodingOrOffset, length);
        var prim = typeof value.valueOf === 'function' ? value.valueOf() : undefined;
        if (prim !== undefined && prim !== null && prim !== value &&
            (typeof prim === 'string' || typeof prim === 'object')) {
          return from(prim, encodingOrOffset, length);
        }
        if (value.length !== undefined || isArrayBuffer(value.buffer)) {
          return typeof value.length === 'number' ? fromArrayLike(value) : newBuffer(0);
        }
        if (value.type === 'Buffer' && Array.isArray(value.data)) return fromArrayLike(value.data);
        if (typeof value[Symbol.toPrimitive] === 'function') {
          var p = value[Symbol.toPrimitive]('string');
          if (typeof p === 'string') return fromString(p, encodingOrOffset);
        }
      }
      throw new TypeError('first argument ' + (value === null ? 'null' : typeof value) +
        ' is not a string or Buffer-like object');
    }

    function alloc(size, fill, encoding) {
      validateSize(size);
      var b = newBuffer(size);
      if (fill !== undefined && fill !== 0 && size > 0) b.fill(fill, encoding);
      return b;
    }

    // Lexicographic comparison of a[aStart..aEnd) and b[bStart..bEnd): -1, 0 or 1.
    function compareRange(a, aStart, aEnd, b, bStart, bEnd) {
      aEnd = Math.min(aEnd, a.length);
      bEnd = Math.min(bEnd, b.length);
      var n = Math.min(aEnd - aStart, bEnd - bStart);
      for (var i = 0; i < n; i++) {
        if (a[aStart + i] !== b[bStart + i]) return a[aStart + i] < b[bStart + i] ? -1 : 1;
      }
      var la = aEnd - aStart, lb = bEnd - bStart;
      return la < lb ? -1 : la > lb ? 1 : 0;
    }

    // Node's slice/subarray offset rule.
    function adjustOffset(offset, length) {
      offset = Math.trunc(offset);
      if (offset === 0 || offset !== offset) return 0;
      if (offset < 0) {
        offset += length;
        return offset > 0 ? offset : 0;
      }
      return offset < length ? offset : length;
    }

    function toInteger(n, defaultValue) {
      n = +n;
      if (n === n && n >= Number.MIN_SAFE_INTEGER && n <= Number.MAX_SAFE_INTEGER) {
        return n % 1 === 0 ? n : Math.floor(n);
      }
      return defaultValue;
    }

    // Node's indexOf/lastIndexOf for numbers, strings and buffers.
    function search(buf, value, byteOffset, encoding, last) {
      if (typeof byteOffset === 'string') {
        encoding = byteOffset;
        byteOffset = undefined;
      }
      var len = buf.length;
      var off = +byteOffset;
      if (off !== off) off = last ? len : 0;
      off = Math.trunc(Math.max(-2147483648, Math.min(2147483647, off)));

      var needle;
      if (typeof value === 'number') {
        needle = [(value >>> 0) & 0xFF];
      } else if (typeof value === 'string') {
        needle = encodeString(value, encoding === undefined ? 'utf8' : checkEncoding(encoding));
      } else if (isUint8Array(value)) {
        needle = value;
      } else {
        throw argTypeError('value', 'one of type number or string or an instance of Buffer or Uint8Array', value);
      }
      var n = needle.length;

      var start;
      if (off < 0) {
        if (off + len >= 0) start = len + off;
        else if (!last || n === 0) start = 0;
        else return -1;
      } else if (off + n <= len) {
        start = off;
      } else if (n === 0) {
        start = len;
      } else if (!last) {
        return -1;
      } else {
        start = len - 1;
      }
      if (n === 0) return start;

      var step = last ? -1 : 1;
      if (last && start > len - n) start = len - n;
      for (var i = start; i >= 0 && i + n <= len; i += step) {
        var k = 0;
        while (k < n && buf[i + k] === needle[k]) k++;
        if (k === n) return i;
      }
      return -1;
    }

    function swap(buf, size) {
      if (buf.length % size !== 0) {
        throw makeError(RangeError, 'ERR_INVALID_BUFFER_SIZE',
          'Buffer size must be a multiple of ' + (size * 8) + '-bits');
      }
      for (var i = 0; i < buf.length; i += size) {
        for (var a = i, b = i + size - 1; a < b; a++, b--) {
          var t = buf[a];
          buf[a] = buf[b];
          buf[b] = t;
        }
      }
      return buf;
    }

    define(Buffer, {
      alloc: alloc,
      allocUnsafe: function allocUnsafe(size) {
        validateSize(size);
        return newBuffer(size);
      },
      allocUnsafeSlow: function allocUnsafeSlow(size) {
        validateSize(size);
        return newBuffer(size);
      },
      byteLength: function byteLength(string, encoding) {
        if (typeof string !== 'string') {
          if (ArrayBuffer.isView(string) || isArrayBuffer(string)) return string.byteLength;
          throw argTypeError('string', 'of type string or an instance of Buffer or ArrayBuffer', string);
        }
        var enc = encoding === undefined ? 'utf8' : checkEncoding(encoding);
        if (string.length === 0) return 0;
        return encodedLength(string, enc);
      },
      compare: function compare(buf1, buf2) {
        requireUint8Array(buf1, 'source');
        requireUint8Array(buf2, 'target');
        return compareRange(buf1, 0, buf1.length, buf2, 0, buf2.length);
      },
      concat: function concat(list, totalLength) {
        if (!Array.isArray(list)) throw argTypeError('list', 'an instance of Array', list);
        var i;
        for (i = 0; i < list.length; i++) requireUint8Array(list[i], 'list[' + i + ']');
        if (totalLength === undefined) {
          totalLength = 0;
          for (i = 0; i < list.length; i++) totalLength += list[i].length;
        } else {
          validateOffset(totalLength, 'length', 0, 4294967296);
        }
        var out = newBuffer(totalLength);
        var pos = 0;
        for (i = 0; i < list.length && pos < totalLength; i++) {
          var item = list[i];
          var n = Math.min(item.length, totalLength - pos);
          out.set(n === item.length ? item : item.subarray(0, n), pos);
          pos += n;
        }
        return out;
      },
      from: from,
      isBuffer: function isBuffer(obj) {
        return obj instanceof Buffer;
      },
      isEncoding: function isEncoding(encoding) {
        return njsEncoding(encoding) !== undefined;
      },
      poolSize: 8192
    });

    define(proto, {
      toString: function toString(encoding, start, end) {
        var len = this.length;
        if (arguments.length === 0) return utf8Decode(this, 0, len, false);
        var enc = encoding === undefined ? 'utf8' : checkEncoding(encoding);
        // njs refuses negative offsets.
        if (start < 0 || end < 0) throw new RangeError('invalid index');
        if (start <= 0) start = 0;
        else if (start >= len) return '';
        else start = Math.trunc(start) || 0;
        if (end === undefined || end > len) end = len;
        else end = Math.trunc(end) || 0;
        if (end <= start) return '';
        return decodeBytes(this, start, end, enc);
      },
      toJSON: function toJSON() {
        return { type: 'Buffer', data: arraySlice.call(this) };
      },
      equals: function equals(otherBuffer) {
        requireUint8Array(otherBuffer, 'target');
        if (this === otherBuffer) return true;
        if (this.byteLength !== otherBuffer.byteLength) return false;
        return compareRange(this, 0, this.length, otherBuffer, 0, otherBuffer.length) === 0;
      },
      compare: function compare(target, targetStart, targetEnd, sourceStart, sourceEnd) {
        requireUint8Array(target, 'target');
        targetStart = targetStart === undefined ? 0 : validateOffset(targetStart, 'targetStart', 0, 4294967296);
        targetEnd = targetEnd === undefined ? target.length : validateOffset(targetEnd, 'targetEnd', 0, target.length);
        sourceStart = sourceStart === undefined ? 0 : validateOffset(sourceStart, 'sourceStart', 0, 4294967296);
        sourceEnd = sourceEnd === undefined ? this.length : validateOffset(sourceEnd, 'sourceEnd', 0, this.length);
        if (sourceStart >= sourceEnd) return targetStart >= targetEnd ? 0 : -1;
        if (targetStart >= targetEnd) return 1;
        return compareRange(this, sourceStart, sourceEnd, target, targetStart, targetEnd);
      },
      copy: function copy(target, targetStart, sourceStart, sourceEnd) {
        requireUint8Array(target, 'target');
        targetStart = targetStart === undefined ? 0 : toInteger(targetStart, 0);
        if (targetStart < 0) throw outOfRange('targetStart', '>= 0', targetStart);
        sourceStart = sourceStart === undefined ? 0 : toInteger(sourceStart, 0);
        if (sourceStart < 0 || sourceStart > this.length) {
          throw outOfRange('sourceStart', '>= 0 && <= ' + this.length, sourceStart);
        }
        sourceEnd = sourceEnd === undefined ? this.length : toInteger(sourceEnd, 0);
        if (sourceEnd < 0 || sourceEnd > this.length) {
          throw new RangeError('"sourceEnd" is out of range: ' + sourceEnd);
        }
        if (targetStart >= target.length || sourceStart >= sourceEnd) return 0;
        var n = Math.min(sourceEnd, this.length) - sourceStart;
        n = Math.min(n, target.length - targetStart);
        var bytes = arraySlice.call(this, sourceStart, sourceStart + n); // copy first: may overlap
        for (var i = 0; i < n; i++) target[targetStart + i] = bytes[i];
        return n;
      },
      fill: function fill(value, offset, end, encoding) {
        var len = this.length;
        if (typeof value === 'string') {
          if (offset === undefined || typeof offset === 'string') {
            encoding = offset;
            offset = 0;
            end = len;
          } else if (typeof end === 'string') {
            encoding = end;
            end = len;
          }
        }
        offset = offset === undefined ? 0 : validateOffset(offset, 'offset', 0, 4294967296);
        end = end === undefined ? len : validateOffset(end, 'end', 0, len);
        if (offset >= end) return this;

        var pattern;
        if (typeof value === 'string') {
          var enc = encoding === undefined ? 'utf8' : checkEncoding(encoding);
          pattern = value.length === 0 ? [0] : encodeString(value, enc);
        } else if (isUint8Array(value) || ArrayBuffer.isView(value)) {
          pattern = viewBytes(value);
        } else if (typeof value === 'number') {
          pattern = [value];
        } else {
          pattern = [(Number(value) >>> 0) & 0xFF];
        }
        if (pattern.length === 0) {
          throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE',
            "The argument 'value' is invalid. Received " + showValue(value));
        }
        for (var i = offset, k = 0; i < end; i++) {
          this[i] = pattern[k];
          k = k + 1 === pattern.length ? 0 : k + 1;
        }
        return this;
      },
      indexOf: function indexOf(value, byteOffset, encoding) {
        return search(this, value, byteOffset, encoding, false);
      },
      lastIndexOf: function lastIndexOf(value, byteOffset, encoding) {
        return search(this, value, byteOffset, encoding, true);
      },
      includes: function includes(value, byteOffset, encoding) {
        return search(this, value, byteOffset, encoding, false) !== -1;
      },
      slice: function slice(start, end) {
        return this.subarray(start, end);
      },
      subarray: function subarray(start, end) {
        var len = this.length;
        start = adjustOffset(start, len);
        end = end !== undefined ? adjustOffset(end, len) : len;
        return wrap(new Uint8Array(this.buffer, this.byteOffset + start, end > start ? end - start : 0));
      },
      swap16: function swap16() { return swap(this, 2); },
      swap32: function swap32() { return swap(this, 4); },
      swap64: function swap64() { return swap(this, 8); },
      write: function write(string, offset, length, encoding) {
        if (typeof string !== 'string') {
          throw new TypeError('first argument must be a string');
        }
        var len = this.length;
        if (offset === undefined) {
          offset = 0;
          length = len;
        } else if (length === undefined && typeof offset === 'string') {
          encoding = offset;
          offset = 0;
          length = len;
        } else {
          validateOffset(offset, 'offset', 0, len);
          var remaining = len - offset;
          if (length === undefined) {
            length = remaining;
          } else if (typeof length === 'string') {
            encoding = length;
            length = remaining;
          } else {
            validateOffset(length, 'length', 0, len);
            if (length > remaining) length = remaining;
          }
        }
        var enc = encoding ? checkEncoding(encoding) : 'utf8';
        var bytes;
        if (enc === 'utf8') {
          // Only whole characters are written.
          bytes = [];
          for (var i = 0; i < string.length; ) {
            var cp = codePointAt(string, i);
            if (bytes.length + utf8Length(cp) > length) break;
            i += cp > 0xFFFF ? 2 : 1;
            pushUtf8(bytes, cp);
          }
        } else {
          bytes = encodeString(string, enc);
          var max = enc === 'utf16le' ? length - (length % 2) : length;
          if (bytes.length > max) bytes = bytes.slice(0, max);
        }
        this.set(bytes, offset);
        return bytes.length;
      }
    });
    define(proto, { toLocaleString: proto.toString });

    // Fixed-size numeric reads and writes through a DataView.
    // njs's bounds rules: the offset is converted to an integer; negative is "invalid index",
    // past the end is "index N is outside the bound of the buffer".
    function checkBounds(buf, offset, size) {
      offset = offset === undefined ? 0 : Math.trunc(+offset) || 0;
      if (offset < 0) throw new RangeError('invalid index');
      if (offset + size > buf.length) {
        throw new RangeError('index ' + offset + ' is outside the bound of the buffer');
      }
      return offset;
    }

    function dataView(buf) {
      return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }

    // [Node name, size, DataView type, min, max] (no range check for floats)
    var NUMBER_TYPES = [
      ['UInt8', 1, 'Uint8', 0, 255], ['Int8', 1, 'Int8', -128, 127],
      ['UInt16', 2, 'Uint16', 0, 65535], ['Int16', 2, 'Int16', -32768, 32767],
      ['UInt32', 4, 'Uint32', 0, 4294967295], ['Int32', 4, 'Int32', -2147483648, 2147483647],
      ['Float', 4, 'Float32'], ['Double', 8, 'Float64']
    ];

    function addAccessors(name, size, type, min, max, suffix, little) {
      var getter = 'get' + type, setter = 'set' + type;
      var methods = {};
      methods['read' + name + suffix] = function (offset) {
        offset = checkBounds(this, offset, size);
        return dataView(this)[getter](offset, little);
      };
      methods['write' + name + suffix] = function (value, offset) {
        // njs does not range-check the value: it wraps as the typed array does.
        value = +value;
        offset = checkBounds(this, offset, size);
        dataView(this)[setter](offset, value, little);
        return offset + size;
      };
      if (name.indexOf('UInt') === 0) { // Node's readUint8 etc. aliases
        methods['readUint' + name.slice(4) + suffix] = methods['read' + name + suffix];
        methods['writeUint' + name.slice(4) + suffix] = methods['write' + name + suffix];
      }
      define(proto, methods);
    }

    // readUIntLE(offset, byteLength) and friends, byteLength 1..6 (njs's message above that).
    function variableWidth(signed, little) {
      return {
        read: function (offset, byteLength) {
          var n = checkWidth(byteLength);
          offset = checkBounds(this, offset, n);
          var v = 0;
          for (var i = 0; i < n; i++) v = v * 256 + this[offset + (little ? n - 1 - i : i)];
          if (signed && v >= Math.pow(2, 8 * n - 1)) v -= Math.pow(2, 8 * n);
          return v;
        },
        write: function (value, offset, byteLength) {
          var n = checkWidth(byteLength);
          offset = checkBounds(this, offset, n);
          var v = +value;
          if (v < 0) v += Math.pow(2, 8 * n);
          for (var i = 0; i < n; i++) {
            this[offset + (little ? i : n - 1 - i)] = v % 256;
            v = Math.floor(v / 256);
          }
          return offset + n;
        }
      };
    }

    function checkWidth(byteLength) {
      var n = Math.trunc(+byteLength) || 0;
      if (n > 6) throw new TypeError('"byteLength" must be <= 6');
      if (n < 1) throw new TypeError('"byteLength" must be >= 1');
      return n;
    }

    var widths = {};
    [['UInt', false], ['Int', true]].forEach(function (kind) {
      ['LE', 'BE'].forEach(function (order) {
        var m = variableWidth(kind[1], order === 'LE');
        widths['read' + kind[0] + order] = m.read;
        widths['write' + kind[0] + order] = m.write;
        if (kind[0] === 'UInt') {
          widths['readUint' + order] = m.read;
          widths['writeUint' + order] = m.write;
        }
      });
    });
    define(proto, widths);

    for (var t = 0; t < NUMBER_TYPES.length; t++) {
      var d = NUMBER_TYPES[t];
      if (d[1] === 1) {
        addAccessors(d[0], d[1], d[2], d[3], d[4], '', false);
      } else {
        addAccessors(d[0], d[1], d[2], d[3], d[4], 'LE', true);
        addAccessors(d[0], d[1], d[2], d[3], d[4], 'BE', false);
      }
    }

    return Buffer;
  }

  // ------------------------------------- runtime 2.0: TextEncoder/TextDecoder

  // njs knows exactly these two labels, case-sensitively.
  var UTF8_LABELS = ['utf-8', 'utf8'];

  // Number of trailing bytes that start a valid but unfinished UTF-8 sequence.
  function incompleteTail(bytes) {
    var len = bytes.length;
    for (var k = 1; k <= 3 && k <= len; k++) {
      var b = bytes[len - k];
      if (b >= 0x80 && b <= 0xBF) continue;
      var need = (b >= 0xC2 && b <= 0xDF) ? 1 : (b >= 0xE0 && b <= 0xEF) ? 2 : (b >= 0xF0 && b <= 0xF4) ? 3 : 0;
      if (need < k) return 0;
      if (k > 1) {
        var second = bytes[len - k + 1];
        var lower = b === 0xE0 ? 0xA0 : b === 0xF0 ? 0x90 : 0x80;
        var upper = b === 0xED ? 0x9F : b === 0xF4 ? 0x8F : 0xBF;
        if (second < lower || second > upper) return 0;
      }
      return k;
    }
    return 0;
  }

  function installText() {
    class TextEncoder {
      get encoding() {
        return 'utf-8';
      }

      encode(input) {
        var bytes = utf8Encode(input === undefined ? '' : String(input));
        var out = new Uint8Array(bytes.length);
        out.set(bytes);
        return out;
      }

      encodeInto(src, dest) {
        if (typeof src !== 'string') throw argTypeError('src', 'of type string', src);
        if (!isUint8Array(dest)) throw new TypeError('The "destination" argument must be an instance of Uint8Array');
        var read = 0, written = 0, one = [];
        while (read < src.length) {
          var cp = codePointAt(src, read);
          if (written + utf8Length(cp) > dest.length) break;
          one.length = 0;
          pushUtf8(one, cp);
          for (var i = 0; i < one.length; i++) dest[written++] = one[i];
          read += cp > 0xFFFF ? 2 : 1;
        }
        return { read: read, written: written };
      }
    }

    var decoderState = new WeakMap();

    function stateOf(decoder) {
      var st = decoderState.get(decoder);
      if (!st) throw makeError(TypeError, 'ERR_INVALID_THIS', 'Value of "this" must be of type TextDecoder');
      return st;
    }

    class TextDecoder {
      constructor(label, options) {
        var name = label === undefined ? 'utf-8' : String(label);
        if (UTF8_LABELS.indexOf(name) < 0) {
          throw makeError(RangeError, 'ERR_ENCODING_NOT_SUPPORTED', 'The "' + label + '" encoding is not supported');
        }
        options = options === undefined || options === null ? {} : options;
        decoderState.set(this, {
          fatal: Boolean(options.fatal),
          ignoreBOM: Boolean(options.ignoreBOM),
          pending: [],
          started: false
        });
      }

      get encoding() {
        stateOf(this);
        return 'utf-8';
      }

      get fatal() {
        return stateOf(this).fatal;
      }

      get ignoreBOM() {
        return stateOf(this).ignoreBOM;
      }

      decode(input, options) {
        var st = stateOf(this);
        var stream = Boolean(options && options.stream);
        var view = input === undefined ? new Uint8Array(0) : viewBytes(input);
        if (view === null) {
          throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE', // Node's wording
            'The "input" argument must be an instance of TypedArray');
        }
        var bytes = st.pending.length ? st.pending.concat(arraySlice.call(view)) : view;
        var end = bytes.length - (stream ? incompleteTail(bytes) : 0);
        st.pending = arraySlice.call(bytes, end);
        var text = utf8Decode(bytes, 0, end, st.fatal);
        if (text === null) {
          st.pending = [];
          st.started = false;
          throw makeError(TypeError, 'ERR_ENCODING_INVALID_ENCODED_DATA',
            'The encoded data was not valid');
        }
        if (!st.started && text.length > 0) {
          if (!st.ignoreBOM && text.charCodeAt(0) === 0xFEFF) text = text.slice(1);
          st.started = true;
        }
        if (!stream) {
          st.pending = [];
          st.started = false;
        }
        return text;
      }
    }

    return { TextEncoder: TextEncoder, TextDecoder: TextDecoder };
  }

  // ------------------------------------------------ runtime 2.0: atob / btoa

  // njs words every atob failure the same way, as a TypeError.
  function invalidCharacter() {
    return new TypeError('the string to be decoded is not correctly encoded');
  }

  // The forgiving-base64 checks (ASCII whitespace ignored, '=' only at the end), with njs's
  // error text; njs treats a missing argument as the string "undefined".
  function atob(data) {
    var input = String(data);
    var count = 0, equals = 0;
    for (var i = 0; i < input.length; i++) {
      var c = input.charCodeAt(i);
      if (c === 0x09 || c === 0x0A || c === 0x0C || c === 0x0D || c === 0x20) continue;
      count++;
      if (c === 61) {
        equals++;
        if (equals > 2) throw invalidCharacter();
      } else if (base64Value(c) < 0 || c === 45 || c === 95 || equals > 0) {
        throw invalidCharacter();
      }
    }
    var rest = count % 4;
    if (rest === 0) rest = (count - equals) % 4;
    else if (equals > 0) throw invalidCharacter();
    if (rest === 1) throw invalidCharacter();
    return bytesToBinary(base64Decode(input.replace(/[\t\n\f\r ]/g, ''), false));
  }

  function btoa(data) {
    var input = String(data);
    var bytes = new Array(input.length);
    for (var i = 0; i < input.length; i++) {
      var c = input.charCodeAt(i);
      if (c > 0xFF) throw new TypeError('invalid character (>= U+00FF)');
      bytes[i] = c;
    }
    return base64Encode(bytes, 0, bytes.length, false);
  }

  // ------------------------------------------------------------ install

  if (V2) {
    BufferCtor = installBuffer();
    var text = installText();
    define(global, {
      Buffer: BufferCtor,
      TextEncoder: text.TextEncoder,
      TextDecoder: text.TextDecoder,
      atob: atob,
      btoa: btoa
    });
  } else {
    installByteStrings();
  }

  delete Array.from;

  // JSON.parse without a reviver goes through serde_json (see jsonParse in src/encoding.rs);
  // anything it is unsure of falls back to the engine's own parser.
  var engineParse = JSON.parse;
  define(JSON, {
    parse: function parse(text, reviver) {
      if (reviver === undefined && typeof text === 'string') {
        var fast = native.jsonParse(text);
        if (fast !== undefined) return fast;
      }
      try {
        return engineParse.apply(JSON, arguments);
      } catch (e) {
        var why = e instanceof SyntaxError ? njsJsonError(String(text)) : null;
        if (why !== null) throw new SyntaxError(why);
        throw e;
      }
    }
  });

  // Where and why njs's JSON parser stops, in its words ("Unexpected token at position 1"),
  // for text the engine refused; null when njs would have found nothing wrong.
  function njsJsonError(t) {
    var p = 0, n = t.length;
    function ws() { while (p < n && (t[p] === ' ' || t[p] === '\t' || t[p] === '\n' || t[p] === '\r')) p++; }
    function fail(what, at) { throw { njs: what + ' at position ' + at }; }
    function end() { fail('Unexpected end of input', p); }
    function str() {
      p++;
      for (;;) {
        if (p >= n) end();
        var c = t.charCodeAt(p);
        if (c === 34) { p++; return; }
        if (c < 32) fail('Forbidden source char', p);
        if (c === 92) {
          p++;
          if (p >= n) end();
          var e = t[p];
          if (e === 'u') {
            for (var k = 1; k <= 4; k++) {
              if (p + k >= n) end();
              if (!/[0-9a-fA-F]/.test(t[p + k])) fail('Invalid Unicode escape sequence', p + k);
            }
            p += 4;
          } else if ('"\\/bfnrt'.indexOf(e) < 0) {
            fail('Unknown escape char', p);
          }
        }
        p++;
      }
    }
    function num() {
      var m = /^-?[0-9]*\.?[0-9]*/.exec(t.slice(p));
      if (!/[0-9]/.test(m[0])) fail('Unexpected number', p);
      p += m[0].length;
      var x = /^[eE][+-]?[0-9]+/.exec(t.slice(p));
      if (x) p += x[0].length;
    }
    function value() {
      ws();
      if (p >= n) end();
      var c = t[p], start;
      if (c === '{' || c === '[') {
        var close = c === '{' ? '}' : ']';
        p++; ws();
        if (t[p] === close) { p++; return; }
        for (;;) {
          ws();
          if (p >= n) end();
          if (close === '}') {
            if (t[p] !== '"') fail('Unexpected token', p);
            str(); ws();
            if (p >= n) end();
            if (t[p] !== ':') fail('Unexpected token', p);
            p++;
          }
          value(); ws();
          if (p >= n) end();
          if (t[p] === ',') {
            start = p++; ws();
            if (t[p] === close) fail('Trailing comma', start);
            continue;
          }
          if (t[p] === close) { p++; return; }
          fail('Unexpected token', p);
        }
      }
      if (c === '"') return str();
      var words = { t: 'true', f: 'false', n: 'null' };
      if (words[c]) {
        if (t.slice(p, p + words[c].length) !== words[c]) fail('Unexpected token', p);
        p += words[c].length;
        return;
      }
      if (c === '-' || t.charCodeAt(p) <= 57) return num();
      fail('Unexpected token', p);
    }
    try {
      value(); ws();
      if (p < n) fail('Unexpected token', p);
      return null;
    } catch (e) {
      if (e && typeof e.njs === 'string') return e.njs;
      throw e;
    }
  }

  try {
    delete global.__cf_native;
  } catch (e) {
    // Non-configurable (Rust registered it so): at least make it useless.
    try { global.__cf_native = undefined; } catch (e2) { /* read-only */ }
  }
})(globalThis);
