//! Conditional GETs: every successful GET response of known size gets a weak `ETag` derived
//! from its bytes, and a request whose `If-None-Match` names it gets `304 Not Modified` with
//! no body. A mirror polling the registry then pays only for what changed. The tag is a
//! stable FNV-1a hash, so every replica of the service gives the same tag for the same data.

use actix_web::HttpResponse;
use actix_web::body::{BodySize, BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{ETAG, ETag, EntityTag, Header, IfNoneMatch, TryIntoHeaderPair};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;

/// Responses larger than this are passed through untagged (they would have to be buffered).
const MAX_TAGGED_BYTES: u64 = 8 * 1024 * 1024;

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Whether an `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks for it; `*`
/// matches anything). A malformed header names nothing.
fn matches(if_none_match: Option<&IfNoneMatch>, tag: &EntityTag) -> bool {
    match if_none_match {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(tag)),
        None => false,
    }
}

pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_get = req.method() == Method::GET;
    let if_none_match = IfNoneMatch::parse(req.request()).ok();
    let res = next.call(req).await?;
    let small = matches!(res.response().body().size(), BodySize::Sized(n) if n <= MAX_TAGGED_BYTES);
    // A handler that set its own tag (a draft's revision, for If-Match) keeps it.
    let tagged = res.headers().contains_key(ETAG);
    if !is_get || res.status() != StatusCode::OK || !small || tagged {
        return Ok(res.map_into_boxed_body());
    }
    let (req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body).await.map_err(Into::into)?;
    let tag = EntityTag::new_weak(format!("{:016x}", fnv1a64(&bytes)));
    let (_, tag_value) = ETag(tag.clone())
        .try_into_pair()
        .map_err(actix_web::error::ErrorInternalServerError)?;
    if matches(if_none_match.as_ref(), &tag) {
        let mut not_modified = HttpResponse::NotModified().finish();
        not_modified.headers_mut().insert(ETAG, tag_value);
        return Ok(ServiceResponse::new(req, not_modified));
    }
    let mut response = head.set_body(BoxBody::new(bytes));
    response.headers_mut().insert(ETAG, tag_value);
    Ok(ServiceResponse::new(req, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_comparison() {
        let tag = EntityTag::new_weak("00ff".into());
        let header = |v: &str| {
            let req = actix_web::test::TestRequest::default()
                .insert_header(("If-None-Match", v))
                .to_http_request();
            IfNoneMatch::parse(&req).ok()
        };
        assert!(matches(header("W/\"00ff\"").as_ref(), &tag));
        assert!(matches(header("\"00ff\"").as_ref(), &tag));
        assert!(matches(header("\"aa\", W/\"00ff\"").as_ref(), &tag));
        assert!(matches(header("*").as_ref(), &tag));
        assert!(!matches(header("\"00fe\"").as_ref(), &tag));
        assert!(!matches(None, &tag));
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a64(b"a"), fnv1a64(b"b"));
    }
}
