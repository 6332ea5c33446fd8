//! Validation of interchange records. Every check names the field it concerns (a JSON path such
//! as `legal_bases[2].article`) so a department can fix its spreadsheet from the report alone.
//! Validation also normalises: trimmed text, empty strings dropped, canonical vocabulary
//! spellings, 6-digit region codes. Stored data is always the normalised form.

use chrono::NaiveDate;

use crate::domain::codes::truncate_for_message;
use crate::domain::{
    BasisRole, Category, DepartmentKind, DiscretionTier, ExemptionKind, ExerciseLevel, PowerSource,
    RegionCode, RegionLevel, RemedyKind, UsccCheck, WithholdingReason, check_uscc,
};
use crate::interchange::*;
use crate::problem::Problem;
use crate::publish_guard;

/// Longest item or department name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest short field (stage, actor, office, phone, role …), in characters.
pub const MAX_SHORT_CHARS: usize = 200;
/// Longest free-text field (article text, duty, description), in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Most entries in one list of an item.
pub const MAX_LIST_LEN: usize = 200;
/// Longest item code, in bytes (codes are ASCII).
pub const MAX_CODE_LEN: usize = 100;
/// Longest time limit in days that is still plausible (ten years).
pub const MAX_DAYS: i32 = 3_650;

/// Collects problems while normalising one record.
#[derive(Default)]
pub struct Checker {
    pub problems: Vec<Problem>,
}

impl Checker {
    fn err(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(Problem::error(field, message));
    }

