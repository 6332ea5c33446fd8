//! Import of a LawRefBook tree: every `.md` law file under a directory, with level and
//! validity from the `db.sqlite3` index beside the files where there is one (else from the
//! folder), older versions of the same law linked as superseded. Files are parsed in parallel
//! and stored in one transaction.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use diesel::prelude::*;
use rayon::prelude::*;

use crate::db::{Database, write_transaction};
use crate::domain::LawStatus;
use crate::error::{RegistryError, Result};
use crate::import::lawref::{ParsedLaw, parse_lawref};
use crate::models::{NewArticle, NewLaw};
use crate::repo::laws::{LawWrite, link_legal_bases, upsert_law};

/// What a laws import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LawImportReport {
    pub files: usize,
    pub laws: usize,
    pub articles: usize,
    /// Versions that a newer stored version of the same title supersedes.
    pub superseded: usize,
    /// Files that are not law texts (e.g. `_index.md` section pages), with the reason.
    pub skipped: Vec<(String, String)>,
    /// Legal bases of items that now point at a stored article.
    pub linked_bases: usize,
    /// Published items flagged for review because a law version they cite stopped being in
    /// force (superseded or repealed).
    pub flagged_items: usize,
    /// Published items whose legal bases now link to other stored laws or articles (each
    /// with a change-feed row, so the search index's law filter follows).
    pub relinked_items: usize,
    /// Law versions stored for the first time or changed (status or articles), each with a
    /// change-feed entry.
    pub announced_laws: usize,
    #[serde(skip)]
    pub elapsed: Duration,
}

/// One row of LawRefBook's `db.sqlite3` index.
#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    level: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    publish: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    expired: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    valid_from: Option<String>,
}

struct IndexEntry {
    level: String,
    publish: Option<NaiveDate>,
    expired: bool,
    valid_from: Option<NaiveDate>,
}

type LawIndex = HashMap<String, Vec<IndexEntry>>;

fn parse_index_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
}

fn read_index(path: &Path) -> Result<LawIndex> {
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
    let rows: Vec<IndexRow> = diesel::sql_query(
        "SELECT name, level, publish, CAST(expired AS INTEGER) AS expired, valid_from FROM law",
    )
    .load(&mut conn)?;
    let mut index: LawIndex = HashMap::new();
    for r in rows {
        index.entry(r.name).or_default().push(IndexEntry {
            level: r.level,
            publish: parse_index_date(r.publish),
            expired: r.expired != 0,
            valid_from: parse_index_date(r.valid_from),
        });
    }
    Ok(index)
}

/// Level vocabulary of DESIGN.md from a LawRefBook level or folder name.
fn normalise_level(name: &str) -> Option<&'static str> {
    Some(match name {
        "宪法" => "宪法",
        "法律" => "法律",
        "行政法规" => "行政法规",
        "地方性法规" => "地方性法规",
        "部门规章" => "部门规章",
        "地方政府规章" => "地方政府规章",
        "司法解释" | "案例" => "司法解释",
        "其他" | "规范性文件" => "规范性文件",
        _ => return None,
    })
}

