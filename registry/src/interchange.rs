//! The interchange format (docs/interchange.md): one JSON object per power item, NDJSON in
//! bulk. The same types serve import, export and the API, so what a department exports it can
//! import again unchanged. Optional values are skipped when empty, which makes export output
//! canonical: export → import → export is byte-identical.

use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

/// One power item (权力事项).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PowerItemRecord {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_code: Option<String>,
    pub name: String,
    /// Key, two-digit code or Chinese name on input; always the key after validation.
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_code: Option<String>,
    pub department: DepartmentRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undertaking_office: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub joint_departments: Vec<JointDepartment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exercise_levels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<TimeLimit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Fee>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_bases: Vec<LegalBasis>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workflow: Vec<WorkflowStep>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responsibilities: Vec<Responsibility>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accountability: Vec<Accountability>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discretion: Vec<Discretion>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemptions: Vec<Exemption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remedies: Vec<Remedy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<String>,
    /// 不予公开: the item is approved and kept for its department but never published (pages,
    /// API, export, feed, search); the public sees only how many items are withheld, by reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<Withholding>,
}

/// Why an item is not published, and on what legal basis.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withholding {
    /// 国家秘密, 商业秘密, 个人隐私 or 其他法律法规规定.
    #[serde(default)]
    pub reason: String,
    /// The provision that exempts it (《中华人民共和国保守国家秘密法》第十三条 …).
    #[serde(default)]
    pub basis: String,
}

/// The 实施主体 an item belongs to, as a list names it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentRef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JointDepartment {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeLimit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_days: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fee {
    #[serde(default, skip_serializing_if = "is_false")]
    pub charged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalBasis {
    pub role: String,
    pub law: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkflowStep {
    pub stage: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_days: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Responsibility {
    pub stage: String,
    pub duty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accountability {
    pub circumstance: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discretion {
    pub violation: String,
    pub tier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<String>,
    pub sanction: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exemption {
    pub kind: String,
    pub conditions: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Remedy {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<String>,
}

/// A department's 责任清单 (four parts), one per line of a responsibilities file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponsibilityListRecord {
    pub department: DepartmentRecord,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub main_duties: Vec<MainDuty>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duty_boundaries: Vec<DutyBoundary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supervision_rules: Vec<SupervisionRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_services: Vec<PublicService>,
}

impl ResponsibilityListRecord {
    /// Whether the list has nothing in any of its four parts.
    pub fn is_empty(&self) -> bool {
        self.main_duties.is_empty()
            && self.duty_boundaries.is_empty()
            && self.supervision_rules.is_empty()
            && self.public_services.is_empty()
    }
}

/// A department with its descriptive fields (used where the department itself is described).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentRecord {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervision: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MainDuty {
    pub duty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work_items: Vec<WorkItem>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItem {
    pub item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyBoundary {
    pub matter: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<BoundaryParty>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoundaryParty {
    pub department: String,
    pub division: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisionRule {
    pub name: String,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicService {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
}
