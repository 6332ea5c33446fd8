//! People's passwords and sessions on both backends: sign-in, timeouts, sign-out, revocation,
//! password change and reset, and what the audit log keeps of them.

use chrono::Duration;
use quanze_registry::auth::{Principal, Role};
use quanze_registry::sessions::{
    SIGN_IN_FAILED, SessionPolicy, csrf_matches, list_sessions, resume, revoke_session, sign_in,
    sign_out,
};
use quanze_registry::{RegistryError, accounts, repo};
use quanze_testkit::TestDatabase;

use crate::open;

const PASSWORD: &str = "交通运输局清单维护2026";

fn unauthenticated<T: std::fmt::Debug>(r: Result<T, RegistryError>) -> String {
    match r {
        Err(RegistryError::Unauthenticated(why)) => why,
        other => panic!("expected Unauthenticated, got {other:?}"),
    }
}

#[test]
fn sessions_open_time_out_and_end() {
    for t in TestDatabase::each() {
        let db = open(&t);
        let conn = &mut *db.conn().unwrap();
        let op = Principal::operator("tester");
        let t0 = repo::now();
        let user =
            accounts::add_user(conn, &op, "admin.li", "李管理", Role::Admin, &[], t0).unwrap();
        let id = user.row.id;
        let policy = SessionPolicy::default();

        // No password yet: nobody can sign in, and the answer is the same as for a wrong one.
        let why = unauthenticated(sign_in(
            conn,
            "admin.li",
            PASSWORD,
            "192.0.2.1",
            None,
            policy,
            t0,
        ));
        assert_eq!(why, SIGN_IN_FAILED);
        accounts::set_password(conn, &op, id, None, PASSWORD, None, t0).unwrap();
        assert!(repo::users::has_password(conn, id).unwrap());
        for (name, password) in [("admin.li", "错误的密码错误的密码"), ("nobody", PASSWORD)]
        {
            let why = unauthenticated(sign_in(conn, name, password, "192.0.2.1", None, policy, t0));
            assert_eq!(why, SIGN_IN_FAILED, "{}", t.backend.name());
        }

        let signed = sign_in(
            conn,
            " admin.li ",
            PASSWORD,
            "192.0.2.1",
            Some("Firefox"),
            policy,
            t0,
        )
        .unwrap();
        assert_eq!(signed.expires_at, t0 + policy.absolute);
        assert!(csrf_matches(&signed.session, &signed.session.csrf_token));
        assert!(!csrf_matches(&signed.session, "0000"));
        let again = resume(
            conn,
            &signed.secret,
            "192.0.2.1",
            policy,
            t0 + Duration::minutes(29),
        )
        .unwrap();
        assert_eq!(again.principal.user_id, id);
        assert_eq!(again.display_name, "李管理");
        assert_eq!(again.csrf_token, signed.session.csrf_token);
        // Used at 29 minutes, so it lives to 59; idle from then on, it ends at 59.
        assert!(
            resume(
                conn,
                &signed.secret,
                "x",
                policy,
                t0 + Duration::minutes(58)
            )
            .is_ok()
        );
        let why = unauthenticated(resume(
            conn,
            &signed.secret,
            "x",
            policy,
            t0 + Duration::minutes(89),
        ));
        assert!(why.contains("idle"), "{why}");
        // However busy, a session ends at its absolute timeout.
        let busy = sign_in(conn, "admin.li", PASSWORD, "x", None, policy, t0).unwrap();
        let mut at = t0;
        while at < t0 + policy.absolute - Duration::minutes(20) {
            at += Duration::minutes(20);
            resume(conn, &busy.secret, "x", policy, at).unwrap();
        }
        let why = unauthenticated(resume(
            conn,
            &busy.secret,
            "x",
            policy,
            t0 + policy.absolute,
        ));
        assert!(why.contains("absolute"), "{why}");
        assert!(resume(conn, "qz_not-a-session", "x", policy, t0).is_err());

        // Sign-out ends the session at once; so does an admin's revocation.
        let a = sign_in(conn, "admin.li", PASSWORD, "x", None, policy, t0).unwrap();
        let b = sign_in(conn, "admin.li", PASSWORD, "x", None, policy, t0).unwrap();
        sign_out(conn, &a.session, t0).unwrap();
        assert!(resume(conn, &a.secret, "x", policy, t0).is_err());
        let open: Vec<i64> = list_sessions(conn, &op, Some(id), t0)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert!(open.contains(&b.session.session_id) && !open.contains(&a.session.session_id));
        // Someone else's session is as good as missing to a non-admin.
        let stranger = accounts::add_user(conn, &op, "stranger", "", Role::Admin, &[], t0).unwrap();
        let not_admin = Principal {
            user_id: stranger.row.id,
            role: Role::Editor,
            departments: vec![],
            ..Principal::operator("stranger")
        };
        assert!(matches!(
            revoke_session(conn, &not_admin, b.session.session_id, t0),
            Err(RegistryError::NotFound(_))
        ));
        revoke_session(conn, &op, b.session.session_id, t0).unwrap();
        assert!(resume(conn, &b.secret, "x", policy, t0).is_err());

        // Changing one's own password needs the current one and keeps the session that did it;
        // a reset by an admin ends them all.
        let c = sign_in(conn, "admin.li", PASSWORD, "x", None, policy, t0).unwrap();
        let d = sign_in(conn, "admin.li", PASSWORD, "x", None, policy, t0).unwrap();
        let me = c.session.principal.clone();
        let wrong = accounts::set_password(
            conn,
            &me,
            id,
            Some("猜错的密码猜错的密码"),
            "新的密码新的密码新的",
            Some(c.session.session_id),
            t0,
        );
        assert!(
            matches!(wrong, Err(RegistryError::Invalid(ref p)) if p[0].field == "current_password"),
            "{wrong:?}"
        );
        let weak = accounts::set_password(
            conn,
            &me,
            id,
            Some(PASSWORD),
            "short",
            Some(c.session.session_id),
            t0,
        );
        assert!(
            matches!(weak, Err(RegistryError::Invalid(ref p)) if p[0].field == "password"),
            "{weak:?}"
        );
        accounts::set_password(
            conn,
            &me,
            id,
            Some(PASSWORD),
            "新的密码新的密码新的",
            Some(c.session.session_id),
            t0,
        )
        .unwrap();
        assert!(resume(conn, &c.secret, "x", policy, t0).is_ok());
        assert!(resume(conn, &d.secret, "x", policy, t0).is_err());
        assert!(sign_in(conn, "admin.li", PASSWORD, "x", None, policy, t0).is_err());
        accounts::set_password(conn, &op, id, None, PASSWORD, None, t0).unwrap();
        assert!(resume(conn, &c.secret, "x", policy, t0).is_err());

        // A disabled account's sessions end, and it cannot sign in again.
        let e = sign_in(conn, "admin.li", PASSWORD, "x", None, policy, t0).unwrap();
        accounts::disable_user(conn, &op, id, t0).unwrap();
        assert!(resume(conn, &e.secret, "x", policy, t0).is_err());
        assert!(sign_in(conn, "admin.li", PASSWORD, "x", None, policy, t0).is_err());

        // The audit log has every step, and never a password or a session secret.
        let log = repo::history::audit_for_entity(conn, "user", "admin.li").unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        for action in [
            "session.sign_in",
            "session.sign_in_failed",
            "session.sign_out",
            "user.password_change",
            "user.password_reset",
        ] {
            assert!(
                actions.contains(&action),
                "{action} missing from {actions:?}"
            );
        }
        let failures: Vec<&str> = log
            .iter()
            .filter(|e| e.action == "session.sign_in_failed")
            .map(|e| e.details.as_str())
            .collect();
        assert!(
            failures.iter().any(|d| d.contains("no password set"))
                && failures.iter().any(|d| d.contains("wrong password")),
            "{failures:?}"
        );
        let everything = format!("{log:?}");
        for secret in [PASSWORD, "新的密码新的密码新的", &e.secret, &a.secret] {
            assert!(!everything.contains(secret), "the audit log holds a secret");
        }
        let nobody = repo::history::audit_for_entity(conn, "user", "nobody").unwrap();
        assert!(nobody.iter().any(|e| e.details.contains("unknown user")));
    }
}

