//! The one place that turns errors into HTTP responses: `application/problem+json`
//! (RFC 9457) with a stable `code`. Client mistakes are 4xx naming the parameter; our own
//! failures are 500 with a generic message (the detail goes to the log, never to the client).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// An error response (RFC 9457 problem details).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"type": "https://quanze.invalid/problems/invalid_parameter", "title": "Bad Request", "status": 400, "code": "invalid_parameter", "detail": "\"许可证\" is not a category", "parameter": "category"}))]
pub struct Problem {
    /// URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// HTTP reason phrase.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Stable machine-readable code: invalid_parameter, not_found, method_not_allowed,
    /// rate_limited, payload_too_large, internal.
    pub code: String,
    /// What went wrong, for a person.
    pub detail: String,
    /// The request parameter at fault, for invalid_parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// Everything a handler can fail with; `error_response` below is the one mapping to HTTP.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid parameter {parameter}: {message}")]
    BadRequest { parameter: String, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    /// The route exists but not under this method.
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    /// The client sent too many requests of a limited kind.
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// The request body is larger than the server accepts.
    #[error("request body over {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// Something failed on our side; the string is logged, not shown.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(parameter: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            parameter: parameter.into(),
            message: message.into(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (code, detail, parameter) = match self {
            ApiError::BadRequest { parameter, message } => (
                "invalid_parameter",
                message.clone(),
                Some(parameter.clone()),
            ),
            ApiError::NotFound(what) => ("not_found", format!("{what} does not exist"), None),
            ApiError::MethodNotAllowed(method) => (
                "method_not_allowed",
                format!("this route does not accept {method}"),
                None,
            ),
            ApiError::RateLimited { retry_after_secs } => (
                "rate_limited",
                format!("too many requests from this address; retry after {retry_after_secs} s"),
                None,
            ),
            ApiError::PayloadTooLarge { limit } => (
                "payload_too_large",
                format!("the request body is larger than the {limit} bytes accepted"),
                None,
            ),
            ApiError::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                (
                    "internal",
                    "the server failed to answer; the error has been logged".to_string(),
                    None,
                )
            }
        };
        let problem = Problem {
            kind: format!("https://quanze.invalid/problems/{code}"),
            title: status.canonical_reason().unwrap_or("error").to_string(),
            status: status.as_u16(),
            code: code.to_string(),
            detail,
            parameter,
        };
        let mut response = HttpResponse::build(status);
        if let ApiError::RateLimited { retry_after_secs } = self {
            response.insert_header(("Retry-After", retry_after_secs.to_string()));
        }
        response
            .content_type("application/problem+json")
            .json(problem)
    }
}

impl From<quanze_indexer::IndexError> for ApiError {
    fn from(e: quanze_indexer::IndexError) -> Self {
        match e {
            quanze_indexer::IndexError::InvalidParameter { parameter, message } => {
                ApiError::bad_request(parameter, message)
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<quanze_registry::RegistryError> for ApiError {
    fn from(e: quanze_registry::RegistryError) -> Self {
        match e {
            quanze_registry::RegistryError::NotFound(what) => ApiError::NotFound(what),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// What the app answers when no route takes a request: 405 with `Allow` when the path is a
/// route under another method (every route is read-only: GET and HEAD), else 404.
pub async fn not_found(req: actix_web::HttpRequest) -> HttpResponse {
    if req.match_pattern().is_some() {
        let mut response = ApiError::MethodNotAllowed(req.method().to_string()).error_response();
        response.headers_mut().insert(
            actix_web::http::header::ALLOW,
            actix_web::http::header::HeaderValue::from_static("GET, HEAD"),
        );
        return response;
    }
    ApiError::NotFound(format!("the route {}", req.path())).error_response()
}
