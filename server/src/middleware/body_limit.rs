//! The request body limit: a request announcing a body larger than the server accepts is
//! refused with `413` before any of it is read, on every route. Bodies without a length
//! (chunked) are held to the same limit by the body extractor's configuration.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_LENGTH;
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
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The body extractor's limit (the handlers read bodies as bytes and parse them
/// themselves), so a chunked body without a length is held to the same size; its overflow is
/// actix's plain 413.
pub fn payload_config(limit: usize) -> web::PayloadConfig {
    web::PayloadConfig::new(limit)
}
