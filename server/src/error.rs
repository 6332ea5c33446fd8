//! The one place that turns errors into HTTP responses: `application/problem+json`
//! (RFC 9457) with a stable `code`. Client mistakes are 4xx naming the parameter; our own
//! failures are 500 with a generic message (the detail goes to the log, never to the client).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// An error response (RFC 9457 problem details).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"type": "https://quanze.invalid/problems/invalid_parameter", "title": "Bad Request", "status": 400, "code": "invalid_parameter", "detail": "\"许可证\" is not a category", "parameter": "category", "request_id": "5f0c9e2ab1d34c7f8e2a6b0d9c1e3f47"}))]
pub struct Problem {
    /// URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// HTTP reason phrase.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Stable machine-readable code: invalid_parameter, invalid_record, not_found,
    /// method_not_allowed, unauthenticated, forbidden, conflict, precondition_required,
    /// precondition_failed, unsupported_media_type, rate_limited, payload_too_large, internal.
    pub code: String,
    /// What went wrong, for a person.
    pub detail: String,
    /// The request parameter at fault, for invalid_parameter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// For invalid_record: each problem with the field it concerns (`legal_bases[2].article`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldProblem>,
    /// The request's id, as in its `X-Request-Id` header: quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A problem with one field of a submitted record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// Everything a handler can fail with; `error_response` below is the one mapping to HTTP.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid parameter {parameter}: {message}")]
    BadRequest { parameter: String, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    /// The route exists but not under this method; the methods it takes.
    #[error("method {method} not allowed")]
    MethodNotAllowed { method: String, allow: String },
    /// No valid bearer token; the string is for the log only.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// The caller's role or departments do not allow the action.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The action does not fit the current state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A submitted record failed validation.
    #[error("invalid record")]
    InvalidRecord(Vec<FieldProblem>),
    /// An update must name the revision it is based on (If-Match).
    #[error("If-Match required")]
    PreconditionRequired,
    /// The If-Match revision is not the current one.
    #[error("stale revision")]
    PreconditionFailed { current: i32 },
    /// The body is not JSON (or not NDJSON where that is expected).
    #[error("unsupported media type {0}")]
    UnsupportedMediaType(String),
    /// The client sent too many requests of a limited kind.
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// The request body is larger than the server accepts.
    #[error("request body over {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The server cannot serve yet (the database unreachable, the index too far behind); the
    /// string is logged, not shown. A load balancer takes the server out until it is ready.
    #[error("not ready: {0}")]
    NotReady(String),
    /// Something failed on our side; the string is logged, not shown.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// 429 after `wait`, rounded up to whole seconds for Retry-After (at least one).
    pub fn rate_limited(wait: std::time::Duration) -> ApiError {
        ApiError::RateLimited {
            retry_after_secs: (wait.as_secs_f64().ceil() as u64).max(1),
        }
    }

    pub fn bad_request(parameter: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            parameter: parameter.into(),
            message: message.into(),
        }
    }

    /// Logs our own failures (their detail never goes to the client).
    pub fn report(&self) {
        if let ApiError::Internal(detail) = self {
            let request_id = crate::request_scope::current().unwrap_or_default();
            tracing::error!(request_id, "internal error: {detail}");
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::InvalidRecord(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut problems = Vec::new();
        let (code, detail, parameter) = match self {
            ApiError::BadRequest { parameter, message } => (
                "invalid_parameter",
                message.clone(),
                Some(parameter.clone()),
            ),
            ApiError::NotFound(what) => ("not_found", format!("{what} does not exist"), None),
            ApiError::MethodNotAllowed { method, allow } => (
                "method_not_allowed",
                format!("this route takes {allow}, not {method}"),
                None,
            ),
            ApiError::Unauthenticated(why) => {
                let request_id = crate::request_scope::current().unwrap_or_default();
                tracing::warn!(request_id, "authentication failed: {why}");
                (
                    "unauthenticated",
                    "a valid bearer token is required (Authorization: Bearer …)".to_string(),
                    None,
                )
            }
            ApiError::Forbidden(why) => ("forbidden", why.clone(), None),
            ApiError::Conflict(why) => ("conflict", why.clone(), None),
            ApiError::InvalidRecord(list) => {
                problems = list
                    .iter()
                    .map(|p| FieldProblem {
                        field: p.field.clone(),
                        message: p.message.clone(),
                    })
                    .collect();
                (
                    "invalid_record",
                    format!("the record has {} problem(s)", list.len()),
                    None,
                )
            }
            ApiError::PreconditionRequired => (
                "precondition_required",
                "send If-Match with the draft's ETag (its revision) to update it".to_string(),
                None,
            ),
            ApiError::PreconditionFailed { current } => (
                "precondition_failed",
                format!("the draft has changed; it is at revision {current}: reload and retry"),
                None,
            ),
            ApiError::UnsupportedMediaType(expected) => (
                "unsupported_media_type",
                format!("send the body as {expected}"),
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
            ApiError::NotReady(why) => {
                tracing::warn!("not ready: {why}");
                (
                    "not_ready",
                    "the server is not ready to answer yet; retry shortly".to_string(),
                    None,
                )
            }
            ApiError::Internal(_) => {
                self.report();
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
            problems,
            request_id: crate::request_scope::current(),
        };
        let mut response = HttpResponse::build(status);
        match self {
            ApiError::RateLimited { retry_after_secs } => {
                response.insert_header(("Retry-After", retry_after_secs.to_string()));
            }
            ApiError::NotReady(_) => {
                response.insert_header(("Retry-After", "1"));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header(("Allow", allow.clone()));
            }
            ApiError::Unauthenticated(_) => {
                response.insert_header(("WWW-Authenticate", "Bearer realm=\"quanze\""));
            }
            _ => {}
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
            quanze_registry::RegistryError::Unauthenticated(why) => ApiError::Unauthenticated(why),
            quanze_registry::RegistryError::Forbidden(why) => ApiError::Forbidden(why),
            quanze_registry::RegistryError::Conflict(why) => ApiError::Conflict(why),
            quanze_registry::RegistryError::StaleRevision { current, .. } => {
                ApiError::PreconditionFailed { current }
            }
            quanze_registry::RegistryError::Invalid(problems) => ApiError::InvalidRecord(
                problems
                    .into_iter()
                    .map(|p| FieldProblem {
                        field: p.field,
                        message: p.message,
                    })
                    .collect(),
            ),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(e.to_string())
    }
}
