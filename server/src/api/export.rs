//! `GET /api/v1/export`: every published item as NDJSON (the interchange format) or CSV,
//! streamed. A blocking thread pages through the registry and hands the response fixed-size
//! chunks over a bounded channel, so memory stays constant and a slow or vanished client stops
//! the export instead of buffering it.

use std::io::Write;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_registry::domain::{Category, ItemStatus};
use quanze_registry::repo::items::ItemFilter;
use tokio::sync::mpsc;

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams, path_id};
use crate::state::AppState;

/// Bytes per chunk handed to the response.
const CHUNK: usize = 64 * 1024;
/// Chunks in flight between the exporting thread and the client.
const CHUNKS_IN_FLIGHT: usize = 4;

type Chunk = Result<Bytes, std::io::Error>;

/// The response body: chunks as the exporting thread produces them.
struct ChannelBody(mpsc::Receiver<Chunk>);

impl MessageBody for ChannelBody {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.get_mut().0.poll_recv(cx)
    }
}

/// The exporting thread's output: buffers to [`CHUNK`] bytes, then blocks until the client
/// has room. Fails with `BrokenPipe` once the client is gone.
struct ChannelWriter {
    tx: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send_buffer(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send_buffer()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send_buffer()
    }
}

/// Writes a streamed export into the channel.
type StreamWriter = fn(
    &quanze_registry::Database,
    &ItemFilter,
    &mut ChannelWriter,
) -> quanze_registry::Result<usize>;

/// Parameters of the export.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `ndjson` (default; the lossless interchange format, streamed), `csv` (the sheet form:
    /// Chinese headers, one row per item, UTF-8 with a BOM, streamed) or `xlsx` (the same as
    /// an Excel workbook, at most 20,000 items). The sheet forms import back unchanged.
    #[param(example = "ndjson")]
    format: Option<Format>,
    /// Only this department's items (numeric id); repeatable.
    #[param(value_type = Option<i64>, example = 1)]
    department: Option<Vec<i64>>,
    /// Only this category (key, two-digit code or Chinese name).
    #[param(value_type = Option<String>, example = "行政处罚")]
    category: Option<Category>,
}

impl RouteParams for ExportParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        let format = match q.text("format", 20).as_deref() {
            None => None,
            Some("ndjson") => Some(Format::Ndjson),
            Some("csv") => Some(Format::Csv),
            Some("xlsx") => Some(Format::Xlsx),
            Some(_) => {
                return Err(ApiError::bad_request(
                    "format",
                    "must be ndjson, csv or xlsx",
                ));
            }
        };
        let category = q
            .text("category", 20)
            .map(|c| {
                Category::parse(&c).ok_or_else(|| {
                    ApiError::bad_request("category", format!("{c:?} is not a category"))
                })
            })
            .transpose()?;
        let department = q
            .all("department")
            .iter()
            .filter(|d| !d.trim().is_empty())
            .map(|d| path_id("department", d))
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(ExportParams {
            format,
            department: (!department.is_empty()).then_some(department),
            category,
        })
    }
}

/// The export formats.
#[derive(Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Format {
    Ndjson,
    Csv,
    Xlsx,
}

/// Export published items.
///
/// Every published item (optionally of some departments or one category) in id order, streamed
/// in constant memory: NDJSON in the interchange format, which imports back unchanged, or CSV
/// with one row per item and a header row.
#[utoipa::path(
    tag = "export",
    params(ExportParams),
    responses(
        (status = 200, description = "The items, streamed", content(
            (String = "application/x-ndjson"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )),
        (status = 400, description = "A parameter is malformed, or too many items for one XLSX workbook"),
        (status = 404, description = "A department does not exist"),
        (status = 429, description = "Too many requests from this client; retry after the `Retry-After` seconds")
    )
)]
#[get("/export")]
pub async fn export(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = ExportParams::from_query(req.query_string())?;
    let format = p.format.unwrap_or(Format::Ndjson);
    let department_ids = p.department.unwrap_or_default();
    let filter = ItemFilter {
        status: Some(ItemStatus::Published.as_str().to_string()),
        department_ids: (!department_ids.is_empty()).then_some(department_ids.clone()),
        category: p.category.map(|c| c.key().to_string()),
    };
    // Check the departments (and that the database answers) before the 200 goes out.
    state
        .with_public_read(move |conn| {
            let found = quanze_registry::repo::departments::get_departments(conn, &department_ids)?;
            match department_ids
                .iter()
                .find(|id| !found.iter().any(|d| d.id == **id))
            {
                Some(id) => Err(ApiError::NotFound(format!("department {id}"))),
                None => Ok(()),
            }
        })
        .await?;

    let (write, content_type, file): (StreamWriter, &str, &str) = match format {
        Format::Ndjson => (
            |db, filter, out| quanze_registry::export::export_items_ndjson(db, filter, out),
            "application/x-ndjson; charset=utf-8",
            "quanze-items.ndjson",
        ),
        Format::Csv => (
            |db, filter, out| quanze_registry::export::export_items_csv(db, filter, out),
            "text/csv; charset=utf-8; header=present",
            "quanze-items.csv",
        ),
        Format::Xlsx => return export_xlsx(&state, filter).await,
    };
    let (tx, rx) = mpsc::channel::<Chunk>(CHUNKS_IN_FLIGHT);
    let db = state.public_reads().clone();
    actix_web::rt::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let result = write(&db, &filter, &mut out);
        if let Err(e) = result {
            // The status line is long gone: end the body with an error so the client sees a
            // broken transfer rather than a short file that looks complete.
            tracing::warn!("export stopped: {e}");
            let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{file}\""),
        ))
        .body(ChannelBody(rx)))
}

/// An XLSX workbook is written whole (it is a zip archive), so it is built before the answer
/// starts: a refusal (too many items for one workbook) is still a 400.
async fn export_xlsx(
    state: &web::Data<AppState>,
    filter: ItemFilter,
) -> Result<HttpResponse, ApiError> {
    let db = state.public_reads().clone();
    let bytes = web::block(move || {
        let mut out = Vec::new();
        quanze_registry::export::export_items_xlsx(&db, &filter, &mut out).map(|_| out)
    })
    .await?
    .map_err(|e| match e {
        quanze_registry::RegistryError::Invalid(problems) => ApiError::bad_request(
            "format",
            problems
                .into_iter()
                .map(|p| p.message)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => other.into(),
    })?;
    Ok(crate::api::import::attachment(
        crate::extract::body::XLSX,
        "quanze-items.xlsx",
        bytes,
    ))
}
