//! The workbench in headless Chromium through WebDriver (chromedriver): a person signs in,
//! opens a map, changes an emotion score and a touchpoint, and sees the poster and the YAML
//! file change; a viewer finds no way to edit.
//!
//! Needs Chromium and its driver (Debian: `apt-get install -y chromium chromium-driver`);
//! `POLKU_CHROMIUM` and `POLKU_CHROMEDRIVER` name other binaries. The test fails, and says
//! so, when they are missing.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{Fixture, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use polku_model::Language;

fn binary(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    assert!(
        path.is_file(),
        "{} is missing: the browser tests need headless Chromium and chromedriver \
         (Debian: apt-get install -y chromium chromium-driver), or set {var}",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// chromedriver, killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running workbench and a browser signed out of it.
struct Session {
    base: String,
    client: Client,
    _driver: Driver,
    _server: tokio::task::JoinHandle<()>,
}

impl Session {
    async fn start(fx: &Fixture) -> Session {
        let chromium = binary("POLKU_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = binary("POLKU_CHROMEDRIVER", "/usr/bin/chromedriver");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = polku_server::app(fx.state.clone());
        let server = tokio::spawn(async move {
            polku_server::serve(listener, app, std::future::pending())
                .await
                .unwrap();
        });
        let port = free_port();
        let driver = Driver(
            Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display())),
        );
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver takes a moment to listen; try until it answers (bounded).
        let mut client = None;
        let mut last_error = String::new();
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let client =
            client.unwrap_or_else(|| panic!("chromedriver did not start a browser: {last_error}"));
        Session {
            base,
            client,
            _driver: driver,
            _server: server,
        }
    }

    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn login(&self, user: &str) {
        self.goto("/login").await;
        self.client
            .find(Locator::Css("input[name=username]"))
            .await
            .unwrap()
            .send_keys(user)
            .await
            .unwrap();
        self.client
            .find(Locator::Css("input[name=password]"))
            .await
            .unwrap()
            .send_keys(PASSWORD)
            .await
            .unwrap();
        self.client
            .find(Locator::Css("form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.wait_path("/").await;
    }

    async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// Waits until the browser is at `path` (navigation after a submit is asynchronous).
    async fn wait_path(&self, path: &str) {
        for _ in 0..100 {
            if self.path().await == path {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the browser is at {} instead of {path}", self.path().await);
    }

    async fn screenshot(&self, path: &str, out: &Path) {
        self.goto(path).await;
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(out, png).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_changes_a_map_in_the_browser_and_a_viewer_cannot() {
    let fx = Fixture::new(Language::En);
    let (id, file) = fx.map();
    let s = Session::start(&fx).await;

    // Signed out, the map sends the browser to sign in.
    s.goto(&format!("/maps/{id}")).await;
    assert_eq!(s.path().await, "/login");

    s.login("editor").await;
    s.client
        .find(Locator::LinkText("Maps"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    s.wait_path("/maps").await;
    s.client
        .find(Locator::Css(&format!("a[href='/maps/{id}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    s.wait_path(&format!("/maps/{id}")).await;
    let poster = s
        .client
        .find(Locator::Css("#poster svg"))
        .await
        .unwrap()
        .html(false)
        .await
        .unwrap();
    assert!(poster.contains("Search ad: recruitment ads"));
    assert!(!poster.contains("Search ad: hiring made easy"));

    s.client
        .find(Locator::Id("edit-map"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    s.wait_path(&format!("/maps/{id}/edit")).await;
    let name = s
        .client
        .find(Locator::Css("input[name='s0.t0.name']"))
        .await
        .unwrap();
    name.clear().await.unwrap();
    name.send_keys("Search ad: hiring made easy").await.unwrap();
    s.client
        .find(Locator::Css("select[name='s0.t0.emotion']"))
        .await
        .unwrap()
        .select_by_value("-3")
        .await
        .unwrap();
    s.client
        .find(Locator::Id("save"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    s.wait_path(&format!("/maps/{id}")).await;

    // The poster on the page and the YAML file both show the change.
    let poster = s
        .client
        .find(Locator::Css("#poster svg"))
        .await
        .unwrap()
        .html(false)
        .await
        .unwrap();
    assert!(
        poster.contains("Search ad: hiring made easy"),
        "the poster shows the new name"
    );
    let yaml = std::fs::read_to_string(&file).unwrap();
    let map: polku_model::JourneyMap = serde_norway::from_str(&yaml).unwrap();
    let tp = &map.stages[0].touchpoints[0];
    assert_eq!(
        (tp.name.as_str(), tp.emotion),
        ("Search ad: hiring made easy", Some(-3))
    );
    assert!(
        yaml.contains("interview:int-01"),
        "evidence of other items is kept"
    );

    // A viewer sees the map but no edit button, and the edit page is refused.
    s.client.delete_all_cookies().await.unwrap();
    s.login("viewer").await;
    s.goto(&format!("/maps/{id}")).await;
    assert!(s.client.find(Locator::Css("#poster svg")).await.is_ok());
    assert!(
        s.client.find(Locator::Id("edit-map")).await.is_err(),
        "no edit button for a viewer"
    );
    s.goto(&format!("/maps/{id}/edit")).await;
    assert!(
        s.client
            .find(Locator::Css("input[name='s0.t0.name']"))
            .await
            .is_err()
    );
    assert!(s.client.source().await.unwrap().contains("the editor role"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        yaml,
        "the file is unchanged"
    );
    s.client.close().await.unwrap();
}

/// Screenshots of the main pages for the documentation, written to `POLKU_SCREENSHOTS`
/// (`scripts/screenshots.sh` runs it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes documentation screenshots; run by scripts/screenshots.sh"]
async fn screenshots() {
    let out = PathBuf::from(
        std::env::var("POLKU_SCREENSHOTS").expect("POLKU_SCREENSHOTS names the output folder"),
    );
    std::fs::create_dir_all(&out).unwrap();
    let fx = Fixture::new(Language::En);
    // Imported journeys, so the overview and the dashboards show measured numbers.
    let data = fx.root().join("data.csv");
    polku_ingest::generate::generate(&polku_ingest::generate::GenerateOptions {
        customers: 2000,
        seed: 5,
        out: data.clone(),
    })
    .unwrap();
    let options = polku_ingest::ImportOptions {
        user: "screenshots".into(),
        ..polku_ingest::ImportOptions::default()
    };
    polku_ingest::import_events(fx.root(), &data, &options, &polku_ingest::NoProgress).unwrap();
    // Ad spend and survey answers, so attribution sets spend against every model.
    let tables = polku_ingest::TableOptions::default();
    polku_ingest::import_costs(fx.root(), &fx.root().join("data.costs.csv"), &tables).unwrap();
    polku_ingest::import_survey(fx.root(), &fx.root().join("data.survey.csv"), &tables).unwrap();
    let s = Session::start(&fx).await;
    s.client.set_window_size(1400, 1000).await.unwrap();
    s.login("admin").await;
    s.screenshot("/", &out.join("overview.png")).await;
    s.screenshot("/personas/hr-hanna", &out.join("personas.png"))
        .await;
    s.screenshot("/maps/hr-hanna-current", &out.join("map.png"))
        .await;
    s.screenshot("/maps/hr-hanna-current/edit", &out.join("map-edit.png"))
        .await;
    s.screenshot("/compare", &out.join("current-vs-future.png"))
        .await;
    s.client.set_window_size(1400, 2600).await.unwrap();
    s.screenshot(
        "/dashboards?map=hr-hanna-current",
        &out.join("dashboards.png"),
    )
    .await;
    s.screenshot(
        "/dashboards?map=hr-hanna-current#attribution",
        &out.join("dashboards-attribution.png"),
    )
    .await;
    s.client.close().await.unwrap();
}
