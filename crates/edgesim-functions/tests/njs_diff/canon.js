function __q(s) {
  var r = '';
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c >= 32 && c < 127 && c !== 92) { r += s.charAt(i); continue; }
    // njs strings are code points: an astral character is one unit; print it as its pair.
    if (c > 0xffff) { r += '\\u' + (0xd800 + ((c - 0x10000) >> 10)).toString(16) + '\\u' + (0xdc00 + ((c - 0x10000) & 0x3ff)).toString(16); continue; }
    var h = c.toString(16);
    r += '\\u' + '0000'.slice(h.length) + h;
  }
  return r;
}
function __c(v, d) {
  var t = typeof v, i, p = [];
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (t === 'number') return v !== v ? 'NaN' : (v === 0 && 1 / v < 0) ? '-0' : String(v);
  if (t === 'string') return '"' + __q(v) + '"';
  if (t === 'boolean') return String(v);
  if (t === 'function') return 'function';
  if (t !== 'object') return t;
  if (d > 6) return '...';
  if (typeof Buffer !== 'undefined' && Buffer.isBuffer(v)) return 'Buffer<' + v.toString('hex') + '>';
  if (v instanceof Error) return 'Error<' + __q(String(v)) + '>';
  if (v instanceof Date) return 'Date<' + v.getTime() + '>';
  if (v instanceof RegExp) return 'RegExp<' + __q(String(v)) + '>';
  if (ArrayBuffer.isView(v)) return Object.prototype.toString.call(v) + '<' + Array.prototype.join.call(v, ',') + '>';
  if (Array.isArray(v)) {
    for (i = 0; i < v.length; i++) p.push(__c(v[i], d + 1));
    return '[' + p.join(',') + ']';
  }
  var k = Object.keys(v);
  for (i = 0; i < k.length; i++) p.push('"' + __q(k[i]) + '":' + __c(v[k[i]], d + 1));
  return '{' + p.join(',') + '}';
}
function __e(e) {
  try { return __q(String(e)); } catch (x) { return __q('TypeError: Cannot convert object to primitive value'); }
}
