//! Sheets uploaded in the workbench and checked by a dry run, kept so that the person can
//! submit exactly what was checked without uploading it again. Only the uploader reads one;
//! each is deleted when submitted or replaced by the uploader's next check, and any older than
//! [`UPLOAD_LIFETIME_HOURS`] when the next is stored.

use diesel::prelude::*;

use crate::auth::Principal;
use crate::db::DbConnection;
use crate::error::{RegistryError, Result};
use crate::schema::sheet_uploads;
use crate::sheet::workbook::SheetFormat;

/// How long a checked sheet waits to be submitted.
pub const UPLOAD_LIFETIME_HOURS: i64 = 24;

/// A stored upload.
#[derive(Debug, Clone)]
pub struct StoredUpload {
    pub id: i64,
    pub file_name: String,
    pub format: SheetFormat,
    pub content: Vec<u8>,
    pub department_id: Option<i64>,
    pub created_at: chrono::NaiveDateTime,
}

/// Keeps an uploaded sheet for its uploader; returns its id. Clears out expired uploads.
pub fn store_upload(
    conn: &mut DbConnection,
    by: &Principal,
    file_name: &str,
    format: SheetFormat,
    content: &[u8],
    department_id: Option<i64>,
    at: chrono::NaiveDateTime,
) -> Result<i64> {
    if let Some(d) = department_id {
        by.require(by.can_edit(d), "upload this department's list")?;
    }
    diesel::delete(
        sheet_uploads::table.filter(
            sheet_uploads::created_at.lt(at - chrono::Duration::hours(UPLOAD_LIFETIME_HOURS)),
        ),
    )
    .execute(conn)?;
    let name: String = file_name.chars().take(200).collect();
    Ok(diesel::insert_into(sheet_uploads::table)
        .values((
            sheet_uploads::user_id.eq(by.user_id),
            sheet_uploads::file_name.eq(name),
            sheet_uploads::format.eq(format.key()),
            sheet_uploads::content.eq(content),
            sheet_uploads::department_id.eq(department_id),
            sheet_uploads::created_at.eq(at),
        ))
        .returning(sheet_uploads::id)
        .get_result(conn)?)
}

type UploadColumns = (
    i64,
    i64,
    String,
    String,
    Vec<u8>,
    Option<i64>,
    chrono::NaiveDateTime,
);

/// The caller's own upload `id`, if it has not expired (anyone else's is `NotFound`, as if it
/// did not exist).
pub fn find_upload(
    conn: &mut DbConnection,
    by: &Principal,
    id: i64,
    now: chrono::NaiveDateTime,
) -> Result<StoredUpload> {
    let missing = || RegistryError::NotFound(format!("upload {id}"));
    let row: UploadColumns = sheet_uploads::table
        .find(id)
        .select((
            sheet_uploads::id,
            sheet_uploads::user_id,
            sheet_uploads::file_name,
            sheet_uploads::format,
            sheet_uploads::content,
            sheet_uploads::department_id,
            sheet_uploads::created_at,
        ))
        .first(conn)
        .optional()?
        .ok_or_else(missing)?;
    let (id, user_id, file_name, format, content, department_id, created_at) = row;
    if !by.is(user_id) || now - created_at > chrono::Duration::hours(UPLOAD_LIFETIME_HOURS) {
        return Err(missing());
    }
    Ok(StoredUpload {
        id,
        file_name,
        format: SheetFormat::parse(&format)
            .ok_or_else(|| RegistryError::Corrupt(format!("upload {id} has format {format:?}")))?,
        content,
        department_id,
        created_at,
    })
}

/// Deletes the caller's upload (after it was submitted).
pub fn delete_upload(conn: &mut DbConnection, by: &Principal, id: i64) -> Result<()> {
    diesel::delete(
        sheet_uploads::table
            .find(id)
            .filter(sheet_uploads::user_id.eq(by.user_id)),
    )
    .execute(conn)?;
    Ok(())
}
