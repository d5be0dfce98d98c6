//! Cache, origin request and response headers policies: AWS's managed policies by id, and
//! policies defined in the source (`AWS::CloudFront::CachePolicy`…, Terraform's
//! `aws_cloudfront_cache_policy`…), read into the model. The legacy `ForwardedValues` settings
//! of a behavior without a cache policy are read here too.
//!
//! Managed policy ids and settings: docs/import.md (from
//! https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html,
//! …/using-managed-origin-request-policies.html and …/using-managed-response-headers-policies.html).

use crate::catalog::PolicyDef;
use crate::model::{CachePolicy, OriginRequestPolicy, ResponseHeadersPolicy, Select};
use crate::warn::{Obj, Warnings};

const YEAR: u64 = 31_536_000;

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A managed cache policy by id.
pub fn managed_cache_policy(id: &str) -> Option<CachePolicy> {
    let p = |name: &str, min, default, max, qs, headers, cookies, gzip, brotli| CachePolicy {
        name: Some(name.to_owned()),
        managed: true,
        min_ttl: min,
        default_ttl: default,
        max_ttl: max,
        query_strings: qs,
        headers,
        cookies,
        gzip,
        brotli,
    };
    let origin_headers = || {
        Select::Only(names(&[
            "host",
            "origin",
            "x-http-method-override",
            "x-http-method",
            "x-method-override",
        ]))
    };
    Some(match id {
        "658327ea-f89d-4fab-a63d-7e88639e58f6" => p(
            "CachingOptimized",
            1,
            86_400,
            YEAR,
            Select::None,
            Select::None,
            Select::None,
            true,
            true,
        ),
        "b2884449-e4de-46a7-ac36-70bc7f1ddd6d" => p(
            "CachingOptimizedForUncompressedObjects",
            1,
            86_400,
            YEAR,
            Select::None,
            Select::None,
            Select::None,
            false,
            false,
        ),
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" => p(
            "CachingDisabled",
            0,
            0,
            0,
            Select::None,
            Select::None,
            Select::None,
            false,
            false,
        ),
        "2e54312d-136d-493c-8eb9-b001f22f67d2" => p(
            "Amplify",
            2,
            2,
            YEAR,
            Select::All,
            Select::Only(names(&[
                "authorization",
                "cloudfront-viewer-country",
                "host",
            ])),
            Select::All,
            true,
            true,
        ),
        "08627262-05a9-4f76-9ded-b50ca2e3a84f" => p(
            "Elemental-MediaPackage",
            0,
            86_400,
            YEAR,
            Select::Only(names(&["aws.manifestfilter", "start", "end", "m"])),
            Select::Only(names(&["origin"])),
            Select::None,
            true,
            false,
        ),
        "83da9c7e-98b4-4e11-a168-04f0df8e2c65" => p(
            "UseOriginCacheControlHeaders",
            0,
            0,
            YEAR,
            Select::None,
            origin_headers(),
            Select::All,
            true,
            true,
        ),
        "4cc15a8a-d715-48a4-82b8-cc0b614638fe" => p(
            "UseOriginCacheControlHeaders-QueryStrings",
            0,
            0,
            YEAR,
            Select::All,
            origin_headers(),
            Select::All,
            true,
            true,
        ),
        _ => return None,
    })
}

