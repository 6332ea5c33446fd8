// @generated from migrations/sqlite by `QUANZE_BLESS=1 cargo test -p quanze-registry --test registry schema_rs`.
// Do not edit: a test fails when this file and the migrations disagree.

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        token_prefix -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        label -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        origin -> Text,
        action -> Text,
        entity_type -> Text,
        entity_key -> Text,
        department_id -> Nullable<BigInt>,
        details -> Text,
    }
}

diesel::table! {
    department_tasks (id) {
        id -> BigInt,
        department_id -> BigInt,
        position -> Integer,
        task -> Text,
        responsible_unit -> Text,
        deadline_text -> Text,
        due_date -> Nullable<Date>,
        ongoing -> Bool,
        progress -> Nullable<Text>,
        status -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    departments (id) {
        id -> BigInt,
        name -> Text,
        uscc -> Nullable<Text>,
        region_code -> Text,
        level -> Nullable<Text>,
        kind -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        consultation -> Nullable<Text>,
        supervision -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    duty_boundaries (id) {
        id -> BigInt,
        department_id -> BigInt,
        position -> Integer,
        matter -> Text,
        basis -> Nullable<Text>,
        case_text -> Nullable<Text>,
    }
}

diesel::table! {
    duty_boundary_parties (id) {
        id -> BigInt,
        boundary_id -> BigInt,
        position -> Integer,
        department_name -> Text,
        division -> Text,
    }
}

diesel::table! {
    duty_entries (id) {
        id -> BigInt,
        department_id -> BigInt,
        position -> Integer,
        duty -> Text,
        office -> Nullable<Text>,
    }
}

diesel::table! {
    duty_work_items (id) {
        id -> BigInt,
        duty_id -> BigInt,
        position -> Integer,
        item -> Text,
        office -> Nullable<Text>,
    }
}

diesel::table! {
    feedback (id) {
        id -> BigInt,
        receipt -> Text,
        item_id -> BigInt,
        department_id -> BigInt,
        kind -> Text,
        step -> Nullable<Text>,
        score -> Nullable<Integer>,
        body -> Nullable<Text>,
        contact -> Nullable<Text>,
        status -> Text,
        due_at -> Nullable<Timestamp>,
        answer -> Nullable<Text>,
        outcome -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        question_nonce -> Nullable<Text>,
    }
}

diesel::table! {
    item_accountability (id) {
        id -> BigInt,
        item_id -> BigInt,
        position -> Integer,
        circumstance -> Text,
        basis -> Nullable<Text>,
    }
}

diesel::table! {
    item_discretion (id) {
        id -> BigInt,
        item_id -> BigInt,
        position -> Integer,
        violation -> Text,
        tier -> Text,
        conditions -> Nullable<Text>,
        sanction -> Text,
        basis -> Nullable<Text>,
    }
}

diesel::table! {
    item_drafts (id) {
        id -> BigInt,
        kind -> Text,
        item_id -> Nullable<BigInt>,
        base_version -> Nullable<Integer>,
        code -> Text,
        name -> Text,
        department_id -> BigInt,
        record -> Text,
        status -> Text,
        revision -> Integer,
        reason -> Nullable<Text>,
        created_by -> BigInt,
        updated_by -> BigInt,
        submitted_by -> Nullable<BigInt>,
        submitted_at -> Nullable<Timestamp>,
        review_comment -> Nullable<Text>,
        reviewed_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        change_set -> Nullable<Text>,
    }
}

diesel::table! {
    item_exemptions (id) {
        id -> BigInt,
        item_id -> BigInt,
        position -> Integer,
        kind -> Text,
        conditions -> Text,
        basis -> Nullable<Text>,
    }
}

diesel::table! {
    item_joint_departments (id) {
        id -> BigInt,
        item_id -> BigInt,
        position -> Integer,
        name -> Text,
        division -> Nullable<Text>,
    }
}

diesel::table! {
    item_legal_bases (id) {
        id -> BigInt,
        item_id -> BigInt,
        position -> Integer,
        role -> Text,
        law_title -> Text,
        law_version -> Nullable<Date>,
        article_label -> Nullable<Text>,
        article_number -> Nullable<Integer>,
        law_id -> Nullable<BigInt>,
        article_id -> Nullable<BigInt>,
        text -> Nullable<Text>,
    }
}

diesel::table! {
    item_remedies (id) {
        id -> BigInt,
        item_id -> BigInt,
        position -> Integer,
        kind -> Text,
        body -> Nullable<Text>,
        time_limit -> Nullable<Text>,
    }
}

diesel::table! {
    item_responsibilities (id) {
        id -> BigInt,
        item_id -> BigInt,
        position -> Integer,
        stage -> Text,
        duty -> Text,
        basis -> Nullable<Text>,
    }
}

diesel::table! {
    item_review_flags (id) {
        id -> BigInt,
        item_id -> BigInt,
        law_id -> Nullable<BigInt>,
        reason -> Text,
        articles -> Text,
        created_at -> Timestamp,
        cleared_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    item_versions (id) {
        id -> BigInt,
        item_id -> BigInt,
        version -> Integer,
        status -> Text,
        snapshot -> Text,
        actor -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    item_workflow_steps (id) {
        id -> BigInt,
        item_id -> BigInt,
        position -> Integer,
        stage -> Text,
        description -> Nullable<Text>,
        actor -> Nullable<Text>,
        time_limit_days -> Nullable<Integer>,
    }
}

diesel::table! {
    law_articles (id) {
        id -> BigInt,
        law_id -> BigInt,
        position -> Integer,
        number -> Integer,
        sub_number -> Integer,
        label -> Text,
        chapter -> Nullable<Text>,
        section -> Nullable<Text>,
        text -> Text,
    }
}

diesel::table! {
    laws (id) {
        id -> BigInt,
        title -> Text,
        short_title -> Text,
        level -> Text,
        issuer -> Nullable<Text>,
        version_date -> Nullable<Date>,
        effective_date -> Nullable<Date>,
        status -> Text,
        supersedes_id -> Nullable<BigInt>,
        source_path -> Text,
        history -> Text,
        article_count -> Integer,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    outbox (seq) {
        seq -> BigInt,
        at -> Timestamp,
        entity_id -> BigInt,
        entity_key -> Text,
        kind -> Text,
        version -> Integer,
        reason -> Nullable<Text>,
        entity -> Text,
    }
}

diesel::table! {
    power_items (id) {
        id -> BigInt,
        code -> Text,
        base_code -> Nullable<Text>,
        name -> Text,
        category -> Text,
        parent_code -> Nullable<Text>,
        department_id -> BigInt,
        undertaking_office -> Nullable<Text>,
        power_source -> Nullable<Text>,
        exercise_levels -> Text,
        statutory_days -> Nullable<Integer>,
        promised_days -> Nullable<Integer>,
        time_limit_unit -> Nullable<Text>,
        time_limit_note -> Nullable<Text>,
        fee_charged -> Nullable<Bool>,
        fee_basis -> Nullable<Text>,
        fee_standard -> Nullable<Text>,
        consultation -> Nullable<Text>,
        supervision -> Nullable<Text>,
        remarks -> Nullable<Text>,
        status -> Text,
        version -> Integer,
        effective_from -> Nullable<Date>,
        revoked_at -> Nullable<Timestamp>,
        revoke_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        withheld_reason -> Nullable<Text>,
        withheld_basis -> Nullable<Text>,
    }
}

diesel::table! {
    public_services (id) {
        id -> BigInt,
        department_id -> BigInt,
        position -> Integer,
        name -> Text,
        description -> Nullable<Text>,
        basis -> Nullable<Text>,
        office -> Nullable<Text>,
    }
}

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Nullable<Text>,
        level -> Text,
        parent_code -> Nullable<Text>,
    }
}

diesel::table! {
    responsibility_list_versions (id) {
        id -> BigInt,
        department_id -> BigInt,
        version -> Integer,
        snapshot -> Text,
        actor -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sheet_uploads (id) {
        id -> BigInt,
        user_id -> BigInt,
        file_name -> Text,
        format -> Text,
        content -> Binary,
        department_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    site_secrets (name) {
        name -> Text,
        secret -> Text,
    }
}

diesel::table! {
    supervision_rules (id) {
        id -> BigInt,
        department_id -> BigInt,
        position -> Integer,
        name -> Text,
        content -> Text,
        basis -> Nullable<Text>,
    }
}

diesel::table! {
    user_departments (id) {
        id -> BigInt,
        user_id -> BigInt,
        department_id -> BigInt,
    }
}

diesel::table! {
    user_sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        secret_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        origin -> Text,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        role -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        password_hash -> Nullable<Text>,
        password_changed_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(department_tasks -> departments (department_id));
diesel::joinable!(departments -> regions (region_code));
diesel::joinable!(duty_boundaries -> departments (department_id));
diesel::joinable!(duty_boundary_parties -> duty_boundaries (boundary_id));
diesel::joinable!(duty_entries -> departments (department_id));
diesel::joinable!(duty_work_items -> duty_entries (duty_id));
diesel::joinable!(feedback -> departments (department_id));
diesel::joinable!(feedback -> power_items (item_id));
diesel::joinable!(item_accountability -> power_items (item_id));
diesel::joinable!(item_discretion -> power_items (item_id));
diesel::joinable!(item_drafts -> departments (department_id));
diesel::joinable!(item_drafts -> power_items (item_id));
diesel::joinable!(item_exemptions -> power_items (item_id));
diesel::joinable!(item_joint_departments -> power_items (item_id));
diesel::joinable!(item_legal_bases -> law_articles (article_id));
diesel::joinable!(item_legal_bases -> laws (law_id));
diesel::joinable!(item_legal_bases -> power_items (item_id));
diesel::joinable!(item_remedies -> power_items (item_id));
diesel::joinable!(item_responsibilities -> power_items (item_id));
diesel::joinable!(item_review_flags -> laws (law_id));
diesel::joinable!(item_review_flags -> power_items (item_id));
diesel::joinable!(item_versions -> power_items (item_id));
diesel::joinable!(item_workflow_steps -> power_items (item_id));
diesel::joinable!(law_articles -> laws (law_id));
diesel::joinable!(power_items -> departments (department_id));
diesel::joinable!(public_services -> departments (department_id));
diesel::joinable!(responsibility_list_versions -> departments (department_id));
diesel::joinable!(sheet_uploads -> departments (department_id));
diesel::joinable!(sheet_uploads -> users (user_id));
diesel::joinable!(supervision_rules -> departments (department_id));
diesel::joinable!(user_departments -> departments (department_id));
diesel::joinable!(user_departments -> users (user_id));
diesel::joinable!(user_sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_tokens,
    audit_log,
    department_tasks,
    departments,
    duty_boundaries,
    duty_boundary_parties,
    duty_entries,
    duty_work_items,
    feedback,
    item_accountability,
    item_discretion,
    item_drafts,
    item_exemptions,
    item_joint_departments,
    item_legal_bases,
    item_remedies,
    item_responsibilities,
    item_review_flags,
    item_versions,
    item_workflow_steps,
    law_articles,
    laws,
    outbox,
    power_items,
    public_services,
    regions,
    responsibility_list_versions,
    sheet_uploads,
    site_secrets,
    supervision_rules,
    user_departments,
    user_sessions,
    users,
);
