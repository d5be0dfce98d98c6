use super::*;
use crate::config::CacheConfig;

fn policy(edit: impl FnOnce(&mut CacheConfig)) -> CachePolicy {
    let mut config = CacheConfig::default();
    edit(&mut config);
    CachePolicy::from_config(&config).unwrap()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (n, v) in pairs {
        map.append(
            http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    map
}

fn parts(uri: &str, pairs: &[(&str, &str)]) -> http::request::Parts {
    let (mut parts, ()) = http::Request::get(uri).body(()).unwrap().into_parts();
    parts.headers = headers(pairs);
    parts
}

#[test]
fn ttl_follows_cache_control_within_bounds() {
    let p = policy(|c| {
        c.min_ttl = 5;
        c.default_ttl = 100;
        c.max_ttl = 100;
    });
    let ok = StatusCode::OK;
    assert_eq!(
        p.ttl(ok, &headers(&[("cache-control", "max-age=50")])),
        Some(Duration::from_secs(50))
    );
    assert_eq!(
        p.ttl(ok, &headers(&[("cache-control", "max-age=1000")])),
        Some(Duration::from_secs(100))
    );
    assert_eq!(
        p.ttl(ok, &headers(&[("cache-control", "max-age=1")])),
        Some(Duration::from_secs(5))
    );
    assert_eq!(
        p.ttl(
            ok,
            &headers(&[("cache-control", "public, max-age=9, s-maxage=20")])
        ),
        Some(Duration::from_secs(20))
    );
    assert_eq!(
        p.ttl(ok, &headers(&[("cache-control", "no-store")])),
        Some(Duration::from_secs(5))
    );
    assert_eq!(p.ttl(ok, &headers(&[])), Some(Duration::from_secs(100)));
}

#[test]
fn no_store_is_not_cached_with_zero_min_ttl_and_errors_get_error_ttl() {
    let p = policy(|_| {});
    assert_eq!(
        p.ttl(StatusCode::OK, &headers(&[("cache-control", "private")])),
        None
    );
    assert_eq!(
        p.ttl(StatusCode::NOT_FOUND, &headers(&[])),
        Some(Duration::from_secs(10))
    );
    assert_eq!(p.ttl(StatusCode::CREATED, &headers(&[])), None);
    assert_eq!(p.ttl(StatusCode::FOUND, &headers(&[])), None);
    assert_eq!(
        p.ttl(
            StatusCode::FOUND,
            &headers(&[("cache-control", "max-age=3")])
        ),
        Some(Duration::from_secs(3))
    );
    assert_eq!(
        p.ttl(
            StatusCode::OK,
            &headers(&[("expires", "Thu, 01 Jan 1970 00:00:00 GMT")])
        ),
        None
    );
}

#[test]
fn disabled_policy_is_all_zero_ttls() {
    assert!(policy(|c| {
        c.default_ttl = 0;
        c.max_ttl = 0;
    })
    .is_disabled());
    assert!(!policy(|_| {}).is_disabled());
}

#[test]
fn key_takes_only_the_selected_query_headers_and_cookies() {
    let p = policy(|_| {});
    let a = p.key(0, &parts("/x?a=1", &[("cookie", "s=1")]));
    let b = p.key(0, &parts("/x?a=2", &[("cookie", "s=2")]));
    assert_eq!(
        a, b,
        "query strings and cookies are out of the key by default"
    );
    assert_ne!(p.key(0, &parts("/x", &[])), p.key(1, &parts("/x", &[])));

    let p = policy(|c| {
        c.query_strings = toml::Spanned::new(0..0, KeyList::Names(vec!["a".into()]));
        c.headers = vec!["Accept-Language".into()];
        c.cookies = toml::Spanned::new(0..0, KeyList::Keyword("all".into()));
    });
    let key = p.key(
        0,
        &parts(
            "/x?b=2&a=1",
            &[("accept-language", "de"), ("cookie", "s=1; t=2")],
        ),
    );
    assert_eq!(key, "0|/x?a=1\nh:accept-language=de\nc:s=1\nc:t=2");
}

#[test]
fn store_is_bounded_and_evicts_least_recently_used() {
    let cache = Cache::new(250);
    let object = |n: usize| {
        Arc::new(CachedObject::new(
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from(vec![0u8; n]),
            Duration::from_secs(60),
        ))
    };
    cache.put("a".into(), object(100));
    cache.put("b".into(), object(100));
    assert!(cache.get("a").is_some());
    cache.put("c".into(), object(100));
    assert!(cache.get("b").is_none(), "b was least recently used");
    assert!(cache.get("a").is_some() && cache.get("c").is_some());
    cache.put("huge".into(), object(1000));
    assert_eq!(cache.len(), 2);
}