#[test]
fn a_checked_upload_is_its_uploaders_alone_and_expires() {
    use quanze_registry::sheet::workbook::SheetFormat;
    use quanze_registry::uploads::{
        UPLOAD_LIFETIME_HOURS, delete_upload, find_upload, store_upload,
    };
    for t in TestDatabase::each() {
        let db = open(&t);
        let conn = &mut *db.conn().unwrap();
        let op = Principal::operator("tester");
        let t0 = repo::now();
        let as_principal = |name: &str, conn: &mut quanze_registry::DbConnection| {
            let u = accounts::add_user(conn, &op, name, "", Role::Admin, &[], t0).unwrap();
            Principal {
                user_id: u.row.id,
                ..Principal::operator(name)
            }
        };
        let a = as_principal("clerk.a", conn);
        let b = as_principal("clerk.b", conn);
        let bytes = b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7\n".to_vec();
        let id = store_upload(conn, &a, "清单.csv", SheetFormat::Csv, &bytes, None, t0).unwrap();
        let got = find_upload(conn, &a, id, t0).unwrap();
        assert_eq!(
            (got.content, got.format, got.file_name.as_str()),
            (bytes.clone(), SheetFormat::Csv, "清单.csv")
        );
        assert!(matches!(
            find_upload(conn, &b, id, t0),
            Err(RegistryError::NotFound(_))
        ));
        let later = t0 + Duration::hours(UPLOAD_LIFETIME_HOURS + 1);
        assert!(matches!(
            find_upload(conn, &a, id, later),
            Err(RegistryError::NotFound(_))
        ));
        delete_upload(conn, &b, id).unwrap();
        assert!(
            find_upload(conn, &a, id, t0).is_ok(),
            "only its uploader deletes it"
        );
        delete_upload(conn, &a, id).unwrap();
        assert!(find_upload(conn, &a, id, t0).is_err());
        // Storing another clears out the expired ones.
        let old = store_upload(conn, &a, "旧.csv", SheetFormat::Csv, &bytes, None, t0).unwrap();
        store_upload(conn, &a, "新.csv", SheetFormat::Csv, &bytes, None, later).unwrap();
        assert!(find_upload(conn, &a, old, t0).is_err());
    }
}
