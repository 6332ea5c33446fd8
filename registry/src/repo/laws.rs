//! Laws (法律法规), their articles, and the links from items' legal bases to stored articles.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::domain::{ItemStatus, LawStatus};
use crate::error::Result;
use crate::models::{ArticleRow, LawRow, NewArticle, NewLaw};
use crate::repo::{copy_batch, like_contains};
use crate::schema::{item_legal_bases, law_articles, laws, power_items};

/// What storing a law version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LawWrite {
    Created,
    /// Stored before; its title, dates, issuer, history or articles differ now.
    Changed,
    /// Stored before, the same (its status aside).
    Same,
}

/// A stored law's fields a re-import compares: title, short title, level, issuer, version
/// date, effective date, history.
type LawFields = (
    String,
    String,
    String,
    Option<String>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    String,
);

/// Inserts a law version or replaces the one stored from the same source path (its articles
/// too: updated in place when there are as many, else replaced), keeping when the registry
/// first held it (`imported_at`: which version an
/// item published then cites depends on it). Returns the law's id and what changed.
pub(crate) fn upsert_law(
    conn: &mut DbConnection,
    law: &NewLaw<'_>,
    articles: &[NewArticle<'_>],
) -> Result<(i64, LawWrite)> {
    let existing: Option<(i64, chrono::NaiveDateTime, LawFields)> = laws::table
        .filter(laws::source_path.eq(law.source_path))
        .select((
            laws::id,
            laws::imported_at,
            (
                laws::title,
                laws::short_title,
                laws::level,
                laws::issuer,
                laws::version_date,
                laws::effective_date,
                laws::history,
            ),
        ))
        .first(conn)
        .optional()?;
    let id = match existing {
        Some((id, first_imported, stored)) => {
            // What the public reads of the law itself (its status is announced apart).
            let same_law = stored
                == (
                    law.title.to_string(),
                    law.short_title.to_string(),
                    law.level.to_string(),
                    law.issuer.map(str::to_string),
                    law.version_date,
                    law.effective_date,
                    law.history.clone(),
                );
            diesel::update(laws::table.find(id))
                .set(law)
                .execute(conn)?;
            diesel::update(laws::table.find(id))
                .set(laws::imported_at.eq(first_imported))
                .execute(conn)?;
            // The same articles again keep their rows (and so every item's link to them);
            // a changed file replaces them.
            let old: Vec<(i64, String, String)> = law_articles::table
                .filter(law_articles::law_id.eq(id))
                .order(law_articles::position.asc())
                .select((law_articles::id, law_articles::label, law_articles::text))
                .load(conn)?;
            if old.len() == articles.len() {
                let same = old
                    .iter()
                    .zip(articles)
                    .all(|((_, label, text), a)| label == a.label && text == a.text);
                for ((article_id, ..), a) in old.iter().zip(articles) {
                    diesel::update(law_articles::table.find(article_id))
                        .set((
                            law_articles::position.eq(a.position),
                            law_articles::number.eq(a.number),
                            law_articles::sub_number.eq(a.sub_number),
                            law_articles::label.eq(a.label),
                            law_articles::chapter.eq(a.chapter),
                            law_articles::section.eq(a.section),
                            law_articles::text.eq(a.text),
                        ))
                        .execute(conn)?;
                }
                let write = if same && same_law {
                    LawWrite::Same
                } else {
                    LawWrite::Changed
                };
                return Ok((id, write));
            }
            diesel::delete(law_articles::table.filter(law_articles::law_id.eq(id)))
                .execute(conn)?;
            (id, LawWrite::Changed)
        }
        None => (
            diesel::insert_into(laws::table)
                .values(law)
                .returning(laws::id)
                .get_result(conn)?,
            LawWrite::Created,
        ),
    };
    let (id, write) = id;
    let rows: Vec<NewArticle<'_>> = articles
        .iter()
        .map(|a| NewArticle {
            law_id: id,
            ..a.clone()
        })
        .collect();
    copy_batch!(conn, law_articles::table, rows);
    Ok((id, write))
}

/// Feed entries for a laws import: each law version stored for the first time (published),
/// and each whose status or content changed (revised; the reason names a new status), so
/// mirrors that follow the feed hold the laws too. `before` is every version's status before
/// the import. Returns how many entries.
pub(crate) fn announce_law_changes(
    conn: &mut DbConnection,
    before: &HashMap<i64, String>,
    changed: &[i64],
    at: chrono::NaiveDateTime,
) -> Result<usize> {
    use crate::repo::history::{ChangeKind, FeedEntity, OutboxEntry, append_outbox};
    let now: Vec<(i64, String, String)> = laws::table
        .order(laws::id.asc())
        .select((laws::id, laws::title, laws::status))
        .load(conn)?;
    let mut announced = 0;
    for (id, title, status) in &now {
        let was = before.get(id);
        let (kind, reason) = match was {
            None => (ChangeKind::Published, None),
            Some(was) if was != status => (ChangeKind::Revised, Some(status.as_str())),
            Some(_) if changed.contains(id) => (ChangeKind::Revised, None),
            Some(_) => continue,
        };
        append_outbox(
            conn,
            &OutboxEntry {
                entity: FeedEntity::Law,
                entity_id: *id,
                key: title,
                kind,
                version: 0,
                reason,
            },
            at,
        )?;
        announced += 1;
    }
    Ok(announced)
}

/// Leaves one version of a title in force: the newest by version date (a repealed one stays
/// repealed); older versions in force become 已修改 (amended).
pub(crate) fn settle_versions(conn: &mut DbConnection, title: &str) -> Result<()> {
    // Undated versions never count as the newest (NULLs sort first on PostgreSQL and last on
    // SQLite, so they are left out rather than ordered).
    let newest: Option<i64> = laws::table
        .filter(laws::title.eq(title))
        .filter(laws::version_date.is_not_null())
        .order((laws::version_date.desc(), laws::id.desc()))
        .select(laws::id)
        .first(conn)
        .optional()?;
    if let Some(newest) = newest {
        diesel::update(
            laws::table
                .filter(laws::title.eq(title))
                .filter(laws::id.ne(newest))
                .filter(laws::status.eq(LawStatus::InForce.as_str())),
        )
        .set(laws::status.eq(LawStatus::Amended.as_str()))
        .execute(conn)?;
    }
    Ok(())
}

pub fn get_law(conn: &mut DbConnection, id: i64) -> Result<Option<LawRow>> {
    Ok(laws::table
        .find(id)
        .select(LawRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every stored version of a law, oldest first, by its full title.
pub fn find_law_versions(conn: &mut DbConnection, title: &str) -> Result<Vec<LawRow>> {
    Ok(laws::table
        .filter(laws::title.eq(title).or(laws::short_title.eq(title)))
        .order((laws::version_date.asc(), laws::id.asc()))
        .select(LawRow::as_select())
        .load(conn)?)
}

pub fn list_articles(conn: &mut DbConnection, law_id: i64) -> Result<Vec<ArticleRow>> {
    Ok(law_articles::table
        .filter(law_articles::law_id.eq(law_id))
        .order(law_articles::position.asc())
        .select(ArticleRow::as_select())
        .load(conn)?)
}

pub fn count_laws(conn: &mut DbConnection) -> Result<(i64, i64)> {
    let laws: i64 = laws::table.count().get_result(conn)?;
    let articles: i64 = law_articles::table.count().get_result(conn)?;
    Ok((laws, articles))
}

/// Strips 《》 and spaces so 《中华人民共和国道路运输条例》 matches the stored title.
fn normalise_title(t: &str) -> String {
    t.chars()
        .filter(|c| !matches!(c, '《' | '》') && !c.is_whitespace())
        .collect()
}

/// What a citation resolved to: the stored law version and article, where there are such.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resolution {
    pub law_id: Option<i64>,
    pub article_id: Option<i64>,
}

/// A stored version of a law, as the resolver weighs it.
type LawVersion = (i64, Option<NaiveDate>, String, chrono::NaiveDateTime);

/// Finds the stored law version and article a citation names: by title (full or short, 《》
/// and spaces ignored) and version date when given; without a version date, the version that
/// was in force when the item was published (the newest the registry held then), else the one
/// in force now (or the newest) — so a newer version imported later never moves an item's
/// citation silently: the item is flagged for review instead (`repo::flags`). The article by
/// number (第六十三条 and 第63条 alike, 之一 kept). Remembers what it looked up, so resolving
/// many citations of few laws costs few queries.
#[derive(Default)]
pub struct CitationResolver {
    /// Normalised title → its versions (id, version date, status, when it was imported).
    versions: HashMap<String, Vec<LawVersion>>,
    articles: HashMap<(i64, i32, i32), Option<i64>>,
}

impl CitationResolver {
    /// Loads the versions of these titles in one query per 500 (titles already known are
    /// skipped).
    pub(crate) fn load_titles(&mut self, conn: &mut DbConnection, titles: &[String]) -> Result<()> {
        let mut wanted: Vec<String> = titles
            .iter()
            .map(|t| normalise_title(t))
            .filter(|t| !self.versions.contains_key(t))
            .collect();
        wanted.sort();
        wanted.dedup();
        for chunk in wanted.chunks(500) {
            for t in chunk {
                self.versions.entry(t.clone()).or_default();
            }
            type Row = (
                i64,
                String,
                String,
                Option<NaiveDate>,
                String,
                chrono::NaiveDateTime,
            );
            let rows: Vec<Row> = laws::table
                .filter(
                    laws::title
                        .eq_any(chunk)
                        .or(laws::short_title.eq_any(chunk)),
                )
                .select((
                    laws::id,
                    laws::title,
                    laws::short_title,
                    laws::version_date,
                    laws::status,
                    laws::imported_at,
                ))
                .load(conn)?;
            for (id, title, short, date, status, imported) in rows {
                for key in [title, short] {
                    if let Some(list) = self.versions.get_mut(&key) {
                        list.push((id, date, status.clone(), imported));
                    }
                }
            }
        }
        Ok(())
    }

    /// Resolves one citation of an item published at `published` (none: as of now).
    pub fn resolve(
        &mut self,
        conn: &mut DbConnection,
        title: &str,
        version: Option<NaiveDate>,
        article: Option<&str>,
        published: Option<chrono::NaiveDateTime>,
    ) -> Result<Resolution> {
        let key = normalise_title(title);
        if !self.versions.contains_key(&key) {
            self.load_titles(conn, std::slice::from_ref(&key))?;
        }
        let law_id = self.versions.get(&key).and_then(|versions| match version {
            Some(v) => versions
                .iter()
                .find(|(_, d, ..)| *d == Some(v))
                .map(|x| x.0),
            None => published
                .and_then(|at| {
                    versions
                        .iter()
                        .filter(|(.., imported)| *imported <= at)
                        .max_by_key(|(_, d, ..)| *d)
                })
                .or_else(|| {
                    versions
                        .iter()
                        .filter(|(_, _, s, _)| s == LawStatus::InForce.as_str())
                        .max_by_key(|(_, d, ..)| *d)
                })
                .or_else(|| versions.iter().max_by_key(|(_, d, ..)| *d))
                .map(|x| x.0),
        });
        let number = article.and_then(crate::domain::numerals::parse_article_label);
        let article_id = match (law_id, number) {
            (Some(law), Some((number, sub))) => {
                let key = (law, number, sub);
                match self.articles.get(&key) {
                    Some(found) => *found,
                    None => {
                        let found = law_articles::table
                            .filter(law_articles::law_id.eq(law))
                            .filter(law_articles::number.eq(number))
                            .filter(law_articles::sub_number.eq(sub))
                            .select(law_articles::id)
                            .first::<i64>(conn)
                            .optional()?;
                        self.articles.insert(key, found);
                        found
                    }
                }
            }
            _ => None,
        };
        Ok(Resolution { law_id, article_id })
    }
}

/// What relinking did.
#[derive(Debug, Clone, Default)]
pub(crate) struct Relinked {
    /// Bases now linked to a stored article.
    pub linked: usize,
    /// Items with a basis whose link changed (what the index's law filter reads).
    pub items_changed: Vec<i64>,
}

/// Resolves legal bases to stored laws and articles ([`CitationResolver`]). Only bases whose
/// link changes are written. `item_ids` limits the work to some items; `None` relinks
/// everything (after a laws import).
pub(crate) fn link_legal_bases(
    conn: &mut DbConnection,
    item_ids: Option<&[i64]>,
) -> Result<Relinked> {
    type BasisKey = (
        i64,
        String,
        Option<NaiveDate>,
        Option<String>,
        Option<i64>,
        Option<i64>,
        chrono::NaiveDateTime,
        i64,
    );
    let mut bases: Vec<BasisKey> = Vec::new();
    let select = (
        item_legal_bases::id,
        item_legal_bases::law_title,
        item_legal_bases::law_version,
        item_legal_bases::article_label,
        item_legal_bases::law_id,
        item_legal_bases::article_id,
        power_items::updated_at,
        item_legal_bases::item_id,
    );
    match item_ids {
        Some(ids) => {
            for chunk in ids.chunks(500) {
                bases.extend(
                    item_legal_bases::table
                        .inner_join(power_items::table)
                        .filter(item_legal_bases::item_id.eq_any(chunk))
                        .select(select)
                        .load::<BasisKey>(conn)?,
                );
            }
        }
        None => {
            bases = item_legal_bases::table
                .inner_join(power_items::table)
                .select(select)
                .load::<BasisKey>(conn)?
        }
    }
    let mut outcome = Relinked::default();
    if bases.is_empty() {
        return Ok(outcome);
    }
    let mut resolver = CitationResolver::default();
    let titles: Vec<String> = bases.iter().map(|b| b.1.clone()).collect();
    resolver.load_titles(conn, &titles)?;
    for (basis_id, title, version, label, old_law, old_article, published, item_id) in bases {
        let Resolution { law_id, article_id } =
            resolver.resolve(conn, &title, version, label.as_deref(), Some(published))?;
        if article_id.is_some() {
            outcome.linked += 1;
        }
        if law_id != old_law || article_id != old_article {
            // A re-imported law gets new article rows: the same article under a new id is no
            // change anyone can see.
            let visible = law_id != old_law || article_id.is_some() != old_article.is_some();
            if visible && outcome.items_changed.last() != Some(&item_id) {
                outcome.items_changed.push(item_id);
            }
            diesel::update(item_legal_bases::table.find(basis_id))
                .set((
                    item_legal_bases::law_id.eq(law_id),
                    item_legal_bases::article_id.eq(article_id),
                ))
                .execute(conn)?;
        }
    }
    outcome.items_changed.sort_unstable();
    outcome.items_changed.dedup();
    Ok(outcome)
}

/// The citations of a record the registry cannot resolve: (index of the basis, what is
/// missing). A law not in the registry is common (local rules) and only worth a warning.
pub fn unresolved_citations(
    conn: &mut DbConnection,
    resolver: &mut CitationResolver,
    record: &crate::interchange::PowerItemRecord,
) -> Result<Vec<(usize, Unresolved)>> {
    let mut out = Vec::new();
    for (i, basis) in record.legal_bases.iter().enumerate() {
        let version = basis
            .version
            .as_deref()
            .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok());
        let found = resolver.resolve(conn, &basis.law, version, basis.article.as_deref(), None)?;
        let missing = match (found.law_id, &basis.article, found.article_id) {
            (None, _, _) => Some(Unresolved::Law),
            (Some(_), Some(_), None) => Some(Unresolved::Article),
            _ => None,
        };
        out.extend(missing.map(|m| (i, m)));
    }
    Ok(out)
}

/// What part of a citation the registry does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// No stored law (of that version) has the title.
    Law,
    /// The law is stored, the article number is not in it.
    Article,
}

/// The stored laws each item's legal bases are linked to.
pub fn law_ids_for_items(
    conn: &mut DbConnection,
    item_ids: &[i64],
) -> Result<HashMap<i64, Vec<i64>>> {
    let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in item_ids.chunks(500) {
        let rows: Vec<(i64, Option<i64>)> = item_legal_bases::table
            .filter(item_legal_bases::item_id.eq_any(chunk))
            .filter(item_legal_bases::law_id.is_not_null())
            .select((item_legal_bases::item_id, item_legal_bases::law_id))
            .load(conn)?;
        for (item, law) in rows {
            if let Some(law) = law {
                let laws = map.entry(item).or_default();
                if !laws.contains(&law) {
                    laws.push(law);
                }
            }
        }
    }
    Ok(map)
}

/// A legal basis of an item resolved to the stored law version and article it cites.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolvedBasis {
    /// Index of the basis in the item's `legal_bases`.
    pub position: i32,
    pub law_id: i64,
    /// Full title of the stored law version.
    pub law_title: String,
    /// 宪法 / 法律 / 行政法规 / 地方性法规 / 部门规章 / 地方政府规章 / 规范性文件 / 司法解释.
    pub law_level: String,
    /// Version date of the stored law (YYYY-MM-DD).
    pub law_version: Option<String>,
    /// 现行有效 / 已修改 / 已废止.
    pub law_status: String,
    pub article_id: Option<i64>,
    pub article_label: Option<String>,
    pub article_number: Option<i32>,
    /// Full text of the cited article as stored.
    pub article_text: Option<String>,
}