/// Level from the folders of a relative path: the first folder naming a level, else 法律
/// (the remaining top-level folders — 行政法, 经济法, 刑法 … — are subject areas of laws).
fn level_from_path(relative: &Path) -> &'static str {
    relative
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .filter_map(|c| c.as_os_str().to_str())
        .find_map(normalise_level)
        .unwrap_or("法律")
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| RegistryError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| RegistryError::Io {
            path: dir.display().to_string(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    Ok(())
}

struct Parsed {
    relative: String,
    law: ParsedLaw,
    level: &'static str,
    expired: bool,
    effective: Option<NaiveDate>,
}

/// Imports every law file under `root`. Re-importing replaces the versions stored from the
/// same relative paths, so the demo subset and the full tree can be loaded in either order.
pub fn import_law_tree(db: &Database, root: &Path) -> Result<LawImportReport> {
    let started = Instant::now();
    let mut files = Vec::new();
    collect_files(root, &mut files)?;
    files.sort();
    let mut report = LawImportReport {
        files: files.len(),
        ..Default::default()
    };

    // Each file uses the db.sqlite3 of its nearest enclosing folder that has one.
    let mut indexes: HashMap<PathBuf, Option<LawIndex>> = HashMap::new();
    let mut index_dir_of: Vec<Option<PathBuf>> = Vec::with_capacity(files.len());
    for f in &files {
        let mut dir = f.parent();
        let mut found = None;
        while let Some(d) = dir {
            if !indexes.contains_key(d) {
                let candidate = d.join("db.sqlite3");
                let index = if candidate.is_file() {
                    Some(read_index(&candidate)?)
                } else {
                    None
                };
                indexes.insert(d.to_path_buf(), index);
            }
            if indexes.get(d).is_some_and(Option::is_some) {
                found = Some(d.to_path_buf());
                break;
            }
            if d == root {
                break;
            }
            dir = d.parent();
        }
        index_dir_of.push(found);
    }

    let results: Vec<std::result::Result<Parsed, (String, String)>> = files
        .par_iter()
        .zip(index_dir_of.par_iter())
        .map(|(path, index_dir)| {
            let relative_path = path.strip_prefix(root).unwrap_or(path);
            let relative = relative_path.to_string_lossy().replace('\\', "/");
            let content =
                std::fs::read_to_string(path).map_err(|e| (relative.clone(), e.to_string()))?;
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let law = parse_lawref(stem, &content).map_err(|e| (relative.clone(), e))?;
            let entry = index_dir
                .as_ref()
                .and_then(|d| indexes.get(d))
                .and_then(Option::as_ref)
                .and_then(|idx| idx.get(&law.short_title))
                .and_then(|entries| {
                    entries
                        .iter()
                        .find(|e| e.publish.is_some() && e.publish == law.version_date)
                        .or_else(|| (entries.len() == 1).then(|| &entries[0]))
                });
            let level = entry
                .and_then(|e| normalise_level(&e.level))
                .unwrap_or_else(|| level_from_path(relative_path));
            Ok(Parsed {
                relative,
                expired: entry.is_some_and(|e| e.expired),
                effective: entry.and_then(|e| e.valid_from),
                level,
                law,
            })
        })
        .collect();

    let mut parsed = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(p) => parsed.push(p),
            Err(skip) => report.skipped.push(skip),
        }
    }
    // Versions of one title, oldest first (undated first): each supersedes the one before.
    let mut by_title: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in parsed.iter().enumerate() {
        by_title.entry(&p.law.title).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = by_title.into_values().collect();
    for g in &mut groups {
        g.sort_by_key(|&i| (parsed[i].law.version_date, parsed[i].relative.clone()));
    }
    groups.sort_by_key(|g| parsed[g[0]].relative.clone());

    let now = crate::repo::now();
    let mut conn = db.conn()?;
    write_transaction::<_, RegistryError, _>(&mut conn, |conn| {
        let before = crate::repo::flags::law_statuses(conn)?;
        let mut changed = Vec::new();
        for group in &groups {
            let mut previous: Option<i64> = None;
            for (pos, &i) in group.iter().enumerate() {
                let p = &parsed[i];
                let newest = pos + 1 == group.len();
                let status = if !newest {
                    LawStatus::Amended
                } else if p.expired {
                    LawStatus::Repealed
                } else {
                    LawStatus::InForce
                };
                let history = serde_json::to_string(&p.law.history)
                    .map_err(|e| RegistryError::Corrupt(e.to_string()))?;
                let law = NewLaw {
                    title: &p.law.title,
                    short_title: &p.law.short_title,
                    level: p.level,
                    issuer: p.law.issuer.as_deref(),
                    version_date: p.law.version_date,
                    effective_date: p.effective,
                    status: status.as_str(),
                    supersedes_id: previous,
                    source_path: &p.relative,
                    history,
                    article_count: i32::try_from(p.law.articles.len()).unwrap_or(i32::MAX),
                    imported_at: now,
                };
                let articles: Vec<NewArticle<'_>> = p
                    .law
                    .articles
                    .iter()
                    .enumerate()
                    .map(|(n, a)| NewArticle {
                        law_id: 0,
                        position: i32::try_from(n).unwrap_or(i32::MAX),
                        number: a.number,
                        sub_number: a.sub_number,
                        label: &a.label,
                        chapter: a.chapter.as_deref(),
                        section: a.section.as_deref(),
                        text: &a.text,
                    })
                    .collect();
                let (id, write) = upsert_law(conn, &law, &articles)?;
                if write == LawWrite::Changed {
                    changed.push(id);
                }
                if previous.is_some() {
                    report.superseded += 1;
                }
                previous = Some(id);
                report.laws += 1;
                report.articles += articles.len();
            }
        }
        // One version in force per title, across what was stored before and this import.
        for group in &groups {
            let title = &parsed[group[0]].law.title;
            crate::repo::laws::settle_versions(conn, title)?;
        }
        // The laws first, so a mirror knows a law version before an item flagged for it.
        report.announced_laws =
            crate::repo::laws::announce_law_changes(conn, &before, &changed, now)?;
        // Items citing a version that stopped being in force are due for review.
        let actor = crate::auth::Actor {
            name: "laws import".into(),
            origin: "cli".into(),
        };
        for change in crate::repo::flags::changes_between(conn, &before)? {
            report.flagged_items +=
                crate::repo::flags::flag_items_citing(conn, &change, &actor, now)?;
        }
        let relinked = link_legal_bases(conn, None)?;
        report.linked_bases = relinked.linked;
        // The index's law filter and mirrors follow links through the feed, not a reindex.
        report.relinked_items =
            crate::repo::flags::announce_relinked(conn, &relinked.items_changed, now)?;
        Ok(())
    })?;
    report.elapsed = started.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_folders() {
        assert_eq!(
            level_from_path(Path::new("行政法规/道路运输条例(2023-07-20).md")),
            "行政法规"
        );
        assert_eq!(
            level_from_path(Path::new("行政法/行政处罚法(2021-01-22).md")),
            "法律"
        );
        assert_eq!(
            level_from_path(Path::new("DLC/浙江地方法规/地方性法规/浙江/x.md")),
            "地方性法规"
        );
        assert_eq!(
            level_from_path(Path::new("部门规章/公安部/x.md")),
            "部门规章"
        );
    }
}
