//! `GET /api/v1/changes`: the public change feed, so other systems mirror the registry
//! incrementally: power items, departments' 责任清单, departments and laws, in sequence order.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams};
use crate::state::AppState;
use crate::views::changes::record_links;
use crate::views::rfc3339;
use quanze_registry::domain::FeedEntity;

/// One change of what the public sees.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Change {
    /// Position in the feed; strictly increasing.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// What the change is about: item (a power item), responsibility_list (a department's
    /// 责任清单), department, or law (a stored law version).
    #[schema(
        example = "item",
        pattern = "^(item|responsibility_list|department|law)$"
    )]
    pub entity: String,
    /// The record's id: the item's; the department's (for its 责任清单 and for itself); the
    /// law version's.
    pub entity_id: i64,
    /// The record's key: item code, department name, law title.
    pub key: String,
    /// For an item: its id (the same as entity_id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<i64>,
    /// For an item: its code (the same as key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_code: Option<String>,
    /// published (new), revised, revoked, needs_review (a law the item cites changed: the
    /// item is due for review; its content is unchanged), relinked (a laws import changed
    /// which stored laws and articles its legal bases link to) or reviewed (a reviewer
    /// approved the item unchanged: its review flags are cleared) or withdrawn (the item is
    /// no longer public: withheld by law, 不予公开; a mirror drops it). Departments and laws are
    /// published or revised (a law version's reason then names its new status, 已修改 or
    /// 已废止, when that changed).
    pub kind: String,
    /// The record's version after the change: items and 责任清单 (absent for departments and
    /// laws).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
    /// Why (法规修改, 机构改革, …), when given.
    pub reason: Option<String>,
    /// Where to read the record as it is now.
    #[schema(example = "/api/v1/items/511A0138000000-511602000000-000-115113010833722043-1-00")]
    pub href: String,
}

/// A page of the feed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Pass as `since` to get the next page (equals `since` when there is nothing new).
    pub next_since: i64,
}

/// Parameters of the feed.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeParams {
    /// Return changes after this sequence number (0, the default, starts at the beginning).
    #[param(minimum = 0, example = 0)]
    since: Option<i64>,
    /// How many changes, at most 500 (default 100).
    #[param(minimum = 1, maximum = 500, example = 100)]
    limit: Option<u32>,
    /// Only changes about these kinds of record, comma-separated (default: all). A client that
    /// mirrors power items only asks for `item`.
    #[param(value_type = Option<String>, example = "item")]
    entity: Option<Vec<FeedEntity>>,
}

impl RouteParams for ChangeParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        let entity = q
            .text("entity", 100)
            .map(|list| {
                list.split(',')
                    .map(|name| {
                        FeedEntity::parse(name.trim()).ok_or_else(|| {
                            ApiError::bad_request(
                                "entity",
                                format!(
                                    "{name:?} is no kind of record in the feed (item, responsibility_list, department, law)"
                                ),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        Ok(ChangeParams {
            since: q.whole("since", 0, i64::MAX)?,
            limit: q.number("limit", 1, 500)?,
            entity,
        })
    }
}

/// The change feed.
///
/// Changes to what the public sees, in sequence order: power items, departments' 责任清单,
/// departments and laws. Mirror the registry by reading from `since=0` and then from each
/// page's `next_since`, fetching each entry's `href`.
#[utoipa::path(
    tag = "changes",
    params(ChangeParams),
    responses(
        (status = 200, description = "A page of changes", body = ChangePage),
        (status = 400, description = "`since` or `limit` is malformed")
    )
)]
#[get("/changes")]
pub async fn changes(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = ChangeParams::from_query(req.query_string())?;
    let since = p.since.unwrap_or(0);
    let limit = p.limit.map_or(100, |n| n as usize);
    let entities = p.entity;
    let rows = state
        .with_public_read(move |conn| {
            Ok(match &entities {
                Some(entities) => quanze_registry::repo::history::outbox_since_of(
                    conn,
                    since,
                    limit as i64,
                    entities,
                )?,
                None => quanze_registry::repo::history::outbox_since(conn, since, limit as i64)?,
            })
        })
        .await?;
    let next_since = rows.last().map(|r| r.seq).unwrap_or(since);
    let changes = rows
        .into_iter()
        .map(|r| {
            let (_, href) = record_links(&r);
            let is_item = r.is_item();
            Change {
                seq: r.seq,
                at: rfc3339(r.at),
                item_id: is_item.then_some(r.entity_id),
                item_code: is_item.then(|| r.entity_key.clone()),
                version: matches!(r.entity.as_str(), "item" | "responsibility_list")
                    .then_some(r.version),
                entity_id: r.entity_id,
                key: r.entity_key,
                entity: r.entity,
                kind: r.kind,
                reason: r.reason,
                href,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(ChangePage {
        changes,
        next_since,
    }))
}
