//! Identifiers CloudFront puts on responses: the request id (`X-Amz-Cf-Id`, also
//! `context.requestId` and the error page's "Request ID") and the edge server's `Via` name.
//!
//! They need to be unique, not unpredictable, so a per-thread xorshift generator seeded from
//! std's random hasher keys is enough and costs nothing per request.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use base64::Engine as _;

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    );
    hasher.finish() | 1
}

fn next_u64() -> u64 {
    STATE.with(|state| {
        // xorshift64*
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    for chunk in out.chunks_mut(8) {
        let word = next_u64().to_le_bytes();
        chunk.copy_from_slice(&word[..chunk.len()]);
    }
    out
}

/// A request id shaped like CloudFront's: 40 random bytes in URL-safe base64 with padding,
/// 56 characters ending in `==`.
pub fn request_id() -> String {
    base64::engine::general_purpose::URL_SAFE.encode(random_bytes::<40>())
}

/// 32 lower-case hex digits, the edge server's name in `Via: 1.1 <id>.cloudfront.net`.
pub fn via_id() -> String {
    random_bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_have_cloudfront_shapes() {
        let id = super::request_id();
        assert_eq!(id.len(), 56);
        assert!(id.ends_with("=="));
        assert_ne!(id, super::request_id());
        assert_eq!(super::via_id().len(), 32);
    }
}