/// A managed origin request policy by id.
pub fn managed_origin_request_policy(id: &str) -> Option<OriginRequestPolicy> {
    let p = |name: &str, qs, headers, cookies| OriginRequestPolicy {
        name: name.to_owned(),
        managed: true,
        query_strings: qs,
        headers,
        cookies,
    };
    Some(match id {
        "216adef6-5c7f-47e4-b989-5492eafa07d3" => {
            p("AllViewer", Select::All, Select::All, Select::All)
        }
        "b689b0a8-53d0-40ab-baf2-68738e2966ac" => p(
            "AllViewerExceptHostHeader",
            Select::All,
            Select::AllExcept(names(&["host"])),
            Select::All,
        ),
        "33f36d7e-f396-46d9-90e0-52428a34d9dc" => p(
            "AllViewerAndCloudFrontHeaders-2022-06",
            Select::All,
            Select::AllViewerAnd(names(&["cloudfront-viewer-*"])),
            Select::All,
        ),
        "59781a5b-3903-41f3-afcb-af62929ccde1" => p(
            "CORS-CustomOrigin",
            Select::None,
            Select::Only(names(&["origin"])),
            Select::None,
        ),
        "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf" => p(
            "CORS-S3Origin",
            Select::None,
            Select::Only(names(&[
                "origin",
                "access-control-request-headers",
                "access-control-request-method",
            ])),
            Select::None,
        ),
        "acba4595-bd28-49b8-b9fe-13317c0390fa" => p(
            "UserAgentRefererHeaders",
            Select::None,
            Select::Only(names(&["user-agent", "referer"])),
            Select::None,
        ),
        "775133bc-15f2-49f9-abea-afb2e0bf67d2" => p(
            "Elemental-MediaTailor-PersonalizedManifests",
            Select::All,
            Select::Only(names(&[
                "origin",
                "access-control-request-headers",
                "x-forwarded-for",
                "access-control-request-method",
                "user-agent",
            ])),
            Select::None,
        ),
        _ => return None,
    })
}

/// A managed response headers policy by id.
pub fn managed_response_headers_policy(id: &str) -> Option<ResponseHeadersPolicy> {
    let (name, parts): (&str, &[&str]) = match id {
        "60669652-455b-4ae9-85a4-c4c02393f86c" => ("SimpleCORS", &["CorsConfig"]),
        "5cc3b908-e619-4b99-88e5-2cf7f45965bd" => ("CORS-With-Preflight", &["CorsConfig"]),
        "67f7725c-6f97-4210-82d7-5512b31e9d03" => {
            ("SecurityHeadersPolicy", &["SecurityHeadersConfig"])
        }
        "e61eb60c-9c35-4d20-a928-2b84e02af89c" => (
            "CORS-and-SecurityHeadersPolicy",
            &["CorsConfig", "SecurityHeadersConfig"],
        ),
        "eaab4381-ed33-4a86-88ca-d9558dc6cd63" => (
            "CORS-with-preflight-and-SecurityHeadersPolicy",
            &["CorsConfig", "SecurityHeadersConfig"],
        ),
        _ => return None,
    };
    Some(ResponseHeadersPolicy {
        name: name.to_owned(),
        managed: true,
        custom_headers: Vec::new(),
        parts: names(parts),
    })
}

/// `{XBehavior, Xs}` → a selection (`HeadersConfig`, `CookiesConfig`, `QueryStringsConfig`).
fn select(mut o: Obj, behavior_key: &str, list_key: &str, w: &mut Warnings) -> Select {
    let behavior = o.str(behavior_key, w).unwrap_or_else(|| "none".to_owned());
    let list: Vec<String> = o.strings(list_key, w);
    let at = o.at(behavior_key);
    o.finish(w);
    match behavior.as_str() {
        "none" => Select::None,
        "all" | "allViewer" => Select::All,
        "whitelist" => Select::Only(list),
        "allExcept" => Select::AllExcept(list),
        "allViewerAndWhitelistCloudFront" => Select::AllViewerAnd(list),
        other => {
            w.push(at, format!("unknown value {other:?}; read as none"));
            Select::None
        }
    }
}

/// `CachePolicyConfig`.
pub fn read_cache_policy(def: &PolicyDef, w: &mut Warnings) -> CachePolicy {
    let mut o = Obj::new(def.path.clone(), def.config.clone(), w);
    let mut policy = CachePolicy {
        name: o.str("Name", w),
        min_ttl: o.u64("MinTTL", w).unwrap_or(0),
        default_ttl: o.u64("DefaultTTL", w).unwrap_or(86_400),
        max_ttl: o.u64("MaxTTL", w).unwrap_or(YEAR),
        ..CachePolicy::default()
    };
    o.skip("Comment");
    let mut params = o.obj("ParametersInCacheKeyAndForwardedToOrigin", w);
    policy.gzip = params.bool("EnableAcceptEncodingGzip", w).unwrap_or(false);
    policy.brotli = params
        .bool("EnableAcceptEncodingBrotli", w)
        .unwrap_or(false);
    let headers = params.obj("HeadersConfig", w);
    policy.headers = select(headers, "HeaderBehavior", "Headers", w);
    let cookies = params.obj("CookiesConfig", w);
    policy.cookies = select(cookies, "CookieBehavior", "Cookies", w);
    let qs = params.obj("QueryStringsConfig", w);
    policy.query_strings = select(qs, "QueryStringBehavior", "QueryStrings", w);
    params.finish(w);
    o.finish(w);
    policy
}

