//! `Origins` and `OriginGroups`.

use crate::model::{Origin, OriginGroup, OriginKind};
use crate::warn::{Obj, Warnings};

pub fn read_origin(mut o: Obj, w: &mut Warnings) -> Option<Origin> {
    let Some(id) = o.str("Id", w) else {
        w.push(o.at("Id"), "an origin without an Id is skipped");
        o.finish(w);
        return None;
    };
    let domain_name = o.str("DomainName", w).unwrap_or_default();
    let origin_path = o.str("OriginPath", w).unwrap_or_default();
    let mut custom_headers = Vec::new();
    for mut h in o.list("OriginCustomHeaders", w) {
        if let (Some(name), Some(value)) = (h.str("HeaderName", w), h.str("HeaderValue", w)) {
            custom_headers.push((name.to_ascii_lowercase(), value));
        }
        h.finish(w);
    }
    let connect_timeout = o.f64("ConnectionTimeout", w);
    let mut read_timeout = None;
    let kind = if let Some(mut custom) = o.opt_obj("CustomOriginConfig", w) {
        read_timeout = custom.f64("OriginReadTimeout", w);
        let kind = OriginKind::Custom {
            protocol_policy: custom
                .str("OriginProtocolPolicy", w)
                .unwrap_or_else(|| "https-only".to_owned()),
            http_port: custom.u64("HTTPPort", w).map(|p| p as u16),
            https_port: custom.u64("HTTPSPort", w).map(|p| p as u16),
        };
        custom.finish(w);
        kind
    } else if o.take("S3OriginConfig").is_some() || is_s3_domain(&domain_name) {
        OriginKind::S3
    } else {
        OriginKind::Custom {
            protocol_policy: "https-only".to_owned(),
            http_port: None,
            https_port: None,
        }
    };
    // Access to the bucket is the local origin's business: no warning for OAC/OAI.
    o.skip("OriginAccessControlId");
    o.finish(w);
    Some(Origin {
        id,
        domain_name,
        origin_path,
        kind,
        custom_headers,
        read_timeout,
        connect_timeout,
    })
}

/// A bucket's REST endpoint (`b.s3.amazonaws.com`, `b.s3.us-east-1.amazonaws.com`); website
/// endpoints (`s3-website`) are custom origins for CloudFront.
pub fn is_s3_domain(domain: &str) -> bool {
    domain.contains(".s3.") && domain.ends_with(".amazonaws.com") && !domain.contains("s3-website")
        || domain.ends_with(".s3.amazonaws.com")
}

pub fn read_origin_group(mut g: Obj, w: &mut Warnings) -> Option<OriginGroup> {
    let id = g.str("Id", w)?;
    let mut status_codes = Vec::new();
    if let Some(mut criteria) = g.opt_obj("FailoverCriteria", w) {
        status_codes = criteria
            .strings("StatusCodes", w)
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        criteria.finish(w);
    }
    let members = g
        .list("Members", w)
        .into_iter()
        .filter_map(|mut m| {
            let id = m.str("OriginId", w);
            m.finish(w);
            id
        })
        .collect();
    g.finish(w);
    Some(OriginGroup {
        id,
        members,
        status_codes,
    })
}