    fn warn(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(Problem::warning(field, message));
    }

    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    /// Trims, rejects control characters and over-long text; returns `None` for blank input.
    fn text(&mut self, field: &str, value: &str, max_chars: usize) -> Option<String> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return None;
        }
        if let Some(c) = trimmed
            .chars()
            .find(|c| c.is_control() && *c != '\n' && *c != '\t' && *c != '\r')
        {
            self.err(
                field,
                format!("contains the control character U+{:04X}", c as u32),
            );
            return None;
        }
        let len = trimmed.chars().count();
        if len > max_chars {
            self.err(
                field,
                format!("is {len} characters long; at most {max_chars} are allowed"),
            );
            return None;
        }
        Some(trimmed.replace("\r\n", "\n").replace('\r', "\n"))
    }

    fn required(&mut self, field: &str, value: &str, max_chars: usize) -> String {
        let before = self.problems.len();
        match self.text(field, value, max_chars) {
            Some(v) => v,
            None => {
                if self.problems.len() == before {
                    self.err(field, "is required and must not be empty");
                }
                String::new()
            }
        }
    }

    fn optional(
        &mut self,
        field: &str,
        value: &Option<String>,
        max_chars: usize,
    ) -> Option<String> {
        value
            .as_deref()
            .and_then(|v| self.text(field, v, max_chars))
    }

    fn list_len<T>(&mut self, field: &str, list: &[T]) {
        if list.len() > MAX_LIST_LEN {
            self.err(
                field,
                format!(
                    "has {} entries; at most {MAX_LIST_LEN} are allowed",
                    list.len()
                ),
            );
        }
    }

    fn days(&mut self, field: &str, value: Option<i32>) -> Option<i32> {
        match value {
            Some(d) if !(0..=MAX_DAYS).contains(&d) => {
                self.err(
                    field,
                    format!("must be between 0 and {MAX_DAYS} days, got {d}"),
                );
                None
            }
            other => other,
        }
    }

    fn date(&mut self, field: &str, value: &Option<String>) -> Option<String> {
        let v = self.optional(field, value, 10)?;
        match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
            Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
            Err(_) => {
                self.err(field, format!("must be a date YYYY-MM-DD, got {v:?}"));
                None
            }
        }
    }

    fn vocabulary<T: Copy>(
        &mut self,
        field: &str,
        value: &str,
        parse: fn(&str) -> Option<T>,
        expected: String,
    ) -> Option<T> {
        let parsed = parse(value);
        if parsed.is_none() {
            self.err(
                field,
                format!(
                    "{:?} is not one of: {expected}",
                    truncate_for_message(value.trim())
                ),
            );
        }
        parsed
    }

    /// A value of a vocabulary that lists what real lists use but cannot list everything a
    /// department may write (依据类别, 权力来源, 裁量阶次, …): a known spelling becomes the
    /// canonical one; anything else is kept as written, with a warning, not refused.
    fn open_vocabulary<T: Copy>(
        &mut self,
        field: &str,
        value: &str,
        parse: fn(&str) -> Option<T>,
        canonical: fn(T) -> &'static str,
        expected: String,
    ) -> Option<String> {
        if let Some(known) = parse(value) {
            return Some(canonical(known).to_string());
        }
        let kept = self.text(field, value, MAX_SHORT_CHARS)?;
        self.warn(
            field,
            format!(
                "{:?} is not one of: {expected}; kept as written",
                truncate_for_message(&kept)
            ),
        );
        Some(kept)
    }

    /// Validates an item code: printable ASCII without spaces, at most [`MAX_CODE_LEN`].
    fn code(&mut self, field: &str, value: &str, required: bool) -> Option<String> {
        let v = value.trim();
        if v.is_empty() {
            if required {
                self.err(field, "is required and must not be empty");
            }
            return None;
        }
        if v.len() > MAX_CODE_LEN {
            self.err(
                field,
                format!(
                    "is {} characters long; at most {MAX_CODE_LEN} are allowed",
                    v.len()
                ),
            );
            return None;
        }
        if let Some(c) = v.chars().find(|c| !c.is_ascii_graphic()) {
            self.err(
                field,
                format!(
                    "may only contain letters, digits and punctuation without spaces; found {c:?}"
                ),
            );
            return None;
        }
        Some(v.to_string())
    }

    fn region(&mut self, field: &str, value: &str) -> Option<RegionCode> {
        match RegionCode::parse(value) {
            Ok(code) => Some(code),
            Err(message) => {
                self.err(field, message);
                None
            }
        }
    }

    fn uscc(&mut self, field: &str, value: &Option<String>) -> Option<String> {
        let v = self.optional(field, value, 18 * 4)?.to_ascii_uppercase();
        match check_uscc(&v) {
            UsccCheck::Valid => Some(v),
            UsccCheck::BadCheckDigit { expected } => {
                self.warn(
                    field,
                    format!(
                        "check character of {v} should be {expected:?} (GB 32100); kept as given"
                    ),
                );
                Some(v)
            }
            UsccCheck::Malformed(why) => {
                self.err(
                    field,
                    format!("{v:?} is not a unified social credit code: {why}"),
                );
                None
            }
        }
    }
}

/// Parses the article number out of a label such as 第六十三条 or 第六十三条第一款 → 63.
pub fn article_number(label: &str) -> Option<i32> {
    crate::domain::numerals::parse_article_label(label).map(|(n, _)| n)
}