/// `OriginRequestPolicyConfig`.
pub fn read_origin_request_policy(def: &PolicyDef, w: &mut Warnings) -> OriginRequestPolicy {
    let mut o = Obj::new(def.path.clone(), def.config.clone(), w);
    o.skip("Comment");
    let name = o.str("Name", w).unwrap_or_else(|| def.ids[0].clone());
    let headers = o.obj("HeadersConfig", w);
    let cookies = o.obj("CookiesConfig", w);
    let qs = o.obj("QueryStringsConfig", w);
    let policy = OriginRequestPolicy {
        name,
        managed: false,
        headers: select(headers, "HeaderBehavior", "Headers", w),
        cookies: select(cookies, "CookieBehavior", "Cookies", w),
        query_strings: select(qs, "QueryStringBehavior", "QueryStrings", w),
    };
    o.finish(w);
    policy
}

/// `ResponseHeadersPolicyConfig`: custom headers are read; CORS, security headers and the rest
/// are named (the config has no such table yet, so they are reported).
pub fn read_response_headers_policy(def: &PolicyDef, w: &mut Warnings) -> ResponseHeadersPolicy {
    let mut o = Obj::new(def.path.clone(), def.config.clone(), w);
    o.skip("Comment");
    let name = o.str("Name", w).unwrap_or_else(|| def.ids[0].clone());
    let mut custom_headers = Vec::new();
    if let Some(mut custom) = o.opt_obj("CustomHeadersConfig", w) {
        for mut item in custom.list("Items", w) {
            let header = item.str("Header", w).unwrap_or_default();
            let value = item.str("Value", w).unwrap_or_default();
            let over = item.bool("Override", w).unwrap_or(false);
            item.finish(w);
            custom_headers.push((header, value, over));
        }
        custom.finish(w);
    }
    let mut parts = Vec::new();
    for key in [
        "CorsConfig",
        "SecurityHeadersConfig",
        "RemoveHeadersConfig",
        "ServerTimingHeadersConfig",
    ] {
        if o.take(key).is_some() {
            parts.push(key.to_owned());
        }
    }
    o.finish(w);
    ResponseHeadersPolicy {
        name,
        managed: false,
        custom_headers,
        parts,
    }
}

/// A behavior's legacy cache settings: `ForwardedValues` and `MinTTL`/`DefaultTTL`/`MaxTTL`.
pub fn read_legacy_cache(b: &mut Obj, w: &mut Warnings) -> CachePolicy {
    let mut policy = CachePolicy {
        min_ttl: b.u64("MinTTL", w).unwrap_or(0),
        default_ttl: b.u64("DefaultTTL", w).unwrap_or(86_400),
        max_ttl: b.u64("MaxTTL", w).unwrap_or(YEAR),
        ..CachePolicy::default()
    };
    if let Some(mut fv) = b.opt_obj("ForwardedValues", w) {
        let query = fv.bool("QueryString", w).unwrap_or(false);
        let keys = fv.strings("QueryStringCacheKeys", w);
        policy.query_strings = match (query, keys.is_empty()) {
            (false, _) => Select::None,
            (true, true) => Select::All,
            (true, false) => Select::Only(keys),
        };
        let headers = fv.strings("Headers", w);
        policy.headers = if headers.iter().any(|h| h == "*") {
            Select::All
        } else if headers.is_empty() {
            Select::None
        } else {
            Select::Only(headers)
        };
        if let Some(mut cookies) = fv.opt_obj("Cookies", w) {
            let forward = cookies
                .str("Forward", w)
                .unwrap_or_else(|| "none".to_owned());
            let names = cookies.strings("WhitelistedNames", w);
            policy.cookies = match forward.as_str() {
                "all" => Select::All,
                "whitelist" => Select::Only(names),
                _ => Select::None,
            };
            cookies.finish(w);
        }
        fv.finish(w);
    }
    policy
}
