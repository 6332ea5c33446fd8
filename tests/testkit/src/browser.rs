//! A real headless Chromium for page tests, driven over WebDriver (W3C) by chromedriver: the
//! Debian packages `chromium` and `chromium-driver`. Where they are missing the browser tests
//! skip with a message, unless `QUANZE_REQUIRE_BROWSER=1` (set by CI), where they fail.
//!
//! Why not fantoccini or thirtyfour: both are async clients that bring tokio, hyper and their
//! TLS stacks into every test build for the dozen WebDriver commands used here (new session,
//! navigate, find, click, type, read, screenshot). These are plain JSON over HTTP to a local
//! chromedriver; ureq (already the tests' HTTP client) does them synchronously in ~150 lines.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C name of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A browser session; the driver (and its browser) stop when it is dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

/// An element on the current page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// The WebDriver id of an element, to pass it to a script as
    /// `{"element-6066-11e4-a52e-4f735466cecf": id}`.
    pub fn element_id(&self, e: &Element) -> String {
        e.0.clone()
    }
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, or says why not (None: skip the test).
    pub fn start() -> Option<Browser> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            let why = "chromium / chromium-driver are not installed (apt-get install chromium chromium-driver)";
            assert!(
                std::env::var("QUANZE_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "QUANZE_REQUIRE_BROWSER=1 but {why}"
            );
            eprintln!("skipping the browser test: {why}");
            return None;
        }
        let port = crate::free_port().ok()?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = agent
                .get(format!("{base}/status"))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_to_string().ok())
                .is_some_and(|b| b.contains("\"ready\":true"));
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            agent,
            _profile: profile,
        };
        // The flags keep Chromium off the (closed) network and out of first-run chores.
        let created = browser.command(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                        "--lang=zh-CN",
                        format!("--user-data-dir={}", browser._profile.path().display()),
                    ]
                }
            }}}),
        );
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"))
            .to_string();
        Some(browser)
    }

    fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.base);
        let mut response = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.to_string()),
        }
        .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let text = response.body_mut().read_to_string().unwrap();
        let reply: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if let Some(error) = reply["value"]["error"].as_str() {
            panic!(
                "WebDriver {method} {path}: {error}: {}",
                reply["value"]["message"]
            );
        }
        reply["value"].clone()
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub fn goto(&self, url: &str) {
        self.command("POST", &self.session_path("/url"), json!({"url": url}));
    }

    pub fn current_url(&self) -> String {
        self.command("GET", &self.session_path("/url"), Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn set_window(&self, width: u32, height: u32) {
        self.command(
            "POST",
            &self.session_path("/window/rect"),
            json!({"width": width, "height": height}),
        );
    }

    /// Every element matching a CSS selector.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        self.command(
            "POST",
            &self.session_path("/elements"),
            json!({"using": "css selector", "value": css}),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_string())))
        .collect()
    }

    /// The first element matching, waiting up to ten seconds for it to appear.
    pub fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(e) = self.find_all(css).into_iter().next() {
                return e;
            }
            assert!(Instant::now() < deadline, "no element matches {css:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types into an element (`\u{E007}` is the Enter key).
    pub fn type_into(&self, e: &Element, text: &str) {
        self.command(
            "POST",
            &self.session_path(&format!("/element/{}/value", e.0)),
            json!({"text": text}),
        );
    }

    pub fn click(&self, e: &Element) {
        self.command(
            "POST",
            &self.session_path(&format!("/element/{}/click", e.0)),
            json!({}),
        );
    }

    pub fn text(&self, e: &Element) -> String {
        self.command(
            "GET",
            &self.session_path(&format!("/element/{}/text", e.0)),
            Value::Null,
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    pub fn attribute(&self, e: &Element, name: &str) -> Option<String> {
        self.command(
            "GET",
            &self.session_path(&format!("/element/{}/attribute/{name}", e.0)),
            Value::Null,
        )
        .as_str()
        .map(str::to_string)
    }

    /// Runs a script in the page (`arguments[0…]` are `args`) and returns its value.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            &self.session_path("/execute/sync"),
            json!({"script": script, "args": args}),
        )
    }

    /// The basics of accessibility that the current page fails, in words: `lang="zh-CN"`, a
    /// title, one `h1` and no skipped heading level, a label for every form control, text for
    /// every link and button, and a contrast of at least 4.5:1 (3:1 for large text) between
    /// every text and its background (WCAG 2 AA).
    pub fn accessibility_problems(&self) -> Vec<String> {
        self.execute(ACCESSIBILITY_CHECK, json!([]))
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    /// A PNG of the viewport, written to `path`.
    pub fn screenshot(&self, path: &Path) -> PathBuf {
        let encoded = self.command("GET", &self.session_path("/screenshot"), Value::Null);
        let png = decode_base64(encoded.as_str().unwrap_or_default());
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
        path.to_path_buf()
    }
}

/// The accessibility check run in the page (see [`Browser::accessibility_problems`]).
const ACCESSIBILITY_CHECK: &str = r#"
const problems = [];
const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : '');
if (document.documentElement.lang !== 'zh-CN') problems.push('html lang is ' + JSON.stringify(document.documentElement.lang));
if (!document.title.trim()) problems.push('no title');
const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
if (headings.filter(l => l === 1).length !== 1) problems.push('not exactly one h1');
headings.reduce((prev, l) => { if (l > prev + 1) problems.push('heading level jumps from h' + prev + ' to h' + l); return l; }, 0);
for (const c of document.querySelectorAll('input,select,textarea')) {
  if (c.type === 'hidden' || c.type === 'submit' || c.type === 'button') continue;
  const labelled = (c.id && document.querySelector('label[for="' + c.id + '"]')) || c.closest('label') || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby');
  if (!labelled) problems.push('no label for ' + describe(c));
}
for (const a of document.querySelectorAll('a,button')) {
  if (!(a.textContent.trim() || a.getAttribute('aria-label'))) problems.push('no text in ' + describe(a));
}
const rgb = (s) => { const m = s.match(/[\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; };
const luminance = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
const background = (e) => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
while (walker.nextNode()) {
  const text = walker.currentNode;
  const e = text.parentElement;
  if (!text.textContent.trim() || !e || seen.has(e)) continue;
  seen.add(e);
  const style = getComputedStyle(e);
  if (style.visibility === 'hidden' || style.display === 'none' || e.getClientRects().length === 0) continue;
  if (e.closest('.skip')) continue;
  const fg = luminance(rgb(style.color)), bg = luminance(background(e));
  const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  const size = parseFloat(style.fontSize), bold = +style.fontWeight >= 700;
  const needed = (size >= 24 || (size >= 18.66 && bold)) ? 3 : 4.5;
  if (ratio < needed) problems.push('contrast ' + ratio.toFixed(2) + ' of ' + describe(e) + ' "' + text.textContent.trim().slice(0, 20) + '"');
}
return problems;
"#;

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let url = format!("{}/session/{}", self.base, self.session);
            let _ = self.agent.delete(&url).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64 (the screenshot encoding); an undecodable screenshot is empty.
fn decode_base64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_decodes() {
        assert_eq!(super::decode_base64("aGVsbG8gd29ybGQ="), b"hello world");
        assert_eq!(super::decode_base64("iVBORw=="), b"\x89PNG");
    }
}
