//! Query-time synonyms: everyday ⇄ official wording (的士 ⇄ 巡游出租汽车, 驾照 ⇄ 机动车驾驶证).
//! Groups are symmetric. The curated list ships with quanze (indexer/data/synonyms.txt); an
//! operator adds groups in `<data-dir>/synonyms.txt`, same format: one group per line, terms
//! separated by commas, `#` starts a comment.

use std::collections::HashMap;

use crate::analyzer::normalize;

pub const BUILTIN_SYNONYMS: &str = include_str!("../data/synonyms.txt");

/// Most alternatives used for one synonym term found in a query.
pub const MAX_ALTERNATIVES: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    /// Normalised term → its group.
    by_term: HashMap<String, usize>,
    /// Terms, longest first, for matching inside a query.
    terms_by_length: Vec<String>,
}

impl Synonyms {
    /// Parses synonym files; later files may add terms to new groups. A term already in an
    /// earlier group joins that group's alternatives (groups merge), so operators can extend.
    pub fn parse(sources: &[&str]) -> Synonyms {
        let mut s = Synonyms::default();
        for source in sources {
            for line in source.lines() {
                let line = line.split('#').next().unwrap_or_default();
                let terms: Vec<String> = line
                    .split([',', '，'])
                    .map(|t| normalize(t.trim()))
                    .filter(|t| !t.is_empty())
                    .collect();
                if terms.len() < 2 {
                    continue;
                }
                let existing = terms.iter().find_map(|t| s.by_term.get(t).copied());
                let group = match existing {
                    Some(g) => g,
                    None => {
                        s.groups.push(Vec::new());
                        s.groups.len() - 1
                    }
                };
                for t in terms {
                    if let std::collections::hash_map::Entry::Vacant(e) = s.by_term.entry(t.clone())
                    {
                        e.insert(group);
                        s.groups[group].push(t);
                    }
                }
            }
        }
        s.terms_by_length = s.by_term.keys().cloned().collect();
        s.terms_by_length
            .sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        s
    }

    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// Splits a normalised query into pieces: plain text, and synonym terms found in it
    /// (longest first, non-overlapping) with their group's other terms as alternatives.
    pub fn segments(&self, normalized_query: &str) -> Vec<QuerySegment> {
        let mut found: Vec<(usize, &str)> = Vec::new();
        let mut covered = vec![false; normalized_query.len()];
        for term in &self.terms_by_length {
            let mut from = 0;
            while let Some(rel) = normalized_query[from..].find(term.as_str()) {
                let pos = from + rel;
                from = pos + term.len();
                if covered[pos..pos + term.len()].iter().any(|c| *c) {
                    continue;
                }
                covered[pos..pos + term.len()]
                    .iter_mut()
                    .for_each(|c| *c = true);
                found.push((pos, term.as_str()));
            }
        }
        found.sort_unstable();
        let mut out = Vec::new();
        let mut at = 0;
        for (pos, term) in found {
            if pos > at {
                out.push(QuerySegment {
                    text: normalized_query[at..pos].to_string(),
                    alternatives: Vec::new(),
                });
            }
            let group = &self.groups[self.by_term[term]];
            let alternatives: Vec<String> = group
                .iter()
                .filter(|t| t.as_str() != term)
                .take(MAX_ALTERNATIVES)
                .cloned()
                .collect();
            out.push(QuerySegment {
                text: term.to_string(),
                alternatives,
            });
            at = pos + term.len();
        }
        if at < normalized_query.len() {
            out.push(QuerySegment {
                text: normalized_query[at..].to_string(),
                alternatives: Vec::new(),
            });
        }
        out
    }
}

/// A piece of a query: plain text, or a synonym term with its alternatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuerySegment {
    pub text: String,
    pub alternatives: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_longest_terms_and_merges_operator_groups() {
        let s = Synonyms::parse(&[
            "出租车,的士,巡游出租汽车\n# comment\n驾照,机动车驾驶证",
            "的士,计程车",
        ]);
        assert_eq!(s.group_count(), 2);
        let seg = s.segments("的士许可");
        assert_eq!(seg.len(), 2);
        assert_eq!(seg[0].text, "的士");
        assert!(seg[0].alternatives.contains(&"巡游出租汽车".to_string()));
        assert!(seg[0].alternatives.contains(&"计程车".to_string()));
        assert_eq!(
            seg[1],
            QuerySegment {
                text: "许可".into(),
                alternatives: vec![]
            }
        );
        let two = s.segments("驾照和的士");
        assert_eq!(two.iter().filter(|x| !x.alternatives.is_empty()).count(), 2);
        assert_eq!(
            s.segments("无关"),
            [QuerySegment {
                text: "无关".into(),
                alternatives: vec![]
            }]
        );
    }

    #[test]
    fn builtin_list_is_large_and_traditional_input_is_covered() {
        let s = Synonyms::parse(&[BUILTIN_SYNONYMS]);
        assert!(s.group_count() >= 150, "{}", s.group_count());
        assert!(
            s.segments(&normalize("網約車"))
                .iter()
                .any(|x| !x.alternatives.is_empty())
        );
    }
}