/// Validates and normalises one power item. Returns the normalised record when there is no
/// error; warnings are returned either way through the checker.
pub fn validate_item(record: &PowerItemRecord, c: &mut Checker) -> Option<PowerItemRecord> {
    let code = c.code("code", &record.code, true);
    let base_code = record
        .base_code
        .as_deref()
        .and_then(|v| c.code("base_code", v, false));
    let parent_code = record
        .parent_code
        .as_deref()
        .and_then(|v| c.code("parent_code", v, false));
    let name = c.required("name", &record.name, MAX_NAME_CHARS);
    let category = if record.category.trim().is_empty() {
        c.err("category", "is required and must not be empty");
        None
    } else {
        c.vocabulary(
            "category",
            &record.category,
            Category::parse,
            Category::ALL
                .iter()
                .map(|c| format!("{} ({} {})", c.key(), c.code(), c.label()))
                .collect::<Vec<_>>()
                .join(", "),
        )
    };
    let department = validate_department_ref(&record.department, "department", c);
    if parent_code.is_some() && parent_code == code {
        c.err("parent_code", "an item cannot be its own main item");
    }

    let undertaking_office = c.optional(
        "undertaking_office",
        &record.undertaking_office,
        MAX_SHORT_CHARS,
    );
    c.list_len("joint_departments", &record.joint_departments);
    let joint_departments = record
        .joint_departments
        .iter()
        .enumerate()
        .map(|(i, j)| JointDepartment {
            name: c.required(
                &format!("joint_departments[{i}].name"),
                &j.name,
                MAX_NAME_CHARS,
            ),
            division: c.optional(
                &format!("joint_departments[{i}].division"),
                &j.division,
                MAX_TEXT_CHARS,
            ),
        })
        .collect();
    let power_source = record.power_source.as_deref().and_then(|v| {
        if v.trim().is_empty() {
            return None;
        }
        c.open_vocabulary(
            "power_source",
            v,
            PowerSource::parse,
            PowerSource::as_str,
            PowerSource::expected(),
        )
    });
    c.list_len("exercise_levels", &record.exercise_levels);
    let mut exercise_levels: Vec<String> = Vec::new();
    for (i, level) in record.exercise_levels.iter().enumerate() {
        if let Some(l) = c.vocabulary(
            &format!("exercise_levels[{i}]"),
            level,
            ExerciseLevel::parse,
            ExerciseLevel::expected(),
        ) {
            let key = l.as_str().to_string();
            if !exercise_levels.contains(&key) {
                exercise_levels.push(key);
            }
        }
    }
    let time_limit = record.time_limit.as_ref().and_then(|t| {
        let normalised = TimeLimit {
            statutory_days: c.days("time_limit.statutory_days", t.statutory_days),
            promised_days: c.days("time_limit.promised_days", t.promised_days),
            unit: c.optional("time_limit.unit", &t.unit, MAX_SHORT_CHARS),
            note: c.optional("time_limit.note", &t.note, MAX_TEXT_CHARS),
        };
        if let (Some(s), Some(p)) = (normalised.statutory_days, normalised.promised_days)
            && p > s
        {
            c.warn(
                "time_limit.promised_days",
                format!("promised {p} days is longer than the statutory {s} days"),
            );
        }
        (normalised != TimeLimit::default()).then_some(normalised)
    });
    let fee = record.fee.as_ref().and_then(|f| {
        let normalised = Fee {
            charged: f.charged,
            basis: c.optional("fee.basis", &f.basis, MAX_TEXT_CHARS),
            standard: c.optional("fee.standard", &f.standard, MAX_TEXT_CHARS),
        };
        (normalised != Fee::default()).then_some(normalised)
    });

    c.list_len("legal_bases", &record.legal_bases);
    let legal_bases = record
        .legal_bases
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let f = |k: &str| format!("legal_bases[{i}].{k}");
            let role = if b.role.trim().is_empty() {
                c.err(&f("role"), "is required and must not be empty");
                String::new()
            } else {
                c.open_vocabulary(
                    &f("role"),
                    &b.role,
                    BasisRole::parse,
                    BasisRole::as_str,
                    BasisRole::expected(),
                )
                .unwrap_or_default()
            };
            let article = c.optional(&f("article"), &b.article, MAX_SHORT_CHARS);
            if let Some(a) = &article
                && article_number(a).is_none()
            {
                c.warn(
                    &f("article"),
                    format!("{a:?} does not start with an article number like 第六十三条; it cannot be linked to the law text"),
                );
            }
            LegalBasis {
                role,
                law: c.required(&f("law"), &b.law, MAX_NAME_CHARS),
                version: c.date(&f("version"), &b.version),
                article,
                text: c.optional(&f("text"), &b.text, MAX_TEXT_CHARS),
            }
        })
        .collect();

    c.list_len("workflow", &record.workflow);
    let workflow = record
        .workflow
        .iter()
        .enumerate()
        .map(|(i, w)| WorkflowStep {
            stage: c.required(&format!("workflow[{i}].stage"), &w.stage, MAX_SHORT_CHARS),
            description: c.optional(
                &format!("workflow[{i}].description"),
                &w.description,
                MAX_TEXT_CHARS,
            ),
            actor: c.optional(&format!("workflow[{i}].actor"), &w.actor, MAX_SHORT_CHARS),
            time_limit_days: c.days(&format!("workflow[{i}].time_limit_days"), w.time_limit_days),
        })
        .collect();

    c.list_len("responsibilities", &record.responsibilities);
    let responsibilities = record
        .responsibilities
        .iter()
        .enumerate()
        .map(|(i, r)| Responsibility {
            stage: c.required(
                &format!("responsibilities[{i}].stage"),
                &r.stage,
                MAX_SHORT_CHARS,
            ),
            duty: c.required(
                &format!("responsibilities[{i}].duty"),
                &r.duty,
                MAX_TEXT_CHARS,
            ),
            basis: c.optional(
                &format!("responsibilities[{i}].basis"),
                &r.basis,
                MAX_TEXT_CHARS,
            ),
        })
        .collect();

    c.list_len("accountability", &record.accountability);
    let accountability = record
        .accountability
        .iter()
        .enumerate()
        .map(|(i, a)| Accountability {
            circumstance: c.required(
                &format!("accountability[{i}].circumstance"),
                &a.circumstance,
                MAX_TEXT_CHARS,
            ),
            basis: c.optional(
                &format!("accountability[{i}].basis"),
                &a.basis,
                MAX_TEXT_CHARS,
            ),
        })
        .collect();

    c.list_len("discretion", &record.discretion);
    let discretion = record
        .discretion
        .iter()
        .enumerate()
        .map(|(i, d)| Discretion {
            violation: c.required(
                &format!("discretion[{i}].violation"),
                &d.violation,
                MAX_TEXT_CHARS,
            ),
            tier: c
                .open_vocabulary(
                    &format!("discretion[{i}].tier"),
                    &d.tier,
                    DiscretionTier::parse,
                    DiscretionTier::as_str,
                    DiscretionTier::expected(),
                )
                .unwrap_or_default(),
            conditions: c.optional(
                &format!("discretion[{i}].conditions"),
                &d.conditions,
                MAX_TEXT_CHARS,
            ),
            sanction: c.required(
                &format!("discretion[{i}].sanction"),
                &d.sanction,
                MAX_TEXT_CHARS,
            ),
            basis: c.optional(&format!("discretion[{i}].basis"), &d.basis, MAX_TEXT_CHARS),
        })
        .collect();

    c.list_len("exemptions", &record.exemptions);
    let exemptions = record
        .exemptions
        .iter()
        .enumerate()
        .map(|(i, e)| Exemption {
            kind: c
                .open_vocabulary(
                    &format!("exemptions[{i}].kind"),
                    &e.kind,
                    ExemptionKind::parse,
                    ExemptionKind::as_str,
                    ExemptionKind::expected(),
                )
                .unwrap_or_default(),
            conditions: c.required(
                &format!("exemptions[{i}].conditions"),
                &e.conditions,
                MAX_TEXT_CHARS,
            ),
            basis: c.optional(&format!("exemptions[{i}].basis"), &e.basis, MAX_TEXT_CHARS),
        })
        .collect();

    c.list_len("remedies", &record.remedies);
    let remedies = record
        .remedies
        .iter()
        .enumerate()
        .map(|(i, r)| Remedy {
            kind: c
                .open_vocabulary(
                    &format!("remedies[{i}].kind"),
                    &r.kind,
                    RemedyKind::parse,
                    RemedyKind::as_str,
                    RemedyKind::expected(),
                )
                .unwrap_or_default(),
            body: c.optional(&format!("remedies[{i}].body"), &r.body, MAX_NAME_CHARS),
            time_limit: c.optional(
                &format!("remedies[{i}].time_limit"),
                &r.time_limit,
                MAX_SHORT_CHARS,
            ),
        })
        .collect();

    let normalised = PowerItemRecord {
        code: code.unwrap_or_default(),
        base_code,
        name,
        category: category.map(|c| c.key().to_string()).unwrap_or_default(),
        parent_code,
        department: department.unwrap_or_default(),
        undertaking_office,
        joint_departments,
        power_source,
        exercise_levels,
        time_limit,
        fee,
        legal_bases,
        workflow,
        responsibilities,
        accountability,
        discretion,
        exemptions,
        consultation: c.optional("consultation", &record.consultation, MAX_TEXT_CHARS),
        supervision: c.optional("supervision", &record.supervision, MAX_TEXT_CHARS),
        remedies,
        remarks: c.optional("remarks", &record.remarks, MAX_TEXT_CHARS),
        effective_from: c.date("effective_from", &record.effective_from),
        withheld: record.withheld.as_ref().map(|w| Withholding {
            reason: if w.reason.trim().is_empty() {
                c.err("withheld.reason", "is required and must not be empty");
                String::new()
            } else {
                c.vocabulary(
                    "withheld.reason",
                    &w.reason,
                    WithholdingReason::parse,
                    WithholdingReason::expected(),
                )
                .map(|r| r.as_str().to_string())
                .unwrap_or_default()
            },
            basis: c.required("withheld.basis", &w.basis, MAX_TEXT_CHARS),
        }),
    };
    c.problems.extend(publish_guard::check(&normalised));
    (!c.has_errors()).then_some(normalised)
}

