// Shows the cache status of this page, as the browser received it.
fetch(location.href, { method: 'HEAD' }).then(function (r) {
  var p = document.createElement('p');
  p.textContent = 'X-Cache of a fresh HEAD request: ' + r.headers.get('x-cache');
  document.body.appendChild(p);
});