/// The legal bases of an item that are linked to a stored law, with the law and article.
pub fn resolved_legal_bases(conn: &mut DbConnection, item_id: i64) -> Result<Vec<ResolvedBasis>> {
    let links: Vec<(i32, Option<i64>, Option<i64>)> = item_legal_bases::table
        .filter(item_legal_bases::item_id.eq(item_id))
        .filter(item_legal_bases::law_id.is_not_null())
        .order(item_legal_bases::position.asc())
        .select((
            item_legal_bases::position,
            item_legal_bases::law_id,
            item_legal_bases::article_id,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(links.len());
    for (position, law_id, article_id) in links {
        let Some(law) = law_id.map(|id| get_law(conn, id)).transpose()?.flatten() else {
            continue;
        };
        let article = match article_id {
            Some(id) => law_articles::table
                .find(id)
                .select(ArticleRow::as_select())
                .first(conn)
                .optional()?,
            None => None,
        };
        out.push(ResolvedBasis {
            position,
            law_id: law.id,
            law_title: law.title,
            law_level: law.level,
            law_version: law.version_date.map(|d| d.format("%Y-%m-%d").to_string()),
            law_status: law.status,
            article_id: article.as_ref().map(|a| a.id),
            article_label: article.as_ref().map(|a| a.label.clone()),
            article_number: article.as_ref().map(|a| a.number),
            article_text: article.map(|a| a.text),
        });
    }
    Ok(out)
}

/// Which laws a listing covers.
#[derive(Debug, Clone, Default)]
pub struct LawFilter {
    /// A fragment of the full or short title.
    pub title_contains: Option<String>,
    /// 法律, 行政法规, … exactly.
    pub level: Option<String>,
    /// 现行有效, 已修改, 已废止 exactly.
    pub status: Option<String>,
}

/// Laws matching the filter: those in force first, then by title and newest version, with the
/// total before paging.
pub fn search_laws(
    conn: &mut DbConnection,
    filter: &LawFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<LawRow>, i64)> {
    let filtered = || {
        let mut q = laws::table.into_boxed();
        if let Some(t) = filter
            .title_contains
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        {
            let pattern = like_contains(&normalise_title(t));
            q = q.filter(
                laws::title
                    .like(pattern.clone())
                    .escape('\\')
                    .or(laws::short_title.like(pattern).escape('\\')),
            );
        }
        if let Some(level) = &filter.level {
            q = q.filter(laws::level.eq(level.clone()));
        }
        if let Some(status) = &filter.status {
            q = q.filter(laws::status.eq(status.clone()));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((
            laws::status.ne(LawStatus::InForce.as_str()),
            laws::title.asc(),
            laws::version_date.desc(),
            laws::id.asc(),
        ))
        .offset(offset)
        .limit(limit)
        .select(LawRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// A published item citing a law: which article (None when the basis names the law only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Citation {
    pub article_id: Option<i64>,
    pub item_id: i64,
}

/// Every (article, published item) pair citing the law, in article order then item id; an
/// item citing two articles appears under both. Pairs are small, so callers page in memory.
pub fn citations_of_law(conn: &mut DbConnection, law_id: i64) -> Result<Vec<Citation>> {
    let mut pairs: Vec<(Option<i64>, i64)> = item_legal_bases::table
        .inner_join(power_items::table)
        .filter(item_legal_bases::law_id.eq(law_id))
        .filter(power_items::status.eq(ItemStatus::Published.as_str()))
        .select((item_legal_bases::article_id, item_legal_bases::item_id))
        .distinct()
        .load(conn)?;
    // Articles are stored in position order, so their ids sort like their positions; bases
    // naming the law without an article come last.
    pairs.sort_by_key(|&(article, item)| (article.is_none(), article, item));
    Ok(pairs
        .into_iter()
        .map(|(article_id, item_id)| Citation {
            article_id,
            item_id,
        })
        .collect())
}

/// How many published items cite each of these laws (items, not citations: an item citing
/// three articles of a law counts once).
pub fn citing_item_counts(
    conn: &mut DbConnection,
    law_ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>> {
    let pairs: Vec<(i64, i64)> = item_legal_bases::table
        .inner_join(power_items::table)
        .filter(item_legal_bases::law_id.eq_any(law_ids))
        .filter(power_items::status.eq(ItemStatus::Published.as_str()))
        .select((
            item_legal_bases::law_id.assume_not_null(),
            item_legal_bases::item_id,
        ))
        .distinct()
        .load(conn)?;
    let mut counts = std::collections::HashMap::new();
    for (law, _) in pairs {
        *counts.entry(law).or_insert(0) += 1;
    }
    Ok(counts)
}
