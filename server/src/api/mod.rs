//! The JSON API under `/api/v1`, one file per resource, plus the operations routes
//! (`/healthz`, `/readyz`, `/metrics`). Handlers parse the request (`crate::extract`), call
//! registry or indexer functions off the async workers, and shape the answer; the rules they
//! apply live in the registry.

pub mod accounts;
pub mod atom;
pub mod audit;
pub mod change_sets;
pub mod changes;
pub mod departments;
pub mod drafts;
pub mod export;
pub mod feedback;
pub mod import;
pub mod items;
pub mod laws;
pub mod list_versions;
pub mod quality;
pub mod regions;
pub mod search;
pub mod statistics;
pub mod status;
pub mod versions;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route. `serve` and [`openapi`] both go through here, so the
/// served document and the committed `openapi/openapi.json` describe the same app.
pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(status::healthz)
        .service(status::readyz)
        .service(status::metrics)
        .service(
            scope("/api/v1")
                .service(search::search)
                .service(search::suggest)
                .service(items::get_item)
                .service(versions::item_versions)
                .service(versions::item_version)
                .service(versions::item_diff)
                .service(feedback::get_question)
                .service(feedback::feedback_by_receipt)
                .service(feedback::submit_feedback)
                .service(feedback::answer_feedback)
                .service(feedback::item_feedback)
                .service(feedback::department_feedback)
                .service(items::categories)
                .service(departments::list_departments)
                .service(departments::get_department)
                .service(departments::department_powers)
                .service(departments::department_responsibilities)
                .service(departments::department_tasks)
                .service(list_versions::list_versions)
                .service(list_versions::list_version)
                .service(list_versions::list_diff)
                .service(regions::list_regions)
                .service(regions::get_region)
                .service(laws::list_laws)
                .service(laws::get_law)
                .service(laws::law_items)
                .service(changes::changes)
                .service(atom::changes_atom)
                .service(export::export)
                .service(quality::quality)
                .service(statistics::statistics)
                .service(statistics::list_review)
                .service(statistics::figure)
                .service(accounts::me)
                .service(drafts::create_draft)
                .service(drafts::list_drafts)
                .service(drafts::get_draft)
                .service(drafts::update_draft)
                .service(drafts::delete_draft)
                .service(drafts::submit_draft)
                .service(drafts::approve_draft)
                .service(drafts::reject_draft)
                .service(change_sets::approve_change_set)
                .service(change_sets::reject_change_set)
                .service(drafts::revise_item)
                .service(drafts::revoke_item)
                .service(drafts::propose_revocation)
                .service(drafts::draft_responsibilities)
                .service(import::import_items)
                .service(import::template_xlsx)
                .service(import::template_csv)
                .service(audit::audit_log)
                .service(accounts::create_user)
                .service(accounts::list_users)
                .service(accounts::create_token)
                .service(accounts::list_tokens)
                .service(accounts::revoke_token),
        );
}

#[cfg(test)]
mod tests {
    use crate::extract::params::documented_and_parsed;

    /// Every route's parameter type reads exactly the parameters it documents.
    #[test]
    fn documented_parameters_are_the_parsed_ones() {
        let checks = [
            (
                "changes",
                documented_and_parsed::<super::changes::ChangeParams>(),
            ),
            ("atom", documented_and_parsed::<super::atom::AtomParams>()),
            (
                "versions",
                documented_and_parsed::<super::versions::VersionListParams>(),
            ),
            (
                "diff",
                documented_and_parsed::<super::versions::DiffParams>(),
            ),
            (
                "search",
                documented_and_parsed::<super::search::SearchParams>(),
            ),
            (
                "suggest",
                documented_and_parsed::<super::search::SuggestParams>(),
            ),
            (
                "departments",
                documented_and_parsed::<super::departments::DepartmentListParams>(),
            ),
            (
                "regions",
                documented_and_parsed::<super::regions::RegionListParams>(),
            ),
            (
                "laws",
                documented_and_parsed::<super::laws::LawListParams>(),
            ),
            (
                "statistics figure",
                documented_and_parsed::<super::statistics::FigureParams>(),
            ),
            (
                "list review",
                documented_and_parsed::<super::statistics::ReviewParams>(),
            ),
            (
                "law items",
                documented_and_parsed::<super::laws::CitationParams>(),
            ),
            (
                "export",
                documented_and_parsed::<super::export::ExportParams>(),
            ),
            (
                "import",
                documented_and_parsed::<super::import::ImportParams>(),
            ),
            (
                "audit",
                documented_and_parsed::<super::audit::AuditParams>(),
            ),
            (
                "drafts",
                documented_and_parsed::<super::drafts::DraftListParams>(),
            ),
        ];
        for (route, (documented, parsed)) in checks {
            assert_eq!(
                documented, parsed,
                "{route}: documented vs parsed parameters"
            );
        }
    }
}
