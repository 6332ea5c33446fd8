//! The tantivy schema of the item index and the mapping from registry items to documents.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, TantivyDocument};

use crate::analyzer::{ChineseAnalyzer, normalize};
use crate::tokenizers::{BigramTokenizer, JiebaTokenizer};

/// Tokenizer names registered on every index.
pub const ZH: &str = "zh";
pub const ZH_BIGRAM: &str = "zh_bigram";

/// The fast field holding an item's registry id: the tie-break of equal scores.
pub const ITEM_ID: &str = "id";
/// The fast field holding an item's passage key (`crate::passage`).
pub const PASSAGE_KEY: &str = "passage_key";
/// 1 for a follow-up procedure (补办, 变更 …; see `follow_up`), else 0.
pub const FOLLOW_UP: &str = "follow_up";

/// Longest name prefix indexed for suggestions, in characters.
pub const SUGGEST_PREFIX_CHARS: usize = 24;

/// Field handles of the item index.
#[derive(Clone)]
pub struct ItemFields {
    pub schema: Schema,
    pub id: Field,
    pub code: Field,
    pub code_prefix: Field,
    pub name: Field,
    pub name_bigram: Field,
    pub department: Field,
    pub department_id: Field,
    pub category: Field,
    pub region: Field,
    pub region_code: Field,
    pub level: Field,
    pub status: Field,
    pub law: Field,
    pub law_id: Field,
    /// Stored long text, shown as context; searched through `all_text`.
    pub body: Field,
    /// Everything searchable in one field (name, department, law titles, body): one posting
    /// list per query word decides a match; the name field only adds score.
    pub all_text: Field,
    pub suggest: Field,
    /// Position of the category in `Category::ALL`, and the region code as a number: cheap
    /// columns for facet counting (string columns cost a dictionary open per segment).
    pub category_ord: Field,
    pub region_num: Field,
    pub name_len: Field,
    /// Key of the item's passage text: which vector of the semantic channel is the item's.
    pub passage_key: Field,
    pub follow_up: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

impl ItemFields {
    pub fn new() -> ItemFields {
        let mut b = Schema::builder();
        let id = b.add_u64_field(ITEM_ID, INDEXED | STORED | FAST);
        let code = b.add_text_field("code", STRING | STORED);
        let code_prefix = b.add_text_field("code_prefix", STRING);
        let name = b.add_text_field("name", text(ZH, true));
        let name_bigram = b.add_text_field("name_bigram", text(ZH_BIGRAM, false));
        let department = b.add_text_field("department", text(ZH, true));
        let department_id = b.add_u64_field("department_id", INDEXED | STORED | FAST);
        let category = b.add_text_field("category", STRING | STORED | FAST);
        let region = b.add_text_field("region", STRING);
        let region_code = b.add_text_field("region_code", STRING | STORED);
        let level = b.add_text_field("level", STRING);
        let status = b.add_text_field("status", STRING | STORED | FAST);
        let law = b.add_text_field("law", text(ZH, false));
        let law_id = b.add_u64_field("law_id", INDEXED);
        let body = b.add_text_field("body", STORED);
        let all_text = b.add_text_field("all_text", text(ZH, false));
        let suggest = b.add_text_field("suggest", STRING);
        let name_len = b.add_u64_field("name_len", FAST);
        let category_ord = b.add_u64_field("category_ord", FAST);
        let region_num = b.add_u64_field("region_num", FAST);
        let passage_key = b.add_u64_field(PASSAGE_KEY, INDEXED | FAST);
        let follow_up = b.add_u64_field(FOLLOW_UP, FAST);
        ItemFields {
            schema: b.build(),
            id,
            code,
            code_prefix,
            name,
            name_bigram,
            department,
            department_id,
            category,
            region,
            region_code,
            level,
            status,
            law,
            law_id,
            body,
            all_text,
            suggest,
            category_ord,
            region_num,
            name_len,
            passage_key,
            follow_up,
        }
    }
}

impl Default for ItemFields {
    fn default() -> Self {
        ItemFields::new()
    }
}

/// Registers quanze's tokenizers on an index (needed after every open).
pub fn register_tokenizers(index: &Index, analyzer: &ChineseAnalyzer) {
    index.tokenizers().register(
        ZH,
        TextAnalyzer::from(JiebaTokenizer::new(analyzer.clone())),
    );
    index
        .tokenizers()
        .register(ZH_BIGRAM, TextAnalyzer::from(BigramTokenizer));
}

/// What the index needs to know about one item.
#[derive(Debug, Clone)]
pub struct IndexableItem {
    pub id: i64,
    pub status: String,
    pub department_id: i64,
    pub law_ids: Vec<i64>,
    pub record: quanze_registry::interchange::PowerItemRecord,
}

/// How much of a code's beginning is found character by character: the part a person types
/// by hand, a catalogue code such as `511A0138000000` or `G-000007-001`. Past it, a code is
/// found at each `-` boundary.
const TYPED_CODE_CHARS: usize = 20;

/// Lower-cased prefixes of a code: every one from six characters up to [`TYPED_CODE_CHARS`],
/// then each at a `-` boundary, and the whole code, so typing the leading part of a code finds
/// the item, also before a segment is complete (`G-000007-00`).
pub fn code_prefixes(code: &str) -> Vec<String> {
    let lower = code.to_ascii_lowercase();
    let mut out: Vec<String> = (6..=lower.len().min(TYPED_CODE_CHARS))
        .filter(|end| lower.is_char_boundary(*end))
        .map(|end| lower[..end].to_string())
        .collect();
    for (i, c) in lower.char_indices() {
        if c == '-' && i > 0 {
            out.push(lower[..i].to_string());
        }
    }
    out.push(lower);
    out.sort_unstable();
    out.dedup();
    out
}

/// Region code and its ancestors (511602 → 511602, 511600, 510000), for prefix filtering.
pub fn region_chain(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = quanze_registry::domain::RegionCode::parse(code).ok();
    while let Some(c) = current {
        out.push(c.as_str().to_string());
        current = c.parent();
    }
    if out.is_empty() {
        out.push(code.to_string());
    }
    out
}

/// Builds the document of an item; `passage_key` is the key of its name's passage
/// (`crate::passage`).
pub fn item_document(f: &ItemFields, item: &IndexableItem, passage_key: u64) -> TantivyDocument {
    let r = &item.record;
    let mut doc = TantivyDocument::default();
    doc.add_u64(f.id, item.id as u64);
    doc.add_text(f.code, &r.code);
    for p in code_prefixes(&r.code) {
        doc.add_text(f.code_prefix, p);
    }
    if let Some(base) = &r.base_code {
        for p in code_prefixes(base) {
            doc.add_text(f.code_prefix, p);
        }
    }
    doc.add_text(f.name, &r.name);
    doc.add_text(f.name_bigram, &r.name);
    doc.add_text(f.department, &r.department.name);
    doc.add_u64(f.department_id, item.department_id as u64);
    doc.add_text(f.category, &r.category);
    for code in region_chain(&r.department.region) {
        doc.add_text(f.region, code);
    }
    doc.add_text(f.region_code, &r.department.region);
    for level in &r.exercise_levels {
        doc.add_text(f.level, level);
    }
    doc.add_text(f.status, &item.status);
    for b in &r.legal_bases {
        doc.add_text(f.law, &b.law);
    }
    for id in &item.law_ids {
        doc.add_u64(f.law_id, *id as u64);
    }
    let body = body_text(r);
    let mut all = String::with_capacity(r.name.len() + r.department.name.len() + body.len() + 64);
    for part in [r.name.as_str(), r.department.name.as_str()] {
        all.push_str(part);
        all.push('\n');
    }
    for b in &r.legal_bases {
        all.push_str(&b.law);
        all.push('\n');
    }
    all.push_str(&body);
    doc.add_text(f.all_text, all);
    doc.add_text(f.body, body);
    let normalized_name = normalize(&r.name);
    let normalized: Vec<char> = normalized_name
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for end in 1..=normalized.len().min(SUGGEST_PREFIX_CHARS) {
        doc.add_text(f.suggest, normalized[..end].iter().collect::<String>());
    }
    doc.add_u64(f.name_len, normalized.len() as u64);
    doc.add_u64(
        f.follow_up,
        u64::from(crate::follow_up::is_follow_up(&normalized_name)),
    );
    if let Some(i) = quanze_registry::domain::Category::ALL
        .iter()
        .position(|c| c.key() == r.category)
    {
        doc.add_u64(f.category_ord, i as u64);
    }
    if let Ok(n) = r.department.region.parse::<u64>() {
        doc.add_u64(f.region_num, n);
    }
    doc.add_u64(f.passage_key, passage_key);
    doc
}

/// The searchable long text of an item: category label, offices, legal bases, workflow,
/// responsibilities, accountability, remarks.
fn body_text(r: &quanze_registry::interchange::PowerItemRecord) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if let Some(c) = quanze_registry::domain::Category::parse(&r.category) {
        parts.push(c.label());
    }
    parts.extend(r.undertaking_office.as_deref());
    parts.extend(r.remarks.as_deref());
    for b in &r.legal_bases {
        parts.extend(b.article.as_deref());
        parts.extend(b.text.as_deref());
    }
    for w in &r.workflow {
        parts.push(&w.stage);
        parts.extend(w.description.as_deref());
        parts.extend(w.actor.as_deref());
    }
    for x in &r.responsibilities {
        parts.push(&x.duty);
    }
    for a in &r.accountability {
        parts.push(&a.circumstance);
    }
    for d in &r.discretion {
        parts.push(&d.violation);
    }
    parts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_prefixes_cover_leading_segments() {
        let p = code_prefixes("511A0138000000-511602000000-000-1-00");
        assert!(p.contains(&"511a0138000000".to_string()));
        assert!(p.contains(&"511a01".to_string()));
        assert!(p.contains(&"511a0138000000-511602000000".to_string()));
        assert!(p.contains(&"511a0138000000-511602000000-000-1-00".to_string()));
        // A catalogue code of short segments is found before its segment is complete.
        let p = code_prefixes("G-000007-001-511602000000-000-1-00");
        for typed in [
            "g-0000",
            "g-000007-00",
            "g-000007-001-51160",
            "g-000007-001-511602000000",
        ] {
            assert!(p.contains(&typed.to_string()), "{typed}: {p:?}");
        }
        assert!(!p.contains(&"g-000007-001-51160200".to_string()), "{p:?}");
        let mut sorted = p.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, p);
    }

    #[test]
    fn region_chain_walks_up() {
        assert_eq!(region_chain("511602"), ["511602", "511600", "510000"]);
    }
}