fn validate_department_ref(
    d: &DepartmentRef,
    field: &str,
    c: &mut Checker,
) -> Option<DepartmentRef> {
    let name = c.required(&format!("{field}.name"), &d.name, MAX_NAME_CHARS);
    let uscc = c.uscc(&format!("{field}.uscc"), &d.uscc);
    let region = c.region(&format!("{field}.region"), &d.region)?;
    Some(DepartmentRef {
        name,
        uscc,
        region: region.as_str().to_string(),
    })
}

/// Validates and normalises a department's responsibility list.
pub fn validate_responsibility_list(
    record: &ResponsibilityListRecord,
    c: &mut Checker,
) -> Option<ResponsibilityListRecord> {
    let d = &record.department;
    let dept_ref = validate_department_ref(
        &DepartmentRef {
            name: d.name.clone(),
            uscc: d.uscc.clone(),
            region: d.region.clone(),
        },
        "department",
        c,
    );
    let level = d.level.as_deref().and_then(|v| {
        c.vocabulary(
            "department.level",
            v,
            RegionLevel::parse,
            "province / city / county / township".into(),
        )
        .map(|l| l.key().to_string())
    });
    let kind = d.kind.as_deref().and_then(|v| {
        c.open_vocabulary(
            "department.kind",
            v,
            DepartmentKind::parse,
            DepartmentKind::as_str,
            DepartmentKind::expected(),
        )
    });
    let department = dept_ref.map(|r| DepartmentRecord {
        name: r.name,
        uscc: r.uscc,
        region: r.region,
        level,
        kind,
        consultation: c.optional("department.consultation", &d.consultation, MAX_TEXT_CHARS),
        supervision: c.optional("department.supervision", &d.supervision, MAX_TEXT_CHARS),
    });

    c.list_len("main_duties", &record.main_duties);
    let main_duties = record
        .main_duties
        .iter()
        .enumerate()
        .map(|(i, m)| {
            c.list_len(&format!("main_duties[{i}].work_items"), &m.work_items);
            MainDuty {
                duty: c.required(&format!("main_duties[{i}].duty"), &m.duty, MAX_TEXT_CHARS),
                office: c.optional(
                    &format!("main_duties[{i}].office"),
                    &m.office,
                    MAX_SHORT_CHARS,
                ),
                work_items: m
                    .work_items
                    .iter()
                    .enumerate()
                    .map(|(j, w)| WorkItem {
                        item: c.required(
                            &format!("main_duties[{i}].work_items[{j}].item"),
                            &w.item,
                            MAX_TEXT_CHARS,
                        ),
                        office: c.optional(
                            &format!("main_duties[{i}].work_items[{j}].office"),
                            &w.office,
                            MAX_SHORT_CHARS,
                        ),
                    })
                    .collect(),
            }
        })
        .collect();
    c.list_len("duty_boundaries", &record.duty_boundaries);
    let duty_boundaries = record
        .duty_boundaries
        .iter()
        .enumerate()
        .map(|(i, b)| {
            c.list_len(&format!("duty_boundaries[{i}].parties"), &b.parties);
            DutyBoundary {
                matter: c.required(
                    &format!("duty_boundaries[{i}].matter"),
                    &b.matter,
                    MAX_TEXT_CHARS,
                ),
                parties: b
                    .parties
                    .iter()
                    .enumerate()
                    .map(|(j, p)| BoundaryParty {
                        department: c.required(
                            &format!("duty_boundaries[{i}].parties[{j}].department"),
                            &p.department,
                            MAX_NAME_CHARS,
                        ),
                        division: c.required(
                            &format!("duty_boundaries[{i}].parties[{j}].division"),
                            &p.division,
                            MAX_TEXT_CHARS,
                        ),
                    })
                    .collect(),
                basis: c.optional(
                    &format!("duty_boundaries[{i}].basis"),
                    &b.basis,
                    MAX_TEXT_CHARS,
                ),
                case: c.optional(
                    &format!("duty_boundaries[{i}].case"),
                    &b.case,
                    MAX_TEXT_CHARS,
                ),
            }
        })
        .collect();
    c.list_len("supervision_rules", &record.supervision_rules);
    let supervision_rules = record
        .supervision_rules
        .iter()
        .enumerate()
        .map(|(i, s)| SupervisionRule {
            name: c.required(
                &format!("supervision_rules[{i}].name"),
                &s.name,
                MAX_NAME_CHARS,
            ),
            content: c.required(
                &format!("supervision_rules[{i}].content"),
                &s.content,
                MAX_TEXT_CHARS,
            ),
            basis: c.optional(
                &format!("supervision_rules[{i}].basis"),
                &s.basis,
                MAX_TEXT_CHARS,
            ),
        })
        .collect();
    c.list_len("public_services", &record.public_services);
    let public_services = record
        .public_services
        .iter()
        .enumerate()
        .map(|(i, s)| PublicService {
            name: c.required(
                &format!("public_services[{i}].name"),
                &s.name,
                MAX_NAME_CHARS,
            ),
            description: c.optional(
                &format!("public_services[{i}].description"),
                &s.description,
                MAX_TEXT_CHARS,
            ),
            basis: c.optional(
                &format!("public_services[{i}].basis"),
                &s.basis,
                MAX_TEXT_CHARS,
            ),
            office: c.optional(
                &format!("public_services[{i}].office"),
                &s.office,
                MAX_SHORT_CHARS,
            ),
        })
        .collect();
    let department = department?;
    let normalised = ResponsibilityListRecord {
        department,
        main_duties,
        duty_boundaries,
        supervision_rules,
        public_services,
    };
    c.problems.extend(publish_guard::check(&normalised));
    (!c.has_errors()).then_some(normalised)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Severity;
    use proptest::prelude::*;

    fn minimal() -> PowerItemRecord {
        PowerItemRecord {
            code: "511A0138000000-511602000000-000-115113010833722043-1-00".into(),
            name: "适龄儿童、少年因身体状况需要延缓入学或者休学审批".into(),
            category: "行政许可".into(),
            department: DepartmentRef {
                name: "广安区教科体局".into(),
                uscc: Some("115113010833722043".into()),
                region: "511602000000".into(),
            },
            ..Default::default()
        }
    }

    #[test]
    fn minimal_item_normalises() {
        let mut c = Checker::default();
        let item = validate_item(&minimal(), &mut c).unwrap_or_else(|| panic!("{:?}", c.problems));
        assert_eq!(item.category, "licensing");
        assert_eq!(item.department.region, "511602");
        assert!(c.problems.is_empty());
    }

    #[test]
    fn errors_name_the_field() {
        let mut r = minimal();
        r.category = "许可证".into();
        r.name = "  ".into();
        r.department.region = "5116".into();
        r.legal_bases.push(LegalBasis {
            role: "依据".into(),
            law: "中华人民共和国行政许可法".into(),
            version: Some("2019-13-01".into()),
            ..Default::default()
        });
        let mut c = Checker::default();
        assert!(validate_item(&r, &mut c).is_none());
        let fields: Vec<&str> = c.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "category",
                "department.region",
                "legal_bases[0].role",
                "legal_bases[0].version"
            ]
        );
    }

    #[test]
    fn roles_real_lists_use_are_accepted_and_others_kept_as_written() {
        let mut r = minimal();
        for role in [
            "违法依据",
            "强制依据",
            "检查依据",
            "征收依据",
            "给付依据",
            "确认依据",
            "奖励依据",
            "裁决依据",
            "问责依据",
            "参照依据",
        ] {
            r.legal_bases.push(LegalBasis {
                role: role.into(),
                law: "中华人民共和国行政许可法".into(),
                ..Default::default()
            });
        }
        let mut c = Checker::default();
        let item = validate_item(&r, &mut c).unwrap_or_else(|| panic!("{:?}", c.problems));
        assert_eq!(
            item.legal_bases[8].role, "追责依据",
            "an alias becomes the canonical role"
        );
        assert_eq!(
            item.legal_bases[9].role, "参照依据",
            "an unknown role is kept"
        );
        assert_eq!(c.problems.len(), 1);
        assert_eq!(c.problems[0].severity, Severity::Warning);
        assert_eq!(c.problems[0].field, "legal_bases[9].role");
    }

    #[test]
    fn bad_check_digit_is_only_a_warning() {
        let mut r = minimal();
        r.department.uscc = Some("115113010833722044".into());
        let mut c = Checker::default();
        assert!(validate_item(&r, &mut c).is_some());
        assert_eq!(c.problems.len(), 1);
        assert_eq!(c.problems[0].severity, Severity::Warning);
        assert_eq!(c.problems[0].field, "department.uscc");
    }

    #[test]
    fn limits_are_enforced() {
        let mut r = minimal();
        r.name = "权".repeat(MAX_NAME_CHARS + 1);
        r.workflow = vec![
            WorkflowStep {
                stage: "受理".into(),
                ..Default::default()
            };
            MAX_LIST_LEN + 1
        ];
        r.remarks = Some("a\u{0}b".into());
        r.time_limit = Some(TimeLimit {
            statutory_days: Some(-1),
            ..Default::default()
        });
        let mut c = Checker::default();
        assert!(validate_item(&r, &mut c).is_none());
        let fields: Vec<&str> = c.problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "time_limit.statutory_days", "workflow", "remarks"]
        );
    }

    proptest! {
        #[test]
        fn validation_never_panics(name in "\\PC{0,300}", code in "\\PC{0,120}", cat in "\\PC{0,8}", region in "\\PC{0,14}") {
            let mut r = minimal();
            r.name = name;
            r.code = code;
            r.category = cat;
            r.department.region = region;
            let mut c = Checker::default();
            let out = validate_item(&r, &mut c);
            prop_assert_eq!(out.is_some(), !c.has_errors());
        }

        #[test]
        fn normalisation_is_idempotent(name in "[\\p{Han}a-z ]{1,50}", days in 0i32..400) {
            let mut r = minimal();
            r.name = name;
            r.time_limit = Some(TimeLimit { statutory_days: Some(days), promised_days: Some(days / 2), unit: Some(" 工作日 ".into()), note: None });
            let mut c = Checker::default();
            if let Some(once) = validate_item(&r, &mut c) {
                let mut c2 = Checker::default();
                let twice = validate_item(&once, &mut c2);
                prop_assert_eq!(Some(once), twice);
            }
        }
    }
}
