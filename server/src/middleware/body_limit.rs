//! The request body limit: a request announcing a body larger than the server accepts is
//! refused with `413` before any of it is read, on every route. Bodies without a length
//! (chunked) are held to the same limit by the body extractor's configuration, and its refusal
//! is answered here as the same problem+json as the announced one.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use crate::error::ApiError;

/// The largest request body accepted, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct MaxBody(pub usize);

pub async fn limit_body(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limit = req.app_data::<web::Data<MaxBody>>().map(|m| m.0);
    let announced = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let (Some(limit), Some(length)) = (limit, announced)
        && length > limit as u64
    {
        let response = ApiError::PayloadTooLarge { limit }.error_response();
        return Ok(req.into_response(response));
    }
    let res = next.call(req).await?;
    match limit {
        Some(limit) if res.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_problem(&res) => {
            // actix's own refusal of a chunked body that outgrew the limit: plain text.
            let (req, _) = res.into_parts();
            let response = ApiError::PayloadTooLarge { limit }.error_response();
            Ok(ServiceResponse::new(req, response))
        }
        _ => Ok(res.map_into_boxed_body()),
    }
}

fn is_problem<B>(res: &ServiceResponse<B>) -> bool {
    res.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

/// The body extractor's limit (the handlers read bodies as bytes and parse them
/// themselves), so a chunked body without a length is held to the same size; its overflow
/// (actix's plain 413) is rewritten by [`limit_body`].
pub fn payload_config(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}
