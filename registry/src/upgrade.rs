//! Data steps that go with a migration: what SQL alone cannot write. `complete` finds what is
//! left to do from the data itself (so a step is never lost to a process that migrated and
//! stopped), and every entry point that opens the registry calls it.
//!
//! The change feed learnt to carry departments, their 责任清单 and laws
//! (`2026-12-05-000002_feed_entities`). A registry upgraded from before holds such records
//! with no feed entry, and lists with no version: this announces each once (published), and
//! records each non-empty list as its version 1, so a mirror reading the feed from the start
//! ends up with everything, and every public list has a history.

use diesel::prelude::*;

use crate::db::{DbConnection, write_transaction};
use crate::domain::FeedEntity;
use crate::error::{RegistryError, Result};
use crate::repo::history::{ChangeKind, OutboxEntry, append_outbox};
use crate::schema::laws;

/// Runs the data steps the registry still needs; returns how many records they wrote. Cheap
/// when there is nothing to do (two small queries).
pub fn complete(db: &crate::Database) -> Result<usize> {
    let mut conn = db.conn()?;
    if !needs_backfill(&mut conn)? {
        return Ok(0);
    }
    backfill_feed_entities(&mut conn)
}

/// Whether departments or laws are held that the feed has never announced.
fn needs_backfill(conn: &mut DbConnection) -> Result<bool> {
    use crate::schema::{departments, outbox};
    let announced: i64 = outbox::table
        .filter(outbox::entity.ne(FeedEntity::Item.as_str()))
        .count()
        .get_result(conn)?;
    if announced > 0 {
        return Ok(false);
    }
    let held: i64 = departments::table.count().get_result(conn)?;
    let laws_held: i64 = laws::table.count().get_result(conn)?;
    Ok(held + laws_held > 0)
}

/// Announces the departments, lists and laws stored before the feed carried them; returns how
/// many entries it wrote. Asked again under the write lock: servers starting together on an
/// upgraded database each find the work to do, and only the first may do it.
pub fn backfill_feed_entities(conn: &mut DbConnection) -> Result<usize> {
    let at = crate::repo::now();
    write_transaction::<_, RegistryError, _>(conn, |conn| {
        if !needs_backfill(conn)? {
            return Ok(0);
        }
        let mut written = 0;
        let announce = |conn: &mut DbConnection, entity, id, key: &str| {
            append_outbox(
                conn,
                &OutboxEntry {
                    entity,
                    entity_id: id,
                    key,
                    kind: ChangeKind::Published,
                    version: 0,
                    reason: None,
                },
                at,
            )
        };
        for department in crate::repo::departments::list_departments(conn)? {
            announce(
                conn,
                FeedEntity::Department,
                department.id,
                &department.name,
            )?;
            written += 1;
            if crate::repo::responsibilities::record_first_version(conn, &department, at)? {
                written += 1;
            }
        }
        let stored: Vec<(i64, String)> = laws::table
            .order(laws::id.asc())
            .select((laws::id, laws::title))
            .load(conn)?;
        for (id, title) in stored {
            announce(conn, FeedEntity::Law, id, &title)?;
            written += 1;
        }
        Ok(written)
    })
}
