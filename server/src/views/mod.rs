//! Read models shared by the JSON API and the pages: an item with its department and resolved
//! legal bases, a department's power list, a law with its citations, recent changes, region
//! tallies. Each is loaded by one function here and shown twice — as JSON by `api/`, as HTML
//! by `pages/` — so the two never disagree.

pub mod changes;
pub mod departments;
pub mod feedback;
pub mod items;
pub mod laws;
pub mod quality;
pub mod statistics;

/// A path segment, percent-encoded (every byte but unreserved ASCII).
pub fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Timestamps are stored as naive UTC; the API writes them as RFC 3339 with a `Z`.
pub fn rfc3339(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
