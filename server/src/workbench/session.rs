//! The signed-in person behind a workbench request: the session cookie (HttpOnly,
//! SameSite=Strict, Secure over TLS, scoped to `/workbench`), the session record it stands for,
//! and the checks every form post passes — same origin, and the session's CSRF token.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use quanze_registry::sessions::{ActiveSession, csrf_matches};

use super::{SIGN_IN_PATH, WorkbenchError};
use crate::error::ApiError;
use crate::extract::auth::client_address;
use crate::state::AppState;

/// The cookie that carries a session's secret.
pub const SESSION_COOKIE: &str = "quanze_session";
/// The form field that carries the session's CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// A signed-in person (a valid, open session).
pub struct Clerk {
    pub session: ActiveSession,
}

impl Clerk {
    /// The hidden field every form of theirs carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name=(CSRF_FIELD) value=(self.session.csrf_token); }
    }

    pub fn may_edit(&self) -> bool {
        self.session.principal.edits_any()
    }

    pub fn may_review(&self) -> bool {
        self.session.principal.reviews_any()
    }

    /// The fields of a urlencoded form post, once [`Clerk::check_form`] has passed it.
    pub fn posted_form(
        &self,
        req: &HttpRequest,
        body: &[u8],
    ) -> Result<FormFields, WorkbenchError> {
        let form = FormFields::parse(body);
        self.check_form(req, &form)?;
        Ok(form)
    }

    /// Refuses a form post that did not come from one of our pages: a cross-site origin, or a
    /// CSRF token that is not this session's.
    pub fn check_form(&self, req: &HttpRequest, form: &FormFields) -> Result<(), WorkbenchError> {
        same_origin(req)?;
        if !csrf_matches(&self.session, form.get(CSRF_FIELD)) {
            return Err(WorkbenchError(ApiError::Forbidden(
                "the form's CSRF token is missing or not this session's".into(),
            )));
        }
        Ok(())
    }
}

/// Whether the request may come from a page of this site: browsers name the page's origin on
/// every form post (`Origin`) and say whether it was cross-site (`Sec-Fetch-Site`).
pub fn same_origin(req: &HttpRequest) -> Result<(), WorkbenchError> {
    let refuse = |why: &str| Err(WorkbenchError(ApiError::Forbidden(why.to_string())));
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return refuse("a cross-site form post");
    }
    if let Some(origin) = header("origin") {
        let host = req.connection_info().host().to_string();
        let matches = origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(&host));
        if !matches {
            return refuse("a form post from another origin");
        }
    }
    Ok(())
}

/// The fields of a urlencoded form (the last value of each name wins).
#[derive(Debug, Default)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    pub fn parse(body: &[u8]) -> FormFields {
        FormFields(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> FormFields {
        FormFields(pairs)
    }

    /// Every field as posted, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The field's value, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Whether the session cookie should be `Secure`: when the request came over TLS (as the
/// proxy in front says, if the server is told it runs behind one).
fn over_tls(req: &HttpRequest, behind_proxy: bool) -> bool {
    if behind_proxy {
        req.connection_info().scheme() == "https"
    } else {
        req.app_config().secure()
    }
}

/// The cookie that opens a session in this browser (a session cookie: gone when the browser
/// closes; the server ends it at its idle or absolute timeout in any case).
pub fn session_cookie(req: &HttpRequest, behind_proxy: bool, secret: &str) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, secret.to_string())
        .path("/workbench")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(over_tls(req, behind_proxy))
        .finish()
}

/// The cookie that removes the session cookie.
pub fn removal_cookie() -> Cookie<'static> {
    let mut c = Cookie::build(SESSION_COOKIE, "")
        .path("/workbench")
        .http_only(true)
        .same_site(SameSite::Strict)
        .finish();
    c.make_removal();
    c
}

/// To the sign-in form, dropping a cookie that no longer opens anything.
pub fn to_sign_in() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", SIGN_IN_PATH))
        .insert_header(("Cache-Control", "no-store"))
        .cookie(removal_cookie())
        .finish()
}

impl FromRequest for Clerk {
    type Error = WorkbenchError;
    type Future = Pin<Box<dyn Future<Output = Result<Clerk, WorkbenchError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let secret = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
        let behind_proxy = state.as_ref().is_some_and(|s| s.limits.behind_proxy);
        let origin = client_address(req, behind_proxy)
            .map(|c| c.to_string())
            .unwrap_or_else(|| "unknown".into());
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                WorkbenchError(ApiError::Internal("no application state".to_string()))
            })?;
            let secret = secret
                .filter(|s| !s.is_empty())
                .ok_or_else(|| WorkbenchError(ApiError::Unauthenticated("no session".into())))?;
            let policy = state.sessions;
            let session = state
                .with_conn(move |conn| {
                    Ok(quanze_registry::sessions::resume(
                        conn,
                        &secret,
                        &origin,
                        policy,
                        quanze_registry::repo::now(),
                    )?)
                })
                .await?;
            Ok(Clerk { session })
        })
    }
}
