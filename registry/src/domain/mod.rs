//! Domain vocabulary: the closed sets of values a power list uses, and the code formats
//! (region codes, unified social credit codes) with their validators, and the Chinese numerals
//! of article labels.

pub mod category;
pub mod codes;
pub mod feed;
pub mod numerals;
pub mod vocab;

pub use category::Category;
pub use codes::{RegionCode, RegionLevel, UsccCheck, check_uscc};
pub use feed::FeedEntity;
pub use vocab::{
    BasisRole, DepartmentKind, DiscretionTier, ExemptionKind, ExerciseLevel, ItemStatus, LawStatus,
    PowerSource, RemedyKind, WithholdingReason,
};
