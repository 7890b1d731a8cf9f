//! End to end in a real headless Chromium driven over WebDriver: sign in, upload an SBOM for a
//! new release through the form, see its components. Screenshots of each step are kept under the
//! cargo target directory (`tmp/e2e-screenshots`).
//!
//! Needs `chromium` and `chromium-driver` (Debian); without them the test says it is skipped,
//! unless `POSTMARKET_REQUIRE_BROWSER` is set (CI sets it), when it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use postmarket_app::{App, NewUser};
use postmarket_auth::Role;
use postmarket_model::{DeviceClass, NewDevice, Pathway};

fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for_port(port: u16) {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on port {port} within 10 s");
}

async fn shot(c: &fantoccini::Client, dir: &Path, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(dir.join(name), png).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_signs_in_uploads_an_sbom_and_sees_its_components() {
    let required = std::env::var_os("POSTMARKET_REQUIRE_BROWSER").is_some();
    let (Some(driver), Some(browser)) = (
        find(&["chromedriver"]),
        find(&["chromium", "chromium-browser", "google-chrome"]),
    ) else {
        assert!(
            !required,
            "POSTMARKET_REQUIRE_BROWSER is set but chromium / chromedriver are missing (apt-get install chromium chromium-driver)"
        );
        eprintln!("browser test: skipped: install chromium and chromium-driver to run it");
        return;
    };

    // The server, on a real SQLite file.
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&postmarket_testing::sqlite_url(dir.path(), "pm.db"))
        .await
        .unwrap();
    let actor = common::actor();
    let new = NewDevice::new(
        "Patient Monitor PM-7".parse().unwrap(),
        "Monitoring",
        DeviceClass::II,
        Pathway::Premarket510k,
    );
    app.add_device(&actor, &new, None).await.unwrap();
    app.add_user(
        &actor,
        &NewUser {
            name: "ana",
            role: Role::Engineer,
            password: common::PASSWORD,
            product_lines: vec!["Monitoring".into()],
        },
    )
    .await
    .unwrap();
    let listener = postmarket_server::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(postmarket_server::serve(
        app.clone(),
        Default::default(),
        listener,
    ));

    // The browser.
    let port = free_port();
    let _driver = Driver(
        Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port).await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": browser,
            "args": ["--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--window-size=1280,1024"]
        }),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session with headless Chromium");
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    // Anonymous: sent to the login form.
    c.goto(&format!("{base}/")).await.unwrap();
    c.wait().for_element(Locator::Id("login")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    shot(&c, &shots, "01-login.png").await;

    // A wrong password first, then the right one.
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("ana")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("not the password")
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let err = c
        .wait()
        .for_element(Locator::Id("login-error"))
        .await
        .unwrap();
    assert!(err
        .text()
        .await
        .unwrap()
        .contains("Wrong user name or password"));
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("ana")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(common::PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let who = c.wait().for_element(Locator::Id("who")).await.unwrap();
    assert!(who.text().await.unwrap().contains("ana"));
    // The session cookie is HttpOnly: no script can read it.
    let seen: serde_json::Value = c
        .execute("return document.cookie;", vec![])
        .await
        .unwrap_or(serde_json::Value::Null);
    assert!(
        !seen.as_str().unwrap_or("").contains("pm_session"),
        "{seen}"
    );
    shot(&c, &shots, "02-portfolio.png").await;

    // The device page, and its upload form for a new release.
    c.find(Locator::LinkText("Patient Monitor PM-7"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("upload")).await.unwrap();
    c.find(Locator::Id("version"))
        .await
        .unwrap()
        .send_keys("7.2.0")
        .await
        .unwrap();
    let sbom = common::fixture("monitor.cdx.json");
    c.find(Locator::Id("sbom"))
        .await
        .unwrap()
        .send_keys(sbom.to_str().unwrap())
        .await
        .unwrap();
    shot(&c, &shots, "03-upload-form.png").await;
    c.find(Locator::Id("upload-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The new release with its components.
    let table = c
        .wait()
        .for_element(Locator::Id("components"))
        .await
        .unwrap();
    let text = table.text().await.unwrap();
    for name in ["example-widget", "zlib", "monitor-firmware"] {
        assert!(
            text.contains(name),
            "{name} missing from the components table: {text}"
        );
    }
    let url = c.current_url().await.unwrap();
    assert_eq!(
        url.path(),
        "/devices/Patient%20Monitor%20PM-7/releases/7.2.0"
    );
    shot(&c, &shots, "04-release-components.png").await;

    // Sign out.
    c.find(Locator::Id("logout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("login")).await.unwrap();
    c.close().await.unwrap();

    // What the browser did is in the store and the audit chain.
    let stored = app
        .release_sbom(
            &"Patient Monitor PM-7".parse().unwrap(),
            &"7.2.0".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(stored.components.len(), 3);
    assert!(app.verify().await.unwrap().ok);
    eprintln!("browser test: screenshots in {}", shots.display());
}
