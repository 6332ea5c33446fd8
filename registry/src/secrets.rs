//! Secrets the servers of one registry share, kept in its database: made once, by whichever
//! server needs one first (under the write lock, so two starting together agree), then read by
//! all. Today one: the key that signs the question on the public feedback form, so that a form
//! served by one server is accepted by another behind the same proxy.

use diesel::prelude::*;

use crate::auth::hex;
use crate::db::{DbConnection, write_transaction};
use crate::error::{RegistryError, Result};
use crate::schema::site_secrets;

/// The secret of this name (256 random bits as 64 hex digits, used as they are as a key), made
/// now if the registry has none yet.
pub fn shared_secret(conn: &mut DbConnection, name: &str) -> Result<Vec<u8>> {
    if let Some(secret) = stored(conn, name)? {
        return Ok(secret.into_bytes());
    }
    write_transaction(conn, |conn| {
        if let Some(secret) = stored(conn, name)? {
            return Ok(secret.into_bytes());
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| RegistryError::Corrupt(e.to_string()))?;
        let secret = hex(&bytes);
        diesel::insert_into(site_secrets::table)
            .values((
                site_secrets::name.eq(name),
                site_secrets::secret.eq(&secret),
            ))
            .execute(conn)?;
        Ok(secret.into_bytes())
    })
}

fn stored(conn: &mut DbConnection, name: &str) -> Result<Option<String>> {
    Ok(site_secrets::table
        .filter(site_secrets::name.eq(name))
        .select(site_secrets::secret)
        .first(conn)
        .optional()?)
}
