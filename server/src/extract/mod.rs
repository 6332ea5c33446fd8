//! What handlers take from a request, each with the error that names what is wrong: the
//! bearer token's caller, the client address, JSON and NDJSON bodies, query and path
//! parameters. Shared by the API and the pages.

pub mod auth;
pub mod body;
pub mod params;
