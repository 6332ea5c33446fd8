//! The closed vocabularies of a power list. Each value has one canonical spelling (stored and
//! exported) and a few accepted aliases, because departments' spreadsheets vary.

/// Declares a closed vocabulary: canonical spelling first, then accepted aliases.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $canonical:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical spelling, as stored and exported.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $canonical),+ }
            }

            /// Accepts the canonical spelling or a known alias (surrounding spaces ignored).
            pub fn parse(input: &str) -> Option<$name> {
                match input.trim() {
                    $($canonical $(| $alias)* => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The canonical spellings, for error messages.
            pub fn expected() -> String {
                [$($canonical),+].join(" / ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// 权力来源: where the department's power comes from.
    PowerSource {
        Statutory => "法定本级行使" | "法定" | "本级",
        DelegatedDown => "上级下放" | "下放",
        AuthorisedByHigher => "上级授权",
        AuthorisedBySameLevel => "同级授权",
        EntrustedByHigher => "上级委托",
        EntrustedBySameLevel => "同级委托",
    }
);

vocabulary!(
    /// 行使层级: the levels of government that exercise the power.
    ExerciseLevel {
        National => "national" | "国家" | "国家级" | "中央",
        Province => "province" | "省" | "省级",
        City => "city" | "市" | "市级" | "设区的市",
        County => "county" | "县" | "县级" | "区县",
        Township => "township" | "乡镇" | "乡" | "镇" | "街道" | "乡级",
    }
);

vocabulary!(
    /// 依据类别: what a cited provision does for this item — the roles real lists use. A role
    /// outside this list is kept as written (with a warning), never refused.
    BasisRole {
        Establishing => "设定依据",
        Implementing => "实施依据",
        Penalty => "处罚依据",
        Violated => "违法依据" | "违法行为依据",
        Enforcement => "强制依据",
        Inspection => "检查依据",
        Levy => "征收依据",
        Payment => "给付依据",
        Confirmation => "确认依据",
        Reward => "奖励依据",
        Adjudication => "裁决依据",
        Fee => "收费依据",
        Accountability => "追责依据" | "问责依据",
        Other => "其他依据",
    }
);

vocabulary!(
    /// 裁量阶次 of a penalty discretion standard.
    DiscretionTier {
        NoPenalty => "不予处罚",
        Mitigated => "减轻" | "减轻处罚",
        Lenient => "从轻" | "从轻处罚",
        Ordinary => "一般" | "一般处罚",
        Severe => "从重" | "从重处罚",
    }
);

vocabulary!(
    /// Kinds of entries on a 免罚轻罚 list.
    ExemptionKind {
        NoPenalty => "不予处罚",
        Mitigated => "减轻处罚",
        Lenient => "从轻处罚",
        NoEnforcement => "免予强制" | "不予强制",
    }
);

vocabulary!(
    /// 救济途径.
    RemedyKind {
        Reconsideration => "行政复议",
        Litigation => "行政诉讼",
    }
);

vocabulary!(
    /// Life-cycle state of a power item. `withheld` (不予公开): approved and kept for its
    /// department, never public, counted publicly by reason.
    ItemStatus {
        Draft => "draft",
        InReview => "in_review",
        Published => "published",
        Revoked => "revoked",
        Withheld => "withheld",
    }
);

impl ItemStatus {
    /// Whether an item in this status is the public's to see: published or revoked (revoked
    /// items stay readable, marked so); never drafts, items in review or withheld items.
    pub fn is_public(status: &str) -> bool {
        status == ItemStatus::Published.as_str() || status == ItemStatus::Revoked.as_str()
    }
}

vocabulary!(
    /// Why an item is not published (不予公开的理由): the exemptions of the 政府信息公开条例
    /// (第十四条、第十五条) and other laws.
    WithholdingReason {
        StateSecret => "国家秘密" | "涉及国家秘密",
        CommercialSecret => "商业秘密" | "涉及商业秘密",
        PersonalPrivacy => "个人隐私" | "涉及个人隐私",
        OtherLaw => "其他法律法规规定" | "法律法规规定" | "其他",
    }
);

vocabulary!(
    /// What kind of body a department is (实施主体性质).
    DepartmentKind {
        Statutory => "法定机关" | "行政机关",
        Authorised => "授权组织" | "法律法规授权组织",
        Entrusted => "受委托组织",
    }
);

vocabulary!(
    /// Status of a law version.
    LawStatus {
        InForce => "现行有效",
        Amended => "已修改",
        Repealed => "已废止",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_spellings_round_trip() {
        for v in PowerSource::ALL {
            assert_eq!(PowerSource::parse(v.as_str()), Some(*v));
        }
        for v in ExerciseLevel::ALL {
            assert_eq!(ExerciseLevel::parse(v.as_str()), Some(*v));
        }
        assert_eq!(ExerciseLevel::parse(" 县级 "), Some(ExerciseLevel::County));
        assert_eq!(
            DiscretionTier::parse("从重处罚"),
            Some(DiscretionTier::Severe)
        );
        assert_eq!(BasisRole::parse("依据"), None);
        assert!(ItemStatus::expected().contains("published"));
    }
}
