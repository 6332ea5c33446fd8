//! What the public change feed speaks of.

/// What kind of public record a feed entry is about. Mirrors that follow the feed end up with
/// everything the public sees: items, departments' 责任清单, departments and laws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedEntity {
    Item,
    ResponsibilityList,
    Department,
    Law,
}

impl FeedEntity {
    pub const ALL: [FeedEntity; 4] = [
        FeedEntity::Item,
        FeedEntity::ResponsibilityList,
        FeedEntity::Department,
        FeedEntity::Law,
    ];

    pub fn parse(name: &str) -> Option<FeedEntity> {
        FeedEntity::ALL.into_iter().find(|e| e.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FeedEntity::Item => "item",
            FeedEntity::ResponsibilityList => "responsibility_list",
            FeedEntity::Department => "department",
            FeedEntity::Law => "law",
        }
    }
}
