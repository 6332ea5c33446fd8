//! A person at the workbench over plain HTTP: signs in with the form, keeps the session cookie,
//! reads pages (with their CSRF token) and posts forms, seeing redirects as they are. For the
//! security tests; the browser tests use a real Chromium instead.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::TestDatabase;

/// Creates a user with a workbench password (`quanze user add … --password-stdin`).
pub fn add_user(bin: &Path, t: &TestDatabase, data: &Path, args: &[&str], password: &str) {
    use std::io::Write;
    let mut child = Command::new(bin)
        .arg("--data-dir")
        .arg(data)
        .arg("--database-url")
        .arg(&t.url)
        .args(["user", "add"])
        .args(args)
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "user add {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An HTTP answer: status, headers, body.
pub struct Page {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// Where a redirect points.
    pub fn location(&self) -> String {
        self.header("location").unwrap_or_default()
    }

    /// The CSRF token the page's forms carry.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF field on the page: {}", self.body))
            + marker.len();
        self.body[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

/// One person's browser, reduced to a cookie.
pub struct Desk {
    base: String,
    agent: ureq::Agent,
    /// The session cookie's value.
    pub cookie: Option<String>,
    /// The sign-in form's token cookie.
    sign_in_token: Option<String>,
}

impl Desk {
    pub fn new(base: &str) -> Desk {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Desk {
            base: base.to_string(),
            agent,
            cookie: None,
            sign_in_token: None,
        }
    }

    fn finish(&mut self, request: ureq::http::request::Builder, body: Vec<u8>) -> Page {
        let mut cookies = Vec::new();
        if let Some(c) = &self.cookie {
            cookies.push(format!("quanze_session={c}"));
        }
        if let Some(t) = &self.sign_in_token {
            cookies.push(format!("quanze_sign_in={t}"));
        }
        let request = if cookies.is_empty() {
            request
        } else {
            request.header("Cookie", cookies.join("; "))
        };
        let mut r = self.agent.run(request.body(body).unwrap()).unwrap();
        let page = Page {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.body_mut().read_to_string().unwrap_or_default(),
        };
        for set in page.headers.get_all("set-cookie") {
            let set = set.to_str().unwrap_or_default();
            let value = |rest: &str| {
                let v = rest.split(';').next().unwrap_or_default();
                (!v.is_empty()).then(|| v.to_string())
            };
            if let Some(rest) = set.strip_prefix("quanze_session=") {
                self.cookie = value(rest);
            } else if let Some(rest) = set.strip_prefix("quanze_sign_in=") {
                self.sign_in_token = value(rest);
            }
        }
        page
    }

    pub fn get(&mut self, path: &str) -> Page {
        let request = ureq::http::Request::builder()
            .method("GET")
            .uri(format!("{}{path}", self.base));
        self.finish(request, Vec::new())
    }

    /// Posts a urlencoded form, with extra headers.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let mut form = String::new();
        for (k, v) in fields {
            if !form.is_empty() {
                form.push('&');
            }
            form.push_str(&format!(
                "{}={}",
                crate::server::enc(k),
                crate::server::enc(v)
            ));
        }
        let mut request = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}{path}", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        self.finish(request, form.into_bytes())
    }

    /// Posts a multipart form with one file (`file`) and text fields, as a browser uploads.
    pub fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        content: &[u8],
    ) -> Page {
        let boundary = "quanze-test-boundary-7d1f";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}{path}", self.base))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            );
        self.finish(request, body)
    }

    /// Signs in with the form (fetched first, for its token); the answer is the form's
    /// redirect (303) or its refusal.
    pub fn sign_in(&mut self, username: &str, password: &str) -> Page {
        self.sign_in_with(username, password, &[])
    }

    /// Signs in with extra headers on the post.
    pub fn sign_in_with(
        &mut self,
        username: &str,
        password: &str,
        headers: &[(&str, &str)],
    ) -> Page {
        let form = self.get("/workbench/sign-in");
        let marker = "name=\"quanze_sign_in\" value=\"";
        let token = form
            .body
            .split(marker)
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_string();
        self.post(
            "/workbench/sign-in",
            &[
                ("quanze_sign_in", &token),
                ("username", username),
                ("password", password),
            ],
            headers,
        )
    }

    /// Posts a form of a signed-in page with its CSRF token (read from `from`).
    pub fn post_form(&mut self, from: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(from).csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all, &[])
    }
}
