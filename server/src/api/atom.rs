//! `GET /api/v1/changes.atom`: the change feed as Atom (RFC 4287), so a journalist or a
//! supervision office can follow the registry in any feed reader.
//!
//! Written by hand rather than with atom_syndication: the feed is one fixed shape, and the
//! crate (quick-xml underneath) escapes markup but passes characters XML 1.0 forbids (control
//! characters a department may paste into a name), which makes the whole feed unreadable;
//! `xml_escape` drops them, and a test pins that.

use std::fmt::Write;

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams};
use crate::state::AppState;
use crate::views::changes::{RecentChange, recent_changes};
use crate::views::rfc3339;

/// Parameters of the Atom feed.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtomParams {
    /// How many of the newest changes, at most 500 (default 50).
    #[param(minimum = 1, maximum = 500, example = 50)]
    limit: Option<u32>,
}

impl RouteParams for AtomParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(AtomParams {
            limit: q.number("limit", 1, 500)?,
        })
    }
}

/// Escapes text for XML content and attributes, dropping characters XML 1.0 forbids.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn kind_label(kind: &str) -> &str {
    match kind {
        "published" => "发布",
        "revised" => "修订",
        "revoked" => "撤销",
        "needs_review" => "法规修改，待复核",
        "relinked" => "依据重新链接",
        "reviewed" => "已复核",
        "withdrawn" => "依法不再公开",
        other => other,
    }
}

/// The feed. Links are root-relative (resolved against the feed's own address), so no
/// client-supplied Host header ever ends up in a cached feed.
fn render_feed(changes: &[RecentChange]) -> String {
    let updated = changes
        .first()
        .map(|c| rfc3339(c.row.at))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let mut xml = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n\
         <id>urn:quanze:changes</id>\n\
         <title>权责清单变更</title>\n\
         <subtitle>Published, revised and revoked powers in the quanze registry</subtitle>\n\
         <updated>{updated}</updated>\n\
         <author><name>quanze</name></author>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"/api/v1/changes.atom\"/>\n\
         <link rel=\"alternate\" type=\"application/json\" href=\"/api/v1/changes\"/>\n"
    );
    for c in changes {
        let (r, name, department) = (&c.row, &c.name, &c.department);
        let mut summary = match r.entity.as_str() {
            "item" => format!(
                "{}（{}）第 {} 版：{}",
                kind_label(&r.kind),
                department,
                r.version,
                r.entity_key
            ),
            "responsibility_list" => format!("{}第 {} 版", kind_label(&r.kind), r.version),
            _ => kind_label(&r.kind).to_string(),
        };
        if let Some(reason) = &r.reason {
            let _ = write!(summary, "。理由：{reason}");
        }
        let _ = write!(
            xml,
            "<entry>\n\
             <id>urn:quanze:change:{seq}</id>\n\
             <title>{kind}：{name}</title>\n\
             <updated>{at}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{page}\"/>\n\
             <link rel=\"related\" type=\"application/json\" href=\"{api}\"/>\n\
             <category term=\"{kind_key}\"/>\n\
             <summary>{summary}</summary>\n\
             </entry>\n",
            seq = r.seq,
            kind = xml_escape(kind_label(&r.kind)),
            name = xml_escape(name),
            at = rfc3339(r.at),
            page = xml_escape(&c.page),
            api = xml_escape(&c.api),
            kind_key = xml_escape(&r.kind),
            summary = xml_escape(&summary),
        );
    }
    xml.push_str("</feed>\n");
    xml
}

/// The change feed as Atom.
///
/// The newest changes (published, revised, revoked), newest first, one entry per change with
/// the item's name, department, version and the reason given; each links to the item.
#[utoipa::path(
    tag = "changes",
    params(AtomParams),
    responses(
        (status = 200, description = "An Atom feed (RFC 4287)", body = String, content_type = "application/atom+xml"),
        (status = 400, description = "`limit` is malformed")
    )
)]
#[get("/changes.atom")]
pub async fn changes_atom(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let limit = AtomParams::from_query(req.query_string())?
        .limit
        .map_or(50, |n| n as usize);
    let changes = state
        .with_public_read(move |conn| recent_changes(conn, limit as i64))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(render_feed(&changes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            xml_escape("<script>\"a\" & 'b'\u{1}</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &apos;b&apos;&lt;/script&gt;"
        );
    }
}
