//! Query-time synonyms: everyday ⇄ official wording (的士 ⇄ 巡游出租汽车, 驾照 ⇄ 机动车驾驶证).
//! Groups are symmetric. The curated list ships with quanze (indexer/data/synonyms.txt); an
//! operator adds groups in `<data-dir>/synonyms.txt`, same format: one group per line, terms
//! separated by commas, `#` starts a comment.

use std::collections::HashMap;

use crate::analyzer::normalize;

pub const BUILTIN_SYNONYMS: &str = include_str!("../data/synonyms.txt");

/// Most query variants generated from one query (the original included).
pub const MAX_VARIANTS: usize = 12;

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

    /// The normalised query and rewrites of it with synonym terms substituted (the original
    /// first). Each distinct group found in the query is substituted once per alternative.
    pub fn variants(&self, normalized_query: &str) -> Vec<String> {
        let mut out = vec![normalized_query.to_string()];
        let mut used_groups = Vec::new();
        let mut covered = vec![false; normalized_query.len()];
        for term in &self.terms_by_length {
            let Some(pos) = normalized_query.find(term.as_str()) else {
                continue;
            };
            if covered[pos..pos + term.len()].iter().any(|c| *c) {
                continue;
            }
            let group = self.by_term[term];
            if used_groups.contains(&group) {
                continue;
            }
            used_groups.push(group);
            covered[pos..pos + term.len()]
                .iter_mut()
                .for_each(|c| *c = true);
            for alt in &self.groups[group] {
                if alt != term && out.len() < MAX_VARIANTS {
                    out.push(normalized_query.replacen(term.as_str(), alt, 1));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_longest_terms_and_merges_operator_groups() {
        let s = Synonyms::parse(&[
            "出租车,的士,巡游出租汽车\n# comment\n驾照,机动车驾驶证",
            "的士,计程车",
        ]);
        assert_eq!(s.group_count(), 2);
        let v = s.variants("的士许可");
        assert_eq!(v[0], "的士许可");
        assert!(v.contains(&"巡游出租汽车许可".to_string()));
        assert!(v.contains(&"计程车许可".to_string()));
        assert_eq!(s.variants("驾照").len(), 2);
        assert_eq!(s.variants("无关").len(), 1);
    }

    #[test]
    fn builtin_list_is_large_and_traditional_input_is_covered() {
        let s = Synonyms::parse(&[BUILTIN_SYNONYMS]);
        assert!(s.group_count() >= 150, "{}", s.group_count());
        assert!(s.variants(&normalize("網約車")).len() > 1);
    }
}
