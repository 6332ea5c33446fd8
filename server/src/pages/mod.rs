//! The public web pages (zh-CN, server-rendered, readable without JavaScript): search, item,
//! department, law and recent changes. They read through the same functions as the JSON API;
//! maud escapes every value, so text a department typed can never become markup.

mod browse;
mod changes;
mod chart;
mod department;
mod feedback;
mod flowchart;
mod item;
mod law;
mod quality;
mod search;
mod statistics;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use maud::{DOCTYPE, Markup, html};

use crate::error::ApiError;
pub(crate) use crate::views::path_segment as segment;

/// Errors of page handlers: the status of the API error, shown as an HTML page.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (title, message) = match status {
            StatusCode::NOT_FOUND => (
                "页面不存在",
                "没有找到这个页面或事项。它可能已被撤销编号，或地址有误。",
            ),
            StatusCode::BAD_REQUEST => ("请求有误", "地址中的参数不正确。"),
            StatusCode::TOO_MANY_REQUESTS => ("请求过于频繁", "请稍后再试。"),
            _ => ("服务暂时不可用", "服务器出现问题，已记录，请稍后再试。"),
        };
        self.0.report();
        let body = layout(
            title,
            html! {
                h1 { (title) }
                p { (message) }
                p { a href="/" { "返回搜索" } }
            },
        );
        html_response(status, body)
    }
}

/// Result of a page handler.
pub type PageResult = Result<HttpResponse, PageError>;

/// An HTML answer. The pages load nothing but their own stylesheet and script, so the
/// content security policy forbids everything else (inline script and style included).
pub fn html_response(status: StatusCode, body: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
        .body(body.into_string())
}

/// An OK page.
pub fn page(title: &str, content: Markup) -> PageResult {
    Ok(html_response(StatusCode::OK, layout(title, content)))
}

/// The frame of every page: header with navigation, main content, footer.
pub fn layout(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 权责清单" }
                link rel="stylesheet" href="/static/style.css";
                link rel="alternate" type="application/atom+xml" title="权责清单变更" href="/api/v1/changes.atom";
            }
            body {
                a.skip href="#main" { "跳到正文" }
                header.site {
                    nav aria-label="网站导航" {
                        a.brand href="/" { "权责清单" }
                        a href="/" { "搜索" }
                        a href="/departments" { "部门" }
                        a href="/regions" { "地区" }
                        a href="/laws" { "法规" }
                        a href="/changes" { "最近变更" }
                        a href="/statistics" { "统计" }
                        a href="/quality" { "数据质量" }
                        a href="/docs/" { "开放接口" }
                    }
                }
                main #main { (content) }
                footer.site {
                    p { "权力清单和责任清单向社会公开：每项权力的依据、流程、时限、责任和监督渠道。" }
                    p { "数据接口：" a href="/docs/" { "/api/v1" } " · 变更订阅：" a href="/api/v1/changes.atom" { "Atom" } }
                }
                script src="/static/app.js" defer {}
            }
        }
    }
}

/// Runs registry work off the async workers, for public pages (from the read replica, if any).
async fn with_conn<T, F>(state: &web::Data<crate::state::AppState>, work: F) -> Result<T, PageError>
where
    F: FnOnce(&mut quanze_registry::DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    Ok(state.with_public_read(work).await?)
}

const STYLE: &str = include_str!("../../assets/style.css");
const SCRIPT: &str = include_str!("../../assets/app.js");
const WORKBENCH_SCRIPT: &str = include_str!("../../assets/workbench.js");

async fn style() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(STYLE)
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(SCRIPT)
}

async fn workbench_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(WORKBENCH_SCRIPT)
}

/// The HTML 404 for paths outside the API.
pub fn not_found_page() -> HttpResponse {
    PageError(ApiError::NotFound("page".into())).error_response()
}

/// Registers the pages and their assets.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(search::search_page))
        .route("/items/{code}", web::get().to(item::item_page))
        .route("/items/{code}/print", web::get().to(item::print_page))
        .route("/items/{code}/feedback", web::get().to(feedback::form_page))
        .route(
            "/items/{code}/feedback",
            web::post().to(feedback::submit_form),
        )
        .route("/feedback/{receipt}", web::get().to(feedback::receipt_page))
        .route(
            "/departments/{id}",
            web::get().to(department::department_page),
        )
        .route("/departments", web::get().to(browse::departments_page))
        .route("/regions", web::get().to(browse::regions_page))
        .route("/regions/{code}", web::get().to(browse::region_page))
        .route("/laws", web::get().to(browse::laws_page))
        .route("/laws/{id}", web::get().to(law::law_page))
        .route("/changes", web::get().to(changes::changes_page))
        .route("/quality", web::get().to(quality::quality_page))
        .route("/statistics", web::get().to(statistics::statistics_page))
        .route("/static/style.css", web::get().to(style))
        .route("/static/app.js", web::get().to(script))
        .route("/static/workbench.js", web::get().to(workbench_script));
}

/// `2026-11-22T13:14:34Z` → `2026-11-22`.
fn day(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

/// A query string from pairs, percent-encoded.
fn query_string(pairs: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}
