//! Request bodies of the maintenance API: JSON, parsed here so every mistake is a problem
//! response naming the JSON path, and an empty body reads as the type's default where the
//! route allows one.

use actix_web::HttpRequest;
use actix_web::web::Bytes;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

fn content_type(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Parses a JSON body; `empty_ok` lets an empty body stand for `T::default()`.
pub fn json_body<T: DeserializeOwned + Default>(
    req: &HttpRequest,
    body: &Bytes,
    empty_ok: bool,
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return if empty_ok {
            Ok(T::default())
        } else {
            Err(ApiError::bad_request("body", "a JSON body is required"))
        };
    }
    let ct = content_type(req);
    if ct != "application/json" && !ct.ends_with("+json") {
        return Err(ApiError::UnsupportedMediaType("application/json".into()));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        ApiError::bad_request(
            if path == "." {
                "body".to_string()
            } else {
                format!("body.{path}")
            },
            e.inner().to_string(),
        )
    })
}

/// The media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What a file upload holds, by its Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upload {
    Ndjson,
    Sheet(quanze_registry::sheet::workbook::SheetFormat),
}

/// The kind of an uploaded list: NDJSON (or plain text), CSV, XLSX; a generic binary body is
/// taken for what its bytes show.
pub fn upload_kind(req: &HttpRequest, body: &[u8]) -> Result<Upload, ApiError> {
    use quanze_registry::sheet::workbook::SheetFormat;
    match content_type(req).as_str() {
        "application/x-ndjson" | "application/jsonl" | "text/plain" | "" => Ok(Upload::Ndjson),
        "text/csv" => Ok(Upload::Sheet(SheetFormat::Csv)),
        XLSX => Ok(Upload::Sheet(SheetFormat::Xlsx)),
        "application/octet-stream" => Ok(Upload::Sheet(SheetFormat::sniff(body))),
        _ => Err(ApiError::UnsupportedMediaType(format!(
            "application/x-ndjson, text/csv or {XLSX}"
        ))),
    }
}
