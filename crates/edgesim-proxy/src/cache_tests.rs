use super::*;

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
